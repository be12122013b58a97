package auth

import (
	"context"
	"crypto/subtle"
	"net/http"
)

// Where a CSRF token travels.
const (
	CSRFHeader = "X-CSRF-Token" // htmx and scripts
	CSRFField  = "csrf_token"   // hidden input of an HTML form
)

type csrfKey struct{}

// WithCSRF returns ctx carrying the request's CSRF token (the gate calls it).
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

// CSRFToken is the token a page must embed so its forms and scripts can
// make state-changing requests: the session's token once signed in, the
// sign-in form's token before. Empty outside the gate.
func CSRFToken(r *http.Request) string {
	t, _ := r.Context().Value(csrfKey{}).(string)
	return t
}

// SubmittedCSRF is the token a request carries: the X-CSRF-Token header,
// else the csrf_token form field (which parses a form body).
func SubmittedCSRF(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFField)
}

// EqualTokens compares two tokens in constant time; empty never matches.
func EqualTokens(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
