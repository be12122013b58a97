package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/store"
	"github.com/earshothq/earshot/web/table"
)

// App is the web application behind the gate: the JSON API, the sign-in
// and, mounted by their own packages' handlers, the pages. Every field is
// required; Mount checks.
type App struct {
	Accounts *auth.Accounts
	Throttle *auth.Throttle
	Search   index.Backend
	// Store holds saved searches, corrections, mutes and prospect work.
	Store *store.Store
	// Customers is the CRM upsert (POST /api/customers).
	Customers CustomersDeps
	// Importer and Eraser serve the admin's customers import and erasure
	// (nil: those routes answer 503).
	Importer Importer
	Eraser   Eraser
	// Reviewer serves the review of possible identity matches (nil: those
	// routes answer 503).
	Reviewer MatchReviewer
	// Exporter serves an admin's export of a person's data (nil: 503).
	Exporter PersonExporter
	// Alerts holds alert rules and deliveries (nil: the alert routes
	// answer 503).
	Alerts *alert.Store
	Logger *slog.Logger

	gate      *gate
	searchAPI *searchAPI
	customers http.Handler
	docs      []byte // the OpenAPI document, rendered at Mount
	imports   importJobs

	// The pages (pages.go): their handlers by pattern, and the route
	// table's roles for hiding what a reader may not use.
	pages      *pages.Pages
	pageRoutes map[string]http.Handler
	roleMux    *http.ServeMux
	roles      map[string][]auth.Role
}

// CustomersDeps is what the customer upsert writes with.
type CustomersDeps struct {
	Publisher Publisher
	Topics    pipeline.Topics
	Validate  CustomerValidator
}

// Mount adds the web app's routes to the server behind the gate. A server
// listening beyond loopback must name its hosts (http.hosts).
func (s *Server) Mount(a *App) error {
	if a.Accounts == nil || a.Throttle == nil || a.Search == nil || a.Store == nil || a.Customers.Publisher == nil {
		return errors.New("mounting the web app: accounts, throttle, search, store and customers are required")
	}
	if !s.cfg.Loopback() && len(s.cfg.Hosts) == 0 {
		return fmt.Errorf("http.listen %s is not loopback: list the host names browsers use in http.hosts", s.cfg.Listen)
	}
	if a.Logger == nil {
		a.Logger = s.logger
	}
	a.gate = newGate(s.cfg, a.Accounts, s.logger, s.reg)
	a.searchAPI = &searchAPI{b: a.Search, logger: a.Logger.With("component", "search-api"), hide: a.Store.Hide, view: a.view}
	a.customers = CustomersHandler(a.Customers.Publisher, a.Customers.Topics, a.Customers.Validate, a.Logger)
	s.mu.Lock()
	s.gate = a.gate
	// Re-derive the base routes' access now that there are accounts.
	s.mu.Unlock()
	if err := a.mountPages(s.cfg.SecureCookies); err != nil {
		return fmt.Errorf("mounting the web app: %w", err)
	}
	rts := a.routes()
	a.indexRoles(append(s.Routes(), rts...))
	docs, err := renderOpenAPI(append(s.Routes(), rts...))
	if err != nil {
		return fmt.Errorf("mounting the web app: %w", err)
	}
	a.docs = docs
	s.add(rts...)
	return nil
}

// maxJSONBody bounds a JSON request body of the account and store routes.
const maxJSONBody = 1 << 20

// decodeJSON reads one JSON object into v, refusing unknown members and
// trailing data. Its errors are ready for a 400 problem.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &httpError{status: http.StatusRequestEntityTooLarge, kind: "too-large", err: fmt.Errorf("the body is larger than %d bytes", maxJSONBody)}
		}
		return badRequest{fmt.Errorf("reading the body: %w", err)}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return badRequest{errors.New("the body is empty; send a JSON object")}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest{fmt.Errorf("decoding the JSON body: %w", err)}
	}
	if dec.More() {
		return badRequest{errors.New("decoding the JSON body: more than one JSON value")}
	}
	return nil
}

// httpError is an error with its answer.
type httpError struct {
	status int
	kind   string
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

// fail answers err as a problem: bad input 400/422, unknown 404, a clash
// 409, an unacknowledged write 503, anything else 500 (logged, not shown).
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		he  *httpError
		br  badRequest
		inv *auth.InvalidError
		we  *table.WriteError
	)
	switch {
	case errors.As(err, &he):
		problem(w, r, he.status, he.kind, he.err.Error())
	case errors.As(err, &br):
		problem(w, r, http.StatusBadRequest, "bad-request", err.Error())
	case errors.As(err, &inv):
		problem(w, r, http.StatusUnprocessableEntity, "validation", err.Error())
	case errors.Is(err, auth.ErrUnknownUser), errors.Is(err, auth.ErrUnknownToken), errors.Is(err, index.ErrNotFound):
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, auth.ErrUserExists), errors.Is(err, auth.ErrLastAdmin):
		problem(w, r, http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &we):
		a.Logger.Warn("write not acknowledged", "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the change was not saved (Kafka did not acknowledge it); retry")
	default:
		a.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		problem(w, r, http.StatusInternalServerError, "internal", "the server failed; the error is in its log")
	}
}

// principal is the caller; the gate guarantees one on non-public routes.
func principal(r *http.Request) auth.Principal {
	p, _ := auth.FromContext(r.Context())
	return p
}

// requestContext bounds a write's wait for Kafka.
func requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 15*time.Second)
}
