package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/store"
)

func TestSavedSearchesAPI(t *testing.T) {
	ta := newTestApp(t)
	in := store.SavedSearchInput{Name: "Delivery complaints", Query: "entrega OR dostawa", Filters: []string{"sentiment:negative"},
		Competitors: map[string]string{"Rival": "brand:rival"}}
	b := ta.signIn(t, auth.RoleMarketing)
	r := ta.do(t, req{method: "POST", path: "/api/saved-searches", sess: b, json: in})
	var s record.SavedSearch
	r.decode(t, &s)
	if r.code != http.StatusCreated || s.ID == "" || s.Owner != "mia" || r.header.Get("Location") != "/api/saved-searches/"+s.ID {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	var got record.SavedSearch
	ta.do(t, req{method: "GET", path: "/api/saved-searches/" + s.ID, role: auth.RoleViewer}).decode(t, &got)
	if got.Query != in.Query || got.Competitors["Rival"] != "brand:rival" {
		t.Fatalf("get: %+v", got)
	}
	for name, bad := range map[string]store.SavedSearchInput{
		"no name":        {Query: "x"},
		"broken query":   {Name: "x", Query: "entrega AND (atraso"},
		"broken filter":  {Name: "x", Query: "x", Filters: []string{"mood:sad"}},
		"broken rival":   {Name: "x", Query: "x", Competitors: map[string]string{"R": "(("}},
		"nameless rival": {Name: "x", Query: "x", Competitors: map[string]string{" ": "x"}},
		"very long name": {Name: strings.Repeat("n", 101), Query: "x"},
	} {
		r := ta.do(t, req{method: "POST", path: "/api/saved-searches", role: auth.RoleMarketing, json: bad})
		if r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.code, r.body)
			continue
		}
		r.problem(t)
	}
	in.Name = "Delivery (PT, PL)"
	r = ta.do(t, req{method: "PUT", path: "/api/saved-searches/" + s.ID, role: auth.RoleAdmin, json: in})
	if r.decode(t, &got); r.code != http.StatusOK || got.Name != in.Name || got.Owner != "mia" || !got.UpdatedAt.After(got.CreatedAt) {
		t.Fatalf("update: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "PUT", path: "/api/saved-searches/nope", role: auth.RoleAdmin, json: in}); r.code != http.StatusNotFound {
		t.Fatalf("update unknown: %d", r.code)
	}
	var list []record.SavedSearch
	ta.do(t, req{method: "GET", path: "/api/saved-searches", role: auth.RoleSales}).decode(t, &list)
	if len(list) != 1 {
		t.Fatalf("list: %+v", list)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/saved-searches/" + s.ID, sess: b}); r.code != http.StatusNoContent {
		t.Fatalf("delete: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/saved-searches/" + s.ID, role: auth.RoleViewer}); r.code != http.StatusNotFound {
		t.Fatalf("after delete: %d", r.code)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/saved-searches/" + s.ID, sess: b}); r.code != http.StatusNotFound {
		t.Fatalf("delete again: %d", r.code)
	}
}

func facet(t *testing.T, ta *testApp, q, field string) map[string]int64 {
	t.Helper()
	var res index.SearchResult
	r := ta.do(t, req{method: "GET", path: "/api/search?facets=" + field + "&q=" + url.QueryEscape(q), role: auth.RoleViewer})
	if r.code != http.StatusOK {
		t.Fatalf("search %q: %d %s", q, r.code, r.body)
	}
	r.decode(t, &res)
	out := map[string]int64{"_total": res.Total}
	for _, b := range res.Facets[field] {
		out[b.Value] = b.Count
	}
	return out
}

func TestCorrectionsAPI(t *testing.T) {
	ta := newTestApp(t)
	before := facet(t, ta, "", "sentiment")
	correct := func(role auth.Role, in correctionInput) resp {
		return ta.do(t, req{method: "POST", path: "/api/corrections", role: role, json: in})
	}
	r := correct(auth.RoleMarketing, correctionInput{MentionID: "pt1", Field: "sentiment", Value: "positive"})
	var c record.Correction
	r.decode(t, &c)
	if r.code != http.StatusCreated || c.Previous != "negative" || c.Language != "pt" || c.By != "mia" || !strings.Contains(c.Text, "entregas") ||
		c.ID != record.CorrectionID("pt1", "sentiment") {
		t.Fatalf("correction: %d %s", r.code, r.body)
	}
	after := facet(t, ta, "", "sentiment")
	if after["negative"] != before["negative"]-1 || after["positive"] != before["positive"]+1 {
		t.Fatalf("the facet did not move: before %v after %v", before, after)
	}
	// Corrected again: one correction per mention and field, the model's
	// verdict kept as Previous.
	correct(auth.RoleAdmin, correctionInput{MentionID: "pt1", Field: "sentiment", Value: "neutral"}).decode(t, &c)
	if c.Previous != "negative" || c.Value != "neutral" {
		t.Fatalf("second correction: %+v", c)
	}
	var list []record.Correction
	ta.do(t, req{method: "GET", path: "/api/corrections?mention=pt1", role: auth.RoleViewer}).decode(t, &list)
	if len(list) != 1 || list[0].Value != "neutral" {
		t.Fatalf("corrections of pt1: %+v", list)
	}
	// Irrelevant: out of searches and counts; relevant: back.
	if r := correct(auth.RoleMarketing, correctionInput{MentionID: "pl1", Field: "relevance", Value: "irrelevant"}); r.code != http.StatusCreated {
		t.Fatalf("irrelevant: %d %s", r.code, r.body)
	}
	if n := facet(t, ta, "", "sentiment")["_total"]; n != before["_total"]-1 {
		t.Fatalf("after marking pl1 irrelevant: %d mentions, want %d", n, before["_total"]-1)
	}
	ta.do(t, req{method: "GET", path: "/api/corrections", role: auth.RoleViewer}).decode(t, &list)
	if len(list) != 2 || strings.Contains(string(ta.do(t, req{method: "GET", path: "/api/corrections", role: auth.RoleViewer}).body), "original") {
		t.Fatalf("corrections: %+v", list)
	}
	if r := correct(auth.RoleMarketing, correctionInput{MentionID: "pl1", Field: "relevance", Value: "relevant"}); r.code != http.StatusCreated {
		t.Fatalf("relevant again: %d %s", r.code, r.body)
	}
	if n := facet(t, ta, "", "sentiment")["_total"]; n != before["_total"] {
		t.Fatalf("after restoring pl1: %d mentions, want %d", n, before["_total"])
	}
	for name, in := range map[string]correctionInput{
		"bad value":  {MentionID: "pt1", Field: "sentiment", Value: "meh"},
		"bad field":  {MentionID: "pt1", Field: "mood", Value: "x"},
		"no mention": {Field: "sentiment", Value: "positive"},
	} {
		if r := correct(auth.RoleMarketing, in); r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
	if r := correct(auth.RoleMarketing, correctionInput{MentionID: "nope", Field: "sentiment", Value: "positive"}); r.code != http.StatusNotFound {
		t.Fatalf("unknown mention: %d", r.code)
	}
}

func TestMutesHideFromSearchAndCounts(t *testing.T) {
	ta := newTestApp(t)
	before := facet(t, ta, "", "source")
	mentionAuthor := func(id string) string {
		var em record.EnrichedMention
		ta.do(t, req{method: "GET", path: "/api/mentions/" + id, role: auth.RoleViewer}).decode(t, &em)
		return em.Author.Handle + em.Author.Name
	}
	author := mentionAuthor("pt1")
	if author == "" {
		t.Skip("fixture pt1 has no author")
	}
	r := ta.do(t, req{method: "POST", path: "/api/mutes", role: auth.RoleMarketing, json: muteInput{Kind: "author", Value: author, Reason: "bot"}})
	var mu record.Mute
	r.decode(t, &mu)
	if r.code != http.StatusCreated || mu.ID == "" {
		t.Fatalf("mute: %d %s", r.code, r.body)
	}
	after := facet(t, ta, "", "source")
	if after["_total"] >= before["_total"] {
		t.Fatalf("muting %q hid nothing: %v → %v", author, before, after)
	}
	var res index.SearchResult
	ta.do(t, req{method: "GET", path: "/api/search?q=entregas", role: auth.RoleViewer}).decode(t, &res)
	for _, h := range res.Hits {
		if h.ID == "pt1" {
			t.Fatal("the muted author's mention is still found")
		}
	}
	for name, in := range map[string]muteInput{"bad kind": {Kind: "planet", Value: "x"}, "no value": {Kind: "site"}} {
		if r := ta.do(t, req{method: "POST", path: "/api/mutes", role: auth.RoleMarketing, json: in}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, r.code)
		}
	}
	var list []record.Mute
	ta.do(t, req{method: "GET", path: "/api/mutes", role: auth.RoleViewer}).decode(t, &list)
	if len(list) != 1 || list[0].Value != index.Keyword(author) {
		t.Fatalf("mutes: %+v", list)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/mutes/" + mu.ID, role: auth.RoleMarketing}); r.code != http.StatusNoContent {
		t.Fatalf("unmute: %d", r.code)
	}
	if n := facet(t, ta, "", "source")["_total"]; n != before["_total"] {
		t.Fatalf("after unmuting: %d, want %d", n, before["_total"])
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/mutes/" + mu.ID, role: auth.RoleMarketing}); r.code != http.StatusNotFound {
		t.Fatalf("unmute again: %d", r.code)
	}
}

func TestProspectWorkAPI(t *testing.T) {
	ta := newTestApp(t)
	b := ta.signIn(t, auth.RoleSales)
	do := func(method, path string, body any) resp {
		return ta.do(t, req{method: method, path: path, sess: b, json: body})
	}
	var v ProfileView
	r := ta.do(t, req{method: "GET", path: "/api/prospects/P2", role: auth.RoleViewer})
	if r.decode(t, &v); r.code != http.StatusOK || v.Work == nil || v.Work.Stage != record.StageNew || v.Name != "Anna Kowalska" {
		t.Fatalf("fresh prospect: %d %s", r.code, r.body)
	}
	var w record.ProspectWork
	if r := do("PUT", "/api/prospects/prospect:P2/stage", stageInput{Stage: "contacted"}); r.code != http.StatusOK {
		t.Fatalf("stage: %d %s", r.code, r.body)
	} else {
		r.decode(t, &w)
	}
	if w.Stage != "contacted" || len(w.History) != 1 || w.History[0].From != "new" || w.History[0].By != "sam" {
		t.Fatalf("work after the stage change: %+v", w)
	}
	do("PUT", "/api/prospects/P2/stage", stageInput{Stage: "qualified"})
	if r := do("PUT", "/api/prospects/P2/owner", ownerInput{Owner: "SAM"}); r.code != http.StatusOK {
		t.Fatalf("owner: %d %s", r.code, r.body)
	}
	r = do("POST", "/api/prospects/P2/notes", noteInput{Text: "Called: wants a demo <b>next week</b>"})
	if r.decode(t, &w); r.code != http.StatusCreated || len(w.Notes) != 1 {
		t.Fatalf("note: %d %s", r.code, r.body)
	}
	// The profile read shows the work.
	ta.do(t, req{method: "GET", path: "/api/profiles/prospect:P2", role: auth.RoleViewer}).decode(t, &v)
	if v.Work == nil || v.Work.Stage != "qualified" || v.Work.Owner != "sam" || len(v.Work.History) != 3 || v.Work.Notes[0].Text != "Called: wants a demo <b>next week</b>" {
		t.Fatalf("profile with work: %+v", v.Work)
	}
	var page ProfilesView
	ta.do(t, req{method: "GET", path: "/api/prospects?stage=qualified&owner=sam", role: auth.RoleViewer}).decode(t, &page)
	if page.Total != 1 || page.Profiles[0].PersonID != "P2" {
		t.Fatalf("filtered inbox: %+v", page)
	}
	ta.do(t, req{method: "GET", path: "/api/prospects?stage=new", role: auth.RoleViewer}).decode(t, &page)
	if page.Total != 0 {
		t.Fatalf("stage=new still lists P2: %+v", page)
	}
	ta.do(t, req{method: "GET", path: "/api/prospects", role: auth.RoleViewer}).decode(t, &page)
	if page.Total != 1 || page.Profiles[0].Work.Stage != "qualified" {
		t.Fatalf("inbox: %+v", page)
	}
	ta.do(t, req{method: "GET", path: "/api/profiles?kind=prospect", role: auth.RoleViewer}).decode(t, &page)
	if page.Profiles[0].Work == nil || page.Profiles[0].Work.Stage != "qualified" {
		t.Fatalf("profiles list without the work: %+v", page)
	}
	if r := do("DELETE", "/api/prospects/P2/notes/"+w.Notes[0].ID, nil); r.code != http.StatusNoContent {
		t.Fatalf("delete note: %d", r.code)
	}
	if r := do("DELETE", "/api/prospects/P2/notes/"+w.Notes[0].ID, nil); r.code != http.StatusNotFound {
		t.Fatalf("delete note again: %d", r.code)
	}
	for name, c := range map[string]struct {
		method, path string
		body         any
		code         int
	}{
		"bad stage":        {"PUT", "/api/prospects/P2/stage", stageInput{Stage: "sold"}, http.StatusUnprocessableEntity},
		"unknown owner":    {"PUT", "/api/prospects/P2/owner", ownerInput{Owner: "nobody"}, http.StatusUnprocessableEntity},
		"empty note":       {"POST", "/api/prospects/P2/notes", noteInput{Text: " "}, http.StatusUnprocessableEntity},
		"unknown prospect": {"PUT", "/api/prospects/P404/stage", stageInput{Stage: "won"}, http.StatusNotFound},
	} {
		if r := do(c.method, c.path, c.body); r.code != c.code {
			t.Errorf("%s: %d %s, want %d", name, r.code, r.body, c.code)
		}
	}
	if r := ta.do(t, req{method: "GET", path: "/api/prospects?stage=sold", role: auth.RoleViewer}); r.code != http.StatusBadRequest {
		t.Fatalf("bad stage filter: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/prospects/P404", role: auth.RoleViewer}); r.code != http.StatusNotFound {
		t.Fatalf("unknown prospect: %d", r.code)
	}
}
