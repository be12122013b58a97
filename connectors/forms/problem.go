package forms

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// problem is an RFC 9457 problem details answer. It doubles as the error
// value the intake steps return, so every refusal carries its status.
type problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []fieldError `json:"errors,omitempty"`

	retryAfter time.Duration
	// reason is the metrics label of the refusal.
	reason string
}

// fieldError is one field's problem: the posted field name, a stable code
// and a sentence a person can act on.
type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p *problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Title)
}

// problemTypeBase prefixes the problem type URIs; the README lists them all.
const problemTypeBase = "urn:earshot:forms:"

func newProblem(status int, slug, title, detail string) *problem {
	return &problem{Type: problemTypeBase + slug, Title: title, Status: status, Detail: detail, reason: slug}
}

// The refusals the intake gives, one constructor each so tests and the
// README name the same statuses and types.

func errUnknownForm(id string) *problem {
	return newProblem(http.StatusNotFound, "unknown-form", "Unknown form", fmt.Sprintf("there is no form %q", id))
}

func errOriginNotAllowed(origin string) *problem {
	return newProblem(http.StatusForbidden, "origin-not-allowed", "Origin not allowed",
		fmt.Sprintf("origin %q may not post to this form", origin))
}

func errRateLimited(scope string, wait time.Duration) *problem {
	p := newProblem(http.StatusTooManyRequests, "rate-limited", "Too many submissions",
		fmt.Sprintf("the %s submission limit is reached; retry after %d seconds", scope, retrySeconds(wait)))
	p.retryAfter = wait
	return p
}

func errBodyTooLarge(limit int64) *problem {
	return newProblem(http.StatusRequestEntityTooLarge, "body-too-large", "Submission too large",
		fmt.Sprintf("the body exceeds %d bytes", limit))
}

func errUploadTooLarge(field string, limit int64) *problem {
	return newProblem(http.StatusRequestEntityTooLarge, "upload-too-large", "File too large",
		fmt.Sprintf("file field %q exceeds %d bytes", field, limit))
}

func errUnsupportedMediaType(got string) *problem {
	return newProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content type",
		fmt.Sprintf("content type %q is not accepted; use application/x-www-form-urlencoded, multipart/form-data or application/json", got))
}

func errMalformed(format string, args ...any) *problem {
	return newProblem(http.StatusBadRequest, "malformed-body", "Malformed submission", fmt.Sprintf(format, args...))
}

func errBodyTimeout() *problem {
	return newProblem(http.StatusRequestTimeout, "body-timeout", "Submission too slow",
		"the body was not received within the read timeout")
}

func errValidation(errs []fieldError) *problem {
	p := newProblem(http.StatusBadRequest, "validation", "Invalid submission",
		fmt.Sprintf("%d field(s) need attention", len(errs)))
	p.Errors = errs
	return p
}

func errToken(slug, detail string) *problem {
	return newProblem(http.StatusBadRequest, slug, "Form needs reloading", detail)
}

func errIdempotencyKey(detail string) *problem {
	return newProblem(http.StatusBadRequest, "idempotency-key-invalid", "Invalid Idempotency-Key", detail)
}

func errIdempotencyReused() *problem {
	return newProblem(http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
		"this Idempotency-Key was already used for a different submission")
}

func errUnavailable(detail string, retry time.Duration) *problem {
	p := newProblem(http.StatusServiceUnavailable, "unavailable", "Submission not saved", detail)
	p.retryAfter = retry
	return p
}

func errSignature(slug, detail string) *problem {
	return newProblem(http.StatusUnauthorized, slug, "Webhook not authenticated", detail)
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// writeJSONProblem answers with application/problem+json.
func writeJSONProblem(w http.ResponseWriter, p *problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(retrySeconds(p.retryAfter)))
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
