package appstore

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// benchRead reads and acknowledges b.N records and reports records/s and
// the live heap at the end (the fake stores' reviews included).
func benchRead(b *testing.B, cfg Config) {
	cfg.fill()
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

// BenchmarkAppStoreFeed reads reviews of one app in as many storefronts as
// b.N needs (the feed serves 500 per storefront).
func BenchmarkAppStoreFeed(b *testing.B) {
	f := newFakeStores(b)
	var countries []string
	for n := 0; n < b.N; n += 500 {
		cc := string([]byte{'a' + byte(len(countries)/26), 'a' + byte(len(countries)%26)})
		countries = append(countries, cc)
		f.addApple("1000", cc, min(500, b.N-n))
	}
	benchRead(b, appleConfig(f, countries...))
}

// BenchmarkGooglePlayReviews reads b.N reviews of one package, 100 a page.
func BenchmarkGooglePlayReviews(b *testing.B) {
	f := newFakeStores(b)
	f.addGoogle("com.example.app", b.N)
	cfg := googleConfig(f, f.serviceAccountFile(b))
	cfg.GooglePlay.PageSize = 100
	cfg.GooglePlay.MaxPages = 1000
	benchRead(b, cfg)
}
