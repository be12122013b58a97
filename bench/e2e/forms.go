package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Form post → searchable: `earshot run` with the embedded defaults and a
// forms connector; posts arrive at a fixed rate (open loop: a slow answer
// does not slow the next post), each with a distinct e-mail (a new lead)
// and a distinct token in its message. One poller searches through the
// API for the tokens not seen yet and notes when each first shows up. The
// latency of a post is from sending it to the first search that finds it,
// so it includes the intake, Kafka, enrichment, identity, the index stage
// and the index's refresh; it is measured to within the poll interval.
// The poller's searches run in the same process and cost it CPU.

var bannerAdmin = regexp.MustCompile(`user admin, password (\S+)`)

type formsOptions struct {
	rate     float64
	duration time.Duration
	poll     time.Duration
}

func runForms(o options, fo formsOptions, dir string) error {
	httpAddr, err := freeAddr()
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  producer: {%s}
http:
  listen: %s
search:
  embedded: {path: %q}
  stage: {%s}
connectors:
  - name: forms
    type: forms
    config:
      # every post comes from this one address: the per-client limits,
      # made for many visitors, are off (0) as in bench/forms
      rate_limit: {per_ip: {per_second: 0}, per_form: {per_second: 0}}
      forms:
        - id: contact
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: name, maps_to: name}
            - {name: message, maps_to: message, required: true}
`, filepath.Join(dir, "kafka"), o.producer, httpAddr, filepath.Join(dir, "index"), o.stage)
	c, err := start(o, dir, "forms.yaml", cfg, "run")
	if err != nil {
		return err
	}
	defer c.stop()
	api := "http://" + httpAddr
	var password string
	for deadline := time.Now().Add(2 * time.Minute); password == ""; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("no admin password in %s after 2 minutes", c.log)
		}
		data, _ := os.ReadFile(c.log)
		if m := bannerAdmin.FindSubmatch(data); m != nil {
			password = string(m[1])
		}
	}
	client, err := signIn(api, password)
	if err != nil {
		return err
	}
	fmt.Printf("posting %.0f forms/s for %s to %s/f/contact (load %s)\n", fo.rate, fo.duration, api, loadAvg())

	var (
		mu      sync.Mutex
		sent    = map[string]time.Time{} // token → when its post was sent
		latency []time.Duration
		refused int
		wg      sync.WaitGroup
	)
	stopPoll := make(chan struct{})
	pollDone := make(chan error, 1)
	go func() { pollDone <- pollSearchable(client, api, fo.poll, stopPoll, &mu, sent, &latency) }()

	s0, err := c.sample(httpAddr)
	if err != nil {
		return fmt.Errorf("reading the run's metrics: %w", err)
	}
	began := time.Now()
	tick := time.NewTicker(time.Duration(float64(time.Second) / fo.rate))
	total := int(fo.rate * fo.duration.Seconds())
	for i := 0; i < total; i++ {
		<-tick.C
		token := fmt.Sprintf("zq%06dx", i)
		body := fmt.Sprintf(`{"email":"lead%d@example.com","name":"Lead %d","message":"Proszę o ofertę, numer %s"}`, i, i, token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			sent[token] = time.Now()
			mu.Unlock()
			r, err := http.Post(api+"/f/contact", "application/json", strings.NewReader(body))
			if err == nil {
				_, _ = io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			if err != nil || r.StatusCode != http.StatusOK {
				mu.Lock()
				if refused == 0 {
					status := 0
					if err == nil {
						status = r.StatusCode
					}
					fmt.Fprintf(os.Stderr, "first refused post: status %d, error %v\n", status, err)
				}
				refused++
				delete(sent, token)
				mu.Unlock()
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	// Wait for the last posts to show up (or give up after 30 s).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		left := len(sent)
		mu.Unlock()
		if left == 0 {
			break
		}
	}
	close(stopPoll)
	if err := <-pollDone; err != nil {
		return err
	}
	elapsed := time.Since(began)
	s1, err := c.sample(httpAddr)
	if err != nil {
		return fmt.Errorf("reading the run's metrics: %w", err)
	}
	cpu := s1.cpu - s0.cpu
	mu.Lock()
	defer mu.Unlock()
	if refused > 0 {
		return fmt.Errorf("%d of %d posts were refused; see %s", refused, total, c.log)
	}
	if len(sent) > 0 {
		return fmt.Errorf("%d of %d posts never became searchable within 30 s of the last; see %s", len(sent), total, c.log)
	}
	slices.Sort(latency)
	pct := func(p float64) time.Duration { return latency[int(p*float64(len(latency)-1))].Round(time.Millisecond) }
	fmt.Printf("%d posts searchable: post → searchable p50 %s, p90 %s, p99 %s, max %s (poll every %s)\n",
		len(latency), pct(0.5), pct(0.9), pct(0.99), latency[len(latency)-1].Round(time.Millisecond), fo.poll)
	fmt.Printf("earshot run CPU: %.1f s over %s (%.2f cores, %.0f µs per post, polling included); load average %s\n",
		cpu, elapsed.Round(time.Second), cpu/elapsed.Seconds(), cpu/float64(total)*1e6, loadAvg())
	return nil
}

// pollSearchable searches for the tokens not found yet every poll and
// moves every one it finds from sent to latency.
func pollSearchable(client *http.Client, api string, poll time.Duration, stop <-chan struct{}, mu *sync.Mutex, sent map[string]time.Time, latency *[]time.Duration) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
		mu.Lock()
		tokens := make([]string, 0, len(sent))
		for token := range sent {
			tokens = append(tokens, token)
		}
		mu.Unlock()
		if len(tokens) == 0 {
			continue
		}
		slices.Sort(tokens)
		tokens = tokens[:min(len(tokens), 200)] // the oldest first
		q := url.Values{"q": {strings.Join(tokens, " OR ")}, "size": {"200"}}
		r, err := client.Get(api + "/api/search?" + q.Encode())
		if err != nil {
			return fmt.Errorf("searching: %w", err)
		}
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil || r.StatusCode != http.StatusOK {
			return fmt.Errorf("searching: %d %s %v", r.StatusCode, body, err)
		}
		now := time.Now()
		mu.Lock()
		for token, at := range sent {
			if bytes.Contains(body, []byte(token)) {
				*latency = append(*latency, now.Sub(at))
				delete(sent, token)
			}
		}
		mu.Unlock()
	}
}

// signIn returns a client holding an admin session.
func signIn(api, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"user": "admin", "password": password})
	r, err := c.Post(api+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("signing in as admin: %d", r.StatusCode)
	}
	return c, nil
}
