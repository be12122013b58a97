package reddit

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// BenchmarkPoll measures posts per second from a local Reddit through the
// connector (token, 100-item listing pages, record building, dedup,
// outbox, acks) and the live heap after the run, the fake's items included.
func BenchmarkPoll(b *testing.B) {
	f := newFakeReddit(b)
	for i := 0; i < b.N; i++ {
		f.post("earshot", fmt.Sprintf("u%d", i%500), fmt.Sprintf("Benchmark post %d", i),
			"We switched our support inbox to Earshot last week & the dashboards are great. https://example.com/a/long/path")
	}
	cfg := DefaultConfig()
	cfg.ClientID, cfg.ClientSecret, cfg.Username, cfg.Password = clientID, clientSecret, userName, userPassword
	cfg.UserAgent = testUA
	cfg.AuthURL, cfg.APIURL = f.url(), f.url()
	cfg.Subreddits = []string{"earshot"}
	cfg.MaxPages = b.N/100 + 1
	cfg.RefreshEdits = 0
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
