package hackernews

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// BenchmarkPoll measures items per second from a local search API through
// the connector (paging in 1,000-hit windows, HTML cleaning, record
// building, dedup, outbox, acks) and the live heap after the run.
func BenchmarkPoll(b *testing.B) {
	f := newFakeHN(b)
	base := time.Now().Add(-time.Hour).Unix()
	for i := 0; i < b.N; i++ {
		f.comment(fmt.Sprintf("u%d", i%500), fmt.Sprintf(`<p>Benchmark comment %d: we moved our support inbox to earshot last week &amp; the dashboards are great.<p>See <a href="https://example.com/a/long/path" rel="nofollow">https://example.com/a/lo...</a>`, i), base+int64(i%3000))
	}
	cfg := DefaultConfig()
	cfg.API = f.url()
	cfg.Queries = []string{"earshot"}
	cfg.HitsPerPage = 1000
	cfg.MaxHitsPerPoll = max(b.N, 1000)
	c, err := newConnector(cfg, connectors.Deps{Name: "bench", Checkpoints: connectors.NewMemoryCheckpoints(), MaxInFlight: 1000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	if err := c.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	for i := 0; i < b.N; i++ {
		_, ack, err := c.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := ack(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "heap-MiB")
}
