package bleve

import (
	"context"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
)

// BenchmarkIndexing reports embedded indexing throughput (docs/s) in
// batches of 1,000 generated multilingual mentions, on disk. Generating the
// mentions is not timed.
func BenchmarkIndexing(b *testing.B) {
	be, err := Open(Config{Path: b.TempDir()}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	gen := synth.New(synth.Config{Seed: 1})
	batches := make([][]*record.EnrichedMention, b.N)
	for i := range batches {
		batches[i] = gen.Batch(1000)
	}
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	for i := 0; i < b.N; i++ {
		for _, err := range be.UpsertMentions(context.Background(), batches[i]) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*1000)/time.Since(start).Seconds(), "docs/s")
	b.ReportMetric(float64(b.N*1000)/(processCPU()-cpu), "docs/cpu-s")
}
