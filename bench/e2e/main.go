// Command e2e measures the one-process pipeline end to end: N generated
// multilingual mentions go through `earshot run` (embedded broker, a file
// connector, enrichment, the embedded index) until every one is
// searchable through the API. It prints the rate, each stage's progress
// and lag over time, the process's CPU time and its peak resident memory.
//
// Then, in the same session, it runs `earshot index` alone over the
// records the first run left in Kafka (a fresh index, a new consumer
// group) and prints that rate too, with the ratio: how close the whole
// pipeline comes to its slowest stage. The machine may be shared, so each
// pair runs back to back and the load average is printed with it.
//
//	go run ./bench/e2e -n 100000             # or: make bench-e2e
//	go run ./bench/e2e -n 100000 -pairs 3    # three e2e / index-only pairs
//	go run ./bench/e2e -forms-rate 50        # form post → searchable latency (forms.go)
//	go run ./bench/e2e -stream-batch-timeout 2ms   # another stream_batch_timeout (both modes)
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/synth"
)

type options struct {
	n           int
	pairs       int
	dir         string
	bin         string
	seed        uint64
	interval    time.Duration
	timeout     time.Duration
	keep        bool
	stage       string // the index stage's settings, as YAML flow mapping entries
	producer    string // the pipeline producer's settings, the same way
	cpuProfiles string // directory for CPU profiles, "" for none
	forms       formsOptions
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 100000, "mentions to send through the pipeline")
	flag.IntVar(&o.pairs, "pairs", 1, "end-to-end / index-only pairs to run")
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "earshot-e2e"), "work directory (replaced)")
	flag.StringVar(&o.bin, "bin", "", "earshot binary (default: built from this checkout into -dir)")
	flag.Uint64Var(&o.seed, "seed", 1, "corpus seed")
	flag.DurationVar(&o.interval, "every", 2*time.Second, "how often to print progress")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up on a run after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.cpuProfiles, "cpuprofile", "", "write a CPU profile of each earshot process into this directory (run-N.pprof, index-N.pprof)")
	var fo formsOptions
	flag.Float64Var(&fo.rate, "forms-rate", 0, "instead of the pairs: post this many forms per second to earshot run and measure post → searchable")
	flag.DurationVar(&fo.duration, "forms-duration", time.Minute, "how long to post forms (-forms-rate)")
	flag.DurationVar(&fo.poll, "forms-poll", 10*time.Millisecond, "how often to search for the posted forms (-forms-rate)")
	batchSize := flag.Int("batch-size", 0, "index stage batch_size (0: the default)")
	batchTimeout := flag.Duration("batch-timeout", 0, "index stage batch_timeout (0: the default)")
	batchLinger := flag.Duration("batch-linger", -1, "index stage batch_linger (-1: the default)")
	streamTimeout := flag.Duration("stream-batch-timeout", 0, "kafka producer stream_batch_timeout: the stages' and streaming connectors' batches (0: the default)")
	flag.Parse()
	var stage []string
	if *batchSize > 0 {
		stage = append(stage, fmt.Sprintf("batch_size: %d", *batchSize))
	}
	if *batchTimeout > 0 {
		stage = append(stage, fmt.Sprintf("batch_timeout: %s", *batchTimeout))
	}
	if *batchLinger >= 0 {
		stage = append(stage, fmt.Sprintf("batch_linger: %s", *batchLinger))
	}
	o.stage = strings.Join(stage, ", ")
	if *streamTimeout > 0 {
		o.producer = fmt.Sprintf("stream_batch_timeout: %s", *streamTimeout)
	}
	o.forms = fo
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.n < 1 || o.pairs < 1 {
		return errors.New("-n and -pairs must be positive")
	}
	if err := os.RemoveAll(o.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(o.dir)
	}
	if o.cpuProfiles != "" {
		if err := os.MkdirAll(o.cpuProfiles, 0o755); err != nil {
			return err
		}
	}
	if o.bin == "" {
		o.bin = filepath.Join(o.dir, "earshot")
		fmt.Printf("building %s\n", o.bin)
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/earshot")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building earshot: %w", err)
		}
	}
	if o.forms.rate > 0 {
		fmt.Printf("machine: %d CPUs, load average %s\nindex stage: {%s}, producer: {%s}\n", numCPU(), loadAvg(), o.stage, o.producer)
		return runForms(o, o.forms, filepath.Join(o.dir, "forms"))
	}
	input := filepath.Join(o.dir, "mentions.jsonl")
	if err := writeCorpus(input, o.n, o.seed); err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs, load average %s\ncorpus: %d mentions in %s\nindex stage: {%s}, producer: {%s}\n", numCPU(), loadAvg(), o.n, input, o.stage, o.producer)
	var e2eRates, idxRates []float64
	for pair := 1; pair <= o.pairs; pair++ {
		dir := filepath.Join(o.dir, fmt.Sprintf("pair%d", pair))
		fmt.Printf("\n== pair %d: earshot run, %d mentions from a file until all are searchable (load %s)\n", pair, o.n, loadAvg())
		e2e, err := runEndToEnd(o, dir, input)
		if err != nil {
			return err
		}
		e2e.print(o.n)
		fmt.Printf("\n== pair %d: earshot index alone over the same %d records (load %s)\n", pair, e2e.indexed, loadAvg())
		idx, err := runIndexOnly(o, dir, e2e.indexed)
		if err != nil {
			return err
		}
		idx.print(o.n)
		ratio := e2e.rate(o.n) / idx.rate(o.n)
		fmt.Printf("pair %d: end to end %.0f records/s, index stage alone %.0f records/s: %.2f×\n", pair, e2e.rate(o.n), idx.rate(o.n), ratio)
		e2eRates, idxRates = append(e2eRates, e2e.rate(o.n)), append(idxRates, idx.rate(o.n))
	}
	if o.pairs > 1 {
		fmt.Printf("\nall pairs: end to end %s records/s; index alone %s records/s\n", list(e2eRates), list(idxRates))
	}
	return nil
}

// writeCorpus writes n raw mentions (record shape, as an export would
// hold them) generated from seed, in time order over the last year.
func writeCorpus(path string, n int, seed uint64) error {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Count = seed, n
	cfg.Start = time.Now().UTC().Add(-365 * 24 * time.Hour).Truncate(time.Hour)
	g := synth.New(cfg)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for i := 0; i < n; i++ {
		m := g.Next()
		line := map[string]any{
			"id": m.SourceID, "text": m.Text, "url": m.URL, "created_at": m.CreatedAt,
			"author": map[string]any{"handle": m.Author.Handle, "name": m.Author.Name, "email": m.Author.Email},
		}
		if m.Title != "" {
			line["title"] = m.Title
		}
		if err := enc.Encode(line); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// result is one measured run.
type result struct {
	start, first, done time.Time // process start, first record seen, all done
	cpu                float64   // CPU seconds of the process
	peakRSS            string
	indexed            int64 // records the index stage settled
	batches            int64 // batches the index stage wrote them in
	searchable         int   // mentions in the index after the run
	samples            []sample
}

func (r *result) rate(n int) float64 { return float64(n) / r.done.Sub(r.first).Seconds() }

func (r *result) print(n int) {
	fmt.Printf("%d mentions in %s from the first record (%s with start-up): %.0f records/s\n",
		n, r.done.Sub(r.first).Round(10*time.Millisecond), r.done.Sub(r.start).Round(10*time.Millisecond), r.rate(n))
	if r.searchable > 0 {
		fmt.Printf("the index holds all %d mentions\n", r.searchable)
	}
	if r.batches > 0 {
		fmt.Printf("the index stage wrote %d records in %d batches (%.0f per batch)\n", r.indexed, r.batches, float64(r.indexed)/float64(r.batches))
	}
	fmt.Printf("CPU: %.1f s (%.0f µs per mention, %.2f cores busy); peak RSS %s\n",
		r.cpu, r.cpu/float64(n)*1e6, r.cpu/r.done.Sub(r.start).Seconds(), r.peakRSS)
}

// sample is one reading of the process's counters.
type sample struct {
	at                                  time.Duration
	read, enrichIn, enrichOut, indexOut float64
	enrichInFlight, indexInFlight       float64
	cpu                                 float64
	indexBatches                        float64 // batches the index stage wrote
}

func runEndToEnd(o options, dir, input string) (*result, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 6}
  producer: {%s}
http:
  listen: %s
search:
  embedded: {path: %q}
  stage: {%s}
connectors:
  - name: e2e
    type: file
    config: {path: %q, id_field: id, source: bench}
`, filepath.Join(dir, "kafka"), o.producer, httpAddr, filepath.Join(dir, "index"), o.stage, input)
	c, err := start(o, dir, "run.yaml", cfg, "run")
	if err != nil {
		return nil, err
	}
	defer c.stop()
	fmt.Printf("%7s %9s %9s %9s %9s %9s %9s %6s\n", "t", "read", "enriched", "indexed", "enr.lag", "idx.lag", "rec/s", "cores")
	// Every mention is searchable once enrichment has settled all of them
	// and the index stage has settled everything enrichment wrote: the
	// embedded index makes a batch searchable before it is settled. (The
	// API asks for a sign-in, so the run is watched through its metrics;
	// the index is counted directly after it stops.)
	all := func(s sample) bool {
		return s.read >= float64(o.n) && s.enrichIn >= float64(o.n) && s.enrichInFlight == 0 && s.indexOut >= s.enrichOut
	}
	res, err := c.watch(o, httpAddr, all, func(s sample) bool { return s.read > 0 })
	if err != nil {
		return nil, err
	}
	c.stop()
	if res.searchable, err = countIndexed(filepath.Join(dir, "index")); err != nil {
		return nil, err
	}
	if res.searchable != o.n {
		return nil, fmt.Errorf("the index holds %d mentions after the run, not %d; see %s", res.searchable, o.n, c.log)
	}
	return res, nil
}

// countIndexed opens a stopped run's embedded index and counts its mentions.
func countIndexed(dir string) (int, error) {
	b, err := bleve.Open(bleve.Config{Path: dir}, nil, nil)
	if err != nil {
		return 0, fmt.Errorf("opening the run's index: %w", err)
	}
	defer b.Close()
	n, _, err := b.DocCount()
	return int(n), err
}

func runIndexOnly(o options, dir string, records int64) (*result, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 6}
  consumer: {group_prefix: "index-alone-"}
search:
  embedded: {path: %q}
  stage: {%s}
`, filepath.Join(dir, "kafka"), filepath.Join(dir, "index-alone"), o.stage)
	c, err := start(o, dir, "index.yaml", cfg, "index", "--listen", httpAddr)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	fmt.Printf("%7s %9s %9s %9s %9s %9s %9s %6s\n", "t", "", "", "indexed", "", "", "rec/s", "cores")
	return c.watch(o, httpAddr, func(s sample) bool { return s.indexOut >= float64(records) }, func(s sample) bool { return s.indexOut > 0 || s.indexInFlight > 0 })
}

type child struct {
	cmd      *exec.Cmd
	start    time.Time
	log      string
	done     chan error
	stopOnce sync.Once
}

func start(o options, dir, name, cfg string, args ...string) (*child, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, name)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logPath := strings.TrimSuffix(cfgPath, ".yaml") + ".log"
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, append(args, "-c", cfgPath, "--log-level", "warn")...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if o.cpuProfiles != "" {
		prof, err := filepath.Abs(filepath.Join(o.cpuProfiles, fmt.Sprintf("%s-%s.pprof", args[0], filepath.Base(dir))))
		if err != nil {
			logf.Close()
			return nil, err
		}
		cmd.Env = append(os.Environ(), "EARSHOT_CPU_PROFILE="+prof)
	}
	c := &child{cmd: cmd, start: time.Now(), log: logPath, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting earshot %s: %w", args[0], err)
	}
	go func() { c.done <- cmd.Wait(); logf.Close() }()
	return c, nil
}

// stop asks the process to shut down and waits for it.
func (c *child) stop() {
	c.stopOnce.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(60 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
}

// watch samples the process until finished says so, printing progress.
func (c *child) watch(o options, addr string, finished, begun func(sample) bool) (*result, error) {
	res := &result{start: c.start}
	deadline := c.start.Add(o.timeout)
	var last sample
	nextPrint := time.Duration(0)
	for {
		select {
		case err := <-c.done:
			return nil, fmt.Errorf("earshot exited early (%v); see %s", err, c.log)
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("not done after %s; see %s", o.timeout, c.log)
		}
		s, err := c.sample(addr)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue // not listening yet
		}
		if res.first.IsZero() && begun(s) {
			res.first = time.Now()
		}
		res.samples = append(res.samples, s)
		if s.at >= nextPrint || finished(s) {
			printSample(s, last)
			last = s
			nextPrint = s.at + o.interval
		}
		if finished(s) {
			res.done = time.Now()
			res.cpu = s.cpu
			res.indexed = int64(s.indexOut)
			res.batches = int64(s.indexBatches)
			res.peakRSS = procStatus(c.cmd.Process.Pid, "VmHWM")
			return res, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func printSample(s, last sample) {
	dt := (s.at - last.at).Seconds()
	rate, cores := 0.0, 0.0
	if dt > 0 {
		rate = (s.indexOut - last.indexOut) / dt
		cores = (s.cpu - last.cpu) / dt
	}
	enrLag := s.read - (s.enrichIn - s.enrichInFlight)
	idxLag := s.enrichOut - s.indexOut
	fmt.Printf("%6.1fs %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %6.2f\n",
		s.at.Seconds(), s.read, s.enrichOut, s.indexOut, max(enrLag, 0), max(idxLag, 0), rate, cores)
}

var metricLine = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$`)

func (c *child) sample(addr string) (sample, error) {
	s := sample{at: time.Since(c.start)}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		m := metricLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		stage := func(name string) bool { return strings.Contains(m[2], `stage="`+name+`"`) }
		switch m[1] {
		case "earshot_connector_acked_total":
			s.read += v
		case "earshot_records_in_total":
			if stage("enrich") {
				s.enrichIn += v
			}
		case "earshot_records_out_total":
			if stage("enrich") {
				s.enrichOut += v
			} else if stage("index") {
				s.indexOut += v
			}
		case "earshot_records_in_flight":
			if stage("enrich") {
				s.enrichInFlight += v
			} else if stage("index") {
				s.indexInFlight += v
			}
		case "earshot_sink_batch_records_count":
			if stage("index") {
				s.indexBatches += v
			}
		case "process_cpu_seconds_total":
			s.cpu = v
		}
	}
	resp.Body.Close()
	if err := sc.Err(); err != nil {
		return s, err
	}
	return s, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func procStatus(pid int, key string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}

func list(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(parts, ", ")
}
