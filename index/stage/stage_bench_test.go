//go:build unix

package stage

import (
	"context"
	"flag"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// BenchmarkWriteBatch measures the index stage over the embedded index on
// disk, set up as `earshot run` sets it up (with the profile cache):
// decoding enriched mentions, indexing them, and rebuilding the profiles
// of the people they belong to (about one mention in eight has a customer
// or prospect), in batches of the stage's default size and of the smaller
// sizes a caught-up stage sees. It reports docs/s and docs per CPU-second
// of the process; compare with bleve's BenchmarkIndexing for the share the
// profiles take.
func BenchmarkWriteBatch(b *testing.B) {
	for _, size := range []int{DefaultConfig().BatchSize, 200, 50} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			be, err := bleve.Open(bleve.Config{Path: b.TempDir()}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer be.Close()
			benchmarkWriteBatch(b, be, size, true)
		})
	}
}

// BenchmarkIntegrationWriteBatchES is the same on a real Elasticsearch node
// (EARSHOT_TEST_ES), set up as a distributed index stage is (no profile
// cache: several stages may write one cluster), in batches of the size it
// takes there (backend.ElasticsearchBatchSize) and of the embedded index's
// size, each into new indices. docs/cpu-s counts this process only, not
// the node.
//
//	EARSHOT_TEST_ES=http://127.0.0.1:19200 go test -run '^$' -bench WriteBatchES -benchtime 40x ./index/stage
func BenchmarkIntegrationWriteBatchES(b *testing.B) {
	for _, size := range []int{5000, DefaultConfig().BatchSize} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			benchmarkWriteBatch(b, realES(b, "earshot-bench-stage", "the stage ran on the embedded index only"), size, false)
		})
	}
}

var benchSpan = flag.Duration("span", 0, "time the WriteBatch benchmarks' mentions are spread over (0: a year)")

func benchmarkWriteBatch(b *testing.B, be index.Backend, size int, cached bool) {
	s, err := New(be, topics, DefaultConfig(), nil, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	if cached {
		s.SetProfileCache(ProfileCacheMentions, ProfileCacheTTL)
	}
	// Every sub-benchmark writes the same 1,000 mentions per iteration, so
	// their figures per CPU-second compare the batch sizes alone.
	const perIteration = 1000
	gen := synth.New(synth.Config{Seed: 1, Span: *benchSpan})
	var batches [][]pipeline.Message
	for i := 0; i < b.N*perIteration/size; i++ {
		var batch []pipeline.Message
		for j, m := range gen.Batch(size) {
			v, err := record.Encode(m)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, pipeline.Message{Topic: topics.Enriched(), Key: []byte(m.ID), Value: v, Offset: int64(i*size + j)})
		}
		batches = append(batches, batch)
	}
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	for _, batch := range batches {
		for _, err := range s.WriteBatch(context.Background(), batch) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(len(batches) * size)
	b.ReportMetric(n/time.Since(start).Seconds(), "docs/s")
	b.ReportMetric(n/(processCPU()-cpu), "docs/cpu-s")
}

func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkWriteCustomers measures the stage on a customers-topic backfill
// (an import): batches of 1,000 customer records, each becoming a profile.
func BenchmarkWriteCustomers(b *testing.B) {
	be, err := bleve.Open(bleve.Config{Path: b.TempDir()}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	s, err := New(be, topics, DefaultConfig(), nil, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	const size = 1000
	batches := make([][]pipeline.Message, b.N)
	for i := range batches {
		for j := range size {
			n := i*size + j
			c := &record.Customer{ID: fmt.Sprintf("c-%d", n), FirstName: "Zofia", LastName: fmt.Sprintf("Nowak%d", n),
				Emails: []string{fmt.Sprintf("zofia%d@example.pl", n)}}
			v, err := record.Encode(c)
			if err != nil {
				b.Fatal(err)
			}
			batches[i] = append(batches[i], pipeline.Message{Topic: topics.Customers(), Key: []byte(c.ID), Value: v, Offset: int64(n)})
		}
	}
	b.ResetTimer()
	start := time.Now()
	for _, batch := range batches {
		for _, err := range s.WriteBatch(context.Background(), batch) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "customers/s")
}
