package mastodon

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// fastStream serves an empty REST timeline and a hashtag stream that writes
// n status events as fast as the connector takes them.
func fastStream(b *testing.B, n int) *httptest.Server {
	template := `event: update` + "\n" + `data: {"id":"%d","uri":"https://bench.example/users/u%d/statuses/%d","url":"https://bench.example/@u%d/%d",` +
		`"created_at":"2024-05-20T09:11:40.000Z","visibility":"public","language":"en","replies_count":1,"reblogs_count":2,"favourites_count":3,` +
		`"content":"<p>Benchmark status %d about <a href=\"https://bench.example/tags/earshot\" class=\"mention hashtag\">#<span>earshot</span></a> and its dashboards, with a link <a href=\"https://example.com/a/long/path\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">example.com/a/long</span><span class=\"invisible\">/path</span></a></p>",` +
		`"account":{"id":"%d","username":"u%d","acct":"u%d","display_name":"User %d","url":"https://bench.example/@u%d","followers_count":42,"discoverable":true},` +
		`"mentions":[],"tags":[{"name":"earshot","url":"https://bench.example/tags/earshot"}],"media_attachments":[],"emojis":[]}` + "\n\n"
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/instance":
			_, _ = w.Write([]byte(`{"uri":"bench.example","urls":{}}`))
		case strings.HasPrefix(r.URL.Path, "/api/v1/timelines/"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[]`))
		case strings.HasPrefix(r.URL.Path, "/api/v1/accounts/"):
			// Every author opted into discovery: the consent check reads
			// each one once (cached for account_ttl).
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q,"bot":false,"discoverable":true,"indexable":true,"noindex":false,"note":"<p>hi</p>"}`,
				strings.TrimPrefix(r.URL.Path, "/api/v1/accounts/"))
		case strings.HasPrefix(r.URL.Path, "/api/v1/streaming/hashtag"):
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			bw := bufio.NewWriterSize(w, 64<<10)
			for i := 1; i <= n; i++ {
				id := 1_000_000 + i
				u := i % 500
				fmt.Fprintf(bw, template, id, u, id, u, id, i, u, u, u, u, u)
			}
			_ = bw.Flush()
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
}

// BenchmarkStream measures records per second from a local stream through
// the connector (HTML to text, record building, dedup, outbox, acks).
func BenchmarkStream(b *testing.B) {
	srv := fastStream(b, b.N)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.CheckpointInterval = 100 * time.Millisecond
	cfg.Servers = []Server{{Name: "bench", URL: srv.URL, Hashtags: []string{"earshot"}}}
	cfg.fillServers()
	c, err := newConnector(cfg, connectors.Deps{Name: "bench", Checkpoints: connectors.NewMemoryCheckpoints(), MaxInFlight: 1000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
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
