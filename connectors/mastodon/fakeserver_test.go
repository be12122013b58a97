package mastodon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMastodon serves the parts of Mastodon's REST and streaming API the
// connector uses, shaped after docs.joinmastodon.org: timelines with
// max_id/since_id/min_id/limit and Link headers, account lookup and
// statuses, notifications, the instance, rate-limit headers, and SSE
// streams. Faults (429, 5xx, malformed JSON, refused or cut streams) are
// injected per test.
type fakeMastodon struct {
	srv    *httptest.Server
	domain string // the domain in URIs and account URLs
	token  string // required bearer token ("" = none)

	mu             sync.Mutex
	nextID         int64
	statuses       []*fakeStatus // ascending id
	notifications  []*fakeNotification
	accounts       map[string]*fakeAccount // by username
	brand          *fakeAccount
	subs           map[*subscriber]struct{}
	faults         []fault
	streamRefusals int           // next stream connections answered 503
	heartbeat      time.Duration // 0: none
	requests       []seenRequest
	rateRemaining  int
	rateReset      time.Time
	stored         int // statuses kept for REST (the newest); 0 = all
}

type fakeAccount struct {
	id, username string
	display      string
	followers    int
	// Discovery and opt-out settings; accounts made by account() are
	// discoverable and indexable unless a test says otherwise.
	discoverable, indexable, noindex, bot bool
	note                                  string
}

type fakeStatus struct {
	id         int64
	account    *fakeAccount
	tags       []string
	visibility string
	boost      bool
	obj        map[string]any
}

type fakeNotification struct {
	id  int64
	typ string
	obj map[string]any
}

// fault is applied to the next REST request whose path starts with prefix.
type fault struct {
	prefix string
	kind   string // "429", "500", "malformed", "ratelimit-exhausted"
}

type seenRequest struct {
	at   time.Time
	path string
	q    url.Values
}

type subscriber struct {
	stream string // "hashtag:<tag>", "public", "public:local", "user"
	ch     chan string
	done   chan struct{}
	once   sync.Once
}

func (s *subscriber) close() { s.once.Do(func() { close(s.done) }) }

func newFakeMastodon(t testing.TB) *fakeMastodon {
	f := &fakeMastodon{
		domain:        "social.example",
		accounts:      map[string]*fakeAccount{},
		subs:          map[*subscriber]struct{}{},
		nextID:        109_000_000_000_000_000,
		rateRemaining: 300,
		heartbeat:     50 * time.Millisecond,
	}
	f.brand = f.account("earshot", "Earshot", 1200)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.dropStreams()
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

func (f *fakeMastodon) url() string { return f.srv.URL }

func (f *fakeMastodon) account(username, display string, followers int) *fakeAccount {
	if a, ok := f.accounts[username]; ok {
		return a
	}
	a := &fakeAccount{id: strconv.Itoa(len(f.accounts) + 1), username: username, display: display, followers: followers,
		discoverable: true, indexable: true, note: "<p>Just a person</p>"}
	f.accounts[username] = a
	return a
}

func (f *fakeMastodon) accountJSON(a *fakeAccount) map[string]any {
	return map[string]any{
		"id": a.id, "username": a.username, "acct": a.username, "display_name": a.display,
		"locked": false, "bot": a.bot, "discoverable": a.discoverable, "indexable": a.indexable, "noindex": a.noindex,
		"created_at": "2022-11-01T00:00:00.000Z",
		"note":       a.note, "url": "https://" + f.domain + "/@" + a.username,
		"avatar":          "https://" + f.domain + "/avatars/" + a.id + ".png",
		"followers_count": a.followers, "following_count": 12, "statuses_count": 100,
		"emojis": []any{}, "fields": []any{},
	}
}

// post is what a test publishes.
type post struct {
	author     string
	html       string
	lang       string
	tags       []string
	visibility string // default public
	spoiler    string
	media      int
	replyTo    *fakeStatus
	mention    bool // mentions the brand account: a notification too
	boostOf    *fakeStatus
	quiet      bool // stored for REST only, not pushed to streams
}

// publish stores a status, creates the brand's notification for it, and
// pushes it to the matching streams.
func (f *fakeMastodon) publish(p post) *fakeStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID += 1 + int64(len(f.statuses)%3) // ids grow, not always by one
	id := f.nextID
	a := f.account(p.author, strings.ToUpper(p.author[:1])+p.author[1:], 10+len(p.author))
	vis := p.visibility
	if vis == "" {
		vis = "public"
	}
	sid := strconv.FormatInt(id, 10)
	uri := fmt.Sprintf("https://%s/users/%s/statuses/%s", f.domain, a.username, sid)
	obj := map[string]any{
		"id": sid, "uri": uri, "url": fmt.Sprintf("https://%s/@%s/%s", f.domain, a.username, sid),
		"created_at": time.Unix(1715000000+id%100000, 0).UTC().Format("2006-01-02T15:04:05.000Z"),
		"account":    f.accountJSON(a), "content": p.html, "visibility": vis, "sensitive": p.spoiler != "",
		"spoiler_text": p.spoiler, "language": nilIfEmpty(p.lang), "replies_count": 1, "reblogs_count": 2,
		"favourites_count": 3, "edited_at": nil, "reblog": nil, "in_reply_to_id": nil, "in_reply_to_account_id": nil,
		"mentions": []any{}, "tags": []any{}, "emojis": []any{}, "media_attachments": []any{}, "card": nil, "poll": nil,
	}
	var tags []any
	for _, t := range p.tags {
		tags = append(tags, map[string]any{"name": t, "url": "https://" + f.domain + "/tags/" + t})
	}
	if tags != nil {
		obj["tags"] = tags
	}
	var media []any
	for i := 0; i < p.media; i++ {
		media = append(media, map[string]any{"id": fmt.Sprint(id, i), "type": "image", "url": "https://" + f.domain + "/m.png", "description": "photo"})
	}
	if media != nil {
		obj["media_attachments"] = media
	}
	if p.replyTo != nil {
		obj["in_reply_to_id"] = strconv.FormatInt(p.replyTo.id, 10)
		obj["in_reply_to_account_id"] = p.replyTo.account.id
	}
	if p.mention {
		obj["mentions"] = []any{map[string]any{"id": f.brand.id, "username": "earshot", "acct": "earshot",
			"url": "https://" + f.domain + "/@earshot"}}
	}
	if p.boostOf != nil {
		obj["reblog"] = p.boostOf.obj
		obj["content"] = ""
	}
	st := &fakeStatus{id: id, account: a, tags: p.tags, visibility: vis, boost: p.boostOf != nil, obj: obj}
	f.statuses = append(f.statuses, st)
	if f.stored > 0 && len(f.statuses) > f.stored {
		f.statuses = f.statuses[len(f.statuses)-f.stored:]
	}
	if data, err := json.Marshal(obj); err == nil && !p.quiet {
		f.push(st, "event: update\ndata: "+string(data)+"\n\n")
	}
	if p.mention {
		f.nextID++
		n := &fakeNotification{id: f.nextID, typ: "mention", obj: map[string]any{
			"id": strconv.FormatInt(f.nextID, 10), "type": "mention", "created_at": obj["created_at"],
			"account": f.accountJSON(a), "status": obj,
		}}
		f.notifications = append(f.notifications, n)
		if data, err := json.Marshal(n.obj); err == nil {
			f.pushUser("event: notification\ndata: " + string(data) + "\n\n")
		}
	}
	return st
}

// notify adds a notification of another type (favourite, follow).
func (f *fakeMastodon) notify(typ, from string, st *fakeStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	obj := map[string]any{"id": strconv.FormatInt(f.nextID, 10), "type": typ, "created_at": "2024-05-14T10:00:00.000Z",
		"account": f.accountJSON(f.account(from, from, 5))}
	if st != nil {
		obj["status"] = st.obj
	}
	f.notifications = append(f.notifications, &fakeNotification{id: f.nextID, typ: typ, obj: obj})
	if data, err := json.Marshal(obj); err == nil {
		f.pushUser("event: notification\ndata: " + string(data) + "\n\n")
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (st *fakeStatus) uri() string { return st.obj["uri"].(string) }

// push sends an event to the status's streams (f.mu held).
func (f *fakeMastodon) push(st *fakeStatus, event string) {
	for s := range f.subs {
		match := false
		switch {
		case strings.HasPrefix(s.stream, "hashtag:"):
			match = !st.boost && contains(st.tags, strings.TrimPrefix(s.stream, "hashtag:"))
		case strings.HasPrefix(s.stream, "public"):
			match = !st.boost && st.visibility == "public"
		}
		if match {
			f.send(s, event)
		}
	}
}

func (f *fakeMastodon) pushUser(event string) {
	for s := range f.subs {
		if s.stream == "user" {
			f.send(s, event)
		}
	}
}

// send queues an event; a subscriber too slow to keep up is disconnected,
// as Mastodon's streaming server does.
func (f *fakeMastodon) send(s *subscriber, event string) {
	select {
	case s.ch <- event:
	default:
		s.close()
		delete(f.subs, s)
	}
}

// sendRaw pushes raw text to every stream of kind (tests of broken events).
func (f *fakeMastodon) sendRaw(stream, raw string, thenDrop bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if s.stream == stream {
			s.ch <- raw
			if thenDrop {
				s.ch <- "" // the handler closes after writing what came before
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if strings.EqualFold(v, x) {
			return true
		}
	}
	return false
}

// dropStreams closes every open stream.
func (f *fakeMastodon) dropStreams() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.close()
		delete(f.subs, s)
	}
}

func (f *fakeMastodon) streamCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *fakeMastodon) inject(fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fs...)
}

func (f *fakeMastodon) seen() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...)
}

func (f *fakeMastodon) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, seenRequest{at: time.Now(), path: r.URL.Path, q: r.URL.Query()})
	if len(f.requests) > 10000 {
		f.requests = f.requests[5000:]
	}
	f.mu.Unlock()
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token && r.URL.Path != "/api/v1/instance" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "The access token is invalid"})
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/v1/streaming") {
		f.serveStream(w, r)
		return
	}
	if f.applyFault(w, r) {
		return
	}
	f.rateHeaders(w)
	p := r.URL.Path
	switch {
	case p == "/api/v1/instance":
		writeJSON(w, 200, map[string]any{"uri": f.domain, "title": "Fake Social", "version": "4.2.8",
			"urls": map[string]any{"streaming_api": "ws://" + r.Host}})
	case strings.HasPrefix(p, "/api/v1/timelines/tag/"):
		tag, _ := url.PathUnescape(strings.TrimPrefix(p, "/api/v1/timelines/tag/"))
		f.serveTimeline(w, r, func(st *fakeStatus) bool { return !st.boost && contains(st.tags, tag) })
	case p == "/api/v1/timelines/public":
		f.serveTimeline(w, r, func(st *fakeStatus) bool { return !st.boost && st.visibility == "public" })
	case p == "/api/v1/accounts/lookup":
		f.mu.Lock()
		a, ok := f.accounts[strings.SplitN(r.URL.Query().Get("acct"), "@", 2)[0]]
		var obj map[string]any
		if ok {
			obj = f.accountJSON(a)
		}
		f.mu.Unlock()
		if !ok {
			writeJSON(w, 404, map[string]any{"error": "Record not found"})
			return
		}
		writeJSON(w, 200, obj)
	case strings.HasPrefix(p, "/api/v1/statuses/"):
		f.serveStatus(w, strings.TrimPrefix(p, "/api/v1/statuses/"))
	case strings.HasPrefix(p, "/api/v1/accounts/") && !strings.Contains(strings.TrimPrefix(p, "/api/v1/accounts/"), "/"):
		f.mu.Lock()
		var obj map[string]any
		for _, a := range f.accounts {
			if a.id == strings.TrimPrefix(p, "/api/v1/accounts/") {
				obj = f.accountJSON(a)
			}
		}
		f.mu.Unlock()
		if obj == nil {
			writeJSON(w, 404, map[string]any{"error": "Record not found"})
			return
		}
		writeJSON(w, 200, obj)
	case strings.HasPrefix(p, "/api/v1/accounts/") && strings.HasSuffix(p, "/statuses"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/accounts/"), "/statuses")
		f.serveTimeline(w, r, func(st *fakeStatus) bool { return st.account.id == id })
	case p == "/api/v1/notifications":
		f.serveNotifications(w, r)
	default:
		writeJSON(w, 404, map[string]any{"error": "Record not found"})
	}
}

func (f *fakeMastodon) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	var ft *fault
	for i := range f.faults {
		if strings.HasPrefix(r.URL.Path, f.faults[i].prefix) {
			x := f.faults[i]
			ft = &x
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			break
		}
	}
	f.mu.Unlock()
	if ft == nil {
		return false
	}
	switch ft.kind {
	case "429":
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", "0")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "Too many requests"})
	case "500":
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "We're sorry, but something went wrong on our end."})
	case "502":
		http.Error(w, "<html>Bad Gateway</html>", http.StatusBadGateway)
	case "malformed":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`[{"id":"1","content":"<p>cut here`))
	case "ratelimit-exhausted":
		// The response succeeds but says the budget is spent until shortly.
		f.mu.Lock()
		f.rateRemaining = 0
		f.rateReset = time.Now().Add(700 * time.Millisecond)
		f.mu.Unlock()
		return false
	}
	return true
}

func (f *fakeMastodon) rateHeaders(w http.ResponseWriter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if f.rateReset.IsZero() || now.After(f.rateReset) {
		if !f.rateReset.IsZero() && f.rateRemaining == 0 {
			f.rateRemaining = 300
		}
		f.rateReset = now.Add(5 * time.Minute)
	}
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(f.rateRemaining))
	w.Header().Set("X-RateLimit-Reset", f.rateReset.UTC().Format("2006-01-02T15:04:05.000000Z"))
	if f.rateRemaining > 0 {
		f.rateRemaining--
		if f.rateRemaining < 5 {
			f.rateRemaining = 300 // tests never exhaust it by accident
		}
	}
}

// page applies max_id, since_id, min_id and limit to ascending ids, as
// Mastodon does: with min_id the oldest page above it, else the newest.
// It returns the selected ids newest first.
func page(ids []int64, q url.Values) []int64 {
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 40)
	maxID, _ := strconv.ParseInt(q.Get("max_id"), 10, 64)
	sinceID, _ := strconv.ParseInt(q.Get("since_id"), 10, 64)
	minID, _ := strconv.ParseInt(q.Get("min_id"), 10, 64)
	var sel []int64
	for _, id := range ids {
		if (maxID == 0 || id < maxID) && id > sinceID && id > minID {
			sel = append(sel, id)
		}
	}
	if minID > 0 {
		if len(sel) > limit {
			sel = sel[:limit]
		}
	} else if len(sel) > limit {
		sel = sel[len(sel)-limit:]
	}
	sort.Slice(sel, func(i, j int) bool { return sel[i] > sel[j] })
	return sel
}

func (f *fakeMastodon) linkHeader(w http.ResponseWriter, r *http.Request, sel []int64) {
	if len(sel) == 0 {
		return
	}
	base := "http://" + r.Host + r.URL.Path
	keep := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "max_id" && k != "min_id" && k != "since_id" {
			keep[k] = v
		}
	}
	next, prev := cloneValues(keep), cloneValues(keep)
	next.Set("max_id", strconv.FormatInt(sel[len(sel)-1], 10))
	prev.Set("min_id", strconv.FormatInt(sel[0], 10))
	w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next", <%s?%s>; rel="prev"`, base, next.Encode(), base, prev.Encode()))
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (f *fakeMastodon) serveTimeline(w http.ResponseWriter, r *http.Request, keep func(*fakeStatus) bool) {
	f.mu.Lock()
	byID := map[int64]*fakeStatus{}
	var ids []int64
	for _, st := range f.statuses {
		if keep(st) {
			ids = append(ids, st.id)
			byID[st.id] = st
		}
	}
	sel := page(ids, r.URL.Query())
	out := make([]any, 0, len(sel))
	for _, id := range sel {
		out = append(out, byID[id].obj)
	}
	body, err := json.Marshal(out)
	f.mu.Unlock()
	if err != nil {
		writeJSON(w, 500, map[string]any{"error": err.Error()})
		return
	}
	f.linkHeader(w, r, sel)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

func (f *fakeMastodon) serveNotifications(w http.ResponseWriter, r *http.Request) {
	excluded := map[string]bool{}
	for _, t := range r.URL.Query()["exclude_types[]"] {
		excluded[t] = true
	}
	f.mu.Lock()
	byID := map[int64]*fakeNotification{}
	var ids []int64
	for _, n := range f.notifications {
		if !excluded[n.typ] {
			ids = append(ids, n.id)
			byID[n.id] = n
		}
	}
	sel := page(ids, r.URL.Query())
	out := make([]any, 0, len(sel))
	for _, id := range sel {
		out = append(out, byID[id].obj)
	}
	body, _ := json.Marshal(out)
	f.mu.Unlock()
	f.linkHeader(w, r, sel)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

func (f *fakeMastodon) serveStream(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.streamRefusals > 0 {
		f.streamRefusals--
		f.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "streaming unavailable"})
		return
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/v1/streaming"), "/")
	stream := ""
	switch rest {
	case "hashtag", "hashtag/local":
		stream = "hashtag:" + strings.ToLower(r.URL.Query().Get("tag"))
	case "public":
		stream = "public"
	case "public/local":
		stream = "public:local"
	case "user":
		stream = "user"
	default:
		f.mu.Unlock()
		writeJSON(w, 404, map[string]any{"error": "Unknown stream type"})
		return
	}
	sub := &subscriber{stream: stream, ch: make(chan string, 4096), done: make(chan struct{})}
	f.subs[sub] = struct{}{}
	hb := f.heartbeat
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.subs, sub)
		f.mu.Unlock()
	}()

	flusher := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(":)\n"))
	flusher.Flush()
	var tick <-chan time.Time
	if hb > 0 {
		t := time.NewTicker(hb)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.done:
			return
		case <-tick:
			_, _ = w.Write([]byte(":thump\n"))
			flusher.Flush()
		case ev := <-sub.ch:
			if ev == "" {
				return // cut: close after what was written
			}
			_, _ = w.Write([]byte(ev))
			flusher.Flush()
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
