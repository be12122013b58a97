// Command pages measures the server time of the web app's busiest pages on
// the embedded index at listening scale: it builds (or reuses) an index of
// generated multilingual mentions (index/synth, a year of them, in time
// order as a live stream arrives) and prospect profiles, then renders the
// mentions page, the dashboard of a saved search (with share of voice
// against two competitors) and the prospects inbox many times each through
// the real handlers, and prints their latency percentiles.
//
//	go run ./bench/pages -n 1000000 -dir /tmp/earshot-pages
//	go run ./bench/pages -n 1000000 -dir /tmp/earshot-pages -reuse
//	go run ./bench/pages -n 1000000 -dir /tmp/earshot-pages -reuse -ingest 1000
//
// -ingest R writes R new mentions a second through the index stage's write
// path while the pages are measured (see ingest.go), and removes them at
// the end.
//
// Server time is the handler's time from request to the last byte of the
// rendered page (httptest recorder: no network, no browser).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

type options struct {
	n, prospects, runs, batch int
	ingest                    int
	ingestWarm                time.Duration
	dir, qprofile, only       string
	reuse, verbose, stageless bool
	seed                      uint64
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1000000, "mentions in the corpus")
	flag.IntVar(&o.prospects, "prospects", 20000, "prospect profiles")
	flag.IntVar(&o.runs, "runs", 100, "measured renders per page")
	flag.IntVar(&o.batch, "batch", 1000, "mentions per bulk upsert")
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "earshot-pages"), "embedded index directory")
	flag.BoolVar(&o.reuse, "reuse", false, "reuse an index built earlier with the same -n")
	flag.Uint64Var(&o.seed, "seed", 1, "corpus seed")
	flag.BoolVar(&o.verbose, "v", false, "print each path's median")
	flag.IntVar(&o.ingest, "ingest", 0, "mentions per second written through the index stage while measuring (0: none)")
	flag.DurationVar(&o.ingestWarm, "ingest-warmup", 3*time.Minute, "-ingest runs alone until the writer keeps its schedule, at most this long")
	flag.BoolVar(&o.stageless, "ingest-stageless", false, "-ingest writes with UpsertMentions alone, without the index stage's profile rebuild")
	flag.StringVar(&o.qprofile, "qprofile", "", "write a CPU profile of the measured renders to this file")
	flag.StringVar(&o.only, "pages", "", "comma-separated pages to measure (default all)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func run(ctx context.Context, o options) error {
	if o.n < 1 || o.runs < 1 || o.batch < 1 || o.ingest < 0 {
		return errors.New("-n, -runs and -batch must be positive, -ingest not negative")
	}
	corpus := synth.DefaultConfig()
	corpus.Seed, corpus.Count = o.seed, o.n
	fmt.Printf("machine: %d CPUs, load average %s\ncorpus: %d mentions, %s; %d prospects\n", runtime.NumCPU(), loadAvg(), o.n, corpus, o.prospects)
	b, err := bleve.Open(bleve.Config{Path: o.dir}, nil, nil)
	if err != nil {
		return err
	}
	defer b.Close()
	have, _, err := b.DocCount()
	if err != nil {
		return err
	}
	switch {
	case o.reuse && have >= uint64(o.n):
		fmt.Printf("reusing the index in %s: %d mentions\n", o.dir, have)
	case o.reuse || have != 0:
		return fmt.Errorf("the index in %s holds %d mentions; remove it, or pass -reuse with -n %d", o.dir, have, have)
	default:
		if err := build(ctx, o, corpus, b); err != nil {
			return err
		}
	}
	settle(b)
	now := corpus.Start.Add(corpus.Span) // the corpus ends "today"
	st := pagestest.NewStores(b)
	d := st.Deps()
	d.Now = func() time.Time { return now }
	d.Who = func(*http.Request) (pages.Viewer, bool) { return pages.Viewer{Name: "bench", Role: "admin"}, true }
	d.CSRFToken = func(*http.Request) string { return "t" }
	p, err := pages.New(d)
	if err != nil {
		return err
	}
	defer p.Shutdown()
	ss, err := d.Searches.Save(ctx, &record.SavedSearch{Name: "Deliveries", Query: "delivery OR entrega OR dostawa OR piegāde OR 快递",
		Competitors: map[string]string{"Brand B": "brand:b* OR price", "Brand C": "refund OR reembolso"}})
	if err != nil {
		return err
	}
	_ = d.Mutes.Mute(ctx, pages.Mute{Kind: pages.MuteAuthor, Value: "spam_account"})
	// Sales worked some prospects.
	r := rand.New(rand.NewPCG(o.seed, 7))
	for i := 0; i < min(500, o.prospects); i++ {
		id := fmt.Sprintf("bench-p-%d", r.IntN(o.prospects))
		_ = d.Prospects.SetStage(ctx, id, pages.Stages[1+r.IntN(len(pages.Stages)-1)], "bench")
		_ = d.Prospects.SetOwner(ctx, id, []string{"ana", "jan", "li"}[r.IntN(3)], "bench")
	}
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	last := func(days int) string { // as the page's own period links spell it
		return "from=" + day(now.AddDate(0, 0, -(days-1))) + "&to=" + day(now)
	}
	pagesToRun := []struct {
		name  string
		paths []string
	}{
		// The page opens on the last 30 days (a bare /mentions redirects there).
		{"mentions", []string{"/mentions?" + last(30), "/mentions?q=delivery+OR+entrega+OR+dostawa&" + last(30), "/mentions?q=%22my+order%22&" + last(30),
			"/mentions?filter=sentiment:%22negative%22&filter=language:%22pl%22&" + last(30), "/mentions?q=pric*+OR+cen*&" + last(7),
			"/mentions?q=refund&sort=newest&" + last(90)}},
		{"dashboard", []string{"/dashboard?search=" + url.QueryEscape(ss.ID), "/dashboard", "/dashboard?search=" + url.QueryEscape(ss.ID) + "&" + last(7),
			"/dashboard?" + last(90), "/dashboard?search=" + url.QueryEscape(ss.ID) + "&" + last(365), "/dashboard?" + last(365)}},
		{"prospects", []string{"/prospects", "/prospects?stage=contacted", "/prospects?min_score=0.5", "/prospects?owner=ana", "/prospects?sort=last_seen"}},
	}
	if o.qprofile != "" {
		f, err := os.Create(o.qprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var live *ingester
	if o.ingest > 0 {
		if live, err = startIngest(ctx, b, o.ingest, now, o.seed, o.stageless); err != nil {
			return err
		}
		// The stream runs alone until the writer keeps its schedule: a
		// new index stage reads every person's mentions back on first
		// sight (its profile cache is empty), which a hub that has been
		// running for a while does not do. The figures are of the pages
		// beside a stream in its steady state.
		warm := time.Now()
		for time.Since(warm) < o.ingestWarm && (time.Since(warm) < 5*time.Second || live.behind() > time.Second) {
			time.Sleep(500 * time.Millisecond)
		}
		fmt.Printf("live ingestion warmed up for %s (writer %s behind schedule)\n", time.Since(warm).Round(time.Second), live.behind().Round(time.Millisecond))
		live.mark()
		liveStart := time.Now()
		defer func() {
			fmt.Println(live.report(time.Since(liveStart)))
			if err := live.stop(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
	}
	fmt.Printf("%-10s %6s %9s %9s %9s %9s   load\n", "page", "runs", "p50", "p95", "p99", "max")
	for _, pg := range pagesToRun {
		if o.only != "" && !slices.Contains(strings.Split(o.only, ","), pg.name) {
			continue
		}
		// Warm up once per path (first-touch of index files; the embedded
		// index's day cache, which the hub's dashboard warmer fills ahead).
		for _, path := range pg.paths {
			start, cpu0 := time.Now(), cpuTime()
			if code := render(p, path); code != http.StatusOK {
				return fmt.Errorf("%s answered %d", path, code)
			}
			if o.verbose {
				fmt.Printf("    %8.1fms first render (%.1fms CPU)  %s\n", float64(time.Since(start).Microseconds())/1000,
					float64((cpuTime()-cpu0).Microseconds())/1000, path)
			}
		}
		var ds, cpus []time.Duration
		byPath := map[string][]time.Duration{}
		for i := 0; i < o.runs; i++ {
			path := pg.paths[i%len(pg.paths)]
			start, cpu0 := time.Now(), cpuTime()
			if code := render(p, path); code != http.StatusOK {
				return fmt.Errorf("%s answered %d", path, code)
			}
			d := time.Since(start)
			ds = append(ds, d)
			cpus = append(cpus, cpuTime()-cpu0)
			byPath[path] = append(byPath[path], d)
		}
		if o.verbose {
			st := b.DayCacheStats()
			fmt.Printf("    day cache: %d days read, %d counted; %d searches, %d entries held\n", st.Hits, st.Misses, st.Searches, st.Entries)
			for _, path := range pg.paths {
				v := byPath[path]
				slices.Sort(v)
				if len(v) > 0 {
					fmt.Printf("    %8.1fms median  %s\n", float64(v[len(v)/2].Microseconds())/1000, path)
				}
			}
		}
		slices.Sort(ds)
		q := func(f float64) string {
			return fmt.Sprintf("%.1fms", float64(ds[min(len(ds)-1, int(f*float64(len(ds))))].Microseconds())/1000)
		}
		fmt.Printf("%-10s %6d %9s %9s %9s %9s   %s\n", pg.name, len(ds), q(0.50), q(0.95), q(0.99), q(1), loadAvg())
		ds = cpus
		slices.Sort(ds)
		what := "(process CPU time per render)"
		if o.ingest > 0 {
			what = "(process CPU time per render, the live writer's included)"
		}
		fmt.Printf("%-10s %6s %9s %9s %9s %9s   %s\n", "  cpu", "", q(0.50), q(0.95), q(0.99), q(1), what)
	}
	return nil
}

// settle waits until the index has no background merge running for a
// few seconds in a row: after a bulk build scorch keeps folding segments
// for minutes (and starts again at every open until it is done), and
// that work would be measured as the pages' CPU and latency.
func settle(b *bleve.Backend) {
	start := time.Now()
	last, _ := b.MergesDone()
	quiet := 0
	for quiet < 5 {
		time.Sleep(time.Second)
		done, running := b.MergesDone()
		if running || done != last {
			quiet = 0
		} else {
			quiet++
		}
		last = done
	}
	if waited := time.Since(start); waited > 10*time.Second {
		fmt.Printf("waited %s for the index's background merges to end\n", waited.Round(time.Second))
	}
}

// cpuTime is the process's CPU time so far (user + system). Renders run
// one at a time, so its change over a render is that render's CPU cost,
// which other work on a shared machine changes far less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func render(h http.Handler, path string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code
}

func build(ctx context.Context, o options, corpus synth.Config, b *bleve.Backend) error {
	g := synth.New(corpus)
	start := time.Now()
	for done := 0; done < o.n; {
		n := min(o.batch, o.n-done)
		ms := g.Batch(n)
		for i, err := range b.UpsertMentions(ctx, ms) {
			if err != nil {
				return fmt.Errorf("indexing %s: %w", ms[i].ID, err)
			}
		}
		done += n
		if done%100000 == 0 {
			fmt.Printf("  %d mentions, %.0f/s\n", done, float64(done)/time.Since(start).Seconds())
		}
	}
	r := rand.New(rand.NewPCG(o.seed, 3))
	var ps []*index.Profile
	flush := func() error {
		for i, err := range b.UpsertProfiles(ctx, ps) {
			if err != nil {
				return fmt.Errorf("indexing profile %s: %w", ps[i].ID, err)
			}
		}
		ps = ps[:0]
		return nil
	}
	langs := []string{"en", "pl", "pt", "lv", "zh"}
	for i := 0; i < o.prospects; i++ {
		at := corpus.Start.Add(time.Duration(r.Int64N(int64(corpus.Span))))
		text := "Chcemy kupić 10 ekspresów do biura, proszę o ofertę i termin dostawy."
		pr := &record.Prospect{Schema: 1, ID: fmt.Sprintf("bench-p-%d", i), Key: fmt.Sprintf("email:lead%d@example.com", i),
			Name: fmt.Sprintf("Lead %d", i), Emails: []string{fmt.Sprintf("lead%d@example.com", i)}, Score: r.Float64(),
			Status: record.ProspectNew, Languages: []string{langs[r.IntN(len(langs))]}, FirstSeen: at, LastSeen: at,
			Evidence: []record.ProspectEvidence{{RecordID: fmt.Sprintf("form-%d", i), Source: "forms", Kind: record.KindFormSubmission, Text: text, At: at,
				Intents: []record.Intent{{Name: "buying", Score: 0.9, Evidence: []record.Span{{Start: 0, End: len("Chcemy kupić"), Text: "Chcemy kupić"}}}}}}}
		ps = append(ps, index.ProspectProfile(pr).WithStats(index.Stats{MentionCount: 1}, at))
		if len(ps) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Printf("built in %s\n", time.Since(start).Round(time.Second))
	return b.Refresh(ctx)
}
