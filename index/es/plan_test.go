package es

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/index/snippet"
	"github.com/earshothq/earshot/record"
)

// fullCluster is what a default distribution of Elasticsearch has
// (analysis-common), without the analysis-stempel plugin for Polish.
func fullCluster() map[string]bool {
	has := map[string]bool{"asciifolding": true}
	for _, name := range nativeAnalysers {
		has[name] = name != "polish"
	}
	return has
}

// fullPlan is the plan for fullCluster.
func fullPlan() *textPlan {
	has := fullCluster()
	p, err := planFor(func(name string) bool { return has[name] }, true)
	if err != nil {
		panic(err)
	}
	return p
}

func openFake(t *testing.T, f *fakeES) (*Backend, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.Addresses = []string{srv.URL}
	var logs bytes.Buffer
	b, err := Open(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b, &logs
}

// templateProps returns the mapped fields of an installed template.
func templateProps(t *testing.T, f *fakeES, name string) map[string]map[string]any {
	t.Helper()
	var tpl struct {
		Template struct {
			Settings struct {
				Analysis struct {
					Analyzer map[string]struct {
						Filter []string `json:"filter"`
					} `json:"analyzer"`
				} `json:"analysis"`
			} `json:"settings"`
			Mappings struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	f.mu.Lock()
	data := f.templates[name]
	f.mu.Unlock()
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("template %s: %v (%s)", name, err, data)
	}
	props := tpl.Template.Mappings.Properties
	props["@neutral_filters"] = map[string]any{"filters": strings.Join(tpl.Template.Settings.Analysis.Analyzer[neutralName].Filter, ",")}
	return props
}

func TestEnsureSchemaOnFullCluster(t *testing.T) {
	f := newFakeES()
	f.analysers = fullCluster()
	b, logs := openFake(t, f)
	props := templateProps(t, f, "earshot-mentions")
	for key, want := range map[string]string{"pt": "portuguese", "en": "english", "lv": "latvian", "cjk": "cjk"} {
		if got := props["text_"+key]["analyzer"]; got != want {
			t.Errorf("text_%s analyser %v; want the cluster's %s", key, got, want)
		}
	}
	// Without the stempel plugin Polish is analysed by Earshot.
	if got := props["terms"]["analyzer"]; got != "whitespace" {
		t.Errorf("terms analyser %v; want whitespace", got)
	}
	if _, ok := props["text_pl"]; ok {
		t.Error("text_pl mapped on a cluster without a polish analyser")
	}
	if got := props["@neutral_filters"]["filters"]; got != "lowercase,asciifolding" {
		t.Errorf("neutral analyser filters %v", got)
	}
	if p := b.plan.Load(); p == nil || !p.Fold || p.Native["pt"] != "portuguese" || p.Client["pl"] == nil {
		t.Fatalf("plan %+v", p)
	}
	if !strings.Contains(logs.String(), `"analysed_by_earshot":["pl"]`) {
		t.Errorf("log does not name Polish as analysed by Earshot: %s", logs)
	}
	// Every existing mention index gets the plan's fields.
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.mappings) != 2 || !bytes.Contains(f.mappings[0], []byte(`"text_pt"`)) {
		t.Errorf("put-mapping bodies %q", f.mappings)
	}
}

func TestEnsureSchemaOnStrippedCluster(t *testing.T) {
	f := newFakeES()
	f.analysers = map[string]bool{} // standard and lowercase only
	b, logs := openFake(t, f)
	props := templateProps(t, f, "earshot-mentions")
	if got := props["terms"]["analyzer"]; got != "whitespace" {
		t.Errorf("terms analyser %v; want whitespace (Earshot-analysed)", got)
	}
	for field := range props {
		if strings.HasPrefix(field, "text_") {
			t.Errorf("%s mapped on a cluster without language analysers", field)
		}
	}
	if got := props["@neutral_filters"]["filters"]; got != "lowercase" {
		t.Errorf("neutral analyser filters %v; want lowercase only", got)
	}
	pprops := templateProps(t, f, "earshot-profiles")
	if _, ok := pprops[profileFoldedField]; !ok {
		t.Error("profiles have no folded name field on a cluster without asciifolding")
	}
	log := logs.String()
	for _, want := range []string{`"level":"WARN"`, `"exact_words_only":[`, `"lv"`, `"analysed_by_earshot":["ar","cjk"`, "the cluster has no asciifolding filter"} {
		if !strings.Contains(log, want) {
			t.Errorf("fallback log lacks %s: %s", want, log)
		}
	}
	if p := b.plan.Load(); p.Fold || len(p.Native) != 0 {
		t.Fatalf("plan %+v", p)
	}
}

func TestEnsureSchemaWarnsWhenTheClusterChanged(t *testing.T) {
	f := newFakeES()
	f.analysers = map[string]bool{}
	openFake(t, f)
	f.analysers = fullCluster() // e.g. the node was replaced by a full distribution
	_, logs := openFake(t, f)
	if !strings.Contains(logs.String(), "text analysis changed") {
		t.Fatalf("no warning about the changed analysis: %s", logs)
	}
}

func TestEnsureSchemaFailsWhenProbesFail(t *testing.T) {
	srv := httptest.NewServer(nil) // 404 for everything, without the product header
	srv.Close()                    // and then not even that
	cfg := DefaultConfig()
	cfg.Addresses = []string{srv.URL}
	cfg.MaxRetries = 0
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.EnsureSchema(context.Background())
	if err == nil || !strings.Contains(err.Error(), "detecting the cluster's analysers") {
		t.Fatalf("EnsureSchema on an unreachable cluster = %v", err)
	}
	// Writes report a retryable error instead of guessing a mapping.
	errs := b.UpsertMentions(context.Background(), contract.Mentions()[:1])
	if errs[0] == nil || index.IsPermanent(errs[0]) {
		t.Fatalf("write without a plan: %v; want a retryable error", errs[0])
	}
}

func docFields(t *testing.T, m *record.EnrichedMention, p *textPlan) map[string]any {
	t.Helper()
	record, _ := json.Marshal(m)
	data, err := mentionDoc(index.NewMentionDoc(m, p.has), record, p)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("document is not JSON: %v\n%s", err, data)
	}
	return out
}

func stripped(t *testing.T) *textPlan {
	t.Helper()
	p, err := planFor(func(string) bool { return false }, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fixture(id string) *record.EnrichedMention {
	for _, m := range contract.Mentions() {
		if m.ID == id {
			return m
		}
	}
	panic("no fixture " + id)
}

func TestMentionDocFollowsPlan(t *testing.T) {
	full, strip := fullPlan(), stripped(t)
	pt := fixture("pt1")
	if d := docFields(t, pt, full); d["text_pt"] != pt.Text || d["terms"] != nil || d["text"] != pt.Text {
		t.Errorf("full cluster, Portuguese: %v", d)
	}
	d := docFields(t, pt, strip)
	if terms, _ := d["terms"].(string); d["text_pt"] != nil || !strings.HasPrefix(terms, "entreg ") {
		t.Errorf("stripped cluster, Portuguese: terms %q; want Earshot's stems", d["terms"])
	}
	if d["text"] != "as entregas estao sempre atrasadas. pessimo servico da acme!" {
		t.Errorf("stripped cluster: neutral text %q; want it folded by Earshot", d["text"])
	}
	// Latvian: the cluster's analyser, or none at all on the stripped one.
	lv := fixture("lv1")
	if d := docFields(t, lv, full); d["text_lv"] != lv.Text {
		t.Errorf("full cluster, Latvian: %v", d)
	}
	for k := range docFields(t, lv, strip) {
		if k == "terms" || strings.HasPrefix(k, "text_") {
			t.Errorf("stripped cluster, Latvian has language field %s", k)
		}
	}
	// No folded copy when folding changes nothing.
	if en := fixture("en1"); docFields(t, en, strip)["text"] != en.Text {
		t.Errorf("ASCII text changed: %q", docFields(t, en, strip)["text"])
	}
	if d := docFields(t, fixture("zh1"), strip); d["terms"] != "快递 递很 很慢 客服 服也 也不 不回 回复" {
		t.Errorf("stripped cluster, Chinese bigrams %q", d["terms"])
	}
}

func queryJSON(t *testing.T, p *textPlan, q string) string {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(p.translate(n))
	return string(data)
}

func TestTextQueryFollowsPlan(t *testing.T) {
	full := queryJSON(t, fullPlan(), "Entrega")
	plStem := clientTerms(fullPlan().Client["pl"], "Entrega")
	for _, want := range []string{`"text_pt"`, `"text_lv"`, `"query":"Entrega"`, `"terms":{"query":"` + plStem + `"}`} {
		if !strings.Contains(full, want) {
			t.Errorf("full cluster query lacks %s: %s", want, full)
		}
	}
	// The cluster folds: no word is folded by Earshot, Portuguese is not stemmed by Earshot.
	if strings.Contains(full, `"entrega"`) || strings.Contains(full, `"entreg"`) {
		t.Errorf("full cluster query uses Earshot-side fields it does not need: %s", full)
	}
	strip := queryJSON(t, stripped(t), "Entrega")
	for _, want := range []string{`"terms":{"query":"entreg"}`, `"text":{"query":"entrega"}`} {
		if !strings.Contains(strip, want) {
			t.Errorf("stripped cluster query lacks %s: %s", want, strip)
		}
	}
	// A prefix is folded, as the neutral field is on either cluster.
	for _, p := range []*textPlan{fullPlan(), stripped(t)} {
		if got := queryJSON(t, p, "Piegād*"); got != `{"prefix":{"text":{"value":"piegad"}}}` {
			t.Errorf("prefix (%s): %s", p.summary(), got)
		}
	}
	// A word every language leaves alone is searched once, not per language.
	distinct := map[string]bool{}
	for _, a := range stripped(t).Client {
		distinct[clientTerms(a, "acme")] = true
	}
	got := queryJSON(t, stripped(t), "acme")
	if n := strings.Count(got, `"terms"`); n != len(distinct) || n >= len(stripped(t).Client) {
		t.Errorf("acme searched in terms %d times (%d distinct analyses, %d languages): %s", n, len(distinct), len(stripped(t).Client), got)
	}
}

func TestHighlightFollowsPlan(t *testing.T) {
	terms := func(q string) []*query.Term {
		n, err := query.Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		return query.TextTerms(n)
	}
	pt := fixture("pt1")
	fromES := map[string][]string{
		"text":    {"As entregas estão sempre atrasadas"},
		"text_pt": {"As <mark>entregas</mark> estão sempre atrasadas"},
	}
	if got := fullPlan().highlight(pt, fromES, terms("entrega")); !slices.Equal(got, fromES["text_pt"]) {
		t.Errorf("full cluster: snippets %q; want the cluster's language field fragments", got)
	}
	want := []string{"As <mark>entregas</mark> estão sempre atrasadas. Péssimo serviço da Acme!"}
	if got := stripped(t).highlight(pt, fromES, terms("entrega")); !slices.Equal(got, want) {
		t.Errorf("stripped cluster: snippets %q; want %q", got, want)
	}
	zh := fixture("zh1")
	if got := fullPlan().highlight(zh, map[string][]string{"text": {"<mark>快</mark><mark>递</mark>很慢"}}, terms("快递")); got[0] != "<mark>快递</mark>很慢" {
		t.Errorf("neutral CJK marks not joined: %q", got)
	}
	if got := stripped(t).highlight(zh, nil, terms(`"很慢" 客服`)); got[0] != "快递<mark>很慢</mark>，<mark>客服</mark>也不回复。" {
		t.Errorf("stripped cluster, Chinese: %q", got)
	}
	raw := fixture("raw1") // no language: the cluster's neutral field, unless it has no analyser at all
	if got := fullPlan().highlight(raw, map[string][]string{"text": {"<mark>Acme</mark> pop-up"}}, terms("acme")); got[0] != "<mark>Acme</mark> pop-up" {
		t.Errorf("full cluster, no language: %q", got)
	}
	if got := stripped(t).highlight(raw, nil, terms("acme")); got[0] != "<mark>Acme</mark> pop-up store opened in Riga" {
		t.Errorf("stripped cluster, no language: %q", got)
	}
	pl := fixture("pl1") // Polish is Earshot-analysed on both
	if got := fullPlan().highlight(pl, nil, terms("dotarlo zamówieni*")); got[0] != "<mark>Zamówienie</mark> nie <mark>dotarło</mark>, dostawa trwa wieki." {
		t.Errorf("folded word and prefix: %q", got)
	}
}

func TestSnippetsOfLongTextAreEscapedWindows(t *testing.T) {
	text := strings.Repeat("filler words here ", 30) + "the <b>delivery</b> & more " + strings.Repeat("tail text ", 40) + "late delivery again"
	spans := append(snippet.Sequence(neutralTokens(text), neutralTokens("delivery")), snippet.Span{})[:2]
	got := snippet.Fragments(text, snippet.Merge(spans))
	if len(got) != 2 {
		t.Fatalf("%d fragments: %q", len(got), got)
	}
	if !strings.Contains(got[0], "&lt;b&gt;<mark>delivery</mark>&lt;/b&gt; &amp; more") {
		t.Errorf("first fragment %q", got[0])
	}
	if !strings.HasSuffix(got[1], "late <mark>delivery</mark> again") {
		t.Errorf("second fragment %q", got[1])
	}
	for _, f := range got {
		plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f))
		if n := len([]rune(plain)); n > snippet.Size {
			t.Errorf("fragment of %d characters: %q", n, f)
		}
	}
}

func TestCompatibilityHeaderByDefault(t *testing.T) {
	f := newFakeES()
	openFake(t, f)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.headers {
		if got := h.Get("Accept"); got != "application/vnd.elasticsearch+json;compatible-with=8" {
			t.Fatalf("Accept %q; want the 8.x compatibility media type (needed by 9.x clusters)", got)
		}
	}
}
