package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/record/schema"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/store"
)

// Op is the OpenAPI description of one /api/ route. The document at
// /api/openapi.json is rendered from the route table, so a route cannot be
// served without being described; a test checks that every answer the API
// tests see is a documented one.
type Op struct {
	Summary     string
	Description string
	Tag         string
	Query       []Param
	// Body is a value of the request body's Go type (its schema is derived
	// from it); nil: no body.
	Body any
	// Response is a value of the success answer's Go type; nil: no content.
	Response any
	// Status of success (default 200, 204 without a Response).
	Status int
	// ResponseType of success (default application/json).
	ResponseType string
	// Errors are statuses beyond the ones every route of its kind has.
	Errors []int
}

// Param is a query parameter.
type Param struct {
	Name, Description string
	Type              string // string (default), integer, number, boolean
	Repeat, Required  bool
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)(\.\.\.)?\}`)

// responses lists the statuses an operation documents.
func (rt Route) responses() []int {
	op := rt.Doc
	set := map[int]bool{op.successStatus(): true, http.StatusInternalServerError: true}
	if !rt.Public {
		set[http.StatusUnauthorized], set[http.StatusForbidden] = true, true
	}
	method, path, _ := strings.Cut(rt.Pattern, " ")
	if op.Body != nil || len(op.Query) > 0 {
		set[http.StatusBadRequest] = true
	}
	if op.Body != nil {
		set[http.StatusUnsupportedMediaType], set[http.StatusUnprocessableEntity], set[http.StatusRequestEntityTooLarge] = true, true, true
	}
	if pathParam.MatchString(path) {
		set[http.StatusNotFound] = true
	}
	if unsafeMethod(method) {
		set[http.StatusServiceUnavailable] = true
		if !rt.Public {
			set[http.StatusUnsupportedMediaType] = true
		}
	}
	for _, s := range op.Errors {
		set[s] = true
	}
	out := make([]int, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

func (op *Op) successStatus() int {
	if op.Status != 0 {
		return op.Status
	}
	if op.Response == nil {
		return http.StatusNoContent
	}
	return http.StatusOK
}

// schemaOf derives a JSON Schema from a Go value's type.
func schemaOf(v any) map[string]any {
	s := schema.For(v, "", "", "")
	for _, k := range []string{"$schema", "$id", "title", "description"} {
		delete(s, k)
	}
	return s
}

var problemSchema = schemaOf(Problem{})

// renderOpenAPI builds the OpenAPI 3.1 document of the table's /api/ routes.
func renderOpenAPI(routes []Route) ([]byte, error) {
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		if !isAPI(rt.Pattern) {
			continue
		}
		if rt.Doc == nil {
			return nil, fmt.Errorf("route %s has no OpenAPI description", rt.Pattern)
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op := rt.Doc
		o := map[string]any{"summary": op.Summary, "operationId": operationID(method, path)}
		if op.Description != "" {
			o["description"] = op.Description
		}
		if op.Tag != "" {
			o["tags"] = []string{op.Tag}
		}
		if rt.Public {
			o["security"] = []any{}
		}
		roles := make([]string, len(rt.Roles))
		for i, r := range rt.Roles {
			roles[i] = string(r)
		}
		if !rt.Public {
			o["x-roles"] = roles
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, p := range op.Query {
			typ := p.Type
			if typ == "" {
				typ = "string"
			}
			s := map[string]any{"type": typ}
			if p.Repeat {
				s = map[string]any{"type": "array", "items": map[string]any{"type": typ}}
			}
			params = append(params, map[string]any{"name": p.Name, "in": "query", "required": p.Required, "description": p.Description, "schema": s})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != nil {
			types := rt.Accepts
			if types == nil {
				types = jsonBody
			}
			content := map[string]any{}
			for _, t := range types {
				content[t] = map[string]any{"schema": schemaOf(op.Body)}
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		resps := map[string]any{}
		for _, st := range rt.responses() {
			r := map[string]any{"description": http.StatusText(st)}
			switch {
			case st == op.successStatus() && op.Response != nil:
				rtype := op.ResponseType
				if rtype == "" {
					rtype = "application/json"
				}
				s := map[string]any{"type": "string"}
				if rtype == "application/json" {
					s = schemaOf(op.Response)
				}
				r["content"] = map[string]any{rtype: map[string]any{"schema": s}}
			case st >= 400:
				r["content"] = map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
			}
			resps[strconv.Itoa(st)] = r
		}
		o["responses"] = resps
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = o
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Earshot API",
			"version": "1",
			"description": "The API Earshot's pages use, for scripts and integrations. Authenticate with the session " +
				"cookie of a signed-in browser (state-changing requests then need the session's CSRF token in the " +
				"X-CSRF-Token header) or with an API token: Authorization: Bearer TOKEN. Request bodies are JSON " +
				"(Content-Type: application/json) unless a route says otherwise. Errors are RFC 9457 problem details; " +
				"their type URIs are https://earshot.dev/problems/{unauthenticated, forbidden, csrf, cross-origin, " +
				"unsupported-media-type, bad-request, query-syntax, validation, not-found, conflict, too-large, " +
				"throttled, unavailable, internal}. x-roles lists the roles allowed to call an operation.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": map[string]any{"Problem": problemSchema},
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token (earshot tokens create, or POST /api/me/tokens)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operationID is a stable name for an operation: method and path words.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '-' || r == '.' }) {
		if part == "api" {
			continue
		}
		part = strings.Trim(part, "{}.")
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (a *App) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.docs)
}

// Descriptions of the routes in routes.go.
var (
	searchParams = []Param{
		{Name: "q", Description: "query in Earshot's query language (words, \"phrases\", prefix*, AND/OR/NOT, field:value)"},
		{Name: "filter", Description: "field:value filter, repeatable", Repeat: true},
		{Name: "from", Description: "created at or after (RFC 3339 or YYYY-MM-DD)"},
		{Name: "to", Description: "created before (RFC 3339 or YYYY-MM-DD)"},
		{Name: "sort", Description: "relevance, newest or oldest"},
		{Name: "size", Description: "hits per page", Type: "integer"},
		{Name: "cursor", Description: "the previous page's next cursor"},
		{Name: "facets", Description: "comma-separated facet fields, or default"},
		{Name: "facet_size", Description: "buckets per facet", Type: "integer"},
		{Name: "histogram", Description: "hour, day, week, month or auto"},
		{Name: "highlight", Description: "true for highlighted snippets", Type: "boolean"},
	}
	profileParams = []Param{
		{Name: "text"}, {Name: "kind", Description: "customer or prospect"}, {Name: "status"}, {Name: "aspect"},
		{Name: "negative_aspect"}, {Name: "brand"}, {Name: "product"}, {Name: "competitor"}, {Name: "language"},
		{Name: "min_lead_score", Type: "number"}, {Name: "sort"}, {Name: "from", Type: "integer"}, {Name: "size", Type: "integer"},
	}

	docCreateSession = &Op{Tag: "session", Summary: "Sign in (sets the session cookie; returns the CSRF token)",
		Body: credentials{}, Response: sessionResponse{}, Status: http.StatusCreated, Errors: []int{http.StatusUnauthorized, http.StatusTooManyRequests}}
	docDeleteSession  = &Op{Tag: "session", Summary: "Sign out"}
	docMe             = &Op{Tag: "session", Summary: "Who is calling, with which role", Response: meResponse{}}
	docOwnPassword    = &Op{Tag: "session", Summary: "Change your password (ends your other sessions)", Body: passwordChange{}}
	docOwnTokens      = &Op{Tag: "tokens", Summary: "Your API tokens", Response: []auth.TokenInfo{}}
	docCreateOwnToken = &Op{Tag: "tokens", Summary: "Create an API token for yourself (the secret is shown once)",
		Body: newToken{}, Response: createdToken{}, Status: http.StatusCreated}
	docRevokeOwnToken = &Op{Tag: "tokens", Summary: "Revoke one of your API tokens"}
	docOpenAPI        = &Op{Tag: "meta", Summary: "This document", Response: map[string]any{}}

	docSearch = &Op{Tag: "mentions", Summary: "Search mentions: hits, facets, volume histogram, snippets",
		Query: searchParams, Response: index.SearchResult{}}
	docMention  = &Op{Tag: "mentions", Summary: "One mention by id", Response: record.EnrichedMention{}}
	docProfiles = &Op{Tag: "profiles", Summary: "Search customer and prospect profiles (prospects with their sales work)", Query: profileParams, Response: ProfilesView{}}
	docProfile  = &Op{Tag: "profiles", Summary: "One profile by id (customer:ID or prospect:ID), a prospect with its sales work", Response: ProfileView{}}

	docSavedSearches     = &Op{Tag: "saved searches", Summary: "Saved searches, by name", Response: []record.SavedSearch{}}
	docCreateSavedSearch = &Op{Tag: "saved searches", Summary: "Save a search (its query and competitor queries must compile)", Body: store.SavedSearchInput{}, Response: record.SavedSearch{}, Status: http.StatusCreated}
	docSavedSearch       = &Op{Tag: "saved searches", Summary: "One saved search", Response: record.SavedSearch{}}
	docUpdateSavedSearch = &Op{Tag: "saved searches", Summary: "Change a saved search", Body: store.SavedSearchInput{}, Response: record.SavedSearch{}}
	docDeleteSavedSearch = &Op{Tag: "saved searches", Summary: "Delete a saved search (a 409 naming them while alert rules watch it)", Errors: []int{http.StatusConflict}}
	docCorrections       = &Op{Tag: "corrections", Summary: "Corrections, newest first (labelled data for retraining)", Query: []Param{{Name: "mention", Description: "only this mention's"}}, Response: []record.Correction{}}
	docCreateCorrection  = &Op{Tag: "corrections", Summary: "Correct a mention's sentiment or intents, or mark it irrelevant (applied to the index at once)",
		Body: correctionInput{}, Response: record.Correction{}, Status: http.StatusCreated, Errors: []int{http.StatusNotFound}}
	docMutes       = &Op{Tag: "mutes", Summary: "Muted authors and sites", Response: []record.Mute{}}
	docCreateMute  = &Op{Tag: "mutes", Summary: "Mute an author or a site: hidden from searches and counts", Body: muteInput{}, Response: record.Mute{}, Status: http.StatusCreated}
	docDeleteMute  = &Op{Tag: "mutes", Summary: "Unmute"}
	docProspects   = &Op{Tag: "prospects", Summary: "Prospects by lead score with their stage, owner and notes", Query: prospectParams, Response: ProfilesView{}}
	docProspect    = &Op{Tag: "prospects", Summary: "One prospect (id or prospect:id) with its sales work", Response: ProfileView{}}
	docSetStage    = &Op{Tag: "prospects", Summary: "Move a prospect to a stage (new, contacted, qualified, won, lost, disqualified)", Body: stageInput{}, Response: record.ProspectWork{}}
	docSetOwner    = &Op{Tag: "prospects", Summary: "Assign a prospect to a user (empty owner unassigns)", Body: ownerInput{}, Response: record.ProspectWork{}}
	docAddNote     = &Op{Tag: "prospects", Summary: "Add a note to a prospect", Body: noteInput{}, Response: record.ProspectWork{}, Status: http.StatusCreated}
	docDeleteNote  = &Op{Tag: "prospects", Summary: "Delete a note"}
	prospectParams = []Param{
		{Name: "stage", Description: "new, contacted, qualified, won, lost or disqualified"}, {Name: "owner"},
		{Name: "text"}, {Name: "aspect"}, {Name: "brand"}, {Name: "product"}, {Name: "competitor"}, {Name: "language"},
		{Name: "min_lead_score", Type: "number"}, {Name: "sort"}, {Name: "from", Type: "integer"}, {Name: "size", Type: "integer"},
	}

	docCustomers = &Op{Tag: "admin", Summary: "Upsert customers (an object, an array, or JSON Lines); all or nothing",
		Description: "Every record is validated first; if any is bad, nothing is written and the 422 problem lists each bad record. The answer waits for Kafka's acknowledgement.",
		Body:        record.Customer{}, Response: customersResponse{}}
	docExportMentions = &Op{Tag: "exports", Summary: "The mentions view as CSV (the /api/search parameters; muted content left out; spreadsheet formulas neutralised)",
		Query:    append(append([]Param(nil), searchParams...), Param{Name: "limit", Type: "integer", Description: "at most this many rows (default and maximum 100000)"}),
		Response: "", ResponseType: "text/csv"}
	docExportProspects = &Op{Tag: "exports", Summary: "The prospects inbox as CSV (the /api/prospects filters)",
		Query: append(append([]Param(nil), prospectParams...), Param{Name: "limit", Type: "integer"}), Response: "", ResponseType: "text/csv"}
	docImport = &Op{Tag: "admin", Summary: "Upload a customer file (CSV or JSON Lines, or a multipart form with it in \"file\"); the import runs in the background",
		Description: "Answers 202 with the import's status; poll GET /api/customers/import/{id} for progress (bytes read of the total) and the bad rows by line.",
		Query:       []Param{{Name: "name", Description: "the file name; its extension (.csv, .jsonl) picks the format"}},
		Body:        "", Response: ImportStatus{}, Status: http.StatusAccepted}
	docImportStatus = &Op{Tag: "admin", Summary: "An import's progress, counts and bad rows", Response: ImportStatus{}}
	docErase        = &Op{Tag: "admin", Summary: "Erase a person (right to erasure): customers, prospects and every mention linked to them",
		Description: "Writes deletion requests the index stage carries out, then tombstones (as earshot customers forget). dry_run shows what would be erased.",
		Body:        erasureInput{}, Response: ErasureReport{}, Status: http.StatusAccepted, Errors: []int{http.StatusOK, http.StatusNotFound}}
	docMatchReview = &Op{Tag: "prospects", Summary: "Possible identity matches nobody decided yet: a prospect and a customer it may be, strongest first",
		Response: []MatchCandidate{}}
	docMatchDecision = &Op{Tag: "prospects", Summary: "Confirm or reject a possible match (remembered; a confirmation converts the prospect into the customer; confirming a prospect already converted, merged, rejected or confirmed as another customer is a 409)",
		Body: matchDecisionInput{}, Response: record.MatchDecision{}, Errors: []int{http.StatusNotFound, http.StatusConflict}}
	docUsers       = &Op{Tag: "admin", Summary: "List users", Response: []auth.UserInfo{}}
	docCreateUser  = &Op{Tag: "admin", Summary: "Create a user", Body: newUser{}, Response: auth.UserInfo{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict}}
	docUser        = &Op{Tag: "admin", Summary: "One user", Response: auth.UserInfo{}}
	docUpdateUser  = &Op{Tag: "admin", Summary: "Change a user's role or password", Body: userUpdate{}, Response: auth.UserInfo{}, Errors: []int{http.StatusConflict}}
	docDeleteUser  = &Op{Tag: "admin", Summary: "Remove a user with their tokens and sessions", Errors: []int{http.StatusConflict}}
	docTokens      = &Op{Tag: "admin", Summary: "List every user's API tokens (or one user's: ?user=)", Query: []Param{{Name: "user"}}, Response: []auth.TokenInfo{}, Errors: []int{http.StatusNotFound}}
	docCreateToken = &Op{Tag: "admin", Summary: "Create an API token for a user (the secret is shown once)", Body: newToken{}, Response: createdToken{}, Status: http.StatusCreated, Errors: []int{http.StatusNotFound}}
	docRevokeToken = &Op{Tag: "admin", Summary: "Revoke an API token"}
)
