package reddit

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
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const testUA = "test:earshot-listener:1.0 (by /u/earshot_bot)"

func testConfig(f *fakeReddit) Config {
	cfg := DefaultConfig()
	cfg.ClientID, cfg.ClientSecret = clientID, clientSecret
	cfg.Username, cfg.Password = userName, userPassword
	cfg.UserAgent = testUA
	cfg.AuthURL, cfg.APIURL = f.url(), f.url()
	cfg.Subreddits = []string{"earshot"}
	cfg.PollInterval = 20 * time.Millisecond
	cfg.Overlap = 2 * time.Second
	cfg.BackoffMin, cfg.BackoffMax = time.Millisecond, 10*time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.RequestTimeout = 5 * time.Second
	cfg.RefreshEdits = 0
	cfg.fill()
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
		deps.Name = "rd"
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

func readN(t testing.TB, c connectors.Connector, n int) (ms []*record.Mention, rejected []*connectors.RejectedError) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for len(ms) < n {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		if errors.As(err, &rej) {
			rejected = append(rejected, rej)
			_ = rej.Ack(ctx, nil)
			continue
		}
		if err != nil {
			t.Fatalf("reading record %d of %d: %v", len(ms)+1, n, err)
		}
		if err := ack(ctx, nil); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms, rejected
}

func expectNothing(t testing.TB, c connectors.Connector, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, _, err := c.Read(ctx); err == nil {
		t.Fatalf("unexpected record %s: %q", m.SourceID, m.Text)
	}
}

func ids(ms []*record.Mention) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.SourceID)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func sorted(s ...string) string {
	sort.Strings(s)
	return strings.Join(s, " ")
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Golden things shaped after Reddit's documented post (t3) and comment
// (t1): testdata/NAME.json → testdata/NAME.expected.json.
func TestGoldenThings(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if strings.HasSuffix(file, ".expected.json") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			th, err := parseThing(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(toRecord("r/smallbusiness/new", th, false, time.Time{}), "", "  ")
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

func TestSubredditPostsCommentsAndSearch(t *testing.T) {
	f := newFakeReddit(t)
	cfg := testConfig(f)
	cfg.Comments = true
	cfg.Searches = []string{"earshot"}
	c := newTest(t, cfg, connectors.Deps{})
	start(t, c)
	p1 := f.post("earshot", "ana", "Dashboards", "love the dashboards")
	c1 := f.comment("earshot", "ben", "same here")
	p2 := f.post("marketing", "cy", "Tried Earshot", "for listening") // found by the search only
	f.post("marketing", "dee", "Unrelated", "nothing")
	got, _ := readN(t, c, 3)
	if ids(got) != sorted(p1, c1, p2) {
		t.Fatalf("got %s", ids(got))
	}
	for _, m := range got {
		if m.SourceID == c1 && (m.Kind != record.KindComment || m.InReplyTo != "t3_abc" || m.Fields["watch"] != "r/earshot/comments") {
			t.Fatalf("comment = %+v", m)
		}
		if m.SourceID == p2 && (m.Channel != "r/marketing" || m.Fields["watch"] != "search:earshot") {
			t.Fatalf("search hit = %+v", m)
		}
	}
	expectNothing(t, c, 200*time.Millisecond) // p1 is also found by no search; nothing twice
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.uas) != 1 || !f.uas[testUA] {
		t.Fatalf("User-Agents sent: %v", f.uas)
	}
}

func TestDeletedAndRemovedAreSkippedEditsReemittedDeletionsPropagated(t *testing.T) {
	f := newFakeReddit(t)
	reg := prometheus.NewRegistry()
	cfg := testConfig(f)
	cfg.Comments = true
	cfg.RefreshEdits = time.Hour
	cfg.RefreshInterval = 30 * time.Millisecond
	c := newTest(t, cfg, connectors.Deps{Registerer: reg})
	start(t, c)
	removed := "moderator"
	f.add("t3", map[string]any{"subreddit": "earshot", "author": "x", "title": "spam", "selftext": "[removed]", "removed_by_category": &removed, "permalink": "/r/earshot/x/"})
	f.comment("earshot", "[deleted]", "[deleted]")
	f.comment("earshot", "y", "[removed]")
	keep := f.comment("earshot", "zoe", "earshot is fine")
	got, _ := readN(t, c, 1)
	if got[0].SourceID != keep {
		t.Fatalf("got %s", got[0].SourceID)
	}
	f.edit(keep, "body", "earshot is great (edited)")
	got, _ = readN(t, c, 1)
	if got[0].SourceID != keep || got[0].Fields["edited"] != "true" || got[0].Text != "earshot is great (edited)" || got[0].Fields["edited_at"] == "" {
		t.Fatalf("edit = %+v", got[0])
	}
	f.edit(keep, "body", "[deleted]")
	f.edit(keep, "author", "[deleted]")
	got, _ = readN(t, c, 1)
	if !got[0].Deleted() || got[0].SourceID != keep || got[0].Author.Handle != "zoe" || got[0].Text != "" {
		t.Fatalf("deletion = %+v", got[0])
	}
	expectNothing(t, c, 200*time.Millisecond)
	if counter(t, reg, "earshot_reddit_items_total", "result", "removed") < 2 || counter(t, reg, "earshot_reddit_items_total", "result", "deleted") < 1 {
		t.Fatal("deleted and removed items not counted")
	}
}

// The budget headers, a 429, a 500, a body that is not JSON and an expired
// token are all survived, each counted; the token is fetched again.
func TestRateLimitsErrorsAndExpiredTokens(t *testing.T) {
	f := newFakeReddit(t)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(f), connectors.Deps{Registerer: reg})
	start(t, c)
	began := time.Now()
	f.inject("budget", "429", "500", "malformed", "expire")
	for drained := false; !drained; time.Sleep(5 * time.Millisecond) {
		f.mu.Lock()
		drained = len(f.faults) == 0
		f.mu.Unlock()
	}
	want := f.post("earshot", "ana", "after the storm", "still here")
	got, _ := readN(t, c, 1)
	if got[0].SourceID != want {
		t.Fatalf("got %s", got[0].SourceID)
	}
	if time.Since(began) < 900*time.Millisecond {
		t.Fatal("X-Ratelimit-Remaining 0 with X-Ratelimit-Reset 1 was not waited out")
	}
	for result, min := range map[string]float64{"rate_limited": 1, "server_error": 1, "malformed": 1} {
		if got := counter(t, reg, "earshot_reddit_requests_total", "result", result); got < min {
			t.Errorf("requests_total{result=%s} = %v", result, got)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokens < 2 {
		t.Fatalf("the expired token was not renewed (%d tokens)", f.tokens)
	}
}

func TestCredentialsErrorsAreNamed(t *testing.T) {
	f := newFakeReddit(t)
	for _, tc := range []struct {
		edit func(*Config)
		want []string
	}{
		{func(c *Config) { c.ClientSecret = "wrong" }, []string{"getting a reddit access token", "reddit refused the credentials (HTTP 401)"}},
		{func(c *Config) { c.Password = "wrong" }, []string{"reddit refused the credentials", "invalid_grant (check username and password)"}},
	} {
		cfg := testConfig(f)
		tc.edit(&cfg)
		c := newTest(t, cfg, connectors.Deps{})
		err := c.Connect(context.Background())
		if err == nil {
			_ = c.Close(context.Background())
			t.Fatal("Connect accepted wrong credentials")
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %q shows the secret", err)
		}
	}
}

func TestMalformedChildrenAreDeadLetteredOnce(t *testing.T) {
	f := newFakeReddit(t)
	f.add("t5", map[string]any{"subreddit": "earshot", "display_name": "earshot"}) // a subreddit, not a post
	good := f.post("earshot", "ana", "fine", "fine")
	c := newTest(t, testConfig(f), connectors.Deps{})
	start(t, c)
	got, rejected := readN(t, c, 1)
	if got[0].SourceID != good {
		t.Fatalf("got %s", got[0].SourceID)
	}
	expectNothing(t, c, 200*time.Millisecond)
	if len(rejected) != 1 || !strings.Contains(rejected[0].Err.Error(), `kind "t5"`) || !strings.Contains(rejected[0].Position, "r/earshot/new page 0") {
		t.Fatalf("rejected = %+v", rejected)
	}
}

// Restart: acknowledged items are not read again through the overlap.
func TestRestartDoesNotRepeatTheOverlap(t *testing.T) {
	f := newFakeReddit(t)
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		f.post("earshot", "ana", fmt.Sprintf("post %d", i), "x")
	}
	readN(t, c, 5)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c2 := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store})
	start(t, c2)
	expectNothing(t, c2, 300*time.Millisecond)
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	base := `client_id: a
client_secret: b
subreddits: [earshot]
`
	for src, want := range map[string]string{
		`subreddits: [earshot]`: "client_id",
		base:                    "user_agent: required",
		base + `user_agent: "Go-http-client/1.1"`:                                    "generic client",
		"client_id: a\nclient_secret: b\nuser_agent: x\nsubreddits: [\"no spaces\"]": "subreddits[0]",
		base + "user_agent: x\nusername: u":                                          "username and password go together",
		base + "user_agent: x\npage_size: 500":                                       "page_size",
		base + "user_agent: x\nsearches: [\"\"]":                                     "searches[0]",
		base + "user_agent: x\npoll_intervall: 1m":                                   "poll_intervall",
	} {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(src), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "r", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to mention %q", src, err, want)
		}
	}
}

type conformanceSource struct{ *fakeReddit }

func (s conformanceSource) Publish(_ testing.TB, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, s.post("earshot", fmt.Sprintf("user%d", i%7), fmt.Sprintf("post %d", i), "about earshot"))
	}
	return out
}

// Drop fails the next requests and expires the token.
func (s conformanceSource) Drop(testing.TB) { s.inject("500", "expire", "429") }

func harness() conformance.Harness {
	return conformance.Harness{
		Type:      Type,
		NewSource: func(t testing.TB) conformance.Source { return conformanceSource{newFakeReddit(t)} },
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			cfg := testConfig(src.(conformanceSource).fakeReddit)
			cfg.MaxPages = 40 // the bounded-memory run publishes faster than one poll pages
			return newTest(t, cfg, deps)
		},
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, harness())
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, harness())
}
