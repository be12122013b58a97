// Package pages is the web app people use: server-rendered html/template
// pages for mentions (with a live stream over server-sent events), the
// dashboard of a saved search, the prospects inbox, a person's profile,
// feedback search, the review of possible identity matches and
// administration. Assets (CSS, a small script, the
// vendored htmx) are embedded; nothing loads from elsewhere, so the app
// works offline. Every page keeps its state in its URL.
//
// The pages never decide who may do what: web/routes.go holds the one
// route → roles table and its middleware runs before any page handler.
// Pages only ask (Deps.Can) whether to show an action the reader could not
// use anyway.
package pages

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/web/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Viewer is the signed-in person a page is rendered for.
type Viewer struct {
	Name string
	Role string
}

// Deps are what the pages read and write through. Backend is required;
// a nil store turns off the actions that need it (the page says so).
type Deps struct {
	Backend     index.Backend
	Searches    SavedSearches
	Corrections Corrections
	Mutes       Mutes
	Prospects   Prospects
	Accounts    Accounts
	Importer    CustomerImporter
	Eraser      Eraser
	// Alerts are the alert rules and deliveries (alerts.go).
	Alerts AlertRules
	// Matches is the review of possible identity matches (matches.go).
	Matches MatchReview
	// ChangePassword changes the signed-in person's own password once
	// current is confirmed (ErrWrongPassword if not), ending their other
	// sessions and keeping this browser signed in (account.go).
	ChangePassword func(w http.ResponseWriter, r *http.Request, current, next string) error
	// Who names the signed-in person of a request (set by web/auth's
	// middleware); nil renders pages for an anonymous viewer.
	Who func(r *http.Request) (Viewer, bool)
	// CSRFToken is the token state-changing forms and htmx requests carry.
	CSRFToken func(r *http.Request) string
	// Can reports whether the request's principal may use a route (the
	// route → roles table); nil allows everything.
	Can func(r *http.Request, method, path string) bool
	// Secure marks the language cookie Secure (set when served over TLS).
	Secure bool
	// StreamInterval is how often the live stream looks for new mentions.
	StreamInterval time.Duration
	// WarmDashboards is how often the dashboard warmer looks for saved
	// searches to count ahead (dashwarm.go); 0 turns it off.
	WarmDashboards time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Pages serves the web app.
type Pages struct {
	d     Deps
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	jobs  *importJobs
	// stopWarm ends the dashboard warmer; warmDone closes when it has.
	stopWarm context.CancelFunc
	warmDone chan struct{}
}

// CSP is the Content Security Policy of every page: scripts and styles only
// from this origin, no inline script, no plugins, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// New parses the templates and builds the routes.
func New(d Deps) (*Pages, error) {
	if d.Backend == nil {
		return nil, errors.New("pages: no search backend")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.StreamInterval <= 0 {
		d.StreamInterval = 3 * time.Second
	}
	p := &Pages{d: d, log: d.Logger.With("component", "pages"), pages: map[string]*template.Template{}, jobs: newImportJobs()}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", base, err)
		}
		p.pages[strings.TrimSuffix(base, ".html")] = t
	}
	p.mux = http.NewServeMux()
	for _, r := range p.Routes() {
		p.mux.Handle(r.Pattern, r.Handler)
	}
	if d.WarmDashboards > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		p.stopWarm, p.warmDone = cancel, make(chan struct{})
		go func() {
			defer close(p.warmDone)
			p.warmDashboards(ctx, d.WarmDashboards)
		}()
	}
	return p, nil
}

// Route is one page route; web/routes.go gives each its roles.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Routes are every route the pages serve.
func (p *Pages) Routes() []Route {
	h := func(pattern string, f http.HandlerFunc) Route { return Route{pattern, p.wrap(f)} }
	assets, _ := fs.Sub(assetFS, "assets")
	return []Route{
		{"GET /assets/", http.StripPrefix("/assets/", cacheForever(http.FileServerFS(assets)))},
		h("GET /mentions", p.mentions),
		h("GET /mentions/stream", p.stream),
		h("POST /mentions/{id}/sentiment", p.correctSentiment),
		h("POST /mentions/{id}/relevance", p.correctRelevance),
		h("POST /mutes", p.mute),
		h("POST /mutes/delete", p.unmute),
		h("GET /dashboard", p.dashboard),
		h("POST /searches", p.saveSearch),
		h("POST /searches/{id}", p.updateSearch),
		h("POST /searches/{id}/delete", p.deleteSearch),
		h("GET /prospects", p.prospects),
		h("GET /prospects.csv", p.prospectsCSV),
		h("POST /prospects/{id}/stage", p.setStage),
		h("POST /prospects/{id}/owner", p.setOwner),
		h("POST /prospects/{id}/notes", p.addNote),
		h("GET /people/{id}", p.profile),
		h("GET /feedback", p.feedback),
		h("GET /feedback.csv", p.feedbackCSV),
		h("GET /account", p.account),
		h("POST /account/password", p.changeOwnPassword),
		h("POST /account/tokens", p.createOwnToken),
		h("POST /account/tokens/{id}/revoke", p.revokeOwnToken),
		h("GET /admin", p.admin),
		h("POST /admin/users", p.addUser),
		h("POST /admin/users/{name}/delete", p.removeUser),
		h("POST /admin/users/{name}/role", p.setRole),
		h("POST /admin/users/{name}/password", p.setPassword),
		h("POST /admin/tokens", p.createToken),
		h("POST /admin/tokens/{id}/revoke", p.revokeToken),
		h("POST /admin/import", p.startImport),
		h("GET /admin/import/{job}", p.importStatus),
		h("POST /admin/erase", p.erase),
		h("GET /matches", p.matches),
		h("POST /matches/decide", p.decideMatch),
		h("GET /alerts", p.alerts),
		h("POST /alerts/rules", p.createAlertRule),
		h("POST /alerts/rules/{id}", p.updateAlertRule),
		h("POST /alerts/rules/{id}/toggle", p.toggleAlertRule),
		h("POST /alerts/rules/{id}/delete", p.deleteAlertRule),
		h("POST /alerts/deliveries/{id}/retry", p.retryDelivery),
		h("POST /alerts/channels/{name}/test", p.testChannel),
	}
}

// ServeHTTP serves every page route (tests and single-process setups; the
// server mounts Routes one by one behind its role table).
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Asset names carry their version (htmx-2.0.11.min.js); app files
		// are small and revalidated.
		if strings.Contains(r.URL.Path, "vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// wrap sets the security headers of a page response and remembers a
// language chosen through the URL.
func (p *Pages) wrap(f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if l, fromURL := i18n.FromRequest(r); fromURL {
			http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: p.d.Secure, SameSite: http.SameSiteLaxMode})
		}
		f(w, r)
	})
}

// view is what every page template gets.
type view struct {
	L      *i18n.Locale
	Viewer Viewer
	CSRF   string
	Title  string
	Nav    string
	Langs  []*i18n.Lang
	Data   any
	// Flash is a one-line message after an action (from the URL's "done").
	Flash string
	r     *http.Request
	p     *Pages
}

// LangURL is the current page in another language.
func (v *view) LangURL(code string) string {
	u := *v.r.URL
	q := u.Query()
	q.Set("lang", code)
	q.Del("cursor")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Can reports whether the viewer may use a route (to hide actions).
func (v *view) Can(method, path string) bool {
	if v.p.d.Can == nil {
		return true
	}
	return v.p.d.Can(v.r, method, path)
}

// Card is the view of one part of the page (a mention card, a prospect
// row) with its own data.
func (v *view) Card(data any) *view {
	c := *v
	c.Data = data
	return &c
}

// Stage is the view of a prospect's stage buttons.
func (v *view) Stage(prospectID, stage string) *view {
	return v.Card(stagePanel{ProspectID: prospectID, Stage: stage})
}

// URL is the current page's URL (a "next" for forms that post back here).
func (v *view) URL() string { return v.r.URL.RequestURI() }

func (p *Pages) newView(r *http.Request, title, nav string, data any) *view {
	l, _ := i18n.FromRequest(r)
	v := &view{L: i18n.New(l), Title: title, Nav: nav, Langs: i18n.Langs, Data: data, r: r, p: p}
	if p.d.Who != nil {
		v.Viewer, _ = p.d.Who(r)
	}
	if p.d.CSRFToken != nil {
		v.CSRF = p.d.CSRFToken(r)
	}
	if done := r.URL.Query().Get("done"); done != "" {
		v.Flash = v.L.T("done." + done)
		if v.Flash == "done."+done {
			v.Flash = ""
		}
	}
	return v
}

func (p *Pages) locale(r *http.Request) *i18n.Locale {
	l, _ := i18n.FromRequest(r)
	return i18n.New(l)
}

// render executes a page template (or one of its blocks for htmx partial
// requests) into a buffer first, so a template error is a clean 500.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, code int, page, block string, v *view) {
	t := p.pages[page]
	if t == nil {
		p.fail(w, r, fmt.Errorf("no template %q", page))
		return
	}
	if block == "" {
		block = "layout"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		p.fail(w, r, fmt.Errorf("rendering %s/%s: %w", page, block, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "HX-Request, Accept-Language, Cookie") // added to, not replacing, the compression's
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail answers an unexpected error with a plain page; the cause is logged,
// not shown (it may name internals).
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.Error("page failed", "path", r.URL.Path, "error", err)
	l := p.locale(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%s</title><p>%s</p>",
		template.HTMLEscapeString(l.T("error.title")), template.HTMLEscapeString(l.T("error.internal")))
}

// notFound answers 404 with a page in the reader's language saying
// nothing is here and where to go on; htmx, which does not swap errors
// in, gets a plain answer.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request) {
	p.notFoundTitled(w, r, "notfound.title")
}

// notFoundTitled is notFound saying what is missing (titleKey).
func (p *Pages) notFoundTitled(w http.ResponseWriter, r *http.Request, titleKey string) {
	if isHTMX(r) {
		http.NotFound(w, r)
		return
	}
	v := p.newView(r, "", "", nil)
	v.Title = v.L.T(titleKey)
	p.render(w, r, http.StatusNotFound, "notfound", "", v)
}

// badRequest re-renders nothing: it answers a malformed action with its reason.
func (p *Pages) badRequest(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintln(w, msg)
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// back redirects a plain (non-htmx) form post to where it came from: its
// "next" field when it is a path on this site, else fallback.
func back(w http.ResponseWriter, r *http.Request, fallback, done string) {
	next := r.PostFormValue("next")
	if !localPath(next) {
		next = fallback
	}
	if done != "" {
		u, err := url.Parse(next)
		if err == nil {
			q := u.Query()
			q.Set("done", done)
			u.RawQuery = q.Encode()
			next = u.RequestURI()
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// localPath accepts "/x..." but not "//host" or "/\host" (open redirects).
func localPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.HasPrefix(s, "/\\")
}

func (p *Pages) viewerName(r *http.Request) string {
	if p.d.Who != nil {
		if v, ok := p.d.Who(r); ok {
			return v.Name
		}
	}
	return ""
}
