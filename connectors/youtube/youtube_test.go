package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testConfig(base string) Config {
	cfg := DefaultConfig()
	cfg.APIKey = testKey
	cfg.BaseURL = base
	cfg.Videos = []string{"vid1"}
	cfg.Interval = 20 * time.Millisecond
	cfg.BackoffMin = 5 * time.Millisecond
	cfg.BackoffMax = 50 * time.Millisecond
	cfg.QuotaRecheck = 10 * time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.DailyQuota = 1_000_000
	cfg.AllowNetworks = []string{"127.0.0.1/32"}
	return cfg
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newTest(t testing.TB, cfg Config, deps connectors.Deps, now func() time.Time) *Connector {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	if deps.Name == "" {
		deps.Name = "yt"
	}
	if now == nil {
		now = time.Now
	}
	c, err := newConnector(cfg, deps, now)
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

// readN reads and acknowledges n records.
func readN(t testing.TB, c connectors.Connector, n int) []*record.Mention {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ms []*record.Mention
	for len(ms) < n {
		m, ack, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("reading record %d of %d: %v", len(ms)+1, n, err)
		}
		if err := ack(ctx, nil); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

func expectNothing(t testing.TB, c connectors.Connector, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, _, err := c.Read(ctx); err == nil {
		t.Fatalf("unexpected record %s (%q)", m.SourceID, m.Text)
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read = %v, want nothing", err)
	}
}

func ids(ms []*record.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.SourceID)
	}
	slices.Sort(out)
	return out
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func harness() conformance.Harness {
	return conformance.Harness{
		Type:      Type,
		NewSource: func(t testing.TB) conformance.Source { return newFakeYouTube(t) },
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, testConfig(src.(*fakeYouTube).baseURL()), deps, nil)
		},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness()) }

func TestIntegrationRunnerIntoKafka(t *testing.T) { conformance.RunIntegration(t, harness()) }

// A documented commentThreads answer maps to the expected records: ids,
// authors with handle and profile, the reply linked to its thread, links to
// the comment, engagement.
func TestGoldenCommentThreads(t *testing.T) {
	fixture, err := os.ReadFile("testdata/commentThreads_video.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/youtube/v3/commentThreads" || r.URL.Query().Get("videoId") != "vidGolden01" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL + "/youtube/v3")
	cfg.Videos = []string{"vidGolden01"}
	fetched := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := newTest(t, cfg, connectors.Deps{}, func() time.Time { return fetched })
	start(t, c)
	ms := readN(t, c, 3)
	slices.SortFunc(ms, func(a, b *record.Mention) int { return strings.Compare(a.SourceID, b.SourceID) })
	got, err := json.MarshalIndent(ms, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "commentThreads_video.expected.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("records differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
	byID := map[string]*record.Mention{}
	for _, m := range ms {
		byID[m.SourceID] = m
	}
	top, rep := byID["UgwTopFirst4AaABAg"], byID["UgwTopFirst4AaABAg.9xReplyOne"]
	if top == nil || rep == nil || rep.InReplyTo != top.ID || rep.Kind != record.KindReply || top.Kind != record.KindComment {
		t.Fatalf("reply not linked to its thread: %+v", rep)
	}
	if top.Author.Handle != "@AnnaKowalska" || top.Author.ProfileURL != "http://www.youtube.com/@AnnaKowalska" ||
		top.URL != "https://www.youtube.com/watch?v=vidGolden01&lc=UgwTopFirst4AaABAg" || top.Engagement.Favourites != 12 || top.Engagement.Replies != 1 {
		t.Fatalf("top comment = %+v", top)
	}
	if top.Consent == nil || !top.Consent.NoProspect {
		t.Fatalf("consent = %+v, want no prospects by default", top.Consent)
	}
	if li := byID["UgxOlderSecondAaABAg"]; li.Author.Handle != "@李雷" {
		t.Fatalf("handle from the channel URL = %q", li.Author.Handle)
	}
}

// More replies than a thread carries are listed with comments.list; an edit
// is emitted again under the same id; a deleted comment is not emitted.
func TestRepliesEditsAndDeletions(t *testing.T) {
	yt := newFakeYouTube(t)
	threads := yt.add("vid1", 2)
	replies := yt.reply(threads[0], 7)
	c := newTest(t, testConfig(yt.baseURL()), connectors.Deps{}, nil)
	start(t, c)
	ms := readN(t, c, 9)
	want := append(slices.Clone(threads), replies...)
	slices.Sort(want)
	if got := ids(ms); !slices.Equal(got, want) {
		t.Fatalf("ids = %v, want %v", got, want)
	}
	if yt.count("comments") == 0 {
		t.Fatal("the seven replies were not listed with comments.list")
	}
	yt.edit(threads[1], "Comment edited: Earshot is great")
	yt.remove(replies[2])
	later := yt.add("vid1", 1)
	ms = readN(t, c, 2)
	byID := map[string]*record.Mention{}
	for _, m := range ms {
		byID[m.SourceID] = m
	}
	if e := byID[threads[1]]; e == nil || e.Text != "Comment edited: Earshot is great" || e.Fields["edited_at"] == "" || e.ID != record.RecordID(Type, threads[1]) {
		t.Fatalf("edit not emitted under the same id: %+v", ms)
	}
	if byID[later[0]] == nil {
		t.Fatalf("new comment missing: %v", ids(ms))
	}
	expectNothing(t, c, 300*time.Millisecond)
}

// The connector spends no more than daily_quota units, says so, and resumes
// after midnight Pacific time.
func TestQuotaStopsBeforeTheBudgetAndResumesAfterThePacificReset(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid1", 10)
	cfg := testConfig(yt.baseURL())
	cfg.PageSize = 2 // five pages, five units
	cfg.DailyQuota = 3
	cfg.Replies = false
	clk := &clock{t: time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)} // 15:30 PST
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))
	c := newTest(t, cfg, connectors.Deps{Registerer: reg, Logger: logger}, clk.now)
	start(t, c)
	first := readN(t, c, 6)
	expectNothing(t, c, 300*time.Millisecond)
	if n := yt.count("commentThreads"); n != 3 {
		t.Fatalf("commentThreads calls = %d, want 3 (the daily quota)", n)
	}
	if got := counter(t, reg, "earshot_youtube_quota_stops_total", "connector", "yt"); got != 1 {
		t.Fatalf("quota stops = %v, want 1", got)
	}
	logMu.Lock()
	msg := logs.String()
	logMu.Unlock()
	if !strings.Contains(msg, "3 of daily_quota 3 units used") || !strings.Contains(msg, "2026-12-04T08:00:00Z") {
		t.Fatalf("log does not explain the quota stop:\n%s", msg)
	}
	clk.set(time.Date(2026, 12, 4, 8, 0, 1, 0, time.UTC)) // 00:00:01 PST
	t.Logf("calls before reset: %d", yt.count("commentThreads"))
	rest := readN(t, c, 4)
	if got := ids(append(first, rest...)); len(got) != 10 || len(slices.Compact(got)) != 10 {
		t.Fatalf("after the reset: %v", got)
	}
	if got := counter(t, reg, "earshot_youtube_quota_units_total", "resource", "commentThreads"); got < 5 {
		t.Fatalf("quota units counted = %v", got)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// The quota used survives a restart on the same Pacific day.
func TestQuotaUseIsCheckpointed(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid1", 2)
	cfg := testConfig(yt.baseURL())
	cfg.DailyQuota = 2
	cfg.Replies = false
	clk := &clock{t: time.Date(2026, 7, 1, 18, 0, 0, 0, time.UTC)}
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, cfg, connectors.Deps{Checkpoints: store}, clk.now)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	readN(t, c, 2)
	time.Sleep(200 * time.Millisecond) // a few polls
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := yt.count("commentThreads")
	if calls != 2 {
		t.Fatalf("calls = %d, want 2", calls)
	}
	c2 := newTest(t, cfg, connectors.Deps{Checkpoints: store}, clk.now)
	start(t, c2)
	time.Sleep(200 * time.Millisecond)
	if n := yt.count("commentThreads"); n != calls {
		t.Fatalf("a restart spent %d more units of a spent day", n-calls)
	}
}

// quotaExceeded from the API pauses polling until the reset.
func TestServerQuotaExceededPausesUntilReset(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid1", 3)
	yt.quotaOut = true
	clk := &clock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(yt.baseURL()), connectors.Deps{Registerer: reg}, clk.now)
	start(t, c)
	expectNothing(t, c, 300*time.Millisecond)
	if n := yt.count("commentThreads"); n != 1 {
		t.Fatalf("calls after quotaExceeded = %d, want 1", n)
	}
	yt.mu.Lock()
	yt.quotaOut = false
	yt.mu.Unlock()
	clk.set(time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)) // midnight PST was 08:00 UTC: still the same day
	expectNothing(t, c, 200*time.Millisecond)
	clk.set(time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC))
	readN(t, c, 3)
}

func TestPacificReset(t *testing.T) {
	for _, tc := range []struct{ at, reset, day string }{
		{"2026-12-03T23:30:00Z", "2026-12-04T08:00:00Z", "2026-12-03"}, // PST
		{"2026-12-04T07:59:59Z", "2026-12-04T08:00:00Z", "2026-12-03"},
		{"2026-07-01T06:59:00Z", "2026-07-01T07:00:00Z", "2026-06-30"}, // PDT
		{"2026-07-01T07:00:00Z", "2026-07-02T07:00:00Z", "2026-07-01"},
		{"2026-03-07T12:00:00Z", "2026-03-08T08:00:00Z", "2026-03-07"}, // PST day before the change
		{"2026-03-08T12:00:00Z", "2026-03-09T07:00:00Z", "2026-03-08"}, // the spring-forward day
		{"2026-10-31T12:00:00Z", "2026-11-01T07:00:00Z", "2026-10-31"},
		{"2026-11-01T12:00:00Z", "2026-11-02T08:00:00Z", "2026-11-01"}, // the fall-back day
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := nextPacificMidnight(at).Format(time.RFC3339); got != tc.reset {
			t.Errorf("reset after %s = %s, want %s", tc.at, got, tc.reset)
		}
		if got := pacificDay(at); got != tc.day {
			t.Errorf("Pacific day of %s = %s, want %s", tc.at, got, tc.day)
		}
	}
}

// A rejected key is reported by Read with an error naming the setting.
func TestInvalidKeyIsNamed(t *testing.T) {
	yt := newFakeYouTube(t)
	cfg := testConfig(yt.baseURL())
	cfg.APIKey = "wrong"
	c := newTest(t, cfg, connectors.Deps{}, nil)
	start(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	var ce *CredentialError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "api_key") || !strings.Contains(err.Error(), "API key not valid") {
		t.Fatalf("Read = %v, want a credential error naming api_key", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatal("the error shows the key")
	}
}

// A malformed page is dead-lettered with its reason and the rest follows.
func TestMalformedPageIsDeadLettered(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid1", 2)
	yt.malform = 1
	c := newTest(t, testConfig(yt.baseURL()), connectors.Deps{}, nil)
	start(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	var rej *connectors.RejectedError
	if !errors.As(err, &rej) || !strings.Contains(rej.Position, "video:vid1 commentThreads page 1") ||
		!strings.Contains(rej.Err.Error(), "commentThreads") || !bytes.Contains(rej.Raw, []byte(`"items":[{"id":`)) || rej.Ack == nil {
		t.Fatalf("Read = %v, want a dead letter of the page", err)
	}
	if err := rej.Ack(ctx, nil); err != nil {
		t.Fatal(err)
	}
	readN(t, c, 2)
}

// 429 and 5xx are retried; nothing is lost.
func TestRateLimitsAndServerErrorsAreRetried(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid1", 4)
	yt.fail(429, 500, 503, 429, 502, 500)
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(yt.baseURL()), connectors.Deps{Registerer: reg}, nil)
	start(t, c)
	readN(t, c, 4)
	if got := counter(t, reg, "earshot_youtube_requests_total", "result", "rate_limited"); got != 2 {
		t.Fatalf("rate_limited = %v, want 2", got)
	}
	if got := counter(t, reg, "earshot_youtube_requests_total", "result", "server_error"); got != 4 {
		t.Fatalf("server_error = %v, want 4", got)
	}
}

// Comments disabled on one video do not stop the others.
func TestCommentsDisabledSkipsTheVideo(t *testing.T) {
	yt := newFakeYouTube(t)
	yt.add("vid2", 2)
	yt.fail(403)
	cfg := testConfig(yt.baseURL())
	cfg.Videos = []string{"vid1", "vid2"}
	c := newTest(t, cfg, connectors.Deps{}, nil)
	start(t, c)
	readN(t, c, 2)
}

// Channels list the threads of all their videos; search adds new videos.
func TestChannelsAndSearch(t *testing.T) {
	yt := newFakeYouTube(t)
	onChannel := append(yt.add("vid1", 1), yt.add("vid2", 1)...)
	yt.found = []string{"vidFound"}
	onFound := yt.add("vidFound", 2)
	cfg := testConfig(yt.baseURL())
	cfg.Videos = nil
	cfg.Channels = []string{"UCchan"}
	cfg.Search.Queries = []string{"earshot"}
	reg := prometheus.NewRegistry()
	c := newTest(t, cfg, connectors.Deps{Registerer: reg}, nil)
	start(t, c)
	ms := readN(t, c, 4)
	want := append(onChannel, onFound...)
	slices.Sort(want)
	if got := ids(ms); !slices.Equal(got, want) {
		t.Fatalf("ids = %v, want %v", got, want)
	}
	time.Sleep(100 * time.Millisecond)
	if n := yt.count("search"); n != 1 {
		t.Fatalf("search calls = %d, want 1 (interval 6h)", n)
	}
	if got := counter(t, reg, "earshot_youtube_quota_units_total", "resource", "search"); got != 100 {
		t.Fatalf("search units = %v, want 100", got)
	}
}

// A backlog larger than max_pages pages is read in full.
func TestBacklogBeyondMaxPages(t *testing.T) {
	yt := newFakeYouTube(t)
	all := yt.add("vid1", 30)
	cfg := testConfig(yt.baseURL())
	cfg.PageSize = 5
	cfg.MaxPages = 2
	c := newTest(t, cfg, connectors.Deps{}, nil)
	start(t, c)
	slices.Sort(all)
	if got := ids(readN(t, c, 30)); !slices.Equal(got, all) {
		t.Fatalf("ids = %v", got)
	}
}

func TestConfigErrorsNameTheirKeys(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Videos = []string{"bad id!"}
	cfg.PageSize = 500
	cfg.Search.Queries = []string{"x"}
	cfg.DailyQuota = 50
	err := cfg.Validate()
	for _, want := range []string{"api_key", "videos[0]", "page_size", "daily_quota"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %s", err, want)
		}
	}
}
