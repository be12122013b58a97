package pages_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/web/i18n"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

type harness struct {
	srv    *httptest.Server
	stores *pagestest.Stores
	pages  *pages.Pages
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	now := time.Now().UTC()
	if _, err := pagestest.Seed(context.Background(), b, now); err != nil {
		t.Fatal(err)
	}
	st := pagestest.NewStores(b)
	d := st.Deps()
	d.Who = func(*http.Request) (pages.Viewer, bool) { return pages.Viewer{Name: "ola", Role: "admin"}, true }
	d.CSRFToken = func(*http.Request) string { return "tok-123" }
	d.StreamInterval = 50 * time.Millisecond
	p, err := pages.New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.Shutdown)
	return &harness{srv: srv, stores: st, pages: p}
}

func (h *harness) get(t *testing.T, path string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (h *harness) post(t *testing.T, path string, form url.Values, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var facetCount = regexp.MustCompile(`data-facet="sentiment">(?s:.*?)data-value="negative"><span class="v">[^<]*</span> <span class="n" data-count="(\d+)"`)

func TestEveryPageRendersWithSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/mentions", "/mentions?q=kawa&filter=language:%22pl%22", "/dashboard", "/prospects", "/prospects?stage=new",
		"/people/customer:" + pagestest.CustomerID, "/people/prospect:" + pagestest.ProspectID, "/feedback", "/feedback?q=delivery", "/admin", "/matches"} {
		code, body, hdr := h.get(t, path)
		if code != http.StatusOK {
			t.Errorf("GET %s = %d\n%s", path, code, body)
			continue
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if !strings.Contains(body, `<meta name="csrf-token" content="tok-123">`) {
			t.Errorf("GET %s: no CSRF meta", path)
		}
		// No inline script and no event-handler attributes anywhere.
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(body) || regexp.MustCompile(`<[^>]*\son[a-z]+=`).MatchString(body) {
			t.Errorf("GET %s: inline script or on* attribute in the page", path)
		}
		// Every POST form carries the CSRF token.
		for _, f := range regexp.MustCompile(`(?s)<form method="post".*?</form>`).FindAllString(body, -1) {
			if !strings.Contains(f, `name="csrf_token" value="tok-123"`) {
				t.Errorf("GET %s: a form without the CSRF token: %.200s", path, f)
			}
		}
	}
	if code, _, _ := h.get(t, "/people/customer:nobody"); code != http.StatusNotFound {
		t.Errorf("unknown profile = %d; want 404", code)
	}
	if code, _, hdr := h.get(t, "/assets/vendor/htmx-2.0.11.min.js"); code != 200 || !strings.Contains(hdr.Get("Cache-Control"), "immutable") {
		t.Errorf("vendored htmx = %d %q", code, hdr.Get("Cache-Control"))
	}
}

func TestHostileMentionIsEscapedEverywhere(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/mentions", "/mentions?q=coffee", "/feedback?q=quoted", "/prospects", "/people/prospect:p-evil"} {
		_, body, _ := h.get(t, path)
		for _, bad := range []string{`<script>alert`, `<img src=x`, `<b onmouseover`, `href="javascript:`, `onerror=alert(1)>`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: unescaped %q", path, bad)
			}
		}
	}
	_, body, _ := h.get(t, "/mentions")
	if !strings.Contains(body, "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;") {
		t.Errorf("the hostile text is not shown as text")
	}
}

func TestQueryErrorIsShownAtItsPosition(t *testing.T) {
	h := newHarness(t)
	code, body, _ := h.get(t, "/mentions?q="+url.QueryEscape("kawa AND (dostawa"))
	if code != http.StatusBadRequest {
		t.Fatalf("bad query = %d; want 400", code)
	}
	if !strings.Contains(body, `id="query-error"`) || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "Missing &#39;)&#39;") {
		t.Errorf("no positioned error:\n%s", body)
	}
	if !strings.Contains(body, `<span>kawa AND (dostawa</span><mark class="at"> </mark>`) {
		t.Errorf("the error does not point at the end of the query")
	}
	if code, body, _ := h.get(t, "/mentions?from=yesterday"); code != 400 || !strings.Contains(body, "is not a date") {
		t.Errorf("bad date = %d", code)
	}
}

// A query error is said in the reader's language, with its position.
func TestQueryErrorInTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	for lang, want := range map[string]string{
		"pl": "Brak &#39;)&#39; dla &#39;(&#39; na pozycji 10",
		"zh": "位置 10 的 &#39;(&#39; 缺少对应的 &#39;)&#39;",
		"en": "Missing &#39;)&#39; for the &#39;(&#39; at position 10",
	} {
		code, body, _ := h.get(t, "/mentions?lang="+lang+"&q="+url.QueryEscape("kawa AND (dostawa"))
		if code != http.StatusBadRequest || !strings.Contains(body, want) || !strings.Contains(body, `<mark class="at"> </mark>`) {
			t.Errorf("%s: %d, want %q at its position", lang, code, want)
		}
	}
	// Token names are translated too.
	if _, body, _ := h.get(t, "/mentions?lang=lv&q="+url.QueryEscape("kawa OR")); !strings.Contains(body, "vaicājuma beigas") {
		t.Error("the Latvian error names the end of the query in English")
	}
}

// Every syntax error code has a message in the catalogs, taking the same
// arguments as the English text in index/query.
func TestEveryQueryErrorCodeIsTranslated(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for _, lang := range i18n.Langs {
		l := i18n.New(lang)
		for code, msg := range query.Messages {
			got := l.Maybe("qerr."+code, "")
			if got == "" {
				t.Errorf("%s: no message for query error %q", lang.Code, code)
				continue
			}
			if a, b := verbs.FindAllString(msg, -1), verbs.FindAllString(got, -1); !slices.Equal(a, b) {
				t.Errorf("%s: qerr.%s has verbs %v, index/query has %v", lang.Code, code, b, a)
			}
		}
		for _, tok := range []string{query.TokenEnd, query.TokenWord, query.TokenPhrase, query.TokenField} {
			if l.Maybe("qtok."+tok, "") == "" {
				t.Errorf("%s: no name for the token %q", lang.Code, tok)
			}
		}
	}
}

// A search that finds nothing shows no facet panel (it used to show an
// empty box beside the empty state).
func TestNoMatchesHidesTheFacetPanel(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/mentions?q=zzzznothing")
	if !strings.Contains(body, `id="facets"`) {
		t.Fatal("no facets element to swap into")
	}
	if strings.Contains(body, `class="facet"`) || !regexp.MustCompile(`id="facets"[^>]*\shidden>`).MatchString(body) {
		t.Errorf("the facet panel of an empty result is not hidden:\n%s", body)
	}
	_, body, _ = h.get(t, "/mentions")
	if regexp.MustCompile(`id="facets"[^>]*\shidden>`).MatchString(body) {
		t.Error("the facet panel is hidden although mentions match")
	}
}

func TestCorrectionChangesFacetCountAtOnce(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/mentions")
	m := facetCount.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no negative sentiment facet on the page")
	}
	before := m[1]
	// The hostile mention is positive; correct it to negative the htmx way.
	code, frag, _ := h.post(t, "/mentions/"+pagestest.HostileID+"/sentiment", url.Values{"value": {"negative"}},
		"HX-Request", "true", "HX-Current-URL", h.srv.URL+"/mentions")
	if code != http.StatusOK {
		t.Fatalf("correction = %d: %s", code, frag)
	}
	if !strings.Contains(frag, `id="m-`+pagestest.HostileID+`"`) || !strings.Contains(frag, `hx-swap-oob="true"`) {
		t.Errorf("the answer lacks the card or the out-of-band facets:\n%s", frag)
	}
	after := facetCount.FindStringSubmatch(frag)
	if after == nil || after[1] == before {
		t.Errorf("negative facet count %s → %v; want it to grow", before, after)
	}
	cs := h.stores.Corrections()
	if len(cs) != 1 || cs[0].Previous != "positive" || cs[0].Value != "negative" || cs[0].By != "ola" || !strings.Contains(cs[0].Text, "Great coffee") {
		t.Errorf("stored correction = %+v", cs)
	}
	if code, _, _ := h.post(t, "/mentions/"+pagestest.HostileID+"/sentiment", url.Values{"value": {"furious"}}); code != 400 {
		t.Errorf("bad sentiment = %d; want 400", code)
	}
	// A plain form post is redirected back, to a local path only.
	code, _, hdr := h.post(t, "/mentions/"+pagestest.HostileID+"/relevance", url.Values{"value": {"irrelevant"}, "next": {"//evil.example/x"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/mentions?") {
		t.Errorf("plain post = %d → %q", code, hdr.Get("Location"))
	}
}

func TestMuteHidesAuthor(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/mentions?q=grinder")
	if !strings.Contains(body, "sam@fosstodon.org") {
		t.Fatal("seed mention missing")
	}
	if code, _, hdr := h.post(t, "/mutes", url.Values{"kind": {"author"}, "value": {"sam@fosstodon.org"}}, "HX-Request", "true"); code != 204 || hdr.Get("HX-Refresh") != "true" {
		t.Fatalf("mute = %d", code)
	}
	_, body, _ = h.get(t, "/mentions?q=grinder")
	if strings.Contains(body, `class="author">sam<`) || !strings.Contains(body, "mutes.count") && !strings.Contains(body, "muted author") {
		t.Errorf("muted author still listed, or the mute not shown")
	}
	if code, _, _ := h.post(t, "/mutes", url.Values{"kind": {"planet"}, "value": {"x"}}); code != 400 {
		t.Errorf("bad mute kind = %d", code)
	}
}

func TestProspectStageShowsInProfile(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/prospects")
	if !strings.Contains(body, pagestest.ProspectName) || !strings.Contains(body, "<mark>chcemy kupić 20 ekspresów</mark>") {
		t.Fatalf("inbox lacks the prospect or its highlighted evidence")
	}
	if i, j := strings.Index(body, pagestest.ProspectName), strings.Index(body, "Carlos Silva"); i < 0 || j < 0 || i > j {
		t.Errorf("inbox not sorted by lead score")
	}
	code, frag, _ := h.post(t, "/prospects/"+pagestest.ProspectID+"/stage", url.Values{"stage": {"qualified"}}, "HX-Request", "true")
	if code != 200 || !strings.Contains(frag, `data-stage="qualified"`) {
		t.Fatalf("stage change = %d\n%s", code, frag)
	}
	_, body, _ = h.get(t, "/people/prospect:"+pagestest.ProspectID)
	if !strings.Contains(body, `<li data-to="qualified">`) {
		t.Errorf("profile lacks the stage history")
	}
	_, body, _ = h.get(t, "/prospects?stage=qualified")
	if !strings.Contains(body, pagestest.ProspectName) || strings.Contains(body, "Carlos Silva") {
		t.Errorf("stage filter wrong")
	}
	_, body, _ = h.get(t, "/prospects?stage=new")
	if strings.Contains(body, pagestest.ProspectName) {
		t.Errorf("a qualified prospect is still listed as new")
	}
	if code, _, _ := h.post(t, "/prospects/"+pagestest.ProspectID+"/stage", url.Values{"stage": {"married"}}); code != 400 {
		t.Errorf("bad stage = %d", code)
	}
	if code, _, _ := h.post(t, "/prospects/nobody/stage", url.Values{"stage": {"won"}}); code != 404 {
		t.Errorf("unknown prospect = %d", code)
	}
	h.post(t, "/prospects/"+pagestest.ProspectID+"/owner", url.Values{"owner": {"basia"}})
	_, body, _ = h.get(t, "/prospects?owner=basia")
	if !strings.Contains(body, pagestest.ProspectName) {
		t.Errorf("owner filter misses the assigned prospect")
	}
}

func TestCSVExportsDefuseFormulas(t *testing.T) {
	h := newHarness(t)
	code, body, hdr := h.get(t, "/feedback.csv?q=coffee")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("feedback.csv = %d %s", code, hdr.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "id" {
		t.Fatalf("feedback.csv: %v rows, %v", len(rows), err)
	}
	_, body, _ = h.get(t, "/prospects.csv")
	rows, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if len(rows) != 4 {
		t.Errorf("prospects.csv has %d rows; want header + 3", len(rows))
	}
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("formula-like cell %q", c)
			}
		}
	}
}

func TestDashboardDrawsChartsAndComparesPeriods(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/dashboard")
	for _, want := range []string{`class="chart chart-volume chart-wide"`, `class="chart chart-volume chart-narrow"`, `class="spike"`, `class="previous"`, `class="chart chart-diverging chart-wide"`, `class="kpi"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if !regexp.MustCompile(`(?s)aria-label="Top authors".*?ola@mastodon.social`).MatchString(body) && !strings.Contains(body, `>ola@mastodon.social</text>`) {
		t.Errorf("dashboard lacks the top authors")
	}
	if n := strings.Count(body, `<rect class="s-`); n < 20 {
		t.Errorf("volume chart has %d bars", n)
	}
	// Save a search with a competitor and open its dashboard.
	code, _, hdr := h.post(t, "/searches", url.Values{"name": {"Acme"}, "q": {"acme OR kawa"}, "competitors": {"Beanco: beanco\nbrand:acme"}})
	if code != http.StatusSeeOther {
		t.Fatalf("save = %d", code)
	}
	_, body, _ = h.get(t, hdr.Get("Location"))
	if !strings.Contains(body, `class="chart chart-donut chart-wide"`) || !strings.Contains(body, "Beanco") {
		t.Errorf("saved-search dashboard lacks share of voice")
	}
	if code, _, _ := h.post(t, "/searches", url.Values{"name": {"x"}, "q": {"(broken"}}); code != 400 {
		t.Errorf("saving a broken query = %d", code)
	}
	if code, _, _ := h.get(t, "/dashboard?from=2026-02-01&to=2026-01-01"); code != 400 {
		t.Errorf("reversed range = %d", code)
	}
}

func TestLanguageSwitchAndPlurals(t *testing.T) {
	h := newHarness(t)
	_, body, hdr := h.get(t, "/mentions?lang=pl")
	if !strings.Contains(body, `<html lang="pl">`) || !strings.Contains(body, "Wzmianki") || !strings.Contains(body, "wzmian") {
		t.Errorf("not Polish")
	}
	if c := hdr.Get("Set-Cookie"); !strings.Contains(c, "earshot_lang=pl") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("choice not remembered: %q", c)
	}
	_, body, _ = h.get(t, "/mentions", "Accept-Language", "zh-CN,zh;q=0.9")
	if !strings.Contains(body, `<html lang="zh">`) || !strings.Contains(body, "条提及") {
		t.Errorf("Accept-Language zh not honoured")
	}
	_, body, _ = h.get(t, "/prospects", "Cookie", "earshot_lang=lv")
	if !strings.Contains(body, "Potenciālie klienti") {
		t.Errorf("cookie lv not honoured")
	}
}

func TestLiveStreamSendsNewMentions(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if code, _, _ := h.get(t, "/mentions/stream"); code != http.StatusNotAcceptable {
		t.Errorf("a stream for a client that is no EventSource = %d; want 406", code)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", h.srv.URL+"/mentions/stream?q=nowość", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	// Index a matching mention after the stream started.
	time.Sleep(120 * time.Millisecond)
	if _, err := pagestest.SeedOne(ctx, h.stores.Backend, "m-live", "Nowość: <b>Acme</b> nowość", time.Now()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 8192)
	chunk := make([]byte, 4096)
	for !strings.Contains(string(buf), "event: mention") || !strings.Contains(string(buf), `id="m-m-live"`) {
		n, err := resp.Body.Read(chunk)
		if err != nil {
			t.Fatalf("stream ended before the new mention: %v\n%s", err, buf)
		}
		buf = append(buf, chunk[:n]...)
	}
	if strings.Contains(string(buf), "<b>Acme</b>") {
		t.Errorf("streamed card not escaped")
	}
}

func TestAdminImportShowsBadRows(t *testing.T) {
	h := newHarness(t)
	var body strings.Builder
	mw := multipartBody(&body, "customers.csv", "id,email\n1,a@example.pl\n2,not-an-email\n3,c@example.lv\n")
	req, _ := http.NewRequest("POST", h.srv.URL+"/admin/import", strings.NewReader(body.String()))
	req.Header.Set("Content-Type", mw)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/import/") {
		t.Fatalf("upload = %d → %q", resp.StatusCode, loc)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, page, _ := h.get(t, loc)
		if strings.Contains(page, "finished") {
			if !strings.Contains(page, "2 imported") || !strings.Contains(page, "1 bad row") || !strings.Contains(page, "<td>3</td>") {
				t.Errorf("import result wrong:\n%s", page)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("import never finished:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, page, _ := h.post(t, "/admin/erase", url.Values{"who": {"anna@example.pl"}})
	if code != 200 || !strings.Contains(page, "Erase permanently") || len(h.stores.Erased()) != 0 {
		t.Errorf("erase preview = %d, erased %v", code, h.stores.Erased())
	}
	h.post(t, "/admin/erase", url.Values{"who": {"anna@example.pl"}, "confirm": {"yes"}})
	if got := h.stores.Erased(); len(got) != 1 || got[0] != "anna@example.pl" {
		t.Errorf("erased = %v", got)
	}
	_, page, _ = h.post(t, "/admin/tokens", url.Values{"user": {"ola"}, "name": {"ci"}})
	if !strings.Contains(page, "es_t1_secretvalue") {
		t.Errorf("new token secret not shown once")
	}
	_, page, _ = h.get(t, "/admin")
	if strings.Contains(page, "es_t1_secretvalue") {
		t.Errorf("token secret shown again")
	}
}

func TestIrrelevantLeavesSearchAndComesBack(t *testing.T) {
	h := newHarness(t)
	id := "m-long"
	code, frag, _ := h.post(t, "/mentions/"+id+"/relevance", url.Values{"value": {"irrelevant"}}, "HX-Request", "true")
	if code != 200 || !strings.Contains(frag, `class="mention s-neutral irrelevant"`) || !strings.Contains(frag, `value="relevant"`) {
		t.Fatalf("irrelevant = %d\n%s", code, frag)
	}
	if _, body, _ := h.get(t, "/mentions?filter=author:%22gadu%C5%82a@mastodon.social%22"); strings.Contains(body, `id="m-`+id+`"`) {
		t.Errorf("an irrelevant mention is still listed")
	}
	code, frag, _ = h.post(t, "/mentions/"+id+"/relevance", url.Values{"value": {"relevant"}}, "HX-Request", "true")
	if code != 200 || strings.Contains(frag, "s-neutral irrelevant") {
		t.Fatalf("relevant again = %d\n%s", code, frag)
	}
	if _, body, _ := h.get(t, "/mentions?filter=author:%22gadu%C5%82a@mastodon.social%22"); !strings.Contains(body, `id="m-`+id+`"`) {
		t.Errorf("the mention did not come back")
	}
}

// TestAspectsInTheReadersLanguage: the default taxonomy's aspects are
// named in the reader's language on the cards and in the aspect facet,
// where an aspect is not read as the intent of the same name ("support"
// the aspect is customer service, not the intent "wsparcie").
func TestAspectsInTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.get(t, "/mentions?lang=pl")
	start := strings.Index(body, `data-facet="aspect"`)
	if start < 0 {
		t.Fatal("no aspect facet")
	}
	facet := body[start:]
	facet = facet[:strings.Index(facet, "</section>")]
	for _, want := range []string{">jakość<", ">dostawa<", ">obsługa klienta<"} {
		if !strings.Contains(facet, want) {
			t.Errorf("aspect facet lacks %s: %s", want, facet)
		}
	}
	if strings.Contains(facet, "wsparcie") || strings.Contains(facet, ">quality<") {
		t.Errorf("aspect facet shows the intent's word or the English name: %s", facet)
	}
	if !strings.Contains(body, `class="badge aspect s-positive">jakość</li>`) {
		t.Error("no card names the aspect quality in Polish")
	}
}

// An admin changes another user's role and sets their password from the
// page; not their own, not to a role that does not exist, and not to a
// password too short.
func TestAdminChangesRolesAndPasswords(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, u := range [][2]string{{"ola", "admin"}, {"sam", "sales"}, {"samantha-jones", "viewer"}} {
		if err := h.stores.AddUser(ctx, u[0], u[1], "a long password"); err != nil {
			t.Fatal(err)
		}
	}
	role := func(name string) string {
		users, _ := h.stores.Users(ctx)
		for _, u := range users {
			if u.Name == name {
				return u.Role
			}
		}
		return ""
	}
	code, _, hdr := h.post(t, "/admin/users/sam/role", url.Values{"role": {"marketing"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/admin?done=role_changed" || role("sam") != "marketing" {
		t.Fatalf("role change = %d %q; sam is %q", code, hdr.Get("Location"), role("sam"))
	}
	_, page, _ := h.get(t, "/admin?done=role_changed")
	if !strings.Contains(page, "Role changed.") || !strings.Contains(page, `<option value="marketing" selected>`) {
		t.Errorf("the page does not show the new role")
	}
	for _, c := range []struct{ path, value, want string }{
		{"/admin/users/ola/role", "viewer", "You cannot change your own role."},
		{"/admin/users/sam/role", "root", "Unknown role “root”."},
		{"/admin/users/sam/password", "short", "The password needs at least 12 characters."},
		{"/admin/users/samantha-jones/password", "Samantha-Jones", "The password must not be the user name."},
		{"/admin/users/ola/password", "another long password", "Change your own password on your account page."},
	} {
		field := "role"
		if strings.HasSuffix(c.path, "/password") {
			field = "password"
		}
		code, page, _ := h.post(t, c.path, url.Values{field: {c.value}})
		if code != http.StatusBadRequest || !strings.Contains(page, c.want) {
			t.Errorf("%s %s=%q = %d; want 400 saying %q", c.path, field, c.value, code, c.want)
		}
	}
	if code, page, _ := h.post(t, "/admin/users/sam/password", url.Values{"password": {"short"}}, "Accept-Language", "pl"); code != http.StatusBadRequest || !strings.Contains(page, "Hasło musi mieć co najmniej 12 znaków.") {
		t.Errorf("a short password on a Polish page = %d, not said in Polish", code)
	}
	if role("ola") != "admin" || role("sam") != "marketing" || len(h.stores.PasswordsSet()) != 0 {
		t.Errorf("a refused change changed something: ola %s, sam %s, passwords set %v", role("ola"), role("sam"), h.stores.PasswordsSet())
	}
	code, _, hdr = h.post(t, "/admin/users/sam/password", url.Values{"password": {"a brand new password"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/admin?done=password_set" || !slices.Equal(h.stores.PasswordsSet(), []string{"sam"}) {
		t.Errorf("password set = %d %q, set for %v", code, hdr.Get("Location"), h.stores.PasswordsSet())
	}
}

// A person changes their own password on their account page: the current
// one first, the new one twice.
func TestAccountPageChangesOwnPassword(t *testing.T) {
	h := newHarness(t)
	_, page, _ := h.get(t, "/account")
	if !strings.Contains(page, "Your account") || !strings.Contains(page, `action="/account/password"`) ||
		!strings.Contains(page, "manage users") || !strings.Contains(page, `href="/account" title="Your account" aria-current="page"`) {
		t.Fatalf("the account page lacks the person, their role's description or the form:\n%s", page)
	}
	for _, c := range []struct {
		form url.Values
		code int
		want string
	}{
		{url.Values{"current": {pagestest.OwnPassword}, "password": {"a new long password"}, "repeat": {"a new long passwort"}}, http.StatusBadRequest, "The two new passwords differ."},
		{url.Values{"current": {"a wrong guess"}, "password": {"a new long password"}, "repeat": {"a new long password"}}, http.StatusForbidden, "The current password is wrong."},
		{url.Values{"current": {pagestest.OwnPassword}, "password": {"short"}, "repeat": {"short"}}, http.StatusBadRequest, "at least 12 characters"},
	} {
		code, page, _ := h.post(t, "/account/password", c.form)
		if code != c.code || !strings.Contains(page, c.want) {
			t.Errorf("%v = %d; want %d saying %q", c.form, code, c.code, c.want)
		}
	}
	if h.stores.Password() != pagestest.OwnPassword {
		t.Fatalf("a refused change changed the password")
	}
	code, _, hdr := h.post(t, "/account/password", url.Values{"current": {pagestest.OwnPassword}, "password": {"a new long password"}, "repeat": {"a new long password"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/account?done=password_changed" || h.stores.Password() != "a new long password" {
		t.Errorf("change = %d %q; password now %q", code, hdr.Get("Location"), h.stores.Password())
	}
}

// A person makes, sees and revokes their own API tokens on their account
// page, never another person's.
func TestAccountPageOwnTokens(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.stores.CreateToken(ctx, "sam", "sam's script", 0); err != nil {
		t.Fatal(err)
	}
	code, page, _ := h.post(t, "/account/tokens", url.Values{"name": {"my laptop <b>"}})
	if code != 200 || !strings.Contains(page, "es_t2_secretvalue") || !strings.Contains(page, "my laptop &lt;b&gt;") {
		t.Fatalf("token creation = %d; the secret or the escaped name is missing", code)
	}
	if strings.Contains(page, "sam&#39;s script") {
		t.Errorf("another person's token is listed on the account page")
	}
	if _, page, _ := h.get(t, "/account"); strings.Contains(page, "es_t2_secretvalue") {
		t.Errorf("the secret is shown again")
	}
	if code, _, _ := h.post(t, "/account/tokens/t1/revoke", nil); code != http.StatusNotFound {
		t.Errorf("revoking another person's token = %d; want 404", code)
	}
	code, _, hdr := h.post(t, "/account/tokens/t2/revoke", nil)
	tokens, _ := h.stores.Tokens(ctx)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/account?done=token_revoked" || len(tokens) != 1 || tokens[0].ID != "t1" {
		t.Errorf("own revoke = %d %q; tokens left %v", code, hdr.Get("Location"), tokens)
	}
	// A new token lives 90 days unless the form says otherwise; the list
	// says when each expires.
	day := 24 * time.Hour
	for expires, want := range map[string]time.Duration{"": 90 * day, "30d": 30 * day, "365d": 365 * day, "never": 0} {
		name := "lifetime " + cmp.Or(expires, "default")
		h.post(t, "/account/tokens", url.Values{"name": {name}, "expires": {expires}})
		tokens, _ := h.stores.Tokens(ctx)
		got := tokens[len(tokens)-1]
		if lived := got.Expires.Sub(got.Created); got.Name != name || (want == 0) != got.Expires.IsZero() || (want > 0 && lived != want) {
			t.Errorf("expires=%q: token %q lives %s; want %s", expires, got.Name, lived, want)
		}
	}
	if _, page, _ := h.get(t, "/account"); !strings.Contains(page, "<td>never</td>") || !strings.Contains(page, `<option value="30d">in 30 days</option>`) {
		t.Errorf("the account page does not say when tokens expire, or offers no lifetime")
	}
	if code, page, _ := h.post(t, "/account/tokens", url.Values{"name": {"x"}, "expires": {"forever"}}); code != http.StatusBadRequest || !strings.Contains(page, "unknown token lifetime") {
		t.Errorf("an unknown lifetime = %d", code)
	}
}

// A search for a word that names an aspect, in any interface language,
// offers the mentions about that aspect in every language; a search with
// operators, or already filtered by the aspect, does not.
func TestSearchWordNamingAnAspectOffersItInEveryLanguage(t *testing.T) {
	h := newHarness(t)
	hint := func(path string) string {
		t.Helper()
		_, page, _ := h.get(t, path)
		_, rest, ok := strings.Cut(page, `<p class="aspect-hint"><a href="`)
		if !ok {
			return ""
		}
		href, _, _ := strings.Cut(rest, `"`)
		return html.UnescapeString(href)
	}
	for path, want := range map[string]string{
		"/feedback?q=delivery":                       "/feedback?filter=aspect%3A%22delivery%22",
		"/feedback?q=Dostawa&lang=pl":                "/feedback?filter=aspect%3A%22delivery%22",
		"/mentions?period=all&q=late+delivery":       "/mentions?filter=aspect%3A%22delivery%22&period=all&q=late",
		"/feedback?q=customer+service+never+answers": "/feedback?filter=aspect%3A%22support%22&q=never+answers",
		"/feedback?q=配送":                             "/feedback?filter=aspect%3A%22delivery%22",
	} {
		if got := hint(path); got != want {
			t.Errorf("%s offers %q; want %q", path, got, want)
		}
	}
	for _, path := range []string{"/feedback?q=delivery&filter=aspect:delivery", "/feedback?q=-delivery", "/feedback?q=delivery+OR+kawa",
		"/feedback?q=%22delivery%22", "/feedback?q=kawa", "/feedback?q=kawa+AND+(dostawa"} {
		if got := hint(path); got != "" {
			t.Errorf("%s offers %q; want no hint", path, got)
		}
	}
	// Followed, the hint's page lists mentions about delivery written in
	// Polish and Portuguese, which the word alone does not find.
	if _, page, _ := h.get(t, "/feedback?filter=aspect%3Adelivery"); !strings.Contains(page, `lang="pl"`) || !strings.Contains(page, `lang="pt"`) {
		t.Errorf("the aspect's mentions are not in several languages")
	}
}

// "Mine" beside the stages lists the prospects assigned to the reader,
// and leads back to everyone's.
func TestProspectsMineListsTheReadersOwn(t *testing.T) {
	h := newHarness(t)
	if code, body, _ := h.post(t, "/prospects/"+pagestest.ProspectID+"/owner", url.Values{"me": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("assign to me = %d %s", code, body)
	}
	_, all, _ := h.get(t, "/prospects")
	if !strings.Contains(all, `<a class="mine" href="/prospects?owner=ola">Mine</a>`) {
		t.Fatalf("no link to the reader's own prospects")
	}
	_, mine, _ := h.get(t, "/prospects?owner=ola")
	if !strings.Contains(mine, `id="p-`+pagestest.ProspectID+`"`) || strings.Count(mine, `<article class="prospect"`) != 1 ||
		!strings.Contains(mine, `<a class="mine" href="/prospects?" aria-current="true">`) {
		t.Errorf("Mine does not list only the reader's prospect, or does not lead back to everyone's")
	}
}

// A saved search is edited and deleted on its dashboard: the form shows it
// as saved, a refused change comes back in the form as sent with why, in
// the reader's language.
func TestSavedSearchEditedOnItsDashboard(t *testing.T) {
	h := newHarness(t)
	code, _, hdr := h.post(t, "/searches", url.Values{"name": {"Acme <b>"}, "q": {"acme"}, "filter": {"language:pl"}, "competitors": {"Beanco: beanco\nbrand:acme"}})
	if code != http.StatusSeeOther {
		t.Fatalf("save = %d", code)
	}
	id := strings.TrimPrefix(hdr.Get("Location"), "/dashboard?search=")
	_, body, _ := h.get(t, "/dashboard?search="+id)
	for _, want := range []string{`action="/searches/` + id + `"`, `value="Acme &lt;b&gt;"`, ">language:pl</textarea>", "Beanco: beanco\nbrand:acme</textarea>", `action="/searches/` + id + `/delete"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the edit form lacks %q", want)
		}
	}
	code, _, hdr = h.post(t, "/searches/"+id, url.Values{"name": {"Acme in Poland"}, "q": {"acme OR kawa"}, "filter": {"language:pl\nsentiment:negative"}, "competitors": {"Roastery: roastery"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/dashboard?done=search_saved&search="+id {
		t.Fatalf("edit = %d %q", code, hdr.Get("Location"))
	}
	s, err := h.stores.Deps().Searches.Get(context.Background(), id)
	if err != nil || s.Name != "Acme in Poland" || s.Query != "acme OR kawa" || !slices.Equal(s.Filters, []string{"language:pl", "sentiment:negative"}) ||
		len(s.Competitors) != 1 || s.Competitors["Roastery"] != "roastery" || s.Owner != "ola" {
		t.Fatalf("after the edit: %+v (%v)", s, err)
	}
	// Refused: said in Polish, the form open with what was sent.
	code, body, _ = h.post(t, "/searches/"+id, url.Values{"name": {"Acme"}, "q": {"acme"}, "competitors": {"Roastery: (roastery"}}, "Accept-Language", "pl")
	if code != http.StatusBadRequest || !strings.Contains(body, "Konkurent „Roastery”:") || !strings.Contains(body, "Roastery: (roastery</textarea>") || !strings.Contains(body, "manage-search\" open") {
		t.Errorf("a broken competitor query = %d", code)
	}
	if code, body, _ := h.post(t, "/searches/"+id, url.Values{"name": {" "}}, "Accept-Language", "pl"); code != http.StatusBadRequest || !strings.Contains(body, "Zapisane wyszukiwanie potrzebuje nazwy") {
		t.Errorf("an empty name = %d", code)
	}
	if s2, _ := h.stores.Deps().Searches.Get(context.Background(), id); s2.Name != "Acme in Poland" {
		t.Errorf("a refused edit changed the search: %+v", s2)
	}
	if code, _, _ := h.post(t, "/searches/nope", url.Values{"name": {"x"}}); code != http.StatusNotFound {
		t.Errorf("editing an unknown search = %d", code)
	}
	code, _, hdr = h.post(t, "/searches/"+id+"/delete", url.Values{})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/dashboard?done=search_deleted" {
		t.Fatalf("delete = %d %q", code, hdr.Get("Location"))
	}
	if code, _, _ := h.get(t, "/dashboard?search="+id); code != http.StatusNotFound {
		t.Errorf("the deleted search's dashboard = %d", code)
	}
}

// A link to something gone (a deleted saved search, an erased person)
// shows a page in the reader's language with the way on; htmx gets a
// plain 404, which it does not swap in.
func TestMissingThingsGetAPageInTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	for path, want := range map[string]string{"/dashboard?search=gone": "Nic tu nie ma", "/people/customer:gone": "<h1>"} {
		code, body, hdr := h.get(t, path, "Accept-Language", "pl")
		if code != http.StatusNotFound || !strings.Contains(body, want) || !strings.Contains(body, `href="/mentions"`) || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
			t.Errorf("%s = %d %q", path, code, hdr.Get("Content-Type"))
		}
	}
	code, body, _ := h.post(t, "/searches/gone/delete", url.Values{}, "HX-Request", "true")
	if code != http.StatusNotFound || strings.Contains(body, "<html") {
		t.Errorf("htmx 404 = %d with a whole page", code)
	}
}

// A search the mentions page cannot save comes back on that page, its save
// form open with what was typed and why, in the reader's language.
func TestRefusedSaveShowsTheListingAgain(t *testing.T) {
	h := newHarness(t)
	code, body, _ := h.post(t, "/searches", url.Values{"name": {"Acme <i>"}, "q": {"acme"}, "filter": {"language:pl"}, "competitors": {"Beanco: (beanco"}}, "Accept-Language", "pl")
	for _, want := range []string{`<details class="save" open>`, "Konkurent „Beanco”:", `value="Acme &lt;i&gt;"`, "Beanco: (beanco</textarea>", `name="filter" value="language:pl"`, "wzmian"} {
		if code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("a refused save = %d, lacks %q", code, want)
		}
	}
	if ss, _ := h.stores.Deps().Searches.List(context.Background()); len(ss) != 0 {
		t.Errorf("a refused save saved %d searches", len(ss))
	}
}
