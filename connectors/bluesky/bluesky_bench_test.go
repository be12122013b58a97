package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/keyword"
)

// fastJetstream serves a subscription that writes n post events (500
// authors, every post matching) as fast as the connector takes them, and
// the profiles of their authors.
func fastJetstream(b *testing.B, n int) *httptest.Server {
	up := websocket.Upgrader{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/subscribe":
			conn, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			base := time.Now().UnixMicro()
			for i := 1; i <= n; i++ {
				ev := fmt.Sprintf(`{"did":"did:plc:bench%d","time_us":%d,"kind":"commit","commit":{"rev":"3lr%d","operation":"create",`+
					`"collection":"app.bsky.feed.post","rkey":"3lk%08d","record":{"$type":"app.bsky.feed.post","text":"Benchmark post %d: `+
					`switched our support inbox to Earshot last week, the dashboards are great https://example.com/a/long/path #earshot",`+
					`"createdAt":"2026-12-03T10:00:00Z","langs":["en"],"facets":[{"index":{"byteStart":96,"byteEnd":124},"features":`+
					`[{"$type":"app.bsky.richtext.facet#link","uri":"https://example.com/a/long/path"}]}]},"cid":"bafy%d"}}`,
					i%500, base+int64(i), i, i, i, i)
				if err := conn.WriteMessage(websocket.TextMessage, []byte(ev)); err != nil {
					return
				}
			}
			_, _, _ = conn.ReadMessage() // until the client goes
		case strings.HasSuffix(r.URL.Path, "getProfile"):
			did := r.URL.Query().Get("actor")
			fmt.Fprintf(w, `{"did":%q,"handle":"%s.bsky.social","displayName":"Bench","followersCount":7,"labels":[]}`, did, strings.TrimPrefix(did, "did:plc:"))
		default:
			http.NotFound(w, r)
		}
	}))
}

// BenchmarkStream measures posts per second from a local Jetstream through
// the connector (decoding, matching, profile cache, record building,
// dedup, outbox, acks) and the live heap after the run.
func BenchmarkStream(b *testing.B) {
	srv := fastJetstream(b, b.N)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Jetstream = "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"
	cfg.AppView = srv.URL
	cfg.Keywords = []keyword.Keyword{{Text: "Earshot"}}
	cfg.CheckpointInterval = 100 * time.Millisecond
	cfg.fill()
	c, err := newConnector(cfg, connectors.Deps{Name: "bench", Checkpoints: connectors.NewMemoryCheckpoints(), MaxInFlight: 1000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
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
