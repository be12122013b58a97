package bleve

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/pipeline"
)

// BenchmarkIndexing reports embedded indexing throughput (docs/s) in
// batches of 1,000 generated multilingual mentions, on disk.
func BenchmarkIndexing(b *testing.B) {
	be, err := Open(Config{Path: b.TempDir()}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	base := contract.Mentions()
	batch := make([]*pipeline.EnrichedMention, 1000)
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; i < b.N; i++ {
		for j := range batch {
			m := *base[(n+j)%len(base)]
			m.ID = fmt.Sprintf("bench-%d", n+j)
			m.CreatedAt = contract.T0.Add(time.Duration(n+j) * time.Minute)
			m.Text = fmt.Sprintf("%s #%d", m.Text, (n+j)%977)
			batch[j] = &m
		}
		for _, err := range be.UpsertMentions(context.Background(), batch) {
			if err != nil {
				b.Fatal(err)
			}
		}
		n += len(batch)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "docs/s")
}
