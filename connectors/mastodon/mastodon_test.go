package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"

	gomasto "github.com/mattn/go-mastodon"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
)

func testConfig(f *fakeMastodon, edit func(*Server)) Config {
	cfg := DefaultConfig()
	cfg.RequestTimeout = 5 * time.Second
	cfg.StreamIdleTimeout = 3 * time.Second
	cfg.BackoffMin = 10 * time.Millisecond
	cfg.BackoffMax = 200 * time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	s := Server{Name: "social", URL: f.url(), AccessToken: f.token, Hashtags: []string{"earshot"}, InitialBackfill: 40}
	if edit != nil {
		edit(&s)
	}
	cfg.Servers = []Server{s}
	cfg.fillServers()
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
		deps.Name = "masto"
	}
	c, err := newConnector(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(t testing.TB, c *Connector) {
	t.Helper()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
}

// waitFor polls cond until it holds or fails the test after 10s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitCaughtUp waits until the streams are open and the first catch-ups
// are done, so statuses published next come over the stream.
func waitCaughtUp(t testing.TB, f *fakeMastodon, c *Connector, streams int) {
	t.Helper()
	waitFor(t, "streams", func() bool { return f.streamCount() >= streams })
	waitFor(t, "catch-up", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, s := range c.servers {
			for _, w := range s.watches {
				if w.gap != nil {
					return false
				}
			}
		}
		return true
	})
}

func readN(t testing.TB, c connectors.Connector, n int) []*record.Mention {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out []*record.Mention
	for len(out) < n {
		m, ack, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("reading record %d of %d: %v", len(out)+1, n, err)
		}
		if err := ack(ctx, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func expectNothing(t testing.TB, c connectors.Connector, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, _, err := c.Read(ctx); err == nil {
		t.Fatalf("unexpected record %s: %q", m.SourceID, m.Text)
	}
}

func sourceIDs(ms []*record.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.SourceID)
	}
	sort.Strings(out)
	return out
}

func uris(sts ...*fakeStatus) []string {
	var out []string
	for _, st := range sts {
		out = append(out, st.uri())
	}
	sort.Strings(out)
	return out
}

func sameSet(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got records\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
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

// Golden statuses shaped after the Status entity of Mastodon's API
// documentation: testdata/NAME.json → testdata/NAME.expected.json.
func TestGoldenStatuses(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/status_*.json")
	if len(inputs) == 0 {
		t.Fatal("no golden statuses")
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".expected.json") {
			continue
		}
		t.Run(filepath.Base(in), func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var st gomasto.Status
			if err := json.Unmarshal(raw, &st); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(in, ".json") + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			w := &watch{label: "hashtag:earshot"}
			o := original(&st)
			rec := toRecord("mastodon.example", "mastodon.example", w, &st, "", statusText(o, "mastodon.example"), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
			got, _ := json.MarshalIndent(rec, "", "  ")
			var g, e map[string]any
			_ = json.Unmarshal(got, &g)
			if err := json.Unmarshal(want, &e); err != nil {
				t.Fatal(err)
			}
			for k, v := range e {
				gv, _ := json.Marshal(g[k])
				wv, _ := json.Marshal(v)
				if string(gv) != string(wv) {
					t.Errorf("%s = %s, want %s", k, gv, wv)
				}
			}
		})
	}
}

func TestHashtagStreamWithBackfillAtStartAndAfterReconnect(t *testing.T) {
	f := newFakeMastodon(t)
	// Posted before the first start: fetched by the initial catch-up.
	early := []*fakeStatus{
		f.publish(post{author: "ana", html: "<p>first #earshot</p>", tags: []string{"earshot"}, lang: "en"}),
		f.publish(post{author: "ben", html: "<p>second #earshot</p>", tags: []string{"earshot"}, lang: "en"}),
		f.publish(post{author: "ben", html: "<p>unrelated</p>", tags: []string{"other"}, lang: "en"}),
	}
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f, nil), connectors.Deps{Registerer: reg})
	start(t, c)
	sameSet(t, sourceIDs(readN(t, c, 2)), uris(early[0], early[1]))
	waitCaughtUp(t, f, c, 1)

	live := f.publish(post{author: "ana", html: "<p>live #earshot</p>", tags: []string{"earshot"}})
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(live))

	// The stream drops and stays refused for a while; statuses posted
	// meanwhile arrive through the catch-up after the reconnect.
	f.mu.Lock()
	f.streamRefusals = 3
	f.mu.Unlock()
	f.dropStreams()
	var missed []*fakeStatus
	for i := 0; i < 3; i++ {
		missed = append(missed, f.publish(post{author: "cy", html: fmt.Sprintf("<p>while away %d #earshot</p>", i), tags: []string{"earshot"}}))
	}
	sameSet(t, sourceIDs(readN(t, c, 3)), uris(missed...))
	expectNothing(t, c, 200*time.Millisecond)

	minIDQueries := 0
	for _, r := range f.seen() {
		if strings.HasPrefix(r.path, "/api/v1/timelines/tag/earshot") && r.q.Get("min_id") != "" {
			minIDQueries++
		}
	}
	if minIDQueries == 0 {
		t.Fatal("no catch-up with min_id after the reconnect")
	}
	if n := counter(t, reg, "earshot_mastodon_stream_drops_total", "watch", "hashtag:earshot"); n < 1 {
		t.Fatalf("stream drops = %v", n)
	}
}

func TestKeywordsOnPublicStreamHonourLanguageAndVisibility(t *testing.T) {
	f := newFakeMastodon(t)
	c := newTest(t, testConfig(f, func(s *Server) {
		s.Hashtags = nil
		s.Keywords = []Keyword{{Text: "Earshot"}, {Text: "Żabka", Languages: []string{"pl"}}, {Text: "耳语"}}
	}), connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	want := []*fakeStatus{
		f.publish(post{author: "ola", html: "<p>Kupiłam w ŻABCE? Nie, w <b>żabkach</b> taniej</p>", lang: "pl"}),
		f.publish(post{author: "li", html: "<p>我们都在用耳语</p>", lang: "zh"}),
		f.publish(post{author: "joe", html: "<p>EARSHOT's new dashboard</p>", lang: "en"}),
	}
	f.publish(post{author: "joe", html: "<p>zabka in English is not watched</p>", lang: "en"})
	f.publish(post{author: "joe", html: "<p>nothing to see</p>", lang: "en"})
	f.publish(post{author: "joe", html: "<p>earshot but unlisted</p>", lang: "en", visibility: "unlisted"})
	got := readN(t, c, 3)
	sameSet(t, sourceIDs(got), uris(want...))
	for _, m := range got {
		if m.Fields["keyword"] == "" || m.Fields["watch"] != "keywords" {
			t.Errorf("%s: fields %v lack the matched keyword", m.SourceID, m.Fields)
		}
	}
	expectNothing(t, c, 200*time.Millisecond)
}

func TestNotificationsEmitMentionsOnlyAndNeverDirectByDefault(t *testing.T) {
	f := newFakeMastodon(t)
	f.token = "secret"
	c := newTest(t, testConfig(f, func(s *Server) {
		s.Hashtags = nil
		s.Notifications = true
	}), connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	parent := f.publish(post{author: "earshot", html: "<p>We shipped!</p>"})
	m1 := f.publish(post{author: "ana", html: `<p><span class="h-card"><a href="https://social.example/@earshot" class="u-url mention">@<span>earshot</span></a></span> is my order late?</p>`, mention: true, lang: "en"})
	m2 := f.publish(post{author: "ben", html: "<p>@earshot congrats</p>", mention: true, replyTo: parent})
	f.publish(post{author: "eve", html: "<p>@earshot private note</p>", mention: true, visibility: "direct"})
	f.notify("favourite", "zed", parent)
	f.notify("follow", "zed", nil)
	got := readN(t, c, 2)
	sameSet(t, sourceIDs(got), uris(m1, m2))
	byID := map[string]*record.Mention{}
	for _, m := range got {
		byID[m.SourceID] = m
	}
	if k := byID[m1.uri()].Kind; k != record.KindMention {
		t.Errorf("mention kind = %s", k)
	}
	if k := byID[m2.uri()].Kind; k != record.KindReply {
		t.Errorf("reply kind = %s", k)
	}
	if txt := byID[m1.uri()].Text; txt != "@earshot@social.example is my order late?" {
		t.Errorf("text = %q", txt)
	}
	expectNothing(t, c, 200*time.Millisecond)
}

func TestListedAccountPolledWithBoostsResolvedOnce(t *testing.T) {
	f := newFakeMastodon(t)
	orig := f.publish(post{author: "maker", html: "<p>Our #earshot rival launched</p>", tags: []string{"earshot"}, media: 2, lang: "en"})
	f.publish(post{author: "rival", html: "", boostOf: orig})
	own := f.publish(post{author: "rival", html: "<p>Rival news</p>", lang: "en"})
	c := newTest(t, testConfig(f, func(s *Server) {
		s.Accounts = []string{"rival@social.example"}
		s.PollInterval = 30 * time.Millisecond
	}), connectors.Deps{})
	start(t, c)
	got := readN(t, c, 2) // the original once (hashtag and boost), the rival's own post
	sameSet(t, sourceIDs(got), uris(orig, own))
	for _, m := range got {
		if m.SourceID == orig.uri() {
			if m.Author.Handle != "maker@social.example" || m.Engagement.Media != 2 {
				t.Errorf("boost not resolved to the original: author %q media %d", m.Author.Handle, m.Engagement.Media)
			}
		}
	}
	later := f.publish(post{author: "rival", html: "<p>More rival news</p>"})
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(later))
	expectNothing(t, c, 200*time.Millisecond)
}

func TestRateLimitHeadersAnd429AreHonoured(t *testing.T) {
	f := newFakeMastodon(t)
	f.publish(post{author: "ana", html: "<p>#earshot</p>", tags: []string{"earshot"}})
	// The instance call succeeds but spends the budget for 700ms; the first
	// timeline request is then answered 429 with Retry-After: 1.
	f.inject(fault{prefix: "/api/v1/timelines/tag/", kind: "ratelimit-exhausted"}, fault{prefix: "/api/v1/timelines/tag/", kind: "429"})
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f, nil), connectors.Deps{Registerer: reg})
	start(t, c)
	readN(t, c, 1)
	var tag []seenRequest
	for _, r := range f.seen() {
		if strings.HasPrefix(r.path, "/api/v1/timelines/tag/") {
			tag = append(tag, r)
		}
	}
	if len(tag) < 3 {
		t.Fatalf("want the exhausted, the 429 and the retried request, saw %d", len(tag))
	}
	// Remaining 0 at the first response: the next request waits for the reset.
	if gap := tag[1].at.Sub(tag[0].at); gap < 600*time.Millisecond {
		t.Errorf("request sent %v after the budget was spent, before its reset", gap)
	}
	// 429 with Retry-After: 1 — no request within that second.
	if gap := tag[2].at.Sub(tag[1].at); gap < 900*time.Millisecond {
		t.Errorf("request sent %v after a 429 with Retry-After: 1", gap)
	}
	if n := counter(t, reg, "earshot_mastodon_requests_total", "result", "rate_limited"); n < 2 {
		t.Errorf("rate_limited = %v, want both throttles counted", n)
	}
}

func TestServerErrorsAndMalformedJSONAreRetried(t *testing.T) {
	f := newFakeMastodon(t)
	sts := []*fakeStatus{
		f.publish(post{author: "ana", html: "<p>a #earshot</p>", tags: []string{"earshot"}}),
		f.publish(post{author: "ben", html: "<p>b #earshot</p>", tags: []string{"earshot"}}),
	}
	f.inject(
		fault{prefix: "/api/v1/timelines/tag/", kind: "500"},
		fault{prefix: "/api/v1/timelines/tag/", kind: "502"},
		fault{prefix: "/api/v1/timelines/tag/", kind: "malformed"},
	)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f, nil), connectors.Deps{Registerer: reg})
	start(t, c)
	sameSet(t, sourceIDs(readN(t, c, 2)), uris(sts...))
	if n := counter(t, reg, "earshot_mastodon_requests_total", "result", "server_error"); n < 2 {
		t.Errorf("server_error = %v, want 2", n)
	}
	if n := counter(t, reg, "earshot_mastodon_malformed_total", "where", "rest"); n < 1 {
		t.Errorf("malformed rest = %v, want 1", n)
	}
	expectNothing(t, c, 200*time.Millisecond)
}

func TestStreamCutMidEventAndMalformedEventsLoseNothing(t *testing.T) {
	f := newFakeMastodon(t)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f, nil), connectors.Deps{Registerer: reg})
	start(t, c)
	waitCaughtUp(t, f, c, 1)

	// The stream delivers half of a status's event and the connection drops.
	cut := f.publish(post{author: "ana", html: "<p>cut #earshot</p>", tags: []string{"earshot"}, quiet: true})
	raw, _ := json.Marshal(cut.obj)
	f.sendRaw("hashtag:earshot", "event: update\ndata: "+string(raw[:len(raw)/2]), true)
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(cut))

	// A malformed event on a healthy stream: the status comes over REST.
	waitCaughtUp(t, f, c, 1)
	bad := f.publish(post{author: "ben", html: "<p>bad #earshot</p>", tags: []string{"earshot"}, quiet: true})
	f.sendRaw("hashtag:earshot", "event: update\ndata: {\"id\": \"oops\", \"created_at\": 12}\n\n", false)
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(bad))
	expectNothing(t, c, 200*time.Millisecond)
	if n := counter(t, reg, "earshot_mastodon_malformed_total", "where", "stream"); n < 2 {
		t.Errorf("malformed stream events = %v, want the cut and the broken one", n)
	}
}

func TestSilentStreamIsReconnected(t *testing.T) {
	f := newFakeMastodon(t)
	f.heartbeat = 0 // no heartbeats: the idle timeout must fire
	reg := prometheus.NewRegistry()
	cfg := testConfig(f, nil)
	cfg.StreamIdleTimeout = 150 * time.Millisecond
	c := newTest(t, cfg, connectors.Deps{Registerer: reg})
	start(t, c)
	waitFor(t, "an idle reconnect", func() bool {
		return counter(t, reg, "earshot_mastodon_stream_drops_total", "watch", "hashtag:earshot") >= 2
	})
	st := f.publish(post{author: "ana", html: "<p>#earshot after idle</p>", tags: []string{"earshot"}})
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(st))
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	cases := map[string]string{
		"servers: [{url: 'https://m.example'}]":                                                  "nothing to watch",
		"servers: [{url: 'm.example', hashtags: [x]}]":                                           "not an http(s) server",
		"servers: [{url: 'https://m.example', notifications: true}]":                             "needs access_token",
		"servers: [{url: 'https://m.example', hashtags: [x], visibility: [secret]}]":             "visibility",
		"servers: [{url: 'https://m.example', keywords: [{text: a, langs: [pl]}]}]":              "unknown key",
		"servers: [{url: 'https://m.example', hashtags: [x], keyword_timeline: home}]":           "keyword_timeline",
		"servers: [{url: 'https://m.example', hashtags: ['two words']}]":                         "not a hashtag",
		"servers: [{url: 'https://m.example', hashtags: [x]}], backoff_min: 1m, backoff_max: 1s": "backoff_max",
		"server: []": "unknown key",
	}
	for src, want := range cases {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte("{"+src+"}"), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "m", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
}

// conformanceSource adapts the fake server to the conformance suite.
type conformanceSource struct{ *fakeMastodon }

func (s conformanceSource) Publish(_ testing.TB, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		st := s.publish(post{author: fmt.Sprintf("user%d", i%7), html: fmt.Sprintf("<p>post %d about #earshot</p>", i), tags: []string{"earshot"}, lang: "en"})
		out = append(out, st.uri())
	}
	return out
}

// Drop closes the streams, refuses the next reconnects and fails REST once.
func (s conformanceSource) Drop(testing.TB) {
	s.mu.Lock()
	s.streamRefusals = 2
	s.mu.Unlock()
	s.inject(fault{prefix: "/api/v1/timelines/", kind: "500"})
	s.dropStreams()
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
			f := newFakeMastodon(t)
			f.stored = 1000
			return conformanceSource{f}
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, testConfig(src.(conformanceSource).fakeMastodon, nil), deps)
		},
		LongRun: 3000,
	}
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, integrationHarness())
}

// Catch-ups page through Link headers: the first start goes back through
// "next" (max_id) pages, a catch-up after a reconnect forward through
// "prev" (min_id) pages.
func TestCatchUpFollowsLinkPagination(t *testing.T) {
	f := newFakeMastodon(t)
	var before []*fakeStatus
	for i := 0; i < 5; i++ {
		before = append(before, f.publish(post{author: "ana", html: fmt.Sprintf("<p>old %d #earshot</p>", i), tags: []string{"earshot"}}))
	}
	c := newTest(t, testConfig(f, func(s *Server) {
		s.PageSize = 2
		s.InitialBackfill = 5
	}), connectors.Deps{})
	start(t, c)
	sameSet(t, sourceIDs(readN(t, c, 5)), uris(before...))
	waitCaughtUp(t, f, c, 1)

	f.mu.Lock()
	f.streamRefusals = 2
	f.mu.Unlock()
	f.dropStreams()
	var missed []*fakeStatus
	for i := 0; i < 7; i++ {
		missed = append(missed, f.publish(post{author: "ben", html: fmt.Sprintf("<p>missed %d #earshot</p>", i), tags: []string{"earshot"}}))
	}
	sameSet(t, sourceIDs(readN(t, c, 7)), uris(missed...))
	expectNothing(t, c, 200*time.Millisecond)

	var older, newer int
	for _, r := range f.seen() {
		if !strings.HasPrefix(r.path, "/api/v1/timelines/tag/") {
			continue
		}
		if l := r.q.Get("limit"); l != "1" && l != "2" {
			t.Errorf("page requested with limit %q, want at most the page size 2", l)
		}
		if r.q.Get("max_id") != "" {
			older++
		}
		if r.q.Get("min_id") != "" {
			newer++
		}
	}
	if older < 2 || newer < 4 {
		t.Fatalf("max_id pages %d (want >= 2), min_id pages %d (want >= 4)", older, newer)
	}
}
