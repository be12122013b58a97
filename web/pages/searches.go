package pages

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// searchEdit is a saved search's edit form on the dashboard: its fields
// as text, and why the last change was refused.
type searchEdit struct {
	Name, Query, Filters, Competitors string
	Problem                           *inputError // a value the form holds
	Refusal                           string      // a deletion refused, in the reader's language
	Status                            int         // the answer's status when refused
}

// editOf is the edit form of s as it is: a filter and a competitor
// ("Name: query") per line.
func editOf(s *record.SavedSearch) *searchEdit {
	names := make([]string, 0, len(s.Competitors))
	for n := range s.Competitors {
		names = append(names, n)
	}
	sort.Strings(names)
	lines := make([]string, len(names))
	for i, n := range names {
		if cq := s.Competitors[n]; cq == n {
			lines[i] = n
		} else {
			lines[i] = n + ": " + cq
		}
	}
	return &searchEdit{Name: s.Name, Query: s.Query, Filters: strings.Join(s.Filters, "\n"), Competitors: strings.Join(lines, "\n")}
}

// searchFromForm reads a saved search from a form: the mentions page's
// "save" (filters as repeated fields) or the dashboard's edit (a filter
// per line); competitors a line each, "Name: query" (a line without a
// colon, or naming a field, is its own query). The problem, if any, is
// the reader's, said in their language.
func (p *Pages) searchFromForm(r *http.Request) (*record.SavedSearch, *inputError) {
	l := p.locale(r)
	_ = r.ParseForm()
	s := &record.SavedSearch{Schema: record.SchemaVersion, Name: strings.TrimSpace(r.PostFormValue("name")),
		Query: strings.TrimSpace(r.PostFormValue("q"))}
	if s.Name == "" || len([]rune(s.Name)) > 200 {
		return nil, &inputError{Msg: l.T("search.name_needed")}
	}
	for _, f := range r.PostForm["filter"] {
		for _, line := range strings.Split(f, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				s.Filters = append(s.Filters, line)
			}
		}
	}
	for _, line := range strings.Split(r.PostFormValue("competitors"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n, cq, ok := strings.Cut(line, ":")
		if !ok || slices.Contains(query.KnownFields(), strings.ToLower(strings.TrimSpace(n))) {
			// "brand:acme" is a query, not a name.
			n, cq = line, line
		}
		n, cq = strings.TrimSpace(n), strings.TrimSpace(cq)
		if s.Competitors == nil {
			s.Competitors = map[string]string{}
		}
		s.Competitors[n] = cq
	}
	names := make([]string, 0, len(s.Competitors))
	for n := range s.Competitors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := validate(&index.SearchRequest{Query: s.Competitors[n]}); err != nil {
			ie := inputErrorOf(err)
			ie.Context = l.T("search.competitor_context", n)
			return nil, ie
		}
	}
	if err := validate(&index.SearchRequest{Query: s.Query, Filters: s.Filters}); err != nil {
		return nil, inputErrorOf(err)
	}
	return s, nil
}

// inputErrorOf is validate's error as the reader's problem.
func inputErrorOf(err error) *inputError {
	var ie *inputError
	if errors.As(err, &ie) {
		return ie
	}
	return &inputError{Msg: err.Error()}
}

// saveSearch saves the mentions page's listing as a new saved search and
// shows its dashboard.
func (p *Pages) saveSearch(w http.ResponseWriter, r *http.Request) {
	if p.d.Searches == nil {
		p.badRequest(w, r, "saved searches are not available on this server")
		return
	}
	s, problem := p.searchFromForm(r)
	if problem != nil {
		p.refuseSave(w, r, problem)
		return
	}
	now := p.d.Now().UTC()
	s.Owner, s.CreatedAt, s.UpdatedAt = p.viewerName(r), now, now
	saved, err := p.d.Searches.Save(r.Context(), s)
	if err != nil {
		p.fail(w, r, fmt.Errorf("saving search: %w", err))
		return
	}
	http.Redirect(w, r, "/dashboard?search="+url.QueryEscape(saved.ID), http.StatusSeeOther)
}

// refuseSave shows the mentions listing the save form came from, the
// form open with what was sent and why it was refused.
func (p *Pages) refuseSave(w http.ResponseWriter, r *http.Request, problem *inputError) {
	ls := listing{Q: strings.TrimSpace(r.PostFormValue("q")), Filters: cleanFilters(r.PostForm["filter"]), Path: "/mentions"}
	ls.lastDays(p.d.Now())
	d, _, err := p.mentionsData(r.Context(), r, ls, mentionFacets)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.CanSave = true
	d.Save = &searchEdit{Name: r.PostFormValue("name"), Competitors: r.PostFormValue("competitors"), Problem: problem}
	v := p.newView(r, "", "mentions", d)
	v.Title = v.L.T("nav.mentions")
	p.render(w, r, http.StatusBadRequest, "mentions", "", v)
}

// updateSearch changes a saved search's name, query, filters and
// competitors from the dashboard's edit form; a value refused is shown in
// the form, as sent.
func (p *Pages) updateSearch(w http.ResponseWriter, r *http.Request) {
	old, ok := p.savedSearch(w, r)
	if !ok {
		return
	}
	s, problem := p.searchFromForm(r)
	if problem != nil {
		edit := &searchEdit{Name: r.PostFormValue("name"), Query: r.PostFormValue("q"), Filters: r.PostFormValue("filter"),
			Competitors: r.PostFormValue("competitors"), Problem: problem, Status: http.StatusBadRequest}
		p.showDashboard(w, r, url.Values{"search": {old.ID}}, edit)
		return
	}
	s.ID, s.Owner, s.CreatedAt, s.UpdatedAt = old.ID, old.Owner, old.CreatedAt, p.d.Now().UTC()
	if _, err := p.d.Searches.Save(r.Context(), s); err != nil {
		p.fail(w, r, fmt.Errorf("saving search: %w", err))
		return
	}
	http.Redirect(w, r, "/dashboard?done=search_saved&search="+url.QueryEscape(old.ID), http.StatusSeeOther)
}

// deleteSearch removes a saved search no alert rule watches (deleting it
// would leave the rule watching nothing).
func (p *Pages) deleteSearch(w http.ResponseWriter, r *http.Request) {
	s, ok := p.savedSearch(w, r)
	if !ok {
		return
	}
	var rules []string
	if p.d.Alerts != nil {
		for _, rule := range p.d.Alerts.Rules() {
			if rule.SavedSearchID == s.ID {
				rules = append(rules, "“"+rule.Name+"”")
			}
		}
	}
	if len(rules) > 0 {
		edit := editOf(s)
		edit.Refusal, edit.Status = p.locale(r).T("search.in_use", strings.Join(rules, ", ")), http.StatusConflict
		p.showDashboard(w, r, url.Values{"search": {s.ID}}, edit)
		return
	}
	if err := p.d.Searches.Delete(r.Context(), s.ID); err != nil && !errors.Is(err, index.ErrNotFound) {
		p.fail(w, r, fmt.Errorf("deleting search: %w", err))
		return
	}
	http.Redirect(w, r, "/dashboard?done=search_deleted", http.StatusSeeOther)
}

// savedSearch is the saved search the path names; it answers 404 (or
// the failure) itself when there is none.
func (p *Pages) savedSearch(w http.ResponseWriter, r *http.Request) (*record.SavedSearch, bool) {
	if p.d.Searches == nil {
		p.badRequest(w, r, "saved searches are not available on this server")
		return nil, false
	}
	s, err := p.d.Searches.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, index.ErrNotFound) {
		p.notFound(w, r)
		return nil, false
	}
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return s, true
}
