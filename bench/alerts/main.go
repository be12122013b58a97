// Command alerts measures what alert evaluation costs: the CPU time of one
// evaluation cycle of N rules against an embedded index of generated
// mentions, the first cycle (spike rules load their 7-day hourly history)
// and the hourly cycles after it (each spike rule reads its newest hours,
// each match rule its new mentions).
//
//	go run ./bench/index -n 1000000 -dir /tmp/earshot-bench     # build the corpus once
//	go run ./bench/alerts -dir /tmp/earshot-bench -rules 100 -cycles 24
//
// The machine is shared, so CPU time (getrusage) is reported beside wall
// time: other work changes it much less.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"sort"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/record"
)

// counting counts the searches an evaluation makes.
type counting struct {
	index.Backend
	searches atomic.Int64
}

func (c *counting) Search(ctx context.Context, r *index.SearchRequest) (*index.SearchResult, error) {
	c.searches.Add(1)
	return c.Backend.Search(ctx, r)
}

// searches are the saved searches the rules watch: topics in several
// languages, with and without filters, as marketing writes them.
var searches = []struct{ query, filter string }{
	{"delivery OR entrega OR dostawa", ""}, {"price OR preço OR cena", ""}, {"support OR atendimento OR obsługa", ""},
	{"refund OR reembolso OR zwrot", ""}, {"quality OR qualidade OR jakość", ""}, {"app OR aplicativo OR aplikacja", ""},
	{"delivery OR entrega OR dostawa", "sentiment:negative"}, {"price OR preço OR cena", "language:pl"},
	{"", "aspect:delivery"}, {"", "aspect:price"}, {"", "aspect:support"}, {"", "sentiment:negative"},
	{"", "language:lv"}, {"", "language:zh"}, {"", "language:pt"}, {`"my order"`, ""}, {`"late delivery"`, ""},
	{"deliver* OR 快递 OR piegād*", ""}, {"refund* OR 退款 OR atmaks*", ""}, {"", ""},
}

func main() {
	dir := flag.String("dir", "/tmp/earshot-bench", "embedded index directory built by bench/index")
	rules := flag.Int("rules", 100, "rules: 60% volume spikes, 20% negative-share spikes, 20% match rules")
	cycles := flag.Int("cycles", 24, "hourly cycles after the first")
	flag.Parse()
	b, err := bleve.Open(bleve.Config{Path: *dir}, nil, nil)
	if err != nil {
		log.Fatalf("opening %s: %v (build it with bench/index)", *dir, err)
	}
	defer b.Close()
	ctx := context.Background()
	all, err := b.Search(ctx, &index.SearchRequest{Sort: index.SortNewest, Size: 1})
	if err != nil || len(all.Hits) == 0 {
		log.Fatalf("reading the newest mention: %v", err)
	}
	newest := all.Hits[0].Mention.CreatedAt
	var load [3]float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscanf(string(b), "%f %f %f", &load[0], &load[1], &load[2])
	}
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, load average %.2f %.2f %.2f\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), load[0], load[1], load[2])
	fmt.Printf("index: %d mentions, newest %s\n", all.Total, newest.Format(time.RFC3339))

	cfg := alert.DefaultConfig()
	cfg.Channels = map[string]alert.ChannelConfig{"hook": {Type: alert.ChannelWebhook, URL: "http://127.0.0.1:9/"}}
	saved := map[string]*record.SavedSearch{}
	for i, s := range searches {
		ss := &record.SavedSearch{ID: fmt.Sprintf("s%02d", i), Name: fmt.Sprintf("search %d", i), Query: s.query}
		if s.filter != "" {
			ss.Filters = []string{s.filter}
		}
		saved[ss.ID] = ss
	}
	var rs []*record.AlertRule
	kinds := map[string]int{}
	for i := range *rules {
		r := &record.AlertRule{ID: fmt.Sprintf("r%03d", i), Name: fmt.Sprintf("rule %d", i), Channels: []string{"hook"},
			SavedSearchID: fmt.Sprintf("s%02d", i%len(searches))}
		switch {
		case i%5 == 3:
			r.Kind, r.Spike = record.RuleSpike, &record.SpikeParams{Metric: record.MetricNegativeShare}
		case i%5 == 4:
			r.Kind = record.RuleMatch
		default:
			r.Kind = record.RuleSpike
		}
		kinds[r.Kind+" "+metricOf(r)]++
		rs = append(rs, r)
	}
	fmt.Printf("rules: %v over %d saved searches\n", kinds, len(saved))
	cb := &counting{Backend: b}
	e := alert.NewEvaluator(cfg, cb, func(id string) (*record.SavedSearch, bool) { s, ok := saved[id]; return s, ok })
	states := map[string]*record.AlertState{}
	now := newest.Add(-48 * time.Hour).Truncate(time.Hour).Add(cfg.Lateness + time.Minute)
	cycle := func() (cpu, wall time.Duration, searches int64, fired int) {
		before := cpuTime()
		start := time.Now()
		n0 := cb.searches.Load()
		for _, r := range rs {
			out, err := e.Evaluate(ctx, r, states[r.ID], now)
			if err != nil {
				log.Fatalf("evaluating %s: %v", r.ID, err)
			}
			fired += len(out.Notifications)
			if out.State != nil {
				states[r.ID] = out.State
			}
		}
		return cpuTime() - before, time.Since(start), cb.searches.Load() - n0, fired
	}
	cpu, wall, n, fired := cycle()
	fmt.Printf("\nfirst cycle (history loaded): CPU %v, wall %v, %d searches, %d notifications\n", cpu.Round(time.Millisecond), wall.Round(time.Millisecond), n, fired)
	var cpus, walls []time.Duration
	var totalSearches int64
	totalFired := 0
	for range *cycles {
		now = now.Add(time.Hour)
		cpu, wall, n, fired := cycle()
		cpus, walls = append(cpus, cpu), append(walls, wall)
		totalSearches += n
		totalFired += fired
	}
	sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	var sum time.Duration
	for _, c := range cpus {
		sum += c
	}
	mean := sum / time.Duration(len(cpus))
	fmt.Printf("hourly cycles: %d, CPU per cycle mean %v, median %v, max %v (%v per rule); wall median %v; %.1f searches per cycle; %d notifications\n",
		len(cpus), mean.Round(time.Millisecond), cpus[len(cpus)/2].Round(time.Millisecond), cpus[len(cpus)-1].Round(time.Millisecond),
		(mean / time.Duration(len(rs))).Round(time.Microsecond), walls[len(walls)/2].Round(time.Millisecond),
		float64(totalSearches)/float64(len(cpus)), totalFired)
}

func metricOf(r *record.AlertRule) string {
	if r.Spike != nil && r.Spike.Metric != "" {
		return r.Spike.Metric
	}
	if r.Kind == record.RuleSpike {
		return record.MetricVolume
	}
	return ""
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
