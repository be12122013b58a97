package enrich_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/relevance"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/segmentio/kafka-go"
)

// benchCorpus is bench/e2e's corpus as the file connector reads it: synth
// mentions (Zipf-distributed authors, so a few write most of them) with a
// handle, a name and, for forms, an email. ENRICH_BENCH_MENTIONS sets the
// size (default 100,000, as `make bench-e2e`).
func benchCorpus(b *testing.B) []pipeline.Message {
	b.Helper()
	n := 100000
	if v := os.Getenv("ENRICH_BENCH_MENTIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("ENRICH_BENCH_MENTIONS=%q is not a positive number", v)
		}
	}
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Count = 1, n
	cfg.Start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	g := synth.New(cfg)
	msgs := make([]pipeline.Message, 0, n)
	for range n {
		s := g.Next()
		m := record.Mention{Source: "bench", SourceID: s.SourceID, Text: s.Text, Title: s.Title, URL: s.URL,
			CreatedAt: s.CreatedAt, FetchedAt: s.FetchedAt,
			Author: record.Author{Handle: s.Author.Handle, Name: s.Author.Name, Email: s.Author.Email}}
		if err := m.Normalize(); err != nil {
			b.Fatal(err)
		}
		v, err := record.Encode(&m)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, pipeline.Message{Topic: "earshot.raw", Offset: int64(len(msgs)), Key: []byte(m.AuthorKey()), Value: v})
	}
	return msgs
}

// benchStages returns a stage factory: the real analysis (built once) with
// a fresh identity resolver each time, as `earshot run` wires them.
func benchStages(b *testing.B) func() *enrich.Stage {
	b.Helper()
	a, err := analysis.New(analysis.DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	rel, err := relevance.New(analysis.DefaultConfig().Relevance, a.Brands)
	if err != nil {
		b.Fatal(err)
	}
	return func() *enrich.Stage {
		r, err := identity.New(identity.DefaultConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		return &enrich.Stage{Analyzer: a, Resolver: r, Relevance: rel, Topics: pipeline.Topics{Prefix: "earshot."}}
	}
}

// processCPU is the CPU time the process used so far: on a shared machine
// it says more than the wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report states the stage's cost per mention (wall and CPU time since
// cpu0) and what it wrote besides the mentions, per 100,000 of them.
func report(b *testing.B, cpu0 time.Duration, mentions, prospects, prospectBytes int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*mentions)/1e3, "µs/mention")
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N*mentions)/1e3, "cpu-µs/mention")
	b.ReportMetric(float64(prospects)/float64(b.N*mentions)*1e5, "prospect-records/100k")
	b.ReportMetric(float64(prospectBytes)/float64(b.N*mentions)*1e5/1e6, "prospect-MB/100k")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkStage runs bench/e2e's corpus through the stage as RunStage
// does: two workers, each with three of the six partitions (the
// producers' partitioner). at-once writes every prospect record when it
// is made; held-N holds them back as the enrich stage does
// (StageConfig.Latest) and writes the last per prospect every N of a
// worker's messages: about a second's worth when the stage keeps up with
// its input (N=1000), the bound on a backlog (N=2500).
//
//	go test -run XXX -bench Stage -benchtime 1x ./enrich/
func BenchmarkStage(b *testing.B) {
	msgs := benchCorpus(b)
	stage := benchStages(b)
	var queues [2][]pipeline.Message
	balancer := &kafka.Murmur2Balancer{Consistent: true}
	for _, m := range msgs {
		p := balancer.Balance(kafka.Message{Key: m.Key}, 0, 1, 2, 3, 4, 5)
		queues[p%2] = append(queues[p%2], m)
	}
	for _, every := range []int{0, 1000, 2500} {
		name := "at-once"
		if every > 0 {
			name = "held-" + strconv.Itoa(every)
		}
		b.Run(name, func(b *testing.B) {
			var prospects, bytes int
			write := func(o pipeline.Output) {
				if v, ok := o.Current(); ok {
					prospects++
					bytes += len(v)
				}
			}
			cpu0 := processCPU()
			for range b.N {
				b.StopTimer()
				s := stage()
				held := [2]map[string]pipeline.Output{{}, {}}
				b.StartTimer()
				// The workers take turns, a message each.
				for i := 0; i < len(queues[0]) || i < len(queues[1]); i++ {
					for w, q := range queues {
						if i >= len(q) {
							continue
						}
						outs, err := s.Process(context.Background(), q[i])
						if err != nil {
							b.Fatal(err)
						}
						for _, o := range outs {
							switch {
							case o.Topic != s.Topics.Prospects():
							case every == 0:
								write(o)
							default:
								held[w][string(o.Key)] = o
							}
						}
						if every > 0 && (i+1)%every == 0 || i == len(q)-1 {
							for k, o := range held[w] {
								write(o)
								delete(held[w], k)
							}
						}
					}
				}
			}
			report(b, cpu0, len(msgs), prospects, bytes)
		})
	}
}
