package forms

import (
	"net/http"
	"net/url"
	"strings"
)

// canonicalOrigin lower-cases an origin and drops default ports, so
// "HTTPS://Example.com:443" and "https://example.com" compare equal.
func canonicalOrigin(o string) string {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return strings.ToLower(o)
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"http": ":80", "https": ":443"}[scheme])
	return scheme + "://" + host
}

// originPolicy decides which browser origins may post to a form.
type originPolicy struct {
	any     bool
	allowed map[string]bool
}

func newOriginPolicy(list []string) originPolicy {
	p := originPolicy{allowed: map[string]bool{}}
	for _, o := range list {
		if o == "*" {
			p.any = true
			continue
		}
		p.allowed[canonicalOrigin(o)] = true
	}
	return p
}

// allows reports whether a request's Origin may post. No Origin header is a
// non-browser client (or a very old browser); the connector's own origin is
// the hosted form page.
func (p originPolicy) allows(origin, self string) bool {
	if origin == "" || p.any {
		return true
	}
	o := canonicalOrigin(origin)
	return o == canonicalOrigin(self) || p.allowed[o]
}

// setCORS adds the headers that let an allowed cross-origin page read the
// answer (and the Retry-After of refusals).
func setCORS(w http.ResponseWriter, origin string) {
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "Retry-After, Idempotent-Replayed")
}

// preflightHeaders answers an allowed CORS preflight.
func preflightHeaders(w http.ResponseWriter, origin string) {
	setCORS(w, origin)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Accept, Idempotency-Key")
	h.Set("Access-Control-Max-Age", "600")
}
