package youtube

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// BenchmarkCommentThreads measures records per second from the local fake
// API (pages of 100 threads, JSON decoding, record building, dedup, outbox,
// acks) and the live heap at the end.
func BenchmarkCommentThreads(b *testing.B) {
	yt := newFakeYouTube(b)
	yt.add("vid1", b.N)
	cfg := testConfig(yt.baseURL())
	cfg.Replies = false
	cfg.MaxPages = 1000
	c, err := newConnector(cfg, connectors.Deps{Name: "bench", Checkpoints: connectors.NewMemoryCheckpoints(), MaxInFlight: 1000}, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	runtime.GC()
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
