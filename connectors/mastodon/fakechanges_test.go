package mastodon

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// What people do to their posts after publishing them, on the fake server.

// remove deletes a status and announces it on the open streams (quietly:
// only a later REST check finds it).
func (f *fakeMastodon) remove(st *fakeStatus, quiet bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.statuses {
		if s == st {
			f.statuses = append(f.statuses[:i], f.statuses[i+1:]...)
			break
		}
	}
	if quiet {
		return
	}
	ev := "event: delete\ndata: " + strconv.FormatInt(st.id, 10) + "\n\n"
	for s := range f.subs {
		f.send(s, ev)
	}
}

// edit replaces a status's content and announces it (unless quiet) with
// a status.update event.
func (f *fakeMastodon) edit(st *fakeStatus, html string, at time.Time, quiet bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	obj := map[string]any{}
	for k, v := range st.obj {
		obj[k] = v
	}
	obj["content"] = html
	obj["edited_at"] = at.UTC().Format("2006-01-02T15:04:05.000Z")
	st.obj = obj
	if quiet {
		return
	}
	if data, err := json.Marshal(obj); err == nil {
		f.push(st, "event: status.update\ndata: "+string(data)+"\n\n")
	}
}

// setAccount changes an account's settings.
func (f *fakeMastodon) setAccount(username string, change func(*fakeAccount)) *fakeAccount {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.account(username, username, 7)
	change(a)
	return a
}

// serveStatus answers GET /api/v1/statuses/:id.
func (f *fakeMastodon) serveStatus(w http.ResponseWriter, id string) {
	f.mu.Lock()
	var obj map[string]any
	for _, st := range f.statuses {
		if strconv.FormatInt(st.id, 10) == id {
			obj = st.obj
		}
	}
	var body []byte
	if obj != nil {
		body, _ = json.Marshal(obj)
	}
	f.mu.Unlock()
	if obj == nil {
		writeJSONTo(w, 404, `{"error":"Record not found"}`)
		return
	}
	writeJSONTo(w, 200, string(body))
}

func writeJSONTo(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
