package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
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
// sign-in form's token before, masked afresh on every call (MaskToken).
// Empty outside the gate.
func CSRFToken(r *http.Request) string {
	t, _ := r.Context().Value(csrfKey{}).(string)
	return MaskToken(t)
}

// SubmittedCSRF is the token a request carries: the X-CSRF-Token header,
// else the csrf_token form field (which parses a form body).
func SubmittedCSRF(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFField)
}

// MaskToken hides a token behind a one-time pad: the pad and the token
// XORed with it, base64url. Each page then carries different bytes for
// the same token, so a compressed page that also shows text an attacker
// chose (a search, a mention) cannot reveal the token through its length
// (BREACH). An empty token stays empty.
func MaskToken(token string) string {
	if token == "" {
		return ""
	}
	b := make([]byte, 2*len(token))
	pad, masked := b[:len(token)], b[len(token):]
	if _, err := rand.Read(pad); err != nil {
		panic(fmt.Sprintf("reading random bytes: %v", err)) // the OS's CSPRNG does not fail
	}
	for i := range masked {
		masked[i] = pad[i] ^ token[i]
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CSRFMatches reports whether submitted carries token: masked (what pages
// embed) or as it is (what POST /api/session returns to scripts). It
// compares in constant time; empty never matches.
func CSRFMatches(submitted, token string) bool {
	if submitted == "" || token == "" {
		return false
	}
	if EqualTokens(submitted, token) {
		return true
	}
	b, err := base64.RawURLEncoding.DecodeString(submitted)
	if err != nil || len(b) != 2*len(token) {
		return false
	}
	pad, masked := b[:len(token)], b[len(token):]
	for i := range masked {
		masked[i] ^= pad[i]
	}
	return subtle.ConstantTimeCompare(masked, []byte(token)) == 1
}

// EqualTokens compares two tokens in constant time; empty never matches.
func EqualTokens(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
