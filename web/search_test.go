package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/contract"
)

func newSearchServer(t *testing.T) *httptest.Server {
	t.Helper()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	for _, err := range b.UpsertMentions(context.Background(), contract.Mentions()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(SearchHandler(b, nil))
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, u string, wantCode int, out any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != wantCode {
		t.Fatalf("GET %s: status %d; want %d", u, res.StatusCode, wantCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func TestSearchAPI(t *testing.T) {
	srv := newSearchServer(t)
	v := url.Values{"q": {"entrega"}, "filter": {"sentiment:negative"}, "facets": {"default"}, "histogram": {"day"}, "highlight": {"true"}}
	var res index.SearchResult
	getJSON(t, srv.URL+"/api/search?"+v.Encode(), http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != "pt1" || len(res.Hits[0].Snippets) == 0 || res.Facets["language"][0].Value != "pt" || len(res.Histogram) != 1 {
		t.Fatalf("search result %+v", res)
	}
	var page index.SearchResult
	getJSON(t, srv.URL+"/api/search?size=5&sort=newest", http.StatusOK, &page)
	if len(page.Hits) != 5 || page.Next == "" {
		t.Fatalf("first page: %d hits, next %q", len(page.Hits), page.Next)
	}
	var next index.SearchResult
	getJSON(t, srv.URL+"/api/search?size=5&sort=newest&cursor="+url.QueryEscape(page.Next), http.StatusOK, &next)
	if len(next.Hits) != 5 || next.Hits[0].ID == page.Hits[0].ID {
		t.Fatalf("second page repeats the first: %v", next.Hits)
	}
}

func TestSearchAPIErrors(t *testing.T) {
	srv := newSearchServer(t)
	var e apiError
	getJSON(t, srv.URL+"/api/search?q="+url.QueryEscape("entrega AND (atraso"), http.StatusBadRequest, &e)
	if e.Position != 20 {
		t.Fatalf("syntax error answer %+v; want position 20", e)
	}
	getJSON(t, srv.URL+"/api/search?from=yesterday", http.StatusBadRequest, &e)
	getJSON(t, srv.URL+"/api/search?facets=mood", http.StatusBadRequest, &e)
	getJSON(t, srv.URL+"/api/mentions/nope", http.StatusNotFound, &e)
	getJSON(t, srv.URL+"/api/profiles/customer:nope", http.StatusNotFound, &e)
	getJSON(t, srv.URL+"/api/profiles?sort=age", http.StatusBadRequest, &e)
	var m map[string]any
	getJSON(t, srv.URL+"/api/mentions/zh1", http.StatusOK, &m)
	if m["text"] != "快递很慢，客服也不回复。" {
		t.Fatalf("mention zh1: %v", m["text"])
	}
}
