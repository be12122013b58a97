package appstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func baseConfig() Config {
	cfg := DefaultConfig()
	cfg.Interval = 20 * time.Millisecond
	cfg.BackoffMin = 5 * time.Millisecond
	cfg.BackoffMax = 50 * time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.AllowNetworks = []string{"127.0.0.1/32"}
	return cfg
}

func appleConfig(f *fakeStores, countries ...string) Config {
	cfg := baseConfig()
	if len(countries) == 0 {
		countries = []string{"us"}
	}
	cfg.Apple.BaseURL = f.srv.URL + "/apple"
	cfg.Apple.Apps = []AppleApp{{ID: "1000", Name: "earshot-ios", Countries: countries}}
	return cfg
}

func googleConfig(f *fakeStores, keyFile string) Config {
	cfg := baseConfig()
	cfg.GooglePlay.BaseURL = f.srv.URL
	cfg.GooglePlay.ServiceAccountFile = keyFile
	cfg.GooglePlay.Packages = []GoogleApp{{Package: "com.example.app"}}
	cfg.GooglePlay.PageSize = 20
	return cfg
}

func newTest(t testing.TB, cfg Config, deps connectors.Deps, now func() time.Time) *Connector {
	t.Helper()
	cfg.fill()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	if deps.Name == "" {
		deps.Name = "apps"
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

func appleHarness() conformance.Harness {
	return conformance.Harness{
		Type:      Type,
		NewSource: func(t testing.TB) conformance.Source { return appleSource{newFakeStores(t)} },
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, appleConfig(src.(appleSource).fakeStores), deps, nil)
		},
	}
}

func googleHarness() conformance.Harness {
	return conformance.Harness{
		Type: Type,
		NewSource: func(t testing.TB) conformance.Source {
			f := newFakeStores(t)
			return googleSource{fakeStores: f, keyFile: f.serviceAccountFile(t)}
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			s := src.(googleSource)
			return newTest(t, googleConfig(s.fakeStores, s.keyFile), deps, nil)
		},
	}
}

func TestConformanceAppStore(t *testing.T)   { conformance.Run(t, appleHarness()) }
func TestConformanceGooglePlay(t *testing.T) { conformance.Run(t, googleHarness()) }

func TestIntegrationRunnerIntoKafkaAppStore(t *testing.T) {
	conformance.RunIntegration(t, appleHarness())
}

func TestIntegrationRunnerIntoKafkaGooglePlay(t *testing.T) {
	conformance.RunIntegration(t, googleHarness())
}

// golden compares records with a file (go test -update rewrites it).
func golden(t *testing.T, name string, ms []*record.Mention) {
	t.Helper()
	slices.SortFunc(ms, func(a, b *record.Mention) int { return strings.Compare(a.SourceID, b.SourceID) })
	got, err := json.MarshalIndent(ms, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("records differ from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func serveFile(t *testing.T, path, file string) *httptest.Server {
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

var fetched = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// A documented App Store feed page maps to reviews with rating, version,
// storefront country, author and votes.
func TestGoldenAppStoreFeed(t *testing.T) {
	srv := serveFile(t, "/pl/rss/customerreviews/page=1/id=1000000001/sortby=mostrecent/json", "apple_customerreviews.json")
	cfg := baseConfig()
	cfg.Apple.BaseURL = srv.URL
	cfg.Apple.Apps = []AppleApp{{ID: "1000000001", Name: "earshot-ios", Countries: []string{"PL"}}}
	c := newTest(t, cfg, connectors.Deps{}, func() time.Time { return fetched })
	start(t, c)
	ms := readN(t, c, 2)
	golden(t, "apple_customerreviews.expected.json", ms)
	r := ms[1] // sorted: apple:11223344556 last
	if r.Rating.Value != 2 || r.Fields["app_version"] != "4.12.0" || r.Fields["country"] != "pl" || r.Author.Country != "PL" ||
		r.Author.ID != "1234567890" || r.Title != "Za drogo" || r.Engagement.Favourites != 4 || !r.CreatedAt.Equal(time.Date(2026, 11, 28, 10, 12, 44, 0, time.UTC)) {
		t.Fatalf("review = %+v", r)
	}
	expectNothing(t, c, 200*time.Millisecond)
}

// A documented reviews.list answer maps to reviews with rating, version,
// language, device and the developer's reply.
func TestGoldenGooglePlayReviews(t *testing.T) {
	f := newFakeStores(t)
	keyFile := f.serviceAccountFile(t)
	srv := serveFile(t, "/androidpublisher/v3/applications/com.example.app/reviews", "googleplay_reviews.json")
	cfg := googleConfig(f, keyFile)
	cfg.GooglePlay.BaseURL = srv.URL
	c := newTest(t, cfg, connectors.Deps{}, func() time.Time { return fetched })
	start(t, c)
	ms := readN(t, c, 2)
	golden(t, "googleplay_reviews.expected.json", ms)
	r := ms[0] // gp:AOqpTOGoldenReviewOne
	if !r.Consent.NoProspect {
		t.Fatal("reviewers became prospects without prospects: true")
	}
	if r.Lang != "pt-BR" || r.Rating.Value != 3 || r.Fields["app_version"] != "5.1.0" || r.Fields["developer_reply"] == "" ||
		r.Title != "Ótimo app" || r.Text != "Uso todos os dias, mas a versão nova trava no login." || r.Engagement.Favourites != 7 {
		t.Fatalf("review = %+v", r)
	}
}

// Pages are followed (more than one page of 50), newest first, to the end;
// an edit is emitted again under the same id; a deleted review is not.
func TestAppStorePaginationEditsAndDeletions(t *testing.T) {
	f := newFakeStores(t)
	all := f.addApple("1000", "us", 120)
	f.addApple("1000", "gb", 1) // a page with one entry: an object, not an array
	c := newTest(t, appleConfig(f, "us", "gb"), connectors.Deps{}, nil)
	start(t, c)
	ms := readN(t, c, 121)
	if got := ids(ms); len(got) != 121 || len(slices.Compact(got)) != 121 {
		t.Fatalf("got %d distinct of 121", len(slices.Compact(got)))
	}
	f.edit(all[3], "Edited: now it works")
	f.remove(all[10])
	more := f.addApple("1000", "us", 2)
	ms = readN(t, c, 3)
	byID := map[string]*record.Mention{}
	for _, m := range ms {
		byID[m.SourceID] = m
	}
	if e := byID[all[3]]; e == nil || e.Text != "Edited: now it works" || e.Fields["edit"] != "true" {
		t.Fatalf("edit missing: %v", ids(ms))
	}
	if byID[more[0]] == nil || byID[more[1]] == nil {
		t.Fatalf("new reviews missing: %v", ids(ms))
	}
	expectNothing(t, c, 300*time.Millisecond)
}

// 429 and 5xx are retried; nothing is lost.
func TestAppStoreRateLimitsAndServerErrors(t *testing.T) {
	f := newFakeStores(t)
	f.addApple("1000", "us", 3)
	f.fail(429, 503, 500, 429)
	reg := prometheus.NewRegistry()
	c := newTest(t, appleConfig(f), connectors.Deps{Registerer: reg}, nil)
	start(t, c)
	readN(t, c, 3)
	if got := counter(t, reg, "earshot_appstore_requests_total", "result", "rate_limited"); got != 2 {
		t.Fatalf("rate_limited = %v", got)
	}
	if got := counter(t, reg, "earshot_appstore_requests_total", "result", "server_error"); got != 2 {
		t.Fatalf("server_error = %v", got)
	}
}

// A malformed page is dead-lettered with the reason; so is a review with a
// rating out of range; the rest follows.
func TestAppStoreMalformedIsDeadLettered(t *testing.T) {
	f := newFakeStores(t)
	ids := f.addApple("1000", "us", 2)
	f.set(func() {
		f.malform = 1
		f.apple["1000/us"][0].rating = 9
	})
	c := newTest(t, appleConfig(f), connectors.Deps{}, nil)
	start(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var reasons []string
	var got []string
	for len(got) < 1 || len(reasons) < 2 {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		switch {
		case errors.As(err, &rej):
			reasons = append(reasons, rej.Position+": "+rej.Err.Error())
			if len(rej.Raw) == 0 {
				t.Fatal("dead letter without the payload")
			}
			_ = rej.Ack(ctx, nil)
		case err != nil:
			t.Fatalf("Read: %v (reasons so far %v)", err, reasons)
		default:
			got = append(got, m.SourceID)
			_ = ack(ctx, nil)
		}
	}
	joined := strings.Join(reasons, "\n")
	if !strings.Contains(joined, "apple:1000:us page 1: decoding response") || !strings.Contains(joined, `rating "9" is not 1-5`) {
		t.Fatalf("reasons = %s", joined)
	}
	if !slices.Equal(got, ids[1:]) {
		t.Fatalf("got %v, want %v", got, ids[1:])
	}
}

// An app not sold in a storefront (404) is skipped; the others go on.
func TestAppStoreUnknownAppIsSkipped(t *testing.T) {
	f := newFakeStores(t)
	f.addApple("1000", "us", 2)
	c := newTest(t, appleConfig(f, "xx", "us"), connectors.Deps{}, nil)
	start(t, c)
	readN(t, c, 2)
}

// The token endpoint checks the RS256 signature with the test key; the
// token is cached until it expires and renewed then; a 401 renews it once.
func TestGooglePlayTokenSignedCachedAndRenewed(t *testing.T) {
	f := newFakeStores(t)
	f.addGoogle("com.example.app", 45) // three pages of 20
	clk := struct{ now time.Time }{time.Now()}
	now := func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return clk.now }
	c := newTest(t, googleConfig(f, f.serviceAccountFile(t)), connectors.Deps{}, now)
	start(t, c)
	readN(t, c, 45)
	time.Sleep(100 * time.Millisecond) // several polls
	f.mu.Lock()
	reqs, bad := f.tokenReqs, f.badJWT
	f.mu.Unlock()
	if reqs != 1 || bad != 0 {
		t.Fatalf("token requests = %d (refused %d), want one accepted and cached", reqs, bad)
	}
	f.mu.Lock()
	clk.now = clk.now.Add(2 * time.Hour) // past expires_in
	f.mu.Unlock()
	f.addGoogle("com.example.app", 1)
	readN(t, c, 1)
	f.set(func() { f.expire = 1 })
	f.addGoogle("com.example.app", 1)
	readN(t, c, 1)
	f.mu.Lock()
	reqs = f.tokenReqs
	f.mu.Unlock()
	if reqs != 3 {
		t.Fatalf("token requests = %d, want 3 (first, after expiry, after a 401)", reqs)
	}
}

// A key the token endpoint refuses, a key of another signer, and a
// service account without Play Console access are named clearly.
func TestGooglePlayCredentialErrorsAreNamed(t *testing.T) {
	f := newFakeStores(t)
	f.addGoogle("com.example.app", 1)
	keyFile := f.serviceAccountFile(t)

	readErr := func(c *Connector) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _, err := c.Read(ctx)
		return err
	}
	f.set(func() { f.refuse = true })
	c := newTest(t, googleConfig(f, keyFile), connectors.Deps{}, nil)
	start(t, c)
	err := readErr(c)
	var ce *CredentialError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "reviews@earshot-test.iam.gserviceaccount.com") {
		t.Fatalf("refused key: %v", err)
	}
	_ = c.Close(context.Background())

	f.set(func() { f.refuse, f.forbid = false, true })
	c = newTest(t, googleConfig(f, keyFile), connectors.Deps{}, nil)
	start(t, c)
	if err := readErr(c); !errors.As(err, &ce) || !strings.Contains(err.Error(), "Play Console") || !strings.Contains(err.Error(), "PERMISSION_DENIED") {
		t.Fatalf("forbidden: %v", err)
	}
	_ = c.Close(context.Background())

	cfg := googleConfig(f, "")
	cfg.GooglePlay.ServiceAccountFile = ""
	cfg.GooglePlay.ServiceAccountJSON = `{"type":"service_account","client_email":"x@y","private_key":"not pem"}`
	c = newTest(t, cfg, connectors.Deps{}, nil)
	if err := c.Connect(context.Background()); !errors.As(err, &ce) || !strings.Contains(err.Error(), "google_play.service_account_json") || strings.Contains(err.Error(), "not pem") {
		t.Fatalf("bad key: %v", err)
	}
}

// Edits of Google Play reviews (they move to the top) are emitted again.
func TestGooglePlayEditsAndDeletions(t *testing.T) {
	f := newFakeStores(t)
	all := f.addGoogle("com.example.app", 5)
	c := newTest(t, googleConfig(f, f.serviceAccountFile(t)), connectors.Deps{}, nil)
	start(t, c)
	readN(t, c, 5)
	f.edit(all[1], "Changed my mind: five stars")
	f.remove(all[2])
	ms := readN(t, c, 1)
	if ms[0].SourceID != all[1] || !strings.Contains(ms[0].Text, "Changed my mind") || ms[0].ID != record.RecordID(Type, all[1]) {
		t.Fatalf("edit = %+v", ms[0])
	}
	expectNothing(t, c, 300*time.Millisecond)
}

func TestConfigErrorsNameTheirKeys(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Apple.Apps = []AppleApp{{ID: "abc", Countries: []string{"usa"}}}
	cfg.GooglePlay.Packages = []GoogleApp{{Package: "noperiod"}}
	cfg.Apple.MaxPages = 11
	err := cfg.Validate()
	for _, want := range []string{"apple.apps[0].id", "apple.apps[0].countries[0]", "apple.max_pages", "google_play.packages[0].package", "google_play.service_account_json"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %s", err, want)
		}
	}
}
