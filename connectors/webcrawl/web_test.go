package webcrawl

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
)

// Rules of the test sites, shared by the golden and the crawl tests.
var (
	forumItems = ItemRule{
		Selector: Selector{CSS: "article.post"}, Kind: record.KindComment,
		Fields: Fields{
			Author: Selector{CSS: ".post-author"}, AuthorURL: Selector{CSS: ".post-author a", Attr: "href"},
			Text: Selector{CSS: ".post-body"}, Date: Selector{CSS: "time", Attr: "datetime"},
			Permalink: Selector{CSS: "a.permalink", Attr: "href"},
		},
	}
	blogItems = ItemRule{
		Selector: Selector{XPath: "//div[@class='comment']"}, Kind: record.KindComment,
		Fields: Fields{
			Author: Selector{XPath: ".//span[@class='who']"}, Text: Selector{XPath: ".//div[@class='say']"},
			Date: Selector{XPath: ".//span[@class='when']"}, DateLayout: "2006/01/02 15:04",
			Rating: Selector{XPath: ".//span[@class='stars']"}, Permalink: Selector{XPath: "concat('#', @data-id)"},
		},
	}
)

func siteConfig(name string, start []string, items ...ItemRule) Site {
	return Site{Name: name, StartURLs: start, Items: items}
}

// Golden pages: testdata/pages/NAME.html extracted as if fetched from
// https://sites.example/PATH must give NAME.expected.json (each expected
// field compared; records in order).
func TestGoldenPages(t *testing.T) {
	cases := []struct {
		file, pageURL string
		site          Site
	}{
		{"forum_thread.html", "https://sites.example/forum/t/earshot", siteConfig("forum", nil, forumItems)},
		{"reviews_jsonld.html", "https://sites.example/shop/p/earshot-pro/reviews", siteConfig("reviews", nil)},
		{"reviews_microdata.html", "https://sites.example/shop/p/mini/reviews", siteConfig("reviews", nil)},
		{"blog_comments.html", "https://sites.example/blog/2024/earshot", siteConfig("blog", nil, blogItems)},
		{"news_article.html", "https://sites.example/news/roundup", siteConfig("news", nil)},
	}
	fetched := time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			cfg := Config{Sites: []Site{tc.site}}
			cfg.Sites[0].StartURLs = []string{tc.pageURL}
			cfg.fillSites()
			f, err := os.Open(filepath.Join("testdata", "pages", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			root, err := html.Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tc.pageURL)
			items := newExtractor(cfg.Sites[0]).extract(page{url: u, base: u, root: root, fetched: fetched})
			raw, err := os.ReadFile(filepath.Join("testdata", "pages", strings.TrimSuffix(tc.file, ".html")+".expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if len(items) != len(want) {
				for _, it := range items {
					t.Logf("got %s: %q", it.rec.SourceID, it.rec.Text)
				}
				t.Fatalf("%d items, want %d", len(items), len(want))
			}
			for i, w := range want {
				compareFields(t, i, items[i].rec, w)
			}
		})
	}
}

// compareFields checks every field of want against the record's JSON; a
// nested object is compared key by key.
func compareFields(t *testing.T, i int, rec *record.Mention, want map[string]any) {
	t.Helper()
	b, _ := json.Marshal(rec)
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	for k, wv := range want {
		if wm, ok := wv.(map[string]any); ok && k != "rating" {
			gm, _ := got[k].(map[string]any)
			for kk, wvv := range wm {
				g, _ := json.Marshal(gm[kk])
				w, _ := json.Marshal(wvv)
				if string(g) != string(w) {
					t.Errorf("item %d %s.%s = %s, want %s", i, k, kk, g, w)
				}
			}
			continue
		}
		g, _ := json.Marshal(got[k])
		w, _ := json.Marshal(wv)
		if string(g) != string(w) {
			t.Errorf("item %d %s = %s, want %s", i, k, g, w)
		}
	}
}

func testConfig(sites ...Site) Config {
	cfg := DefaultConfig()
	cfg.CheckpointInterval = 20 * time.Millisecond
	for i := range sites {
		if sites[i].AllowNetworks == nil {
			sites[i].AllowNetworks = []string{"127.0.0.1/32"}
		}
		if sites[i].RequestTimeout == 0 {
			sites[i].RequestTimeout = 5 * time.Second
		}
	}
	cfg.Sites = sites
	cfg.fillSites()
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
		deps.Name = "web"
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

// readAll reads and acknowledges records until the source is quiet for
// quiet, or until it reports the end of input.
func readAll(t testing.TB, c connectors.Connector, quiet time.Duration) ([]*record.Mention, error) {
	t.Helper()
	var out []*record.Mention
	for {
		ctx, cancel := context.WithTimeout(context.Background(), quiet)
		m, ack, err := c.Read(ctx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return out, nil
			}
			return out, err
		}
		if err := ack(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}

func readN(t testing.TB, c connectors.Connector, n int) []*record.Mention {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
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

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCrawlLocalSites(t *testing.T) {
	ts := newTestSites(t)
	forumIDs := ts.addPosts("local", 45) // three pages
	site := siteConfig("local", []string{ts.url("/index")}, forumItems, blogItems)
	site.Follow = []FollowRule{{Selector: Selector{CSS: "a"}}}
	site.MaxBodyBytes = 1 << 20
	site.RequestTimeout = time.Second // the never-finishing page times out
	site.MaxDepth = 4
	// The domain filter lets the redirects through: the network guard must
	// still refuse to connect to the internal addresses.
	site.AllowedDomains = []string{"127.0.0.1", "169.254.169.254", "10.1.2.3"}
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(site), connectors.Deps{Registerer: reg})
	start(t, c)
	// Every item of every page, once the crawl (including the 1s timeout) is done.
	wantTotal := len(forumIDs) + 3 /* json-ld */ + 3 /* microdata */ + 2 /* blog */ + 2 /* news */ + 4 /* encodings */
	got := readN(t, c, wantTotal)
	rest, err := readAll(t, c, 5*time.Second)
	if !errors.Is(err, connectors.ErrEndOfInput) {
		t.Fatalf("one-shot crawl: %v, want the end of input", err)
	}
	if len(rest) > 0 {
		t.Fatalf("%d records beyond the %d expected, first %s: %q", len(rest), wantTotal, rest[0].SourceID, rest[0].Text)
	}
	byText := map[string]*record.Mention{}
	ids := map[string]bool{}
	for _, m := range got {
		if ids[m.SourceID] {
			t.Errorf("duplicate %s", m.SourceID)
		}
		ids[m.SourceID] = true
		byText[m.Text] = m
	}
	for _, id := range forumIDs {
		if !ids[id] {
			t.Errorf("forum post %s missing", id)
		}
	}
	for text, lang := range map[string]string{
		"Zażółć gęślą jaźń - świetna obsługa w Łodzi":    "pl", // ISO-8859-2 by header
		"耳语的客服很专业，发货也快":                                  "zh", // GBK by meta charset
		"Ļoti ērti, piegāde uz Rīgu ātra; ķēdes veikals": "lv", // Windows-1257 by http-equiv
		"Ação rápida, não há falhas":                     "pt", // UTF-8 BOM over a wrong meta
		"服务很好，价格也合理。\n推荐给同事。":                            "zh-CN",
		"Pricing is unclear for small teams.":            "en",
	} {
		m, ok := byText[text]
		if !ok {
			t.Errorf("no record with text %q", text)
			continue
		}
		if m.Lang != lang {
			t.Errorf("%q: lang %q, want %q", text, m.Lang, lang)
		}
	}
	if ts.requested("/private/secret") != 0 {
		t.Error("robots.txt disallows /private/ but it was fetched")
	}
	for result, min := range map[string]float64{"robots": 1, "refused": 2, "too_large": 1, "timeout": 1, "ok": 10} {
		if n := counter(t, reg, "earshot_web_pages_total", "result", result); n < min {
			t.Errorf("pages %s = %v, want at least %v", result, n, min)
		}
	}
	for _, m := range got {
		if strings.Contains(m.Text, "filler") || m.Text == "never" || m.Text == "secret" {
			t.Errorf("record from a page that must not yield any: %s", m.SourceID)
		}
	}
}

func TestRecrawlEmitsOnlyNewAndChangedItems(t *testing.T) {
	ts := newTestSites(t)
	ts.addPosts("forum", 25)
	site := siteConfig("forum", []string{ts.url("/forum/t/earshot")}, forumItems)
	site.Follow = []FollowRule{{Selector: Selector{CSS: "a.next"}}}
	site.RecrawlInterval = 30 * time.Millisecond
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(site), connectors.Deps{Registerer: reg})
	start(t, c)
	first := readN(t, c, 25)
	// Let a few recrawls pass: nothing new.
	before := ts.requested("/forum/t/earshot")
	deadline := time.Now().Add(10 * time.Second)
	for ts.requested("/forum/t/earshot") < before+4 {
		if time.Now().After(deadline) {
			t.Fatal("no recrawl")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if extra, _ := readAll(t, c, 100*time.Millisecond); len(extra) > 0 {
		t.Fatalf("recrawl re-emitted %d unchanged items", len(extra))
	}
	ts.editPost(3, "Post 3 (edytowany): eksport już działa szybko.")
	newIDs := ts.addPosts("forum", 2)
	got := readN(t, c, 3)
	want := map[string]bool{newIDs[0]: true, newIDs[1]: true, first[2].SourceID: true}
	for _, m := range got {
		if !want[m.SourceID] {
			t.Errorf("unexpected %s", m.SourceID)
		}
		if m.SourceID == first[2].SourceID && (m.ID != first[2].ID || !strings.Contains(m.Text, "edytowany")) {
			t.Errorf("edited post: id %s text %q", m.ID, m.Text)
		}
	}
	if extra, _ := readAll(t, c, 200*time.Millisecond); len(extra) > 0 {
		t.Fatalf("%d extra records after the edit", len(extra))
	}
	if n := counter(t, reg, "earshot_web_items_total", "result", "unchanged"); n < 25 {
		t.Errorf("unchanged items = %v", n)
	}
}

func TestOneShotCrawlEndsAndStaysDoneAfterRestart(t *testing.T) {
	ts := newTestSites(t)
	ts.addPosts("forum", 5)
	site := siteConfig("forum", []string{ts.url("/forum/t/earshot")}, forumItems)
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, testConfig(site), connectors.Deps{Checkpoints: store})
	start(t, c)
	got, err := readAll(t, c, 10*time.Second)
	if !errors.Is(err, connectors.ErrEndOfInput) || len(got) != 5 {
		t.Fatalf("got %d records and %v, want 5 and end of input", len(got), err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	fetches := ts.requested("/forum/t/earshot")
	c2 := newTest(t, testConfig(site), connectors.Deps{Checkpoints: store})
	start(t, c2)
	got, err = readAll(t, c2, 10*time.Second)
	if !errors.Is(err, connectors.ErrEndOfInput) || len(got) != 0 {
		t.Fatalf("restart: got %d records and %v, want none and end of input", len(got), err)
	}
	if ts.requested("/forum/t/earshot") != fetches {
		t.Fatal("a completed one-shot crawl was fetched again after a restart")
	}
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	ts := newTestSites(t)
	ts.addPosts("forum", 2)
	site := siteConfig("forum", []string{ts.url("/forum/t/earshot")}, forumItems)
	site.AllowNetworks = []string{} // nothing allowed: the default
	reg := prometheus.NewRegistry()
	c := newTest(t, testConfig(site), connectors.Deps{Registerer: reg})
	start(t, c)
	got, err := readAll(t, c, 5*time.Second)
	if !errors.Is(err, connectors.ErrEndOfInput) || len(got) != 0 {
		t.Fatalf("got %d records, %v; want none and the end of the one-shot crawl", len(got), err)
	}
	if n := len(ts.requests); n != 0 {
		t.Fatalf("the guard let %d requests reach a loopback server", n)
	}
	if n := counter(t, reg, "earshot_web_pages_total", "result", "refused"); n < 1 {
		t.Fatalf("refused pages = %v", n)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	cases := map[string]string{
		"sites: [{start_urls: ['ftp://x.example/']}]":                                                              "not an http(s) URL",
		"sites: [{start_urls: ['https://x.example/'], schema_org: false}]":                                         "nothing to extract",
		"sites: [{start_urls: ['https://x.example/'], items: [{selector: 'div[', fields: {text: p}}]}]":            "css",
		"sites: [{start_urls: ['https://x.example/'], items: [{selector: {xpath: '//div['}, fields: {text: p}}]}]": "xpath",
		"sites: [{start_urls: ['https://x.example/'], items: [{selector: div}]}]":                                  "text or title",
		"sites: [{start_urls: ['https://x.example/'], items: [{selector: {css: a, xpth: b}, fields: {text: p}}]}]": "unknown key",
		"sites: [{start_urls: ['https://x.example/'], url_filters: ['(']}]":                                        "url_filters",
		"sites: [{start_urls: ['https://x.example/'], allow_networks: [x]}]":                                       "allow_networks",
		"sites: [{start_urls: ['https://x.example/'], max_pages: -1}]":                                             "max_pages",
		"sites: [{start_urls: ['https://x.example/'], depth: 3}]":                                                  "unknown key",
	}
	for src, want := range cases {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte("{"+src+"}"), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "w", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
}

// forumSource adapts the growing forum thread to the conformance suite.
type forumSource struct{ *testSites }

func (s forumSource) Publish(_ testing.TB, n int) []string { return s.addPosts("forum", n) }

// Drop closes connections and fails the next requests.
func (s forumSource) Drop(testing.TB) {
	s.mu.Lock()
	s.failNext = 5
	s.mu.Unlock()
	s.srv.CloseClientConnections()
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
			ts := newTestSites(t)
			ts.pageSize = 50
			return forumSource{ts}
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			ts := src.(forumSource)
			site := siteConfig("forum", []string{ts.url("/forum/t/earshot")}, forumItems)
			site.Follow = []FollowRule{{Selector: Selector{CSS: "a.next"}}}
			site.RecrawlInterval = 20 * time.Millisecond
			site.SchemaOrg = new(bool)
			return newTest(t, testConfig(site), deps)
		},
		LongRun: 1500,
	}
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, integrationHarness())
}
