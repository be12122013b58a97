package web

import (
	"encoding/json"
	"net/http"
)

// Problem is an error answer in the RFC 9457 "problem details" format
// (application/problem+json). Type names the kind of problem (a stable
// URI clients may switch on), Title is its short summary, Detail what went
// wrong with this request. The extension members carry what a client needs
// to show the problem in place: the query position of a syntax error, the
// invalid fields of a body, the bad records of an upload.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Position is the 1-based character position of a query syntax error.
	Position int `json:"position,omitempty"`
	// Errors are the invalid fields of a request body.
	Errors []FieldError `json:"errors,omitempty"`
	// Records are the rejected records of a batch (customers upsert).
	Records []RecordProblem `json:"records,omitempty"`
	// RetryAfter is the seconds to wait before retrying (also a header).
	RetryAfter int `json:"retry_after,omitempty"`
}

// FieldError is one invalid member of a request body.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// RecordProblem is one rejected record of a batch.
type RecordProblem struct {
	Index    int      `json:"index"` // 0-based position in the request
	Line     int      `json:"line,omitempty"`
	ID       string   `json:"id,omitempty"`
	Problems []string `json:"problems"`
}

// The problem types Earshot answers with. Each is documented in the
// OpenAPI document's description.
const problemBase = "https://earshot.dev/problems/"

var problemTitles = map[string]string{
	"unauthenticated":        "Sign in or send an API token",
	"forbidden":              "Your role may not do this",
	"csrf":                   "Missing or wrong CSRF token",
	"cross-origin":           "Cross-origin request refused",
	"unsupported-media-type": "Unsupported request body type",
	"bad-request":            "Bad request",
	"query-syntax":           "Query syntax error",
	"validation":             "Invalid request body",
	"not-found":              "Not found",
	"conflict":               "Conflict",
	"too-large":              "Request body too large",
	"throttled":              "Too many attempts",
	"unavailable":            "Temporarily unavailable",
	"internal":               "Internal error",
	"method-not-allowed":     "Method not allowed",
	"host":                   "Unknown host",
}

// NewProblem builds a problem of kind (a key of the list above).
func NewProblem(status int, kind, detail string) *Problem {
	title, ok := problemTitles[kind]
	if !ok {
		title = http.StatusText(status)
	}
	return &Problem{Type: problemBase + kind, Title: title, Status: status, Detail: detail}
}

// WriteProblem sends p.
func WriteProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// problem is the short form handlers use.
func problem(w http.ResponseWriter, r *http.Request, status int, kind, detail string) {
	WriteProblem(w, r, NewProblem(status, kind, detail))
}
