package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/store"
	"github.com/earshothq/earshot/web/table"
)

// mountPages builds the people's pages (web/pages) over the app's search
// backend, store and accounts. Their routes get their roles in routes.go
// like every other route; Can lets a page hide what the reader may not use.
func (a *App) mountPages(secure bool) error {
	d := pages.Deps{
		Backend:     a.Search,
		Searches:    pageSearches{a.Store},
		Corrections: pageCorrections{a.Store},
		Mutes:       pageMutes{a.Store},
		Prospects:   pageProspects{a.Store},
		Accounts:    pageAccounts{a.Accounts},
		Who: func(r *http.Request) (pages.Viewer, bool) {
			p, ok := auth.FromContext(r.Context())
			return pages.Viewer{Name: p.User, Role: string(p.Role)}, ok
		},
		CSRFToken: auth.CSRFToken,
		ChangePassword: func(w http.ResponseWriter, r *http.Request, current, next string) error {
			return pageRefusal(a.setOwnPassword(w, r, current, next))
		},
		Can:    a.can,
		Secure: secure,
		Logger: a.Logger,
		// Count saved searches' dashboards ahead of their first look.
		WarmDashboards: time.Minute,
	}
	if a.Importer != nil {
		d.Importer = pageImporter{a.Importer}
	}
	if a.Alerts != nil {
		d.Alerts = a.Alerts
	}
	if a.Eraser != nil {
		d.Eraser = pageEraser{a.Eraser}
	}
	if a.Reviewer != nil {
		d.Matches = pageMatches{a.Reviewer}
	}
	p, err := pages.New(d)
	if err != nil {
		return fmt.Errorf("building the pages: %w", err)
	}
	a.pages = p
	a.pageRoutes = map[string]http.Handler{}
	for _, r := range p.Routes() {
		a.pageRoutes[r.Pattern] = r.Handler
	}
	return nil
}

// page is the pages' handler for a route pattern (routes.go lists them).
func (a *App) page(pattern string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := a.pageRoutes[pattern]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// can answers from the route table whether the request's principal may
// call method path (the gate enforces the same table).
func (a *App) can(r *http.Request, method, path string) bool {
	p, ok := auth.FromContext(r.Context())
	if !ok || a.roleMux == nil {
		return false
	}
	_, pattern := a.roleMux.Handler(httptest.NewRequest(method, path, nil))
	roles, known := a.roles[pattern]
	return known && slices.Contains(roles, p.Role)
}

// indexRoles remembers every route's roles for can.
func (a *App) indexRoles(rts []Route) {
	a.roleMux = http.NewServeMux()
	a.roles = map[string][]auth.Role{}
	for _, rt := range rts {
		a.roleMux.Handle(rt.Pattern, http.NotFoundHandler())
		a.roles[rt.Pattern] = rt.Roles
	}
}

// ShutdownPages ends the pages' live streams (register with the HTTP
// server's shutdown, which otherwise waits for them).
func (a *App) ShutdownPages() {
	if a.pages != nil {
		a.pages.Shutdown()
	}
}

// The store and accounts, as the pages' small interfaces.

type pageSearches struct{ s *store.Store }

func (p pageSearches) List(context.Context) ([]*record.SavedSearch, error) {
	var out []*record.SavedSearch
	for _, s := range p.s.SavedSearches() {
		out = append(out, &s)
	}
	return out, nil
}

func (p pageSearches) Get(_ context.Context, id string) (*record.SavedSearch, error) {
	s, err := p.s.SavedSearch(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, index.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (p pageSearches) Save(ctx context.Context, s *record.SavedSearch) (*record.SavedSearch, error) {
	in := store.SavedSearchInput{Name: s.Name, Query: s.Query, Filters: s.Filters, Competitors: s.Competitors}
	var saved record.SavedSearch
	var err error
	if s.ID == "" {
		saved, err = p.s.CreateSavedSearch(ctx, s.Owner, in)
	} else {
		saved, err = p.s.UpdateSavedSearch(ctx, s.ID, in)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, index.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &saved, nil
}

func (p pageSearches) Delete(ctx context.Context, id string) error {
	err := p.s.DeleteSavedSearch(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return index.ErrNotFound
	}
	return err
}

type pageCorrections struct{ s *store.Store }

func (p pageCorrections) Correct(ctx context.Context, c *record.Correction) error {
	_, err := p.s.Correct(ctx, c.By, c.MentionID, c.Field, c.Value)
	return err
}

type pageMutes struct{ s *store.Store }

func (p pageMutes) List(context.Context) ([]pages.Mute, error) { return p.s.Mutes(), nil }

func (p pageMutes) Mute(ctx context.Context, m pages.Mute) error {
	_, err := p.s.Mute(ctx, m.By, m.Kind, m.Value, m.Reason)
	return err
}

func (p pageMutes) Unmute(ctx context.Context, id string) error { return p.s.Unmute(ctx, id) }

type pageProspects struct{ s *store.Store }

func (p pageProspects) Get(_ context.Context, id string) (pages.ProspectWork, bool, error) {
	w := p.s.Work(id)
	worked := w.Owner != "" || len(w.History) > 0 || len(w.Notes) > 0 || w.Stage != record.StageNew
	return w, worked, nil
}

func (p pageProspects) All(context.Context) ([]pages.ProspectWork, error) {
	var out []pages.ProspectWork
	for _, w := range p.s.WorkByStage("", "") {
		out = append(out, w)
	}
	return out, nil
}

func (p pageProspects) SetStage(ctx context.Context, id, stage, by string) error {
	_, err := p.s.SetStage(ctx, by, id, stage)
	return err
}

func (p pageProspects) SetOwner(ctx context.Context, id, owner, by string) error {
	_, err := p.s.Assign(ctx, by, id, owner)
	return err
}

func (p pageProspects) AddNote(ctx context.Context, id, text, by string) error {
	_, err := p.s.AddNote(ctx, by, id, text)
	return err
}

type pageAccounts struct{ a *auth.Accounts }

func (p pageAccounts) Users(context.Context) ([]pages.User, error) {
	var out []pages.User
	for _, u := range p.a.Users() {
		out = append(out, pages.User{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt})
	}
	return out, nil
}

func (p pageAccounts) AddUser(ctx context.Context, name, role, password string) error {
	r, err := auth.ParseRole(role)
	if err != nil {
		return err
	}
	_, err = p.a.AddUser(ctx, name, r, password)
	return pageRefusal(err)
}

func (p pageAccounts) RemoveUser(ctx context.Context, name string) error {
	return pageRefusal(p.a.RemoveUser(ctx, name))
}

func (p pageAccounts) SetRole(ctx context.Context, name, role string) error {
	r, err := auth.ParseRole(role)
	if err != nil {
		return err
	}
	_, err = p.a.SetRole(ctx, name, r)
	return pageRefusal(err)
}

func (p pageAccounts) SetPassword(ctx context.Context, name, password string) error {
	return pageRefusal(p.a.SetPassword(ctx, name, password))
}

func (p pageAccounts) Tokens(context.Context) ([]pages.Token, error) {
	var out []pages.Token
	for _, t := range p.a.Tokens("") {
		out = append(out, pages.Token{ID: t.ID, User: t.User, Name: t.Name, Created: t.CreatedAt, LastUsed: t.LastUsedAt, Expires: t.ExpiresAt})
	}
	return out, nil
}

func (p pageAccounts) CreateToken(ctx context.Context, user, name string, ttl time.Duration) (string, error) {
	secret, _, err := p.a.CreateToken(ctx, user, name, ttl)
	return secret, pageRefusal(err)
}

func (p pageAccounts) RevokeToken(ctx context.Context, id string) error {
	return pageRefusal(p.a.RevokeToken(ctx, id))
}

func (p pageAccounts) Roles() []string {
	var out []string
	for _, r := range auth.Roles {
		out = append(out, string(r))
	}
	return out
}

// pageRefusals are the accounts' refusals by the pages' names for them.
var pageRefusals = []struct{ account, page error }{
	{auth.ErrBadCredentials, pages.ErrWrongPassword},
	{auth.ErrLastAdmin, pages.ErrLastAdmin},
	{auth.ErrUserExists, pages.ErrUserExists},
	{auth.ErrUnknownUser, pages.ErrUnknownUser},
	{auth.ErrUnknownToken, pages.ErrUnknownToken},
	{auth.ErrBadUserName, pages.ErrBadUserName},
	{auth.ErrBadTokenName, pages.ErrBadTokenName},
}

// pageRefusal marks an account refusal with the pages' name for it, so
// they say it in the reader's language; the original stays inside.
func pageRefusal(err error) error {
	var (
		th errThrottled
		we *table.WriteError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &th):
		return pages.TooManyTries{Wait: th.wait}
	case errors.As(err, &we):
		return refused{kind: pages.ErrNotSaved, err: err}
	}
	for _, r := range pageRefusals {
		if errors.Is(err, r.account) {
			return refused{kind: r.page, err: err}
		}
	}
	return err
}

// refused is an error with the pages' name for it.
type refused struct{ kind, err error }

func (e refused) Error() string   { return e.err.Error() }
func (e refused) Unwrap() []error { return []error{e.kind, e.err} }

type pageImporter struct{ im Importer }

func (p pageImporter) Import(ctx context.Context, r io.Reader, name string, size int64, progress func(pages.ImportProgress)) (pages.ImportProgress, error) {
	conv := func(s ImportStatus) pages.ImportProgress {
		out := pages.ImportProgress{BytesRead: s.BytesRead, Size: size, Rows: s.Rows, Imported: s.Imported, Bad: s.Bad}
		for _, b := range s.BadRows {
			out.BadRows = append(out.BadRows, pages.BadRow{Line: b.Line, Reasons: b.Reasons})
		}
		return out
	}
	st, err := p.im.Import(ctx, r, name, func(s ImportStatus) { progress(conv(s)) })
	return conv(st), err
}

type pageEraser struct{ e Eraser }

func (p pageEraser) Plan(ctx context.Context, who string) (pages.ErasurePlan, error) {
	return p.run(ctx, who, true)
}

func (p pageEraser) Erase(ctx context.Context, who string) (pages.ErasurePlan, error) {
	return p.run(ctx, who, false)
}

func (p pageEraser) run(ctx context.Context, who string, dry bool) (pages.ErasurePlan, error) {
	rep, err := p.e.Erase(ctx, who, dry)
	if errors.Is(err, ErrNobodyFound) {
		return pages.ErasurePlan{}, fmt.Errorf("nobody is known as %q", who)
	}
	return pages.ErasurePlan{Customers: rep.Customers, Prospects: rep.Prospects, Emails: rep.Emails}, err
}

// pageMatches serves the identity review page from the same reviewer as
// /api/identity/review, so the page and the API list the same candidates.
type pageMatches struct{ r MatchReviewer }

func (p pageMatches) Review(ctx context.Context) ([]pages.MatchCandidate, error) {
	items, err := p.r.Review(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]pages.MatchCandidate, len(items))
	for i, it := range items {
		out[i] = pages.MatchCandidate{ProspectID: it.ProspectID, ProspectName: it.ProspectName,
			Identifiers: append(slices.Clone(it.Emails), it.Handles...), CustomerID: it.CustomerID,
			CustomerName: it.CustomerName, Score: it.Score, Evidence: it.Evidence, LastSeen: it.LastSeen}
	}
	return out, nil
}

func (p pageMatches) Decide(ctx context.Context, prospectID, customerID, verdict, by string) error {
	_, err := p.r.Decide(ctx, prospectID, customerID, verdict, by)
	switch {
	case errors.Is(err, ErrNoSuchMatch):
		return fmt.Errorf("%w: %w", pages.ErrNoSuchMatch, err)
	case errors.Is(err, ErrMatchSettled):
		return fmt.Errorf("%w: %w", pages.ErrMatchSettled, err)
	}
	return err
}
