package web

import (
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/web/auth"
)

// Cookie names.
const (
	SessionCookie = "earshot_session"
	// loginCSRFCookie is the double-submit token of the sign-in form.
	loginCSRFCookie = "earshot_login_csrf"
)

// contentSecurityPolicy allows scripts, styles, images and connections
// from Earshot itself only: no inline script (mentions are attacker
// text), no framing, no plugins. Inline style attributes are allowed
// (charts set widths), inline <script> is not.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// gate is the one middleware chain in front of every route: security
// headers and the Host check for all; then, per route, authentication
// (session cookie or bearer token), the route's roles, CSRF for cookie
// requests that change state, and the request body's media type.
type gate struct {
	cfg      Config
	accounts *auth.Accounts // nil in processes without the web app
	logger   *slog.Logger
	refused  *prometheus.CounterVec
}

func newGate(cfg Config, accounts *auth.Accounts, logger *slog.Logger, reg prometheus.Registerer) *gate {
	g := &gate{cfg: cfg, accounts: accounts, logger: logger,
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_http_refused_total",
			Help: "Requests the gate refused, by reason (unauthenticated, forbidden, csrf, cross_origin, media_type, host).",
		}, []string{"reason"})}
	if reg != nil {
		if err := reg.Register(g.refused); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				g.refused = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
	}
	return g
}

// outer wraps the whole mux: headers every answer carries, and the Host
// check that defeats DNS rebinding. The check guards the web app's
// cookies, so a process without it (enrich, connect with the public forms
// intake) checks nothing; probes and metrics answer any Host (load
// balancers and Prometheus reach them by address).
func (g *gate) outer(next http.Handler) http.Handler {
	var hosts []string
	if g.accounts != nil {
		hosts = g.cfg.allowedHosts()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if g.secure(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if hosts != nil && !probePath(r.URL.Path) && !hostAllowed(hosts, r.Host) {
			g.refused.WithLabelValues("host").Inc()
			problem(w, r, http.StatusMisdirectedRequest, "host", fmt.Sprintf("this server answers for %s, not %q (http.hosts)", strings.Join(hosts, ", "), r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func probePath(p string) bool { return p == "/healthz" || p == "/readyz" || p == "/metrics" }

// hostAllowed matches the request's Host (port ignored) against names.
func hostAllowed(names []string, host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return slices.Contains(names, host)
}

// secure reports whether the browser reached us over TLS.
func (g *gate) secure(r *http.Request) bool { return r.TLS != nil || g.cfg.SecureCookies }

// authenticate finds the principal of a request: a bearer token first,
// else the session cookie (cookie true: CSRF applies).
func (g *gate) authenticate(r *http.Request) (p auth.Principal, csrf string, cookie, ok bool) {
	if g.accounts == nil {
		return auth.Principal{}, "", false, false
	}
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, token, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return auth.Principal{}, "", false, false
		}
		p, ok = g.accounts.AuthenticateToken(strings.TrimSpace(token))
		return p, "", false, ok
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return auth.Principal{}, "", false, false
	}
	p, csrf, ok = g.accounts.Session(c.Value)
	return p, csrf, true, ok
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func isAPI(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(path, "/api/")
}

// wrap puts the gate in front of one route.
func (g *gate) wrap(rt Route) http.Handler {
	api := isAPI(rt.Pattern)
	accepts := rt.Accepts
	if accepts == nil {
		accepts = formBody
		if api {
			accepts = jsonBody
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, csrf, viaCookie, ok := g.authenticate(r)
		ctx := r.Context()
		if ok {
			ctx = auth.WithPrincipal(ctx, p)
		}
		if rt.Public {
			if ok && csrf != "" {
				ctx = auth.WithCSRF(ctx, csrf)
			}
			if rt.Accepts != nil && unsafeMethod(r.Method) && !g.mediaTypeOK(w, r, accepts) {
				return
			}
			rt.Handler.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if !ok {
			g.refused.WithLabelValues("unauthenticated").Inc()
			if !api && r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="earshot"`)
			problem(w, r, http.StatusUnauthorized, "unauthenticated", "this route needs a session (POST /api/session or /login) or an Authorization: Bearer token")
			return
		}
		if !slices.Contains(rt.Roles, p.Role) {
			g.refused.WithLabelValues("forbidden").Inc()
			problem(w, r, http.StatusForbidden, "forbidden", fmt.Sprintf("the %s role may not %s %s", p.Role, r.Method, r.URL.Path))
			return
		}
		if unsafeMethod(r.Method) {
			if viaCookie {
				if !sameOrigin(r) {
					g.refused.WithLabelValues("cross_origin").Inc()
					problem(w, r, http.StatusForbidden, "cross-origin", "a state-changing request with the session cookie must come from this site")
					return
				}
				if !g.mediaTypeOK(w, r, accepts) {
					return
				}
				if !auth.CSRFMatches(auth.SubmittedCSRF(r), csrf) {
					g.refused.WithLabelValues("csrf").Inc()
					problem(w, r, http.StatusForbidden, "csrf", "send the session's CSRF token in the X-CSRF-Token header or the csrf_token form field")
					return
				}
			} else if !g.mediaTypeOK(w, r, accepts) {
				return
			}
		}
		rt.Handler.ServeHTTP(w, r.WithContext(auth.WithCSRF(ctx, csrf)))
	})
}

// mediaTypeOK refuses a request body whose type the route does not take.
// A body without a Content-Type is refused too: that is what a cross-site
// form or fetch without a preflight sends.
func (g *gate) mediaTypeOK(w http.ResponseWriter, r *http.Request, accepts []string) bool {
	if r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
		return true // no body
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && slices.Contains(accepts, mt) {
		return true
	}
	g.refused.WithLabelValues("media_type").Inc()
	detail := fmt.Sprintf("send the body as %s", strings.Join(accepts, " or "))
	if ct != "" {
		detail = fmt.Sprintf("a %q body is not accepted here; %s", ct, detail)
	}
	w.Header().Set("Accept-Post", strings.Join(accepts, ", "))
	problem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", detail)
	return false
}

// sameOrigin checks Origin (or, without it, Referer) against the Host the
// request was sent to. Browsers send Origin on every cross-site POST.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true // not a browser, or a same-origin request of an old one; CSRF token still applies
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// loginCSRF returns the sign-in form's double-submit token, setting its
// cookie when the browser has none.
func (g *gate) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	if g.accounts == nil {
		return ""
	}
	t := auth.RandomSecret(32)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: t, Path: "/", HttpOnly: true, Secure: g.secure(r), SameSite: http.SameSiteLaxMode})
	return t
}
