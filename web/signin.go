package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/i18n"
)

//go:embed templates/login.html
var signinFS embed.FS

// loginTemplate renders the sign-in page in the reader's language.
var loginTemplate = template.Must(template.ParseFS(signinFS, "templates/login.html"))

// loginView is what the sign-in page shows. Error is a message key of
// web/i18n with its arguments, so the page says it in the reader's language.
type loginView struct {
	CSRF, Next, User string
	Error            string // a message key, shown as Message
	ErrorArgs        []any
	Message          string

	L     *i18n.Locale
	Langs []loginLang
}

// loginLang is one entry of the sign-in page's language switcher.
type loginLang struct {
	Code, Name, Href string
	Current          bool
}

// home sends a browser to the sign-in page, or to the mentions page once
// signed in.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := auth.FromContext(r.Context()); !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/mentions", http.StatusSeeOther)
}

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, r, http.StatusOK, loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

func (a *App) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	v.CSRF = auth.MaskToken(a.gate.loginCSRF(w, r))
	lang, fromURL := i18n.FromRequest(r)
	if fromURL {
		http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: lang.Code, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: a.gate.secure(r), SameSite: http.SameSiteLaxMode})
	}
	v.L = i18n.New(lang)
	if v.Error != "" {
		v.Message = v.L.T(v.Error, v.ErrorArgs...)
	}
	for _, l := range i18n.Langs {
		q := url.Values{"lang": {l.Code}}
		if v.Next != "/" && v.Next != "" {
			q.Set("next", v.Next)
		}
		v.Langs = append(v.Langs, loginLang{Code: l.Code, Name: l.Name, Href: "/login?" + q.Encode(), Current: l == lang})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := loginTemplate.Execute(w, v); err != nil {
		a.Logger.Warn("rendering the sign-in page", "error", err)
	}
}

// safeNext keeps a post-sign-in redirect on this site (no //host, no scheme).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// clientAddress is the throttle's per-address key: the peer's IP (a /64
// for IPv6, which one host usually owns whole).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// errThrottled carries how long to wait.
type errThrottled struct{ wait time.Duration }

func (e errThrottled) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %s", e.wait.Round(time.Second))
}

// retryAfter sets Retry-After to the wait and returns it in whole
// seconds, rounded up.
func (e errThrottled) retryAfter(w http.ResponseWriter) int {
	secs := int(math.Ceil(e.wait.Seconds()))
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	return secs
}

// write answers 429 with Retry-After.
func (e errThrottled) write(w http.ResponseWriter, r *http.Request) {
	secs := e.retryAfter(w)
	pr := NewProblem(http.StatusTooManyRequests, "throttled", e.Error())
	pr.RetryAfter = secs
	WriteProblem(w, r, pr)
}

// signIn checks a password under the throttle.
func (a *App) signIn(r *http.Request, user, password string) (auth.Principal, error) {
	account := strings.ToLower(strings.TrimSpace(user))
	addr := clientAddress(r)
	if ok, wait := a.Throttle.Allow(account, addr); !ok {
		return auth.Principal{}, errThrottled{wait: wait}
	}
	p, err := a.Accounts.CheckPassword(account, password)
	if err != nil {
		a.Throttle.Failed(account, addr)
		a.Logger.Info("sign-in failed", "user", account, "address", addr)
		return auth.Principal{}, err
	}
	a.Throttle.Succeeded(account)
	return p, nil
}

// startSession creates a session and sets its cookie.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, user string) error {
	ctx, cancel := requestContext(r)
	defer cancel()
	cookie, _, expires, err := a.Accounts.CreateSession(ctx, user)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: cookie, Path: "/", Expires: expires,
		HttpOnly: true, Secure: a.gate.secure(r), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (a *App) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		ctx, cancel := requestContext(r)
		defer cancel()
		if err := a.Accounts.EndSession(ctx, c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.gate.secure(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// loginForm is POST /login from the sign-in page (double-submit CSRF).
func (a *App) loginForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	user, next := r.PostFormValue("user"), safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !auth.CSRFMatches(r.PostFormValue(auth.CSRFField), c.Value) || !sameOrigin(r) {
		a.gate.refused.WithLabelValues("csrf").Inc()
		a.renderLogin(w, r, http.StatusForbidden, loginView{Error: "login.expired", Next: next, User: user})
		return
	}
	p, err := a.signIn(r, user, r.PostFormValue("password"))
	var th errThrottled
	switch {
	case errors.As(err, &th):
		a.renderLogin(w, r, http.StatusTooManyRequests, loginView{Error: "login.throttled", ErrorArgs: []any{th.retryAfter(w)}, Next: next, User: user})
		return
	case err != nil:
		a.renderLogin(w, r, http.StatusUnauthorized, loginView{Error: "login.wrong", Next: next, User: user})
		return
	}
	if err := a.startSession(w, r, p.User); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutForm is POST /logout (the gate checked its CSRF token).
func (a *App) logoutForm(w http.ResponseWriter, r *http.Request) {
	if err := a.endSession(w, r); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// credentials is POST /api/session.
type credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// sessionResponse answers a JSON sign-in.
type sessionResponse struct {
	User      string    `json:"user"`
	Role      auth.Role `json:"role"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// createSession is the JSON sign-in: its required JSON body type is what
// keeps another site from posting it (a cross-site JSON post needs a CORS
// preflight Earshot never grants).
func (a *App) createSession(w http.ResponseWriter, r *http.Request) {
	var body credentials
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.signIn(r, body.User, body.Password)
	var th errThrottled
	switch {
	case errors.As(err, &th):
		th.write(w, r)
		return
	case err != nil:
		problem(w, r, http.StatusUnauthorized, "unauthenticated", "unknown user or wrong password")
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	cookie, csrf, expires, err := a.Accounts.CreateSession(ctx, p.User)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: cookie, Path: "/", Expires: expires,
		HttpOnly: true, Secure: a.gate.secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, sessionResponse{User: p.User, Role: p.Role, CSRFToken: csrf, ExpiresAt: expires})
}

func (a *App) deleteSession(w http.ResponseWriter, r *http.Request) {
	if err := a.endSession(w, r); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
