package reddit

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

// fakeReddit is a local Reddit shaped after its API documentation: the
// OAuth2 token endpoint (basic auth with the app's id and secret; password
// and client_credentials grants), listings (/r/SUB/new, /r/SUB/comments,
// /search, /api/info) as {kind: Listing, data: {after, children: [{kind,
// data}]}} newest first with limit and after, X-Ratelimit-Used/Remaining/
// Reset on every answer, and faults: 429, 500, a body that is not JSON, a
// spent budget, an expired token.
type fakeReddit struct {
	srv *httptest.Server

	mu       sync.Mutex
	things   []map[string]any // each {"kind":..., "data":...}
	nextID   int64
	faults   []string
	tokens   int
	token    string
	uas      map[string]bool
	requests int
}

const (
	clientID, clientSecret = "app-id", "app-secret"
	userName, userPassword = "earshot_bot", "hunter2"
)

func newFakeReddit(t testing.TB) *fakeReddit {
	f := &fakeReddit{nextID: 36 * 36 * 36 * 36, uas: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeReddit) url() string { return f.srv.URL }

// add stores a thing and returns its fullname; created defaults to now.
func (f *fakeReddit) add(kind string, data map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := strconv.FormatInt(f.nextID, 36)
	if _, ok := data["id"]; !ok {
		data["id"] = id
		data["name"] = kind + "_" + id
	}
	if _, ok := data["created_utc"]; !ok {
		data["created_utc"] = float64(time.Now().Unix())
	}
	if _, ok := data["edited"]; !ok {
		data["edited"] = false
	}
	f.things = append(f.things, map[string]any{"kind": kind, "data": data})
	name, _ := data["name"].(string)
	return name
}

func (f *fakeReddit) post(sub, author, title, text string) string {
	return f.add("t3", map[string]any{"subreddit": sub, "author": author, "author_fullname": "t2_" + author,
		"title": title, "selftext": text, "is_self": true, "score": 5, "num_comments": 1,
		"permalink": "/r/" + sub + "/comments/x/" + strings.ReplaceAll(strings.ToLower(title), " ", "_") + "/",
		"url":       "https://www.reddit.com/r/" + sub + "/", "removed_by_category": nil})
}

func (f *fakeReddit) comment(sub, author, body string) string {
	return f.add("t1", map[string]any{"subreddit": sub, "author": author, "author_fullname": "t2_" + author,
		"body": body, "link_id": "t3_abc", "parent_id": "t3_abc", "link_title": "Which listening tool?", "score": 2,
		"permalink": "/r/" + sub + "/comments/abc/which_listening_tool/c/"})
}

func (f *fakeReddit) edit(fullname, field string, value any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.things {
		d := t["data"].(map[string]any)
		if d["name"] == fullname {
			d[field] = value
			d["edited"] = float64(time.Now().Unix())
		}
	}
}

func (f *fakeReddit) inject(faults ...string) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

func (f *fakeReddit) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.uas[r.UserAgent()] = true
	f.mu.Unlock()
	if r.URL.Path == "/api/v1/access_token" {
		f.accessToken(w, r)
		return
	}
	f.mu.Lock()
	token := f.token
	var fault string
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	w.Header().Set("X-Ratelimit-Used", "3")
	w.Header().Set("X-Ratelimit-Remaining", "597.0")
	w.Header().Set("X-Ratelimit-Reset", "400")
	if token == "" || r.Header.Get("Authorization") != "bearer "+token || fault == "expire" {
		if fault == "expire" {
			f.mu.Lock()
			f.token = ""
			f.mu.Unlock()
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message": "Unauthorized", "error": 401}`))
		return
	}
	switch fault {
	case "429":
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message": "Too Many Requests", "error": 429}`))
		return
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message": "Internal Server Error", "error": 500}`))
		return
	case "malformed":
		_, _ = w.Write([]byte(`<html><body>reddit is down</body></html>`))
		return
	case "budget":
		w.Header().Set("X-Ratelimit-Remaining", "0.0")
		w.Header().Set("X-Ratelimit-Reset", "1")
	}
	if r.URL.Query().Get("raw_json") != "1" {
		http.Error(w, "want raw_json=1", http.StatusBadRequest)
		return
	}
	var kinds []string
	var keep func(d map[string]any) bool
	switch parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/"); {
	case len(parts) == 3 && parts[0] == "r" && parts[2] == "new":
		kinds, keep = []string{"t3", "t5"}, func(d map[string]any) bool { return d["subreddit"] == parts[1] }
	case len(parts) == 3 && parts[0] == "r" && parts[2] == "comments":
		kinds, keep = []string{"t1"}, func(d map[string]any) bool { return d["subreddit"] == parts[1] }
	case r.URL.Path == "/search":
		q := strings.ToLower(r.URL.Query().Get("q"))
		if r.URL.Query().Get("sort") != "new" {
			http.Error(w, "want sort=new", http.StatusBadRequest)
			return
		}
		kinds, keep = []string{"t3"}, func(d map[string]any) bool {
			return strings.Contains(strings.ToLower(fmt.Sprint(d["title"], " ", d["selftext"])), q)
		}
	case r.URL.Path == "/api/info":
		ids := map[string]bool{}
		for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
			ids[id] = true
		}
		kinds, keep = []string{"t1", "t3"}, func(d map[string]any) bool { return ids[d["name"].(string)] }
	default:
		http.NotFound(w, r)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	f.mu.Lock()
	var match []map[string]any
	for _, t := range f.things {
		d := t["data"].(map[string]any)
		if (t["kind"] == kinds[0] || len(kinds) > 1 && t["kind"] == kinds[1]) && keep(d) {
			match = append(match, t)
		}
	}
	sort.SliceStable(match, func(i, j int) bool { // newest first
		a, b := match[i]["data"].(map[string]any), match[j]["data"].(map[string]any)
		if a["created_utc"] != b["created_utc"] {
			return a["created_utc"].(float64) > b["created_utc"].(float64)
		}
		x, _ := strconv.ParseInt(a["id"].(string), 36, 64)
		y, _ := strconv.ParseInt(b["id"].(string), 36, 64)
		return x > y
	})
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		for i, t := range match {
			if t["data"].(map[string]any)["name"] == after {
				start = i + 1
			}
		}
	}
	end := min(start+limit, len(match), 1000)
	page := []map[string]any{}
	if start < end {
		page = match[start:end]
	}
	after := ""
	if end < min(len(match), 1000) && len(page) > 0 {
		after = page[len(page)-1]["data"].(map[string]any)["name"].(string)
	}
	body, _ := json.Marshal(map[string]any{"kind": "Listing", "data": map[string]any{"after": nilIfEmpty(after), "before": nil,
		"dist": len(page), "children": page}})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(body)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (f *fakeReddit) accessToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != clientID || secret != clientSecret {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message": "Unauthorized", "error": 401}`))
		return
	}
	_ = r.ParseForm()
	switch r.PostForm.Get("grant_type") {
	case "password":
		if r.PostForm.Get("username") != userName || r.PostForm.Get("password") != userPassword {
			_, _ = w.Write([]byte(`{"error": "invalid_grant"}`))
			return
		}
	case "client_credentials":
	default:
		_, _ = w.Write([]byte(`{"error": "unsupported_grant_type"}`))
		return
	}
	f.mu.Lock()
	f.tokens++
	f.token = fmt.Sprintf("tok-%d", f.tokens)
	tok := f.token
	f.mu.Unlock()
	fmt.Fprintf(w, `{"access_token": %q, "token_type": "bearer", "expires_in": 86400, "scope": "*"}`, tok)
}
