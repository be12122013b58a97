// Command index measures a search backend at listening scale: it builds an
// index of generated multilingual mentions (index/synth) through the
// backend's bulk upsert, as the index stage does, then runs the typical
// listening queries (synth.Shapes) one after another and prints their
// latency percentiles, with the indexing rate, the index size on disk and
// the process's memory.
//
//	go run ./bench/index -n 1000000 -dir /tmp/earshot-bench           # embedded (bleve)
//	go run ./bench/index -n 1000000 -dir /tmp/earshot-bench -reuse    # queries only, same corpus
//	go run ./bench/index -n 1000000 -es http://127.0.0.1:19200        # Elasticsearch
//
// The corpus is generated on the fly from -seed and never stored outside
// the index. By default it arrives in time order, as a live stream does, so
// a time window is a contiguous part of the index; -random-order gives
// every mention a random time instead (a backfill), which scatters every
// window over the whole index and is the slow case for time-bounded
// queries. The machine is shared, so the load average is printed beside
// every figure, and the embedded build and each query shape also report
// this process's CPU time, which other work on the machine changes much
// less than it changes wall time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/es"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/index/synth"
)

type options struct {
	n          int
	dir        string
	reuse      bool
	batch      int
	queries    int
	seed       uint64
	esURL      string
	esPrefix   string
	shapes     string
	cpuProfile string
	qProfile   string
	settle     time.Duration
	random     bool
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1000000, "mentions in the corpus")
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "earshot-bench"), "embedded index directory")
	flag.BoolVar(&o.reuse, "reuse", false, "keep an index built earlier with the same -n and -seed and only run the queries")
	flag.IntVar(&o.batch, "batch", stage.DefaultConfig().BatchSize, "mentions per bulk upsert (the index stage's batch size)")
	flag.IntVar(&o.queries, "queries", 100, "measured runs per query shape")
	flag.Uint64Var(&o.seed, "seed", 1, "corpus seed")
	flag.StringVar(&o.esURL, "es", "", "Elasticsearch URL; empty = the embedded index")
	flag.StringVar(&o.esPrefix, "es-prefix", "earshot-bench", "Elasticsearch index prefix (its indices are replaced unless -reuse)")
	flag.StringVar(&o.shapes, "shapes", "", "comma-separated query shapes to run (default all)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the build to this file")
	flag.StringVar(&o.qProfile, "qprofile", "", "write a CPU profile of the queries to this file")
	flag.DurationVar(&o.settle, "settle", 5*time.Minute, "embedded: longest wait for background merges before querying")
	flag.BoolVar(&o.random, "random-order", false, "give mentions random times instead of a time-ordered stream (every time window then spans the whole index)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.n < 1 || o.batch < 1 || o.queries < 1 {
		return errors.New("-n, -batch and -queries must be positive")
	}
	corpus := synth.DefaultConfig()
	corpus.Seed = o.seed
	if !o.random {
		corpus.Count = o.n
	}
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())
	fmt.Printf("corpus: %d mentions, %s\n", o.n, corpus)

	var (
		be  index.Backend
		emb *bleve.Backend
		err error
	)
	if o.esURL == "" {
		fmt.Printf("backend: embedded (bleve) in %s, batches of %d\n", o.dir, o.batch)
		emb, err = openEmbedded(o)
		be = emb
	} else {
		fmt.Printf("backend: elasticsearch %s, prefix %s, batches of %d\n", o.esURL, o.esPrefix, o.batch)
		be, err = openES(ctx, o)
	}
	if err != nil {
		return err
	}
	defer be.Close()

	have, err := count(ctx, be)
	if err != nil {
		return err
	}
	switch {
	case o.reuse && have == int64(o.n):
		fmt.Printf("reusing the index: %d mentions\n", have)
	case o.reuse:
		return fmt.Errorf("-reuse: the index holds %d mentions, not %d; run without -reuse to rebuild it", have, o.n)
	case have != 0:
		return fmt.Errorf("the index is not empty (%d mentions); remove it or pass -reuse", have)
	default:
		if err := build(ctx, o, corpus, be); err != nil {
			return err
		}
		if emb != nil {
			settle(emb, o.settle)
		}
	}
	if emb != nil {
		st := emb.MentionStats()
		size, err := dirSize(o.dir)
		if err != nil {
			return err
		}
		fmt.Printf("index: %d file segments, %s on disk (%.0f bytes per mention)\n", st.FileSegments, mib(size), float64(size)/float64(o.n))
	}
	fmt.Printf("memory: %s\n", memory())
	if err := queryAll(ctx, o, corpus, be); err != nil {
		return err
	}
	fmt.Printf("memory after queries: %s\n", memory())
	return nil
}

func openEmbedded(o options) (*bleve.Backend, error) {
	if !o.reuse {
		if _, err := os.Stat(o.dir); err == nil {
			return nil, fmt.Errorf("%s exists; remove it or pass -reuse", o.dir)
		}
	}
	return bleve.Open(bleve.Config{Path: o.dir}, nil, nil)
}

func openES(ctx context.Context, o options) (index.Backend, error) {
	if !o.reuse {
		// Start from nothing: drop the prefix's indices and templates.
		for _, path := range []string{"/" + o.esPrefix + "-*", "/_index_template/" + o.esPrefix + "-*"} {
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete, strings.TrimRight(o.esURL, "/")+path, nil)
			if err != nil {
				return nil, err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, fmt.Errorf("deleting %s: %w", path, err)
			}
			resp.Body.Close()
		}
	}
	cfg := es.DefaultConfig()
	cfg.Addresses = []string{o.esURL}
	cfg.IndexPrefix = o.esPrefix
	cfg.Replicas = 0
	be, err := es.Open(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
	if err != nil {
		return nil, err
	}
	if err := be.EnsureSchema(ctx); err != nil {
		be.Close()
		return nil, fmt.Errorf("ensuring the schema: %w", err)
	}
	return be, nil
}

func count(ctx context.Context, be index.Backend) (int64, error) {
	res, err := be.Search(ctx, &index.SearchRequest{Size: 1})
	if err != nil {
		return 0, fmt.Errorf("counting mentions: %w", err)
	}
	return res.Total, nil
}

// build indexes the corpus in batches and reports the rate. Generating a
// batch is not timed; upserting it is, including waiting until it is
// durable, as the index stage waits before committing offsets.
func build(ctx context.Context, o options, corpus synth.Config, be index.Backend) error {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	gen := synth.New(corpus)
	var indexing, generating time.Duration
	var cpuIndexing float64
	start := time.Now()
	nextReport := o.n / 10
	for done := 0; done < o.n; {
		t0 := time.Now()
		batch := gen.Batch(min(o.batch, o.n-done))
		generating += time.Since(t0)
		t1, c1 := time.Now(), processCPU()
		for i, err := range be.UpsertMentions(ctx, batch) {
			if err != nil {
				return fmt.Errorf("indexing %s: %w", batch[i].ID, err)
			}
		}
		indexing += time.Since(t1)
		cpuIndexing += processCPU() - c1
		done += len(batch)
		if done >= nextReport || done == o.n {
			fmt.Fprintf(os.Stderr, "  %8d mentions, %6.0f docs/s, load %s\n", done, float64(done)/indexing.Seconds(), loadAvg())
			nextReport += o.n / 10
		}
	}
	t0 := time.Now()
	if err := be.Refresh(ctx); err != nil {
		return err
	}
	indexing += time.Since(t0)
	fmt.Printf("build: %d mentions in %s (%s generating, not counted): %.0f docs/s; load average %s\n",
		o.n, time.Since(start).Round(time.Second), generating.Round(time.Second), float64(o.n)/indexing.Seconds(), loadAvg())
	if o.esURL == "" {
		// Background merges run on during and after the build; this counts
		// the CPU of the upsert calls only. See settle for the rest.
		fmt.Printf("build CPU: %.0f docs per CPU-second of the upsert calls (a machine with both cores free runs near this rate or above)\n",
			float64(o.n)/cpuIndexing)
	}
	return nil
}

// settle waits until scorch has persisted everything and the number of
// file segments has not changed for 10 s, so that queries are measured on
// the index a running hub would have, not mid-merge.
func settle(b *bleve.Backend, limit time.Duration) {
	start, c0 := time.Now(), processCPU()
	last, since := b.MentionStats(), time.Now()
	for time.Since(start) < limit {
		time.Sleep(time.Second)
		st := b.MentionStats()
		if st != last {
			last, since = st, time.Now()
			continue
		}
		if st.MemorySegments == 0 && time.Since(since) >= 10*time.Second {
			break
		}
	}
	fmt.Printf("settled: %d file segments after %s (%.0f CPU-seconds of merging)\n", last.FileSegments,
		time.Since(start).Round(time.Second), processCPU()-c0)
}

func queryAll(ctx context.Context, o options, corpus synth.Config, be index.Backend) error {
	want := map[string]bool{}
	for _, s := range strings.Split(o.shapes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	fmt.Printf("queries: %d measured runs per shape after 3 warm-up runs, one at a time; load average %s\n", o.queries, loadAvg())
	fmt.Printf("%-14s %9s %9s %9s %9s %9s %11s  %s\n", "shape", "p50", "p90", "p99", "max", "cpu/req", "mean total", "what")
	if o.qProfile != "" {
		f, err := os.Create(o.qProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rng := rand.New(rand.NewPCG(o.seed, 99))
	for _, s := range synth.Shapes {
		if len(want) > 0 && !want[s.Name] {
			continue
		}
		var lat []time.Duration
		var totals int64
		var cpu float64
		runs := 0
		for i := range 3 + o.queries {
			if i == 3 {
				cpu = processCPU()
			}
			req := s.Make(rng, corpus)
			pages := max(s.Pages, 1)
			for p := 0; p < pages; p++ {
				t0 := time.Now()
				res, err := be.Search(ctx, &req)
				d := time.Since(t0)
				if err != nil {
					return fmt.Errorf("shape %s: %w", s.Name, err)
				}
				if i >= 3 {
					lat = append(lat, d)
					if p == 0 {
						totals += res.Total
						runs++
					}
				}
				if res.Next == "" {
					break
				}
				req.Cursor = res.Next
			}
		}
		cpu = processCPU() - cpu
		slices.Sort(lat)
		fmt.Printf("%-14s %9s %9s %9s %9s %9s %11d  %s\n", s.Name, ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), ms(lat[len(lat)-1]),
			ms(time.Duration(cpu/float64(len(lat))*float64(time.Second))), totals/int64(runs), s.Describe)
	}
	fmt.Printf("queries done; load average %s\n", loadAvg())
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("measuring %s: %w", dir, err)
	}
	return total, nil
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

// memory reports the resident set now and at its peak (VmRSS, VmHWM), how
// much of it is anonymous memory rather than pages of the memory-mapped
// index files (RssAnon; the rest is page cache the kernel can reclaim),
// and the Go heap, from /proc/self/status and the runtime.
func memory() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := fmt.Sprintf("Go heap in use %s", mib(int64(ms.HeapInuse)))
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && (k == "VmRSS" || k == "VmHWM" || k == "RssAnon" || k == "RssFile") {
			name := map[string]string{"VmRSS": "RSS", "VmHWM": "peak RSS", "RssAnon": "anonymous", "RssFile": "mapped files"}[k]
			out += ", " + name + " " + strings.TrimSpace(v)
		}
	}
	return out
}

func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
