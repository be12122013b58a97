package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
)

// feedServer serves one feed document with ETag and Last-Modified and
// answers conditional requests with 304.
type feedServer struct {
	srv *httptest.Server

	mu           sync.Mutex
	body         []byte
	contentType  string
	version      int
	lastModified time.Time
	items        []string // ids of generated RSS items, oldest first
	window       int      // generated feeds list the newest window items
	failNext     int
	gets         int
	conditional  int // requests carrying a validator
	notModified  int
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{window: 200, lastModified: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *feedServer) url() string { return fs.srv.URL + "/feed.xml" }

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.gets++
	if fs.failNext > 0 {
		fs.failNext--
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, fs.version)
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		fs.conditional++
	}
	if inm == etag || (inm == "" && ims == fs.lastModified.Format(http.TimeFormat)) {
		fs.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", fs.lastModified.Format(http.TimeFormat))
	w.Header().Set("Content-Type", fs.contentType)
	_, _ = w.Write(fs.body)
}

// set replaces the document (a new version).
func (fs *feedServer) set(body []byte, contentType string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.body, fs.contentType = body, contentType
	fs.version++
	fs.lastModified = fs.lastModified.Add(time.Minute)
}

func (fs *feedServer) counts() (gets, conditional, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.gets, fs.conditional, fs.notModified
}

// Publish adds n generated RSS items (conformance.Source).
func (fs *feedServer) Publish(_ testing.TB, n int) []string {
	fs.mu.Lock()
	var ids []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("item-%d", len(fs.items)+1)
		fs.items = append(fs.items, id)
		ids = append(ids, "test|"+id)
	}
	items := fs.items[max(0, len(fs.items)-fs.window):]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title><language>en</language>`)
	for i := len(items) - 1; i >= 0; i-- { // newest first, as feeds do
		fmt.Fprintf(&b, `<item><guid>%s</guid><title>Entry %s</title><description>%s</description></item>`,
			items[i], items[i], html.EscapeString("<p>Text of "+items[i]+" about Earshot</p>"))
	}
	b.WriteString(`</channel></rss>`)
	fs.mu.Unlock()
	fs.set([]byte(b.String()), "application/rss+xml; charset=utf-8")
	return ids
}

// Drop fails the next requests and closes open connections.
func (fs *feedServer) Drop(testing.TB) {
	fs.mu.Lock()
	fs.failNext = 3
	fs.mu.Unlock()
	fs.srv.CloseClientConnections()
}

func testConfig(feeds ...Feed) Config {
	cfg := DefaultConfig()
	cfg.Feeds = feeds
	cfg.Interval = 20 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.AllowNetworks = []string{"127.0.0.1/32"}
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.fillFeeds()
	return cfg
}

func newTest(t testing.TB, cfg Config, deps connectors.Deps) *Connector {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	if deps.Name == "" {
		deps.Name = "feeds"
	}
	c, err := newConnector(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readN reads n records, acknowledging each when ack is true.
func readN(t testing.TB, c connectors.Connector, n int, ack bool) ([]*record.Mention, []connectors.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ms []*record.Mention
	var acks []connectors.AckFunc
	for len(ms) < n {
		m, a, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("reading record %d of %d: %v", len(ms)+1, n, err)
		}
		if ack {
			if err := a(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		ms = append(ms, m)
		acks = append(acks, a)
	}
	return ms, acks
}

// expectNothing fails when a record arrives within d.
func expectNothing(t testing.TB, c connectors.Connector, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, _, err := c.Read(ctx); err == nil {
		t.Fatalf("unexpected record %s", m.SourceID)
	}
}

// Golden cases: testdata/NAME.{rss,atom,json} is served as a feed named
// NAME-with-dashes, NAME.expected.json holds the records it must produce.
func TestGoldenFeeds(t *testing.T) {
	cases := []struct {
		file, contentType string
		kind              record.Kind
	}{
		{"news_pl.rss", "application/rss+xml", record.KindMention}, // ISO-8859-2, declared in the XML prolog
		{"blog_lv.atom", "application/atom+xml; charset=utf-8", record.KindComment},
		{"news_zh.json", "application/feed+json", record.KindMention},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(tc.file, filepath.Ext(tc.file))
			var want []map[string]any
			raw, err := os.ReadFile(filepath.Join("testdata", base+".expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			fs := newFeedServer(t)
			fs.set(body, tc.contentType)
			c := newTest(t, testConfig(Feed{Name: strings.ReplaceAll(base, "_", "-"), URL: fs.url(), Kind: tc.kind}), connectors.Deps{})
			if err := c.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			got, _ := readN(t, c, len(want), true)
			for i := range want {
				b, _ := json.Marshal(got[i])
				var gm map[string]any
				_ = json.Unmarshal(b, &gm)
				for k, v := range want[i] {
					gv, _ := json.Marshal(gm[k])
					wv, _ := json.Marshal(v)
					if string(gv) != string(wv) {
						t.Errorf("record %d field %s = %s, want %s", i, k, gv, wv)
					}
				}
				if got[i].ID != record.RecordID(Type, got[i].SourceID) {
					t.Errorf("record %d id not derived from source id", i)
				}
			}
			expectNothing(t, c, 200*time.Millisecond)
		})
	}
}

func TestConditionalGETAfterDeliveryAndChangedEntriesReemitted(t *testing.T) {
	fs := newFeedServer(t)
	fs.Publish(t, 3)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(Feed{Name: "test", URL: fs.url()}), connectors.Deps{Registerer: reg})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	first, _ := readN(t, c, 3, true)
	// Polls continue every 20ms; once the entries are acknowledged they carry
	// the validators and are answered 304.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, nm := fs.counts()
		if nm >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no conditional GET answered 304 after the entries were delivered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	expectNothing(t, c, 100*time.Millisecond)

	// Edit entry 2: same id, new content → emitted again with the same id.
	fs.mu.Lock()
	body := strings.Replace(string(fs.body), "Text of item-2 about Earshot", "Corrected text of item-2", 1)
	fs.mu.Unlock()
	fs.set([]byte(body), "application/rss+xml")
	again, _ := readN(t, c, 1, true)
	if again[0].SourceID != "test|item-2" || again[0].ID != first[1].ID || !strings.Contains(again[0].Text, "Corrected") {
		t.Fatalf("changed entry: got %s %q, want test|item-2 with the corrected text", again[0].SourceID, again[0].Text)
	}
	expectNothing(t, c, 100*time.Millisecond)

	if notModified := counter(t, reg, "earshot_feed_fetches_total", "result", "not_modified"); notModified < 3 {
		t.Fatalf("not_modified fetches metric = %v, want at least 3", notModified)
	}
}

// Validators are only used once every entry of their response was
// delivered: a 304 must never hide an entry still in flight.
func TestValidatorsWaitForAcknowledgements(t *testing.T) {
	fs := newFeedServer(t)
	fs.Publish(t, 2)
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, testConfig(Feed{Name: "test", URL: fs.url()}), connectors.Deps{Checkpoints: store})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, acks := readN(t, c, 2, false)
	if err := acks[1](context.Background(), nil); err != nil { // the first stays unacknowledged
		t.Fatal(err)
	}
	// Let several polls happen: none may be conditional.
	deadline := time.Now().Add(10 * time.Second)
	for {
		gets, conditional, _ := fs.counts()
		if conditional > 0 {
			t.Fatalf("a conditional GET was sent with an entry still unacknowledged")
		}
		if gets >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("feed not polled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Restart: the unacknowledged entry comes again, the acknowledged not.
	c2 := newTest(t, testConfig(Feed{Name: "test", URL: fs.url()}), connectors.Deps{Checkpoints: store})
	if err := c2.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c2.Close(context.Background())
	got, _ := readN(t, c2, 1, true)
	if got[0].SourceID != "test|item-1" {
		t.Fatalf("after restart got %s, want test|item-1", got[0].SourceID)
	}
	expectNothing(t, c2, 200*time.Millisecond)
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	fs := newFeedServer(t)
	fs.Publish(t, 1)
	cfg := testConfig(Feed{Name: "test", URL: fs.url()})
	cfg.AllowNetworks = nil
	c := newTest(t, cfg, connectors.Deps{})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	expectNothing(t, c, 300*time.Millisecond)
	if gets, _, _ := fs.counts(); gets != 0 {
		t.Fatalf("the guard let %d requests reach a loopback server", gets)
	}
}

func TestOversizedAndMalformedFeedsAreErrorsNotRecords(t *testing.T) {
	fs := newFeedServer(t)
	fs.set([]byte("<rss><channel><item><title>unterminated"), "application/rss+xml")
	cfg := testConfig(Feed{Name: "test", URL: fs.url()})
	cfg.MaxBodyBytes = 1 << 10
	reg := prometheus.NewRegistry()
	c := newTest(t, cfg, connectors.Deps{Registerer: reg})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	expectNothing(t, c, 200*time.Millisecond)
	// A feed over the size limit is refused before parsing.
	big := `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><guid>big</guid><title>` + strings.Repeat("a", 4<<10) + `</title></item></channel></rss>`
	fs.set([]byte(big), "application/rss+xml")
	expectNothing(t, c, 200*time.Millisecond)
	if n := counter(t, reg, "earshot_feed_fetches_total", "result", "error"); n < 2 {
		t.Fatalf("error fetches = %v, want the malformed and the oversized feed counted", n)
	}
	// Fixing the feed recovers without a restart.
	fs.Publish(t, 1)
	got, _ := readN(t, c, 1, true)
	if got[0].SourceID != "test|item-1" {
		t.Fatalf("got %s", got[0].SourceID)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	cases := map[string]string{
		"feeds: [{url: 'ftp://x.example/feed'}]":                                                "scheme",
		"feeds: [{url: 'https://a.example/f'}], intervall: 5m":                                  "intervall",
		"feeds: [{name: a, url: 'https://a.example/f'}, {name: a, url: 'https://b.example/f'}]": "used by another feed",
		"feeds: []": "at least one feed",
		"feeds: [{url: 'https://a.example/f', kind: x}]":                "kind",
		"feeds: [{url: 'https://a.example/f'}], allow_networks: [nope]": "allow_networks",
	}
	for src, want := range cases {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte("{"+src+"}"), &node); err != nil {
			t.Fatal(err)
		}
		_, err := New(&node, connectors.Deps{Name: "f", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, integrationHarness())
}

// integrationHarness drives the connector against its local peer, for the
// conformance suite and the runner-into-Kafka test.
func integrationHarness() conformance.Harness {
	return conformance.Harness{
		Type: Type,
		NewSource: func(t testing.TB) conformance.Source {
			return newFeedServer(t)
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, testConfig(Feed{Name: "test", URL: src.(*feedServer).url()}), deps)
		},
		LongRun: 2000,
	}
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, integrationHarness())
}
