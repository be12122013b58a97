package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
	"github.com/earshothq/earshot/connectors/internal/keyword"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	alice = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
	brand = "did:plc:brand"
)

func testConfig(f *fakeBluesky) Config {
	cfg := DefaultConfig()
	cfg.Jetstream = f.wsURL()
	cfg.AppView = f.httpURL()
	cfg.Keywords = []keyword.Keyword{{Text: "Earshot"}}
	cfg.Hashtags = []string{"earshot"}
	cfg.Mentions = []string{"earshot.bsky.social"}
	cfg.RequestTimeout = 5 * time.Second
	cfg.IdleTimeout = 3 * time.Second
	cfg.BackoffMin = 5 * time.Millisecond
	cfg.BackoffMax = 50 * time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.fill()
	return cfg
}

func newFake(t testing.TB) *fakeBluesky {
	f := newFakeBluesky(t)
	f.addProfile(brand, "earshot.bsky.social", nil)
	f.addProfile(alice, "alice.bsky.social", profileJSON{"displayName": "Alicja Nowak", "followersCount": 1200})
	return f
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
		deps.Name = "sky"
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
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unexpected error %v", err)
	}
}

func ids(ms []*record.Mention) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.SourceID)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Golden events shaped after Jetstream's commit events and the post lexicon:
// testdata/NAME.json → testdata/NAME.expected.json.
func TestGoldenEvents(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if strings.HasSuffix(file, ".expected.json") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			f := newFake(t)
			c := newTest(t, testConfig(f), connectors.Deps{})
			start(t, c)
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f.addEvent(string(raw))
			m := readN(t, c, 1)[0]
			m.FetchedAt = time.Time{}
			if !m.NoProspect() {
				t.Fatal("a Bluesky author may become a prospect without prospects: true")
			}
			got, _ := json.MarshalIndent(m, "", "  ")
			want := strings.TrimSuffix(file, ".json") + ".expected.json"
			if *update {
				if err := os.WriteFile(want, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(exp)) != strings.TrimSpace(string(got)) {
				t.Fatalf("record differs from %s:\n%s", want, got)
			}
		})
	}
}

// The server cuts every connection after seven messages; the connector
// resumes from its cursor each time and every post arrives exactly once.
// (The other tests resume with the default overlap, replaying seconds.)
func TestConnectionCutMidStreamResumesFromCursorWithoutGap(t *testing.T) {
	f := newFake(t)
	reg := prometheus.NewRegistry()
	cfg := testConfig(f)
	cfg.ResumeOverlap = 0 // resume exactly at the last time_us read (replayed, recognised)
	c := newTest(t, cfg, connectors.Deps{Registerer: reg})
	f.mu.Lock()
	f.cutAfter = 7
	f.mu.Unlock()
	start(t, c)
	var want []string
	for i := 0; i < 40; i++ {
		want = append(want, f.post(alice, fmt.Sprintf("3k%04d", i), fmt.Sprintf("post %d about earshot", i), ""))
		if i%3 == 0 { // noise the filter drops, taking positions too
			f.post(alice, fmt.Sprintf("3n%04d", i), "nothing to see", "")
		}
	}
	got := readN(t, c, len(want))
	sort.Strings(want)
	if ids(got) != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", ids(got), strings.Join(want, "\n"))
	}
	expectNothing(t, c, 300*time.Millisecond)
	if d := counter(t, reg, "earshot_bluesky_stream_drops_total", "connector", "sky"); d < 5 {
		t.Fatalf("%v drops counted, want at least 5", d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 1; i < len(f.cursors); i++ {
		if f.cursors[i] < f.cursors[i-1] {
			t.Fatalf("cursor went back: %v", f.cursors)
		}
	}
}

func TestOptOutsDeletionsAndEdits(t *testing.T) {
	f := newFake(t)
	f.addProfile("did:plc:shy", "shy.bsky.social", profileJSON{"labels": []any{map[string]any{"src": "did:plc:shy", "val": "!no-unauthenticated"}}})
	f.addProfile("did:plc:bot", "quiet.bsky.social", profileJSON{"description": "Artist. #NoBot please"})
	f.addProfile("did:plc:unlabelled", "fine.bsky.social", profileJSON{"labels": []any{map[string]any{"val": "!no-unauthenticated", "neg": true}}})
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f), connectors.Deps{Registerer: reg})
	start(t, c)
	f.post("did:plc:shy", "3s1", "I like earshot", "")
	f.post("did:plc:bot", "3b1", "earshot again", "")
	f.post("did:plc:nobody", "3x1", "earshot from a deleted account", "")
	ok := f.post("did:plc:unlabelled", "3u1", "earshot label negated", "")
	first := readN(t, c, 1)[0]
	if first.SourceID != ok || first.Author.Handle != "fine.bsky.social" {
		t.Fatalf("got %s by %s, want only %s", first.SourceID, first.Author.Handle, ok)
	}
	// An edit (new CID) comes again under the same id; a deletion removes it.
	f.addEvent(`{"did":"did:plc:unlabelled","time_us":%d,"kind":"commit","commit":{"operation":"update","collection":"app.bsky.feed.post","rkey":"3u1","cid":"bafyedited","record":{"$type":"app.bsky.feed.post","text":"earshot label negated (edited)","createdAt":"2026-12-03T10:00:00Z"}}}`)
	f.addEvent(`{"did":"did:plc:unlabelled","time_us":%d,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"3u1"}}`)
	edit := readN(t, c, 1)[0]
	if edit.ID != first.ID || edit.Fields["edited"] != "true" || !strings.Contains(edit.Text, "(edited)") {
		t.Fatalf("edit = %+v", edit)
	}
	del := readN(t, c, 1)[0]
	if !del.Deleted() || del.ID != first.ID || del.Deletion.Reason != record.DeletedAtSource || del.Text != "" ||
		del.AuthorKey() != first.AuthorKey() {
		t.Fatalf("deletion = %+v (key %s, post key %s)", del, del.AuthorKey(), first.AuthorKey())
	}
	// A post never collected: its deletion emits nothing.
	f.addEvent(`{"did":"did:plc:shy","time_us":%d,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"3s1"}}`)
	expectNothing(t, c, 300*time.Millisecond)
	for result, want := range map[string]float64{"opted_out": 2, "no_profile": 1, "deleted": 1, "emitted": 2, "acked": 2} {
		if got := counter(t, reg, "earshot_bluesky_posts_total", "result", result); got != want {
			t.Errorf("posts_total{result=%s} = %v, want %v", result, got, want)
		}
	}
}

// An identity event renames a cached author; the next post shows the new handle.
func TestIdentityEventUpdatesTheHandle(t *testing.T) {
	f := newFake(t)
	c := newTest(t, testConfig(f), connectors.Deps{})
	start(t, c)
	f.post(alice, "3h1", "earshot one", "")
	if m := readN(t, c, 1)[0]; m.Author.Handle != "alice.bsky.social" {
		t.Fatalf("handle %q", m.Author.Handle)
	}
	f.addEvent(`{"did":"` + alice + `","time_us":%d,"kind":"identity","identity":{"did":"` + alice + `","handle":"alicja.pl","seq":1,"time":"2026-12-03T10:00:00Z"}}`)
	f.post(alice, "3h2", "earshot two", "")
	if m := readN(t, c, 1)[0]; m.Author.Handle != "alicja.pl" {
		t.Fatalf("handle after identity event %q", m.Author.Handle)
	}
}

// Malformed messages are dead-lettered with the reason and the stream
// goes on.
func TestMalformedEventsAreRejectedWithTheReason(t *testing.T) {
	f := newFake(t)
	c := newTest(t, testConfig(f), connectors.Deps{})
	start(t, c)
	f.addEvent(`{"did":"` + alice + `","time_us":`) // cut short
	f.addEvent(`{"did":"` + alice + `","time_us":%d,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3m1","cid":"b","record":{"text":"earshot without a date"}}}`)
	good := f.post(alice, "3m2", "earshot fine", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var reasons []string
	for {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		if errors.As(err, &rej) {
			if len(rej.Raw) == 0 || !strings.HasPrefix(rej.Position, "jetstream@") {
				t.Fatalf("rejection without its message or position: %+v", rej)
			}
			reasons = append(reasons, rej.Err.Error())
			if err := rej.Ack(ctx, nil); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = ack(ctx, nil)
		if m.SourceID != good {
			t.Fatalf("got %s", m.SourceID)
		}
		break
	}
	joined := strings.Join(reasons, " | ")
	if len(reasons) != 2 || !strings.Contains(joined, "decoding jetstream event") || !strings.Contains(joined, "without createdAt") {
		t.Fatalf("reasons = %q", joined)
	}
}

// Profile look-ups wait out a 429, retry a 500 and hold on a spent budget.
func TestProfileLookupsHonourRateLimitsAndServerErrors(t *testing.T) {
	f := newFake(t)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f), connectors.Deps{Registerer: reg})
	start(t, c) // resolves the brand's handle first
	f.mu.Lock()
	f.faults = []string{"429", "500", "budget"}
	f.mu.Unlock()
	want := f.post(alice, "3r1", "earshot under load", "")
	if m := readN(t, c, 1)[0]; m.SourceID != want {
		t.Fatalf("got %s", m.SourceID)
	}
	if counter(t, reg, "earshot_bluesky_requests_total", "result", "rate_limited") < 1 ||
		counter(t, reg, "earshot_bluesky_requests_total", "result", "server_error") < 1 {
		t.Fatal("429 and 500 not counted")
	}
}

func backfillConfig(f *fakeBluesky, password string) Config {
	cfg := testConfig(f)
	cfg.Backfill = &Backfill{Service: f.httpURL(), Identifier: "earshot.bsky.social", AppPassword: password,
		Queries: []string{"earshot"}, Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	cfg.fill()
	return cfg
}

func hit(did, rkey, text string, likes int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"uri":%q,"cid":"bafy%s","author":{"did":%q,"handle":"x.bsky.social"},`+
		`"record":{"$type":"app.bsky.feed.post","text":%q,"createdAt":"2026-11-20T08:00:00Z","langs":["en"]},`+
		`"replyCount":2,"repostCount":3,"likeCount":%d,"quoteCount":1,"indexedAt":"2026-11-20T08:00:01Z","labels":[]}`,
		postURI(did, rkey), rkey, did, text, likes))
}

// The backfill signs in, pages through searchPosts, carries engagement,
// and once done is not run again after a restart.
func TestBackfillPagesThroughSearchOnce(t *testing.T) {
	f := newFake(t)
	f.search["earshot"] = [][]json.RawMessage{
		{hit(alice, "3p1", "old earshot post", 10), hit(alice, "3p2", "older earshot post", 11)},
		{hit(alice, "3p3", "oldest earshot post", 12), json.RawMessage(`{"uri":"https://not-an-at-uri","record":{}}`)},
	}
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, backfillConfig(f, f.password), connectors.Deps{Checkpoints: store})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []*record.Mention
	rejected := 0
	for len(got) < 3 || rejected < 1 {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		if errors.As(err, &rej) {
			rejected++
			_ = rej.Ack(ctx, nil)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = ack(ctx, nil)
		got = append(got, m)
	}
	if e := got[2].Engagement; e.Favourites != 12 || e.Replies != 2 || e.Shares != 4 || got[2].Fields["watch"] != "search" {
		t.Fatalf("engagement %+v fields %v", e, got[2].Fields)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	searches := f.searches
	f.mu.Unlock()
	// The password changed since: a finished backfill does not sign in again.
	c2 := newTest(t, backfillConfig(f, "revoked"), connectors.Deps{Checkpoints: store})
	start(t, c2)
	expectNothing(t, c2, 300*time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.searches != searches {
		t.Fatalf("a finished backfill searched again (%d → %d requests)", searches, f.searches)
	}
}

func TestBackfillCredentialsErrorIsNamed(t *testing.T) {
	f := newFake(t)
	c := newTest(t, backfillConfig(f, "wrong-password"), connectors.Deps{})
	err := c.Connect(context.Background())
	if err == nil {
		_ = c.Close(context.Background())
		t.Fatal("Connect accepted a wrong app password")
	}
	for _, want := range []string{"signing in for the bluesky backfill", "earshot.bsky.social", "bluesky refused the credentials (HTTP 401)", "Invalid identifier or password"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestUnknownBrandHandleFailsConnect(t *testing.T) {
	f := newFake(t)
	cfg := testConfig(f)
	cfg.Mentions = []string{"nobody.example"}
	c := newTest(t, cfg, connectors.Deps{})
	if err := c.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "resolving handle nobody.example") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	for src, want := range map[string]string{
		`jetstream: https://x`:                         "jetstream",
		`keywords: []`:                                 "nothing to watch",
		`hashtags: ["two words"]`:                      "hashtags[0]",
		`mentions: ["not a handle"]`:                   "mentions[0]",
		`{hashtags: [x], backfill: {identifier: a.b}}`: "backfill.app_password",
		`{hashtags: [x], max_event_bytes: 10}`:         "max_event_bytes",
		`{hashtags: [x], resume_overlapp: 1s}`:         "resume_overlapp",
		`{hashtags: [x], backfill: {page_size: 500, identifier: a, app_password: p, since: 2026-01-01T00:00:00Z}}`: "page_size",
	} {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(src), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "b", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
}

// conformanceSource adapts the fake server to the conformance suite.
type conformanceSource struct {
	*fakeBluesky
	n *int
}

func (s conformanceSource) Publish(_ testing.TB, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		*s.n++
		did := fmt.Sprintf("did:plc:author%d", *s.n%7)
		out = append(out, s.post(did, fmt.Sprintf("3c%06d", *s.n), fmt.Sprintf("post %d about #earshot", *s.n),
			`,"facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"earshot"}]}]`))
	}
	return out
}

// Drop closes the connections and fails the next profile look-ups.
func (s conformanceSource) Drop(testing.TB) {
	s.mu.Lock()
	s.faults = append(s.faults, "500", "500")
	s.mu.Unlock()
	s.drop()
}

func harness() conformance.Harness {
	return conformance.Harness{
		Type: Type,
		NewSource: func(t testing.TB) conformance.Source {
			f := newFake(t)
			for i := 0; i < 7; i++ {
				f.addProfile(fmt.Sprintf("did:plc:author%d", i), fmt.Sprintf("author%d.bsky.social", i), nil)
			}
			return conformanceSource{fakeBluesky: f, n: new(int)}
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, testConfig(src.(conformanceSource).fakeBluesky), deps)
		},
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, harness())
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, harness())
}

// With a sealer the checkpoint names no followed post's author in plain
// text; a forgotten author's posts are no longer followed (their deletion
// makes no record), another author's still are.
func TestTrackedPostsAreSealedAndForgetDropsThem(t *testing.T) {
	f := newFake(t)
	f.addProfile("did:plc:bob", "bob.bsky.social", nil)
	store := connectors.NewMemoryCheckpoints()
	sealer := connectors.NewMemorySealer()
	c := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store, Sealer: sealer})
	start(t, c)
	f.post(alice, "3a1", "earshot from alice", "")
	f.post("did:plc:bob", "3b1", "earshot from bob", "")
	got := readN(t, c, 2)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, _ := store.Load(context.Background(), c.checkpointKey())
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil || len(cp.Sealed) != 2 || len(cp.Tracked) != 0 {
		t.Fatalf("checkpoint: %d sealed, %d plain tracked posts (%v); want 2 sealed", len(cp.Sealed), len(cp.Tracked), err)
	}
	for _, trace := range []string{"alice.bsky.social", alice, "bob.bsky.social", "did:plc:bob"} {
		if strings.Contains(string(raw), trace) {
			t.Fatalf("the checkpoint names %q in plain text", trace)
		}
	}
	for _, m := range got {
		if m.Author.Handle == "alice.bsky.social" {
			sealer.Forget(m.AuthorKey())
		}
	}
	c2 := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store, Sealer: sealer})
	start(t, c2)
	f.addEvent(`{"did":"` + alice + `","time_us":%d,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"3a1"}}`)
	f.addEvent(`{"did":"did:plc:bob","time_us":%d,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"3b1"}}`)
	del := readN(t, c2, 1)[0]
	if !del.Deleted() || del.Author.Handle != "bob.bsky.social" {
		t.Fatalf("got %+v, want the deletion of bob's post", del)
	}
	expectNothing(t, c2, 300*time.Millisecond)
}
