package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// scaleChild is one role instance of the scale-out test.
type scaleChild struct {
	name   string
	listen string
	cmd    *exec.Cmd
	logs   *testlog.Buffer
	killed bool
}

// TestIntegrationScaleOut runs the distributed mode as people scale it:
// two `connect` instances with the forms intake, two `enrich` and two
// `index` instances against one real Kafka cluster and one Elasticsearch.
// Forms are posted to both intakes while one instance of each role is
// killed with SIGKILL. Afterwards every accepted submission is indexed
// exactly once (by id), each person's profile counts exactly their
// accepted submissions, and both consumer groups have no lag.
func TestIntegrationScaleOut(t *testing.T) {
	if os.Getenv(pipelinetest.EnvKafka) == "" || os.Getenv("EARSHOT_TEST_ES") == "" {
		t.Skip("the scale-out test belongs to the real tier: set EARSHOT_TEST_KAFKA and EARSHOT_TEST_ES (make test-integration)")
	}
	const (
		people      = 30
		submissions = 600
		pace        = 25 * time.Millisecond // 40 submissions/s: the kill lands mid-stream
		bound       = 5 * time.Minute       // the whole test, so CI stays bounded
	)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	c := pipelinetest.NewWithConfig(t, func(cfg *pipeline.Config) { cfg.Topics.Partitions = 6 })
	esURL := strings.TrimRight(os.Getenv("EARSHOT_TEST_ES"), "/")
	prefix := "earshot-test-scale-" + strings.TrimSuffix(strings.TrimPrefix(c.Config.TopicPrefix, "test-"), ".")
	cfgPath := scaleConfig(t, c, esURL, prefix)
	t.Cleanup(func() { esDo(context.Background(), http.MethodDelete, esURL+"/"+prefix+"-*", nil, nil) })

	var children []*scaleChild
	start := func(role string, i int) *scaleChild {
		ch := &scaleChild{name: fmt.Sprintf("%s-%d", role, i), listen: freeAddr(t)}
		ch.cmd, ch.logs = startChild(t, role, "-c", cfgPath, "--listen", ch.listen)
		children = append(children, ch)
		return ch
	}
	t.Cleanup(func() {
		for _, ch := range children {
			if !ch.killed {
				_ = ch.cmd.Process.Signal(syscall.SIGTERM)
			}
		}
		for _, ch := range children {
			_ = ch.cmd.Wait()
		}
		if t.Failed() {
			for _, ch := range children {
				t.Logf("---- log of %s (%s) ----\n%s", ch.name, ch.listen, tail(ch.logs.String(), 60))
			}
		}
	})
	connects := []*scaleChild{start("connect", 0), start("connect", 1)}
	enrichers := []*scaleChild{start("enrich", 0), start("enrich", 1)}
	indexers := []*scaleChild{start("index", 0), start("index", 1)}
	for _, ch := range children {
		if err := waitReady(ctx, ch.listen); err != nil {
			t.Fatalf("%s never became ready: %v", ch.name, err)
		}
	}

	// Post every submission, alternating intakes; a failed attempt is
	// retried with the same Idempotency-Key on the next intake, as a load
	// balancer would, so each submission is accepted under one record id.
	var (
		mu       sync.Mutex
		accepted = map[string]string{} // record id → email
		posted   int
	)
	jobs := make(chan int)
	postErr := make(chan error, 4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				email := fmt.Sprintf("person%02d@example.test", i%people)
				id, err := submit(ctx, connects, i+w, email, i)
				if err != nil {
					postErr <- err
					return
				}
				mu.Lock()
				accepted[id] = email
				posted++
				mu.Unlock()
			}
		}()
	}
	progress := func() int { mu.Lock(); defer mu.Unlock(); return posted }
	// The feeder holds the second half back until the kill, so the kill
	// lands mid-stream however slow the machine is.
	killed := make(chan struct{})
	feedDone := make(chan struct{})
	go func() {
		defer close(feedDone)
		tick := time.NewTicker(pace)
		defer tick.Stop()
		for i := range submissions {
			if i == submissions/2 {
				select {
				case <-killed:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	// Mid-stream: a third accepted and something indexed already.
	for progress() < submissions/3 || countMentions(ctx, esURL, prefix) == 0 {
		if ctx.Err() != nil {
			t.Fatalf("no progress before the kill: %d posted", progress())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, ch := range []*scaleChild{connects[0], enrichers[0], indexers[0]} {
		if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		ch.killed = true
	}
	close(killed)
	killedAt, killedTime := progress(), time.Now()
	t.Logf("SIGKILLed %s, %s and %s after %d of %d submissions were accepted", connects[0].name, enrichers[0].name, indexers[0].name, killedAt, submissions)

	<-feedDone
	close(jobs)
	wg.Wait()
	select {
	case err := <-postErr:
		t.Fatalf("posting: %v", err)
	default:
	}
	if len(accepted) != submissions {
		t.Fatalf("%d distinct record ids accepted for %d submissions", len(accepted), submissions)
	}
	if killedAt >= submissions {
		t.Fatal("everything was accepted before the kill: the test proves nothing")
	}

	// Wait until the survivors have indexed everything and caught up.
	// Settled with records missing is a loss, not slowness: once nothing
	// has changed for a minute with no lag, the test says where they went.
	var last, prev scaleState
	lastLog, still := time.Now(), time.Now()
	for {
		last = readScaleState(ctx, t, c, esURL, prefix)
		if time.Since(lastLog) > 15*time.Second {
			t.Logf("settling: %d of %d mentions indexed, %d counted in profiles, lag %d (%s)", last.mentions, submissions, last.profiled, last.lag, last.lagDetail)
			lastLog = time.Now()
		}
		if last.mentions == submissions && last.lag == 0 && last.profiled == submissions {
			break
		}
		if last != prev || last.lag != 0 {
			prev, still = last, time.Now()
		}
		if ctx.Err() != nil || time.Since(still) > time.Minute {
			t.Errorf("not settled %s after the kill: %d of %d mentions indexed, %d counted in profiles, consumer lag %d (%s)",
				time.Since(killedTime).Round(time.Second), last.mentions, submissions, last.profiled, last.lag, last.lagDetail)
			t.Fatal(whereMissing(t, c, esURL, prefix, accepted))
		}
		time.Sleep(time.Second)
	}

	// Exactly once by id: every accepted id is there, once, and nothing else.
	hits := mentionIDs(ctx, t, esURL, prefix)
	seen := map[string]int{}
	for _, id := range hits {
		seen[id]++
	}
	for id := range accepted {
		if seen[id] != 1 {
			t.Errorf("accepted record %s is indexed %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if _, ok := accepted[id]; !ok {
			t.Errorf("indexed record %s (%d times) was never accepted", id, n)
		}
	}
	// Profiles: one prospect per person, counting exactly their submissions.
	want := map[string]int{}
	for _, email := range accepted {
		want[email]++
	}
	got := prospectCounts(ctx, t, esURL, prefix)
	if len(got) != people {
		t.Errorf("%d prospect profiles, want one per person (%d)", len(got), people)
	}
	for email, n := range want {
		if got[email] != n {
			t.Errorf("profile of %s counts %d mentions, %d were accepted", email, got[email], n)
		}
	}
	t.Logf("%d submissions accepted through 2 intakes (one killed), enriched by 2 instances (one killed), indexed by 2 (one killed): %d indexed once each, %d profiles consistent, lag 0",
		submissions, len(hits), len(got))
}

// whereMissing says, for each accepted record not indexed, which topics
// hold it, so a failure tells which stage lost it.
func whereMissing(t *testing.T, c *pipelinetest.Cluster, esURL, prefix string, accepted map[string]string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	indexed := map[string]bool{}
	for _, id := range mentionIDs(ctx, t, esURL, prefix) {
		indexed[id] = true
	}
	// The records are sealed with the people's keys: open them as the roles do.
	kr, err := privacy.NewKeyring(scaleSecret)
	if err != nil {
		return err.Error()
	}
	if _, err := c.Kafka.EnableSealing(ctx, kr); err != nil {
		return err.Error()
	}
	topics := c.Kafka.Topics()
	raw, enriched := topicMentionIDs(t, c, topics.Raw()), topicMentionIDs(t, c, topics.Enriched())
	lines := []string{fmt.Sprintf("%d distinct ids in %s, %d in %s, %d indexed", len(raw), topics.Raw(), len(enriched), topics.Enriched(), len(indexed))}
	for id := range accepted {
		if !indexed[id] {
			lines = append(lines, fmt.Sprintf("%s: %d times in %s, %d times in %s", id, raw[id], topics.Raw(), enriched[id], topics.Enriched()))
		}
	}
	sort.Strings(lines[1:])
	return fmt.Sprintf("%d accepted records not indexed (%s):\n%s\ndead letters: %s", len(lines)-1, lines[0], strings.Join(lines[1:], "\n"), deadLetters(t, c))
}

// deadLetters lists the stage and error of each dead letter.
func deadLetters(t *testing.T, c *pipelinetest.Cluster) string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var out []string
	tbl, err := c.Kafka.FollowTable(ctx, c.Kafka.Topics().DLQ(), func(m pipeline.Message) {
		var dl record.DeadLetter
		if m.Value != nil && record.Decode(m.Value, &dl) == nil {
			mu.Lock()
			out = append(out, fmt.Sprintf("%s at %s/%d/%d: %s", dl.Stage, dl.Topic, dl.Partition, dl.Offset, dl.Error))
			mu.Unlock()
		}
	})
	if err != nil {
		return err.Error()
	}
	if err := tbl.WaitCaughtUp(ctx); err != nil {
		return err.Error()
	}
	mu.Lock()
	defer mu.Unlock()
	return fmt.Sprintf("%d %q", len(out), out)
}

// topicMentionIDs counts the mention ids a topic holds (raw or enriched).
func topicMentionIDs(t *testing.T, c *pipelinetest.Cluster, topic string) map[string]int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	ids := map[string]int{}
	tbl, err := c.Kafka.FollowTable(ctx, topic, func(m pipeline.Message) {
		var em record.EnrichedMention // a raw mention decodes into its Mention
		if m.Value == nil || record.Decode(m.Value, &em) != nil {
			return
		}
		mu.Lock()
		ids[em.ID]++
		mu.Unlock()
	})
	if err != nil {
		t.Logf("reading %s: %v", topic, err)
		return ids
	}
	if err := tbl.WaitCaughtUp(ctx); err != nil {
		t.Logf("reading %s: %v", topic, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(ids)
}

// scaleSecret seals the records of the scale-out test's people.
const scaleSecret = "test-privacy-secret-0123456789"

// scaleConfig is the distributed configuration every instance reads.
func scaleConfig(t *testing.T, c *pipelinetest.Cluster, esURL, prefix string) string {
	t.Helper()
	cfg := fmt.Sprintf(`kafka:
  brokers: [%s]
  topic_prefix: %q
  embedded: {enabled: false}
  topics: {partitions: %d}
  producer: {compression: none}
  consumer:
    group_prefix: %q
    session_timeout: 6s
    commit_interval: 100ms
privacy:
  secret: %s
http:
  listen: 127.0.0.1:0
search:
  backend: elasticsearch
  elasticsearch:
    addresses: [%s]
    index_prefix: %s
    replicas: 0
    refresh_interval: 1s
connectors:
  - name: forms
    type: forms
    config:
      default_region: PL
      rate_limit: {per_ip: {per_second: 0}, per_form: {per_second: 0}}
      forms:
        - id: lead
          title: Lead
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: message, maps_to: message, required: true}
`, strings.Join(c.Brokers, ","), c.Config.TopicPrefix, c.Config.Topics.Partitions, c.Config.Consumer.GroupPrefix, scaleSecret, esURL, prefix)
	path := filepath.Join(t.TempDir(), "earshot.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// submit posts one form, trying the intakes in turn from first, and
// returns the accepted record id.
func submit(ctx context.Context, intakes []*scaleChild, first int, email string, n int) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "message": fmt.Sprintf("Proszę o ofertę, zapytanie %d — 请报价", n)})
	var lastErr error
	for attempt := range 40 {
		addr := intakes[(first+attempt)%len(intakes)].listen
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/f/lead", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("scale-%d", n))
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				var ok struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(data, &ok); err != nil || ok.ID == "" {
					return "", fmt.Errorf("submission %d: accepted without an id: %s", n, data)
				}
				return ok.ID, nil
			}
			err = fmt.Errorf("%s answered %s: %s", addr, res.Status, data)
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	return "", fmt.Errorf("submission %d never accepted: %w", n, lastErr)
}

type scaleState struct {
	mentions, profiled int
	lag                int64
	lagDetail          string
}

func readScaleState(ctx context.Context, t *testing.T, c *pipelinetest.Cluster, esURL, prefix string) scaleState {
	var s scaleState
	esDo(ctx, http.MethodPost, esURL+"/"+prefix+"-*/_refresh", nil, nil)
	s.mentions = countMentions(ctx, esURL, prefix)
	for _, n := range prospectCounts(ctx, t, esURL, prefix) {
		s.profiled += n
	}
	topics := c.Kafka.Topics()
	var parts []string
	for _, tg := range [][2]string{{topics.Raw(), c.Config.Group("enrich")}, {topics.Enriched(), c.Config.Group("index")}, {topics.Prospects(), c.Config.Group("index")}} {
		infos, err := c.Kafka.DescribeTopics(ctx, []string{tg[0]}, []string{tg[1]})
		if err != nil || len(infos) != 1 {
			s.lag, s.lagDetail = -1, fmt.Sprintf("describing %s: %v", tg[0], err)
			return s
		}
		var lag int64
		for _, p := range infos[0].Partitions {
			lag += p.EndOffset - p.Committed[tg[1]]
		}
		s.lag += lag
		parts = append(parts, fmt.Sprintf("%s/%s: %d", tg[0], tg[1], lag))
	}
	s.lagDetail = strings.Join(parts, ", ")
	return s
}

func countMentions(ctx context.Context, esURL, prefix string) int {
	var res struct {
		Count int `json:"count"`
	}
	if err := esDo(ctx, http.MethodGet, esURL+"/"+prefix+"-mentions/_count", nil, &res); err != nil {
		return 0
	}
	return res.Count
}

// mentionIDs lists the _id of every mention document, in every monthly index.
func mentionIDs(ctx context.Context, t *testing.T, esURL, prefix string) []string {
	var res struct {
		Hits struct {
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	q := map[string]any{"size": 10000, "_source": false, "query": map[string]any{"match_all": map[string]any{}}}
	if err := esDo(ctx, http.MethodPost, esURL+"/"+prefix+"-mentions/_search", q, &res); err != nil {
		t.Fatalf("listing mentions: %v", err)
	}
	ids := make([]string, len(res.Hits.Hits))
	for i, h := range res.Hits.Hits {
		ids[i] = h.ID
	}
	sort.Strings(ids)
	return ids
}

// prospectCounts maps each prospect profile's email to its mention count.
func prospectCounts(ctx context.Context, t *testing.T, esURL, prefix string) map[string]int {
	var res struct {
		Hits struct {
			Hits []struct {
				Source struct {
					Kind         string   `json:"kind"`
					Emails       []string `json:"emails"`
					MentionCount int      `json:"mention_count"`
				} `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	q := map[string]any{"size": 1000, "query": map[string]any{"term": map[string]any{"kind": "prospect"}}}
	out := map[string]int{}
	if err := esDo(ctx, http.MethodPost, esURL+"/"+prefix+"-profiles/_search", q, &res); err != nil {
		return out
	}
	for _, h := range res.Hits.Hits {
		if len(h.Source.Emails) > 0 {
			out[h.Source.Emails[0]] += h.Source.MentionCount
		}
	}
	return out
}

func esDo(ctx context.Context, method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, url, res.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// waitReady polls the role's /readyz until it answers 200.
func waitReady(ctx context.Context, addr string) error {
	var last error = errors.New("no answer yet")
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", res.Status, data)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return last
}

// freeAddr is a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
