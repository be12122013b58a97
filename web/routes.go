package web

import (
	"net/http"

	"github.com/earshothq/earshot/web/auth"
)

// Route is one row of the route table: a ServeMux pattern, who may call
// it, and its handler. The gate (gate.go) enforces Roles before Handler
// runs; handlers never check roles. Every /api/ route carries its OpenAPI
// description (Doc); a test checks the table against /api/openapi.json.
type Route struct {
	// Pattern is a net/http ServeMux pattern with its method:
	// "GET /api/users/{name}".
	Pattern string
	// Roles may call the route. Empty only when Public.
	Roles []auth.Role
	// Public routes need no sign-in (health, forms, the sign-in itself).
	Public  bool
	Handler http.Handler
	// Accepts are the media types a request body may have; default
	// application/json under /api/, form encodings elsewhere. A body of
	// any other type (or none declared) is refused with 415.
	Accepts []string
	// Doc describes an /api/ route in the OpenAPI document.
	Doc *Op
}

// Who may do what. Viewer reads; marketing also manages saved searches,
// alerts and corrections; sales also works prospects; admin does
// everything, including users, tokens, customer imports and erasure. The
// README's role table is this file.
var (
	anyone    = []auth.Role{auth.RoleAdmin, auth.RoleMarketing, auth.RoleSales, auth.RoleViewer}
	marketers = []auth.Role{auth.RoleAdmin, auth.RoleMarketing}
	sellers   = []auth.Role{auth.RoleAdmin, auth.RoleSales}
	admins    = []auth.Role{auth.RoleAdmin}
)

// Request body media types.
var (
	jsonBody   = []string{"application/json"}
	formBody   = []string{"application/x-www-form-urlencoded", "multipart/form-data"}
	batchBody  = []string{"application/json", "application/x-ndjson", "application/jsonl"}
	importBody = []string{"text/csv", "text/tab-separated-values", "text/plain", "application/x-ndjson", "application/jsonl", "multipart/form-data"}
)

// baseRoutes are served by every process: probes and metrics.
func (s *Server) baseRoutes(metrics http.Handler) []Route {
	rs := []Route{
		{Pattern: "GET /healthz", Public: true, Handler: http.HandlerFunc(healthz)},
		{Pattern: "GET /readyz", Public: true, Handler: http.HandlerFunc(s.readyz)},
	}
	if metrics != nil {
		// Public unless http.metrics_public is false; then admins (and
		// their tokens, for a Prometheus scrape) only.
		rs = append(rs, Route{Pattern: "GET /metrics", Public: s.cfg.metricsPublic(), Roles: admins, Handler: metrics})
	}
	return rs
}

// routes is the web app's table.
func (a *App) routes() []Route {
	return []Route{
		// Sign-in (the gate's own pages and API).
		{Pattern: "GET /{$}", Public: true, Handler: http.HandlerFunc(a.home)},
		{Pattern: "GET /login", Public: true, Handler: http.HandlerFunc(a.loginPage)},
		{Pattern: "POST /login", Public: true, Handler: http.HandlerFunc(a.loginForm), Accepts: formBody},
		{Pattern: "POST /logout", Roles: anyone, Handler: http.HandlerFunc(a.logoutForm), Accepts: formBody},
		{Pattern: "POST /api/session", Public: true, Handler: http.HandlerFunc(a.createSession), Doc: docCreateSession},
		{Pattern: "DELETE /api/session", Roles: anyone, Handler: http.HandlerFunc(a.deleteSession), Doc: docDeleteSession},
		{Pattern: "GET /api/me", Roles: anyone, Handler: http.HandlerFunc(a.me), Doc: docMe},
		{Pattern: "PUT /api/me/password", Roles: anyone, Handler: http.HandlerFunc(a.changeOwnPassword), Doc: docOwnPassword},
		{Pattern: "GET /api/me/tokens", Roles: anyone, Handler: http.HandlerFunc(a.listOwnTokens), Doc: docOwnTokens},
		{Pattern: "POST /api/me/tokens", Roles: anyone, Handler: http.HandlerFunc(a.createOwnToken), Doc: docCreateOwnToken},
		{Pattern: "DELETE /api/me/tokens/{id}", Roles: anyone, Handler: http.HandlerFunc(a.revokeOwnToken), Doc: docRevokeOwnToken},
		{Pattern: "GET /api/openapi.json", Roles: anyone, Handler: http.HandlerFunc(a.openAPI), Doc: docOpenAPI},

		// Reading mentions and profiles.
		{Pattern: "GET /api/search", Roles: anyone, Handler: http.HandlerFunc(a.searchAPI.search), Doc: docSearch},
		{Pattern: "GET /api/mentions/{id}", Roles: anyone, Handler: http.HandlerFunc(a.searchAPI.mention), Doc: docMention},
		{Pattern: "GET /api/profiles", Roles: anyone, Handler: http.HandlerFunc(a.searchAPI.profiles), Doc: docProfiles},
		{Pattern: "GET /api/profiles/{id}", Roles: anyone, Handler: http.HandlerFunc(a.searchAPI.profile), Doc: docProfile},

		// Saved searches, corrections and mutes: marketing's.
		{Pattern: "GET /api/saved-searches", Roles: anyone, Handler: http.HandlerFunc(a.listSavedSearches), Doc: docSavedSearches},
		{Pattern: "POST /api/saved-searches", Roles: marketers, Handler: http.HandlerFunc(a.createSavedSearch), Doc: docCreateSavedSearch},
		{Pattern: "GET /api/saved-searches/{id}", Roles: anyone, Handler: http.HandlerFunc(a.getSavedSearch), Doc: docSavedSearch},
		{Pattern: "PUT /api/saved-searches/{id}", Roles: marketers, Handler: http.HandlerFunc(a.updateSavedSearch), Doc: docUpdateSavedSearch},
		{Pattern: "DELETE /api/saved-searches/{id}", Roles: marketers, Handler: http.HandlerFunc(a.deleteSavedSearch), Doc: docDeleteSavedSearch},
		{Pattern: "GET /api/corrections", Roles: anyone, Handler: http.HandlerFunc(a.listCorrections), Doc: docCorrections},
		{Pattern: "POST /api/corrections", Roles: marketers, Handler: http.HandlerFunc(a.createCorrection), Doc: docCreateCorrection},
		{Pattern: "GET /api/mutes", Roles: anyone, Handler: http.HandlerFunc(a.listMutes), Doc: docMutes},
		{Pattern: "POST /api/mutes", Roles: marketers, Handler: http.HandlerFunc(a.createMute), Doc: docCreateMute},
		{Pattern: "DELETE /api/mutes/{id}", Roles: marketers, Handler: http.HandlerFunc(a.deleteMute), Doc: docDeleteMute},

		// Prospects: sales works them.
		{Pattern: "GET /api/prospects", Roles: anyone, Handler: http.HandlerFunc(a.listProspects), Doc: docProspects},
		{Pattern: "GET /api/prospects/{id}", Roles: anyone, Handler: http.HandlerFunc(a.getProspect), Doc: docProspect},
		{Pattern: "PUT /api/prospects/{id}/stage", Roles: sellers, Handler: http.HandlerFunc(a.setStage), Doc: docSetStage},
		{Pattern: "PUT /api/prospects/{id}/owner", Roles: sellers, Handler: http.HandlerFunc(a.setOwner), Doc: docSetOwner},
		{Pattern: "POST /api/prospects/{id}/notes", Roles: sellers, Handler: http.HandlerFunc(a.addNote), Doc: docAddNote},
		{Pattern: "DELETE /api/prospects/{id}/notes/{note}", Roles: sellers, Handler: http.HandlerFunc(a.deleteNote), Doc: docDeleteNote},

		// CSV exports of the mentions and prospects views (scheduled pulls with a token).
		{Pattern: "GET /api/export/mentions.csv", Roles: anyone, Handler: http.HandlerFunc(a.exportMentions), Doc: docExportMentions},
		{Pattern: "GET /api/export/prospects.csv", Roles: anyone, Handler: http.HandlerFunc(a.exportProspects), Doc: docExportProspects},

		// Alerts: marketing manages rules and retries deliveries (alerts_api.go).
		{Pattern: "GET /api/alerts/rules", Roles: anyone, Handler: http.HandlerFunc(a.listAlertRules), Doc: docAlertRules},
		{Pattern: "POST /api/alerts/rules", Roles: marketers, Handler: http.HandlerFunc(a.createAlertRule), Doc: docCreateAlertRule},
		{Pattern: "GET /api/alerts/rules/{id}", Roles: anyone, Handler: http.HandlerFunc(a.getAlertRule), Doc: docAlertRule},
		{Pattern: "PUT /api/alerts/rules/{id}", Roles: marketers, Handler: http.HandlerFunc(a.updateAlertRule), Doc: docUpdateAlertRule},
		{Pattern: "DELETE /api/alerts/rules/{id}", Roles: marketers, Handler: http.HandlerFunc(a.deleteAlertRule), Doc: docDeleteAlertRule},
		{Pattern: "GET /api/alerts/deliveries", Roles: anyone, Handler: http.HandlerFunc(a.listDeliveries), Doc: docDeliveries},
		{Pattern: "POST /api/alerts/deliveries/{id}/retry", Roles: marketers, Handler: http.HandlerFunc(a.retryDelivery), Doc: docRetryDelivery},
		{Pattern: "GET /api/alerts/channels", Roles: anyone, Handler: http.HandlerFunc(a.listAlertChannels), Doc: docAlertChannels},

		// The pages people work in (web/pages): HTML forms post
		// form-encoded with the CSRF token; htmx sends it as X-CSRF-Token.
		{Pattern: "GET /assets/", Public: true, Handler: a.page("GET /assets/")},
		{Pattern: "GET /mentions", Roles: anyone, Handler: a.page("GET /mentions")},
		{Pattern: "GET /mentions/stream", Roles: anyone, Handler: a.page("GET /mentions/stream")},
		{Pattern: "POST /mentions/{id}/sentiment", Roles: marketers, Handler: a.page("POST /mentions/{id}/sentiment")},
		{Pattern: "POST /mentions/{id}/relevance", Roles: marketers, Handler: a.page("POST /mentions/{id}/relevance")},
		{Pattern: "POST /mutes", Roles: marketers, Handler: a.page("POST /mutes")},
		{Pattern: "POST /mutes/delete", Roles: marketers, Handler: a.page("POST /mutes/delete")},
		{Pattern: "GET /dashboard", Roles: anyone, Handler: a.page("GET /dashboard")},
		{Pattern: "POST /searches", Roles: marketers, Handler: a.page("POST /searches")},
		{Pattern: "POST /searches/{id}", Roles: marketers, Handler: a.page("POST /searches/{id}")},
		{Pattern: "POST /searches/{id}/delete", Roles: marketers, Handler: a.page("POST /searches/{id}/delete")},
		{Pattern: "GET /prospects", Roles: anyone, Handler: a.page("GET /prospects")},
		{Pattern: "GET /prospects.csv", Roles: anyone, Handler: a.page("GET /prospects.csv")},
		{Pattern: "POST /prospects/{id}/stage", Roles: sellers, Handler: a.page("POST /prospects/{id}/stage")},
		{Pattern: "POST /prospects/{id}/owner", Roles: sellers, Handler: a.page("POST /prospects/{id}/owner")},
		{Pattern: "POST /prospects/{id}/notes", Roles: sellers, Handler: a.page("POST /prospects/{id}/notes")},
		{Pattern: "GET /people/{id}", Roles: anyone, Handler: a.page("GET /people/{id}")},
		{Pattern: "GET /feedback", Roles: anyone, Handler: a.page("GET /feedback")},
		{Pattern: "GET /feedback.csv", Roles: anyone, Handler: a.page("GET /feedback.csv")},
		{Pattern: "GET /account", Roles: anyone, Handler: a.page("GET /account")},
		{Pattern: "POST /account/password", Roles: anyone, Handler: a.page("POST /account/password")},
		{Pattern: "POST /account/tokens", Roles: anyone, Handler: a.page("POST /account/tokens")},
		{Pattern: "POST /account/tokens/{id}/revoke", Roles: anyone, Handler: a.page("POST /account/tokens/{id}/revoke")},
		{Pattern: "GET /admin", Roles: admins, Handler: a.page("GET /admin")},
		{Pattern: "POST /admin/users", Roles: admins, Handler: a.page("POST /admin/users")},
		{Pattern: "POST /admin/users/{name}/delete", Roles: admins, Handler: a.page("POST /admin/users/{name}/delete")},
		{Pattern: "POST /admin/users/{name}/role", Roles: admins, Handler: a.page("POST /admin/users/{name}/role")},
		{Pattern: "POST /admin/users/{name}/password", Roles: admins, Handler: a.page("POST /admin/users/{name}/password")},
		{Pattern: "POST /admin/tokens", Roles: admins, Handler: a.page("POST /admin/tokens")},
		{Pattern: "POST /admin/tokens/{id}/revoke", Roles: admins, Handler: a.page("POST /admin/tokens/{id}/revoke")},
		{Pattern: "POST /admin/import", Roles: admins, Handler: a.page("POST /admin/import")},
		{Pattern: "GET /admin/import/{job}", Roles: admins, Handler: a.page("GET /admin/import/{job}")},
		{Pattern: "POST /admin/erase", Roles: admins, Handler: a.page("POST /admin/erase")},
		{Pattern: "GET /matches", Roles: sellers, Handler: a.page("GET /matches")},
		{Pattern: "POST /matches/decide", Roles: sellers, Handler: a.page("POST /matches/decide")},
		{Pattern: "GET /alerts", Roles: anyone, Handler: a.page("GET /alerts")},
		{Pattern: "POST /alerts/rules", Roles: marketers, Handler: a.page("POST /alerts/rules")},
		{Pattern: "POST /alerts/rules/{id}", Roles: marketers, Handler: a.page("POST /alerts/rules/{id}")},
		{Pattern: "POST /alerts/rules/{id}/toggle", Roles: marketers, Handler: a.page("POST /alerts/rules/{id}/toggle")},
		{Pattern: "POST /alerts/rules/{id}/delete", Roles: marketers, Handler: a.page("POST /alerts/rules/{id}/delete")},
		{Pattern: "POST /alerts/deliveries/{id}/retry", Roles: marketers, Handler: a.page("POST /alerts/deliveries/{id}/retry")},
		{Pattern: "POST /alerts/channels/{name}/test", Roles: marketers, Handler: a.page("POST /alerts/channels/{name}/test")},

		// Administration.
		{Pattern: "POST /api/customers", Roles: admins, Handler: a.customers, Accepts: batchBody, Doc: docCustomers},
		{Pattern: "POST /api/customers/import", Roles: admins, Handler: http.HandlerFunc(a.startImport), Accepts: importBody, Doc: docImport},
		{Pattern: "GET /api/customers/import/{id}", Roles: admins, Handler: http.HandlerFunc(a.importStatus), Doc: docImportStatus},
		{Pattern: "POST /api/erasures", Roles: admins, Handler: http.HandlerFunc(a.erase), Doc: docErase},
		{Pattern: "GET /api/people/{who}/export", Roles: admins, Handler: http.HandlerFunc(a.exportPerson), Doc: docExportPerson},
		{Pattern: "GET /api/identity/review", Roles: sellers, Handler: http.HandlerFunc(a.listMatchReview), Doc: docMatchReview},
		{Pattern: "POST /api/identity/decisions", Roles: sellers, Handler: http.HandlerFunc(a.decideMatch), Doc: docMatchDecision},
		{Pattern: "GET /api/users", Roles: admins, Handler: http.HandlerFunc(a.listUsers), Doc: docUsers},
		{Pattern: "POST /api/users", Roles: admins, Handler: http.HandlerFunc(a.createUser), Doc: docCreateUser},
		{Pattern: "GET /api/users/{name}", Roles: admins, Handler: http.HandlerFunc(a.getUser), Doc: docUser},
		{Pattern: "PATCH /api/users/{name}", Roles: admins, Handler: http.HandlerFunc(a.updateUser), Doc: docUpdateUser},
		{Pattern: "DELETE /api/users/{name}", Roles: admins, Handler: http.HandlerFunc(a.deleteUser), Doc: docDeleteUser},
		{Pattern: "GET /api/tokens", Roles: admins, Handler: http.HandlerFunc(a.listTokens), Doc: docTokens},
		{Pattern: "POST /api/tokens", Roles: admins, Handler: http.HandlerFunc(a.createToken), Doc: docCreateToken},
		{Pattern: "DELETE /api/tokens/{id}", Roles: admins, Handler: http.HandlerFunc(a.revokeToken), Doc: docRevokeToken},
	}
}
