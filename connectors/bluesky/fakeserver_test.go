package bluesky

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeBluesky is a local Jetstream (WebSocket /subscribe with cursor replay,
// shaped after Jetstream's README) plus the AppView and PDS XRPC methods
// the connector calls (getProfile, resolveHandle, createSession,
// searchPosts, after their lexicons), with injected faults: connections cut
// mid-stream, malformed frames, 429 with Retry-After, 5xx, spent budgets.
type fakeBluesky struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	events   [][]byte // every event, in time order
	times    []int64
	lastTime int64
	conns    map[*websocket.Conn]bool
	wake     *sync.Cond
	cutAfter int // close each connection after this many messages (0: never)
	dials    int
	cursors  []int64

	profiles map[string]profileJSON
	handles  map[string]string // handle → did
	faults   []string          // per AppView request: "429", "500", "budget"
	appview  int

	password string
	logins   int
	search   map[string][][]json.RawMessage // query → pages
	searches int
}

type profileJSON map[string]any

func newFakeBluesky(t testing.TB) *fakeBluesky {
	f := &fakeBluesky{t: t, conns: map[*websocket.Conn]bool{}, profiles: map[string]profileJSON{},
		handles: map[string]string{}, search: map[string][][]json.RawMessage{}, password: "app-pass-1234"}
	f.wake = sync.NewCond(&f.mu)
	mux := http.NewServeMux()
	mux.HandleFunc("/subscribe", f.subscribe)
	mux.HandleFunc("/xrpc/app.bsky.actor.getProfile", f.getProfile)
	mux.HandleFunc("/xrpc/com.atproto.identity.resolveHandle", f.resolveHandle)
	mux.HandleFunc("/xrpc/com.atproto.server.createSession", f.createSession)
	mux.HandleFunc("/xrpc/app.bsky.feed.searchPosts", f.searchPosts)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

func (f *fakeBluesky) close() {
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.wake.Broadcast()
	f.mu.Unlock()
	f.srv.Close()
}

func (f *fakeBluesky) wsURL() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/subscribe"
}
func (f *fakeBluesky) httpURL() string { return f.srv.URL }

// nextTime returns a strictly increasing time_us near the wall clock.
func (f *fakeBluesky) nextTime() int64 {
	t := time.Now().UnixMicro()
	if t <= f.lastTime {
		t = f.lastTime + 1
	}
	f.lastTime = t
	return t
}

// addEvent appends a raw event; a "%d" in it takes the event's time_us.
func (f *fakeBluesky) addEvent(tmpl string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.nextTime()
	raw := tmpl
	if strings.Contains(tmpl, "%d") {
		raw = fmt.Sprintf(tmpl, t)
	}
	f.events = append(f.events, []byte(raw))
	f.times = append(f.times, t)
	f.wake.Broadcast()
	return t
}

// addProfile registers an author.
func (f *fakeBluesky) addProfile(did, handle string, extra profileJSON) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := profileJSON{"did": did, "handle": handle, "displayName": strings.ToUpper(handle[:1]) + handle[1:strings.Index(handle, ".")],
		"followersCount": 42, "labels": []any{}}
	for k, v := range extra {
		p[k] = v
	}
	f.profiles[did] = p
	f.handles[handle] = did
}

// post publishes a post creation by did and returns its URI.
func (f *fakeBluesky) post(did, rkey, text string, extra string) string {
	rec := fmt.Sprintf(`{"$type":"app.bsky.feed.post","text":%q,"createdAt":"2026-12-03T10:00:00.000Z","langs":["en"]%s}`, text, extra)
	f.addEvent(`{"did":"` + did + `","time_us":%d,"kind":"commit","commit":{"rev":"3lrev` + rkey + `","operation":"create","collection":"app.bsky.feed.post","rkey":"` + rkey + `","record":` + rec + `,"cid":"bafy` + rkey + `"}}`)
	return postURI(did, rkey)
}

// drop closes every open connection now (mid-stream for a busy one).
func (f *fakeBluesky) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
	f.wake.Broadcast()
}

var upgrader = websocket.Upgrader{}

// subscribe replays the events at or after ?cursor= (every event when
// absent is not what Jetstream does: without a cursor it starts live, and
// so does this server) and then follows new ones.
func (f *fakeBluesky) subscribe(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("wantedCollections") != postCollection {
		http.Error(w, "want wantedCollections=app.bsky.feed.post", http.StatusBadRequest)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	go func() { // read side: notice the client closing
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				conn.Close()
				f.mu.Lock()
				delete(f.conns, conn)
				f.wake.Broadcast()
				f.mu.Unlock()
				return
			}
		}
	}()
	f.mu.Lock()
	f.dials++
	f.conns[conn] = true
	i := len(f.events)
	if v := r.URL.Query().Get("cursor"); v != "" {
		cursor, _ := strconv.ParseInt(v, 10, 64)
		f.cursors = append(f.cursors, cursor)
		i = 0
		for i < len(f.times) && f.times[i] < cursor {
			i++
		}
	}
	cut := f.cutAfter
	f.mu.Unlock()
	sent := 0
	for {
		f.mu.Lock()
		for i >= len(f.events) && f.conns[conn] {
			f.wake.Wait()
		}
		if !f.conns[conn] {
			f.mu.Unlock()
			return
		}
		batch := f.events[i:]
		f.mu.Unlock()
		for _, ev := range batch {
			if cut > 0 && sent == cut {
				f.mu.Lock()
				delete(f.conns, conn)
				f.mu.Unlock()
				return // cut mid-stream
			}
			if err := conn.WriteMessage(websocket.TextMessage, ev); err != nil {
				return
			}
			sent++
			i++
		}
	}
}

// appviewFault applies the next injected fault; it reports whether it
// answered the request.
func (f *fakeBluesky) appviewFault(w http.ResponseWriter) bool {
	f.mu.Lock()
	f.appview++
	var fault string
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	switch fault {
	case "429":
		w.Header().Set("Retry-After", "0")
		w.Header().Set("RateLimit-Limit", "3000")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
		http.Error(w, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, http.StatusTooManyRequests)
		return true
	case "500":
		http.Error(w, `{"error":"InternalServerError"}`, http.StatusInternalServerError)
		return true
	case "budget":
		w.Header().Set("RateLimit-Limit", "3000")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
	}
	return false
}

func (f *fakeBluesky) getProfile(w http.ResponseWriter, r *http.Request) {
	if f.appviewFault(w) {
		return
	}
	f.mu.Lock()
	p, ok := f.profiles[r.URL.Query().Get("actor")]
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"InvalidRequest","message":"Profile not found"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

func (f *fakeBluesky) resolveHandle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	did, ok := f.handles[r.URL.Query().Get("handle")]
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"InvalidRequest","message":"Unable to resolve handle"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"did": did})
}

func (f *fakeBluesky) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct{ Identifier, Password string }
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
		http.Error(w, `{"error":"InvalidRequest"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.logins++
	ok := in.Password == f.password
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"accessJwt": "jwt-" + in.Identifier, "refreshJwt": "r", "did": "did:plc:brand", "handle": in.Identifier})
}

// searchPosts serves the pages of a query; the cursor is the page number.
func (f *fakeBluesky) searchPosts(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer jwt-") {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"AuthMissing","message":"Authentication Required"}`))
		return
	}
	q := r.URL.Query()
	if q.Get("since") == "" || q.Get("sort") != "latest" {
		http.Error(w, `{"error":"InvalidRequest","message":"want since and sort=latest"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.searches++
	pages := f.search[q.Get("q")]
	f.mu.Unlock()
	page, _ := strconv.Atoi(q.Get("cursor"))
	out := map[string]any{"posts": []json.RawMessage{}}
	if page < len(pages) {
		out["posts"] = pages[page]
		if page+1 < len(pages) {
			out["cursor"] = strconv.Itoa(page + 1)
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}
