package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/web/auth"
)

func TestSearchAPI(t *testing.T) {
	ta := newTestApp(t)
	v := url.Values{"q": {"entrega"}, "filter": {"sentiment:negative"}, "facets": {"default"}, "histogram": {"day"}, "highlight": {"true"}}
	var res index.SearchResult
	r := ta.do(t, req{method: "GET", path: "/api/search?" + v.Encode(), role: auth.RoleViewer})
	if r.code != http.StatusOK {
		t.Fatalf("search: %d %s", r.code, r.body)
	}
	r.decode(t, &res)
	if res.Total != 1 || res.Hits[0].ID != "pt1" || len(res.Hits[0].Snippets) == 0 || res.Facets["language"][0].Value != "pt" || len(res.Histogram) != 1 {
		t.Fatalf("search result %+v", res)
	}
	var page index.SearchResult
	ta.do(t, req{method: "GET", path: "/api/search?size=5&sort=newest", role: auth.RoleSales}).decode(t, &page)
	if len(page.Hits) != 5 || page.Next == "" {
		t.Fatalf("first page: %d hits, next %q", len(page.Hits), page.Next)
	}
	var next index.SearchResult
	ta.do(t, req{method: "GET", path: "/api/search?size=5&sort=newest&cursor=" + url.QueryEscape(page.Next), role: auth.RoleMarketing}).decode(t, &next)
	if len(next.Hits) != 5 || next.Hits[0].ID == page.Hits[0].ID {
		t.Fatalf("second page repeats the first: %v", next.Hits)
	}
	var m map[string]any
	r = ta.do(t, req{method: "GET", path: "/api/mentions/zh1", role: auth.RoleViewer})
	r.decode(t, &m)
	if r.code != http.StatusOK || m["text"] != "快递很慢，客服也不回复。" {
		t.Fatalf("mention zh1: %d %v", r.code, m["text"])
	}
	var profiles index.ProfileResult
	r = ta.do(t, req{method: "GET", path: "/api/profiles?kind=prospect", role: auth.RoleViewer})
	r.decode(t, &profiles)
	if r.code != http.StatusOK || profiles.Total != 1 || profiles.Profiles[0].PersonID != "P2" {
		t.Fatalf("profiles: %d %s", r.code, r.body)
	}
	var profile index.Profile
	r = ta.do(t, req{method: "GET", path: "/api/profiles/customer:C1", role: auth.RoleViewer})
	r.decode(t, &profile)
	if r.code != http.StatusOK || profile.Name != "Maria Silva" {
		t.Fatalf("profile: %d %s", r.code, r.body)
	}
}

func TestSearchAPIErrors(t *testing.T) {
	ta := newTestApp(t)
	p := ta.do(t, req{method: "GET", path: "/api/search?q=" + url.QueryEscape("entrega AND (atraso"), role: auth.RoleViewer}).problem(t)
	if p.Status != http.StatusBadRequest || p.Position != 20 || p.Type != problemBase+"query-syntax" {
		t.Fatalf("syntax error answer %+v; want 400 at position 20", p)
	}
	for path, code := range map[string]int{
		"/api/search?from=yesterday":     http.StatusBadRequest,
		"/api/search?facets=mood":        http.StatusBadRequest,
		"/api/mentions/nope":             http.StatusNotFound,
		"/api/profiles/customer:nope":    http.StatusNotFound,
		"/api/profiles?sort=age":         http.StatusBadRequest,
		"/api/profiles?min_lead_score=x": http.StatusBadRequest,
	} {
		r := ta.do(t, req{method: "GET", path: path, role: auth.RoleViewer})
		if r.code != code {
			t.Errorf("%s: %d %s; want %d", path, r.code, r.body, code)
			continue
		}
		if pr := r.problem(t); pr.Detail == "" || pr.Instance == "" {
			t.Errorf("%s: problem without detail or instance: %+v", path, pr)
		}
	}
}
