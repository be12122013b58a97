// Command forms measures the forms intake end to end on one machine: an
// embedded broker, the connector runner publishing to earshot.raw, the forms
// handler on a loopback HTTP server, and closed-loop clients posting
// distinct JSON submissions for a fixed time. It reports the sustained rate
// of accepted (2xx) submissions and their latency percentiles, then checks
// that the raw topic holds exactly as many records as were accepted.
//
//	go run ./bench/forms -duration 20s -clients 64
//
// The clients run in the same process and share the CPUs with the broker
// and the intake, so the figures are a lower bound for the intake alone.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/forms"
	"github.com/earshothq/earshot/pipeline"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "measured load time")
	warmup := flag.Duration("warmup", 3*time.Second, "load time before measuring")
	clients := flag.Int("clients", 64, "concurrent clients (closed loop: each waits for its answer)")
	maxInFlight := flag.Int("max-in-flight", 1024, "runner bound on records published and not yet acked")
	queue := flag.Int("queue", 1024, "intake queue size")
	memory := flag.Bool("memory", false, "keep the broker's data in memory instead of a temporary data dir")
	compression := flag.String("compression", "snappy", "producer compression (the embedded default is snappy)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured period to this file")
	flag.Parse()
	profile = *cpuProfile
	if err := run(*duration, *warmup, *clients, *maxInFlight, *queue, *memory, *compression); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// profile is the -cpuprofile file.
var profile string

func run(duration, warmup time.Duration, clients, maxInFlight, queue int, memory bool, compression string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ecfg := pipeline.EmbeddedConfig{Enabled: true, Port: 0}
	if !memory {
		dir, err := os.MkdirTemp("", "earshot-bench-")
		if err != nil {
			return fmt.Errorf("creating data dir: %w", err)
		}
		defer os.RemoveAll(dir)
		ecfg.DataDir = dir
	}
	broker, err := pipeline.StartEmbedded(ecfg, logger)
	if err != nil {
		return err
	}
	defer broker.Close()
	pcfg := pipeline.DefaultConfig()
	pcfg.TopicPrefix = "bench."
	pcfg.Producer.Compression = compression
	k := pipeline.NewKafka(pcfg, []string{broker.Addr()}, logger, nil)
	defer k.Close()
	if err := k.EnsureTopics(ctx); err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}

	cfg := forms.DefaultConfig()
	cfg.RateLimit.PerIP.PerSecond = 0
	cfg.RateLimit.PerForm.PerSecond = 0
	cfg.QueueSize = queue
	off := false
	cfg.Forms = []forms.FormConfig{{ID: "bench", TimeTrap: &off, Fields: []forms.FieldConfig{
		{Name: "email", MapsTo: forms.TargetEmail, Required: true},
		{Name: "name", MapsTo: forms.TargetName},
		{Name: "phone", MapsTo: forms.TargetPhone},
		{Name: "message", MapsTo: forms.TargetMessage},
	}}}
	c, err := forms.New(cfg, connectors.Deps{Name: "bench", Logger: logger, MaxInFlight: maxInFlight})
	if err != nil {
		return err
	}
	producer := k.NewProducer("bench", 0)
	defer producer.Close()
	runner := &connectors.Runner{Name: "bench", Connector: c, Publisher: k.NewRawPublisher(producer), Logger: logger, MaxInFlight: maxInFlight}
	runDone := make(chan error, 1)
	go func() { runDone <- runner.Run(ctx) }()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: c.Handler()}
	c.ApplyServerTimeouts(srv)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/f/bench"

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}}
	var (
		seq        atomic.Int64
		accepted   atomic.Int64 // every 2xx, warm-up included
		measuring  atomic.Bool
		mu         sync.Mutex
		latencies  []time.Duration
		statuses   = map[int]int{}
		transport  atomic.Int64
		wg         sync.WaitGroup
		stopClient = make(chan struct{})
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			localStatus := map[int]int{}
			for {
				select {
				case <-stopClient:
					mu.Lock()
					latencies = append(latencies, local...)
					for k, v := range localStatus {
						statuses[k] += v
					}
					mu.Unlock()
					return
				default:
				}
				n := seq.Add(1)
				body := fmt.Sprintf(`{"email":"lead%d@example.com","name":"Zofia Łukasik %d","phone":"+48 601 234 %03d","message":"Dzień dobry, proszę o ofertę nr %d. 你好，请报价。"}`, n, n, n%1000, n)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n))
				start := time.Now()
				resp, err := client.Do(req)
				took := time.Since(start)
				if err != nil {
					transport.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					accepted.Add(1)
				}
				if measuring.Load() {
					localStatus[resp.StatusCode]++
					if resp.StatusCode/100 == 2 {
						local = append(local, took)
					}
				}
			}
		}()
	}
	time.Sleep(warmup)
	measuring.Store(true)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start, cpuStart := time.Now(), cpuTime()
	time.Sleep(duration)
	measuring.Store(false)
	cpuUsed := cpuTime() - cpuStart
	if profile != "" {
		pprof.StopCPUProfile()
	}
	elapsed := time.Since(start)
	close(stopClient)
	wg.Wait()

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("forms intake benchmark: %d clients, %s measured after %s warm-up, GOMAXPROCS=%d, broker data %s, compression %s\n",
		clients, duration, warmup, runtime.GOMAXPROCS(0), map[bool]string{true: "in memory", false: "on disk"}[memory], compression)
	fmt.Printf("accepted: %d in %.1fs = %.0f submissions/s\n", len(latencies), elapsed.Seconds(), float64(len(latencies))/elapsed.Seconds())
	fmt.Printf("latency of accepted: p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50).Round(10*time.Microsecond),
		pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	fmt.Printf("answers by status: %v, transport errors: %d\n", statuses, transport.Load())
	if n := len(latencies); n > 0 {
		// CPU the whole process (clients, HTTP, intake, runner, broker) spent
		// per accepted submission: on a shared machine this is steadier than
		// the rate, and 2 cores / this figure bounds the rate on 2 idle cores.
		per := cpuUsed / time.Duration(n)
		fmt.Printf("process CPU: %.1fs of %.1fs wall (%.0f%% of one core), %s per accepted submission (=> at most %.0f/s on %d idle cores)\n",
			cpuUsed.Seconds(), elapsed.Seconds(), 100*cpuUsed.Seconds()/elapsed.Seconds(), per.Round(time.Microsecond),
			float64(runtime.NumCPU())/per.Seconds(), runtime.NumCPU())
	}

	// Every accepted submission is in the raw topic exactly once: with
	// distinct keys, the topic's record count equals the 2xx count.
	vctx, vcancel := context.WithTimeout(ctx, 30*time.Second)
	defer vcancel()
	ends, err := k.EndOffsets(vctx, k.Topics().Raw())
	if err != nil {
		return fmt.Errorf("reading end offsets: %w", err)
	}
	var stored int64
	for _, e := range ends {
		stored += e
	}
	fmt.Printf("raw topic: %d records, %d submissions answered 2xx\n", stored, accepted.Load())
	cancel()
	<-runDone
	if stored != accepted.Load() {
		return fmt.Errorf("raw topic holds %d records but %d submissions were accepted", stored, accepted.Load())
	}
	return nil
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
