package youtube

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

const testKey = "test-key"

// fakeYouTube is an httptest YouTube Data API v3 shaped after the reference
// (commentThreads.list by videoId or allThreadsRelatedToChannelId, newest
// first, pageToken pagination, up to 5 replies inline; comments.list by
// parentId; search.list), with injected faults: 429 with Retry-After, 5xx,
// malformed JSON, quotaExceeded, an invalid key; and edits and deletions.
type fakeYouTube struct {
	srv *httptest.Server

	mu       sync.Mutex
	now      time.Time
	threads  []*fakeThread // oldest first
	channels map[string]string
	found    []string // videos search.list returns
	faults   []int    // statuses of the next answers
	malform  int      // next 200 answers that are not JSON
	quotaOut bool     // answer quotaExceeded
	calls    map[string]int
	seq      int
}

type fakeThread struct {
	video   string
	top     *fakeComment
	replies []*fakeComment
	deleted bool
}

type fakeComment struct {
	id                 string
	author, text       string
	likes              int
	published, updated time.Time
	deleted            bool
}

func newFakeYouTube(t testing.TB) *fakeYouTube {
	f := &fakeYouTube{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), channels: map[string]string{"vid1": "UCchan", "vid2": "UCchan"}, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /youtube/v3/commentThreads", f.commentThreads)
	mux.HandleFunc("GET /youtube/v3/comments", f.comments)
	mux.HandleFunc("GET /youtube/v3/search", f.search)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeYouTube) baseURL() string { return f.srv.URL + "/youtube/v3" }

// tick is the next publication time (strictly increasing).
func (f *fakeYouTube) tick() time.Time {
	f.now = f.now.Add(time.Second)
	return f.now
}

// add posts n top-level comments on video and returns their ids.
func (f *fakeYouTube) add(video string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		f.seq++
		id := fmt.Sprintf("Ugz%06d", f.seq)
		at := f.tick()
		f.threads = append(f.threads, &fakeThread{video: video, top: &fakeComment{id: id, author: fmt.Sprintf("Viewer %d", f.seq%50),
			text: fmt.Sprintf("Comment %d: Earshot helps", f.seq), published: at, updated: at, likes: f.seq % 7}})
		ids = append(ids, id)
	}
	return ids
}

// reply adds n replies to a thread and returns their ids.
func (f *fakeYouTube) reply(thread string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, th := range f.threads {
		if th.top.id != thread {
			continue
		}
		for i := 0; i < n; i++ {
			f.seq++
			id := fmt.Sprintf("%s.r%04d", thread, f.seq)
			at := f.tick()
			th.replies = append(th.replies, &fakeComment{id: id, author: "@replier", text: fmt.Sprintf("Reply %d", f.seq), published: at, updated: at})
			ids = append(ids, id)
		}
	}
	return ids
}

// edit changes a comment's text and updatedAt, as an author's edit does.
func (f *fakeYouTube) edit(id, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, th := range f.threads {
		for _, c := range append([]*fakeComment{th.top}, th.replies...) {
			if c.id == id {
				c.text, c.updated = text, f.tick()
			}
		}
	}
}

// remove deletes a comment: the API stops listing it.
func (f *fakeYouTube) remove(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, th := range f.threads {
		if th.top.id == id {
			th.deleted = true
		}
		for _, c := range th.replies {
			if c.id == id {
				c.deleted = true
			}
		}
	}
}

func (f *fakeYouTube) fail(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, statuses...)
}

func (f *fakeYouTube) count(resource string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[resource]
}

// gate answers the shared cases (key, faults); it returns false when it answered.
func (f *fakeYouTube) gate(w http.ResponseWriter, r *http.Request, resource string) bool {
	f.calls[resource]++
	if r.URL.Query().Get("key") != testKey {
		writeError(w, 400, "API key not valid. Please pass a valid API key.", "badRequest", "API_KEY_INVALID")
		return false
	}
	if f.quotaOut {
		writeError(w, 403, "The request cannot be completed because you have exceeded your quota.", "quotaExceeded", "")
		return false
	}
	if len(f.faults) > 0 {
		status := f.faults[0]
		f.faults = f.faults[1:]
		switch status {
		case 429:
			w.Header().Set("Retry-After", "0")
			writeError(w, 429, "Too many requests", "rateLimitExceeded", "")
		case 403:
			writeError(w, 403, "The video identified by the videoId parameter has disabled comments.", "commentsDisabled", "")
		default:
			writeError(w, status, "Backend Error", "backendError", "")
		}
		return false
	}
	if f.malform > 0 {
		f.malform--
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"youtube#commentThreadListResponse","items":[{"id":`))
		return false
	}
	return true
}

func writeError(w http.ResponseWriter, status int, msg, reason, detail string) {
	body := map[string]any{"error": map[string]any{"code": status, "message": msg,
		"errors": []map[string]string{{"message": msg, "domain": "youtube.api", "reason": reason}}}}
	if detail != "" {
		body["error"].(map[string]any)["details"] = []map[string]string{{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": detail}}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (c *fakeComment) resource(video, channel, parent string) map[string]any {
	sn := map[string]any{
		"channelId": channel, "videoId": video, "textDisplay": c.text, "textOriginal": c.text,
		"authorDisplayName": c.author, "authorProfileImageUrl": "https://yt3.ggpht.example/a.jpg",
		"authorChannelUrl": "http://www.youtube.com/@" + handleOf(c.author), "authorChannelId": map[string]string{"value": "UC" + handleOf(c.author)},
		"canRate": true, "viewerRating": "none", "likeCount": c.likes,
		"publishedAt": c.published.Format(time.RFC3339), "updatedAt": c.updated.Format(time.RFC3339),
	}
	if parent != "" {
		sn["parentId"] = parent
	}
	return map[string]any{"kind": "youtube#comment", "etag": "e" + c.id, "id": c.id, "snippet": sn}
}

func handleOf(name string) string {
	out := []byte{}
	for _, r := range []byte(name) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			out = append(out, r)
		}
	}
	return string(out)
}

// page cuts a newest-first list at pageToken (an offset) and maxResults.
func page[T any](items []T, r *http.Request) ([]T, string) {
	off, _ := strconv.Atoi(r.URL.Query().Get("pageToken"))
	n, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if n < 1 || n > 100 {
		n = 20
	}
	if off > len(items) {
		off = len(items)
	}
	end := min(off+n, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[off:end], next
}

func (f *fakeYouTube) commentThreads(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gate(w, r, "commentThreads") {
		return
	}
	q := r.URL.Query()
	video, channel := q.Get("videoId"), q.Get("allThreadsRelatedToChannelId")
	var list []*fakeThread
	for i := len(f.threads) - 1; i >= 0; i-- {
		th := f.threads[i]
		if th.deleted || (video != "" && th.video != video) || (channel != "" && f.channels[th.video] != channel) {
			continue
		}
		list = append(list, th)
	}
	items, next := page(list, r)
	out := []map[string]any{}
	for _, th := range items {
		var replies []*fakeComment
		for _, c := range th.replies {
			if !c.deleted {
				replies = append(replies, c)
			}
		}
		item := map[string]any{"kind": "youtube#commentThread", "etag": "t" + th.top.id, "id": th.top.id,
			"snippet": map[string]any{"channelId": f.channels[th.video], "videoId": th.video,
				"topLevelComment": th.top.resource(th.video, f.channels[th.video], ""), "canReply": true,
				"totalReplyCount": len(replies), "isPublic": true}}
		if len(replies) > 0 {
			var inline []map[string]any
			for _, c := range replies[:min(5, len(replies))] {
				inline = append(inline, c.resource(th.video, f.channels[th.video], th.top.id))
			}
			item["replies"] = map[string]any{"comments": inline}
		}
		out = append(out, item)
	}
	writeList(w, "youtube#commentThreadListResponse", out, next, len(list))
}

func (f *fakeYouTube) comments(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gate(w, r, "comments") {
		return
	}
	parent := r.URL.Query().Get("parentId")
	var list []map[string]any
	for _, th := range f.threads {
		if th.top.id != parent {
			continue
		}
		for _, c := range th.replies {
			if !c.deleted {
				list = append(list, c.resource(th.video, f.channels[th.video], parent))
			}
		}
	}
	items, next := page(list, r)
	writeList(w, "youtube#commentListResponse", items, next, len(list))
}

func (f *fakeYouTube) search(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gate(w, r, "search") {
		return
	}
	var out []map[string]any
	for _, v := range f.found {
		out = append(out, map[string]any{"kind": "youtube#searchResult", "id": map[string]string{"kind": "youtube#video", "videoId": v},
			"snippet": map[string]any{"publishedAt": f.now.Format(time.RFC3339), "channelId": "UCother", "title": "Video " + v}})
	}
	writeList(w, "youtube#searchListResponse", out, "", len(out))
}

func writeList(w http.ResponseWriter, kind string, items any, next string, total int) {
	body := map[string]any{"kind": kind, "etag": "x", "pageInfo": map[string]int{"totalResults": total, "resultsPerPage": 100}, "items": items}
	if next != "" {
		body["nextPageToken"] = next
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(body)
}

// Publish posts n comments on vid1 (conformance.Source).
func (f *fakeYouTube) Publish(_ testing.TB, n int) []string { return f.add("vid1", n) }

// Drop fails the next answers with 503 and closes open connections.
func (f *fakeYouTube) Drop(testing.TB) {
	f.fail(503, 503, 502)
	f.srv.CloseClientConnections()
}
