package hackernews

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHN is a local HN Search API: search_by_date over stored items, shaped
// after the API documentation (hits newest first; query, tags with an OR
// group, numericFilters on created_at_i with > >= < <=, hitsPerPage, page;
// nbHits, nbPages, and no more than 1000 hits reachable per query), with
// faults: 429 with Retry-After, 500, a body that is not JSON.
type fakeHN struct {
	srv *httptest.Server

	mu       sync.Mutex
	items    []map[string]any
	text     map[string]string // objectID → lower-cased JSON, for matching
	nextID   int64
	faults   []string
	requests int
}

func newFakeHN(t testing.TB) *fakeHN {
	f := &fakeHN{nextID: 42000000, text: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHN) url() string { return f.srv.URL + "/api/v1" }

// add stores an item (its fields as the API gives them); objectID and
// created_at_i are filled in when missing. It returns the objectID.
func (f *fakeHN) add(item map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := item["objectID"]; !ok {
		f.nextID++
		item["objectID"] = strconv.FormatInt(f.nextID, 10)
	}
	if _, ok := item["created_at_i"]; !ok {
		item["created_at_i"] = time.Now().Unix()
	}
	f.items = append(f.items, item)
	id, _ := item["objectID"].(string)
	raw, _ := json.Marshal(item)
	f.text[id] = strings.ToLower(string(raw))
	return id
}

func (f *fakeHN) story(author, title, text string) string {
	return f.add(map[string]any{"_tags": []string{"story", "author_" + author}, "author": author, "title": title,
		"story_text": text, "points": 3, "num_comments": 0, "url": nil})
}

func (f *fakeHN) comment(author, html string, at int64) string {
	item := map[string]any{"_tags": []string{"comment", "author_" + author, "story_1"}, "author": author,
		"comment_text": html, "parent_id": 1, "story_id": 1, "story_title": "Ask HN: listening tools?", "points": nil}
	if at > 0 {
		item["created_at_i"] = at
	}
	return f.add(item)
}

// edit changes a stored item's field.
func (f *fakeHN) edit(id, field string, value any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range f.items {
		if it["objectID"] == id {
			it[field] = value
			raw, _ := json.Marshal(it)
			f.text[id] = strings.ToLower(string(raw))
		}
	}
}

func (f *fakeHN) inject(faults ...string) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

func (f *fakeHN) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/search_by_date" {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.requests++
	var fault string
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	switch fault {
	case "429":
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"message":"You have exceeded the rate limit","status":429}`, http.StatusTooManyRequests)
		return
	case "500":
		http.Error(w, `{"message":"Internal error","status":500}`, http.StatusInternalServerError)
		return
	case "malformed":
		_, _ = w.Write([]byte(`<html>upstream timeout</html>`))
		return
	}
	q := r.URL.Query()
	hpp, _ := strconv.Atoi(q.Get("hitsPerPage"))
	pg, _ := strconv.Atoi(q.Get("page"))
	if hpp <= 0 {
		hpp = 20
	}
	tags := strings.Split(strings.Trim(q.Get("tags"), "()"), ",")
	filters, err := parseFilters(q.Get("numericFilters"))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":%q,"status":400}`, err.Error())
		return
	}
	query := strings.ToLower(q.Get("query"))
	f.mu.Lock()
	var match []map[string]any
	for _, it := range f.items {
		id, _ := it["objectID"].(string)
		if !strings.Contains(f.text[id], query) || !hasTag(it, tags) {
			continue
		}
		at := toInt(it["created_at_i"])
		ok := true
		for _, fl := range filters {
			ok = ok && fl(at)
		}
		if ok {
			match = append(match, it)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		a, b := toInt(match[i]["created_at_i"]), toInt(match[j]["created_at_i"])
		if a != b {
			return a > b
		}
		x, _ := strconv.ParseInt(match[i]["objectID"].(string), 10, 64)
		y, _ := strconv.ParseInt(match[j]["objectID"].(string), 10, 64)
		return x > y
	})
	reachable := min(len(match), 1000)
	nbPages := min((len(match)+hpp-1)/hpp, (1000+hpp-1)/hpp)
	var hits []map[string]any
	if lo := pg * hpp; lo < reachable {
		hits = match[lo:min(lo+hpp, reachable)]
	}
	body, _ := json.Marshal(map[string]any{"hits": nonNil(hits), "nbHits": len(match), "page": pg, "nbPages": nbPages,
		"hitsPerPage": hpp, "exhaustiveNbHits": true, "query": q.Get("query"), "params": r.URL.RawQuery, "processingTimeMS": 1})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func nonNil(h []map[string]any) []map[string]any {
	if h == nil {
		return []map[string]any{}
	}
	return h
}

func hasTag(it map[string]any, want []string) bool {
	tags, _ := it["_tags"].([]string)
	for _, t := range tags {
		for _, w := range want {
			if t == w {
				return true
			}
		}
	}
	return false
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// parseFilters reads "created_at_i>N,created_at_i<=M".
func parseFilters(s string) ([]func(int64) bool, error) {
	var out []func(int64) bool
	if s == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		rest, ok := strings.CutPrefix(part, "created_at_i")
		if !ok {
			return nil, fmt.Errorf("unsupported numeric filter %q", part)
		}
		for _, op := range []string{">=", "<=", ">", "<", "="} {
			if v, ok := strings.CutPrefix(rest, op); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("bad number in %q", part)
				}
				switch op {
				case ">=":
					out = append(out, func(x int64) bool { return x >= n })
				case "<=":
					out = append(out, func(x int64) bool { return x <= n })
				case ">":
					out = append(out, func(x int64) bool { return x > n })
				case "<":
					out = append(out, func(x int64) bool { return x < n })
				default:
					out = append(out, func(x int64) bool { return x == n })
				}
				break
			}
		}
	}
	return out, nil
}
