package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/i18n"
)

// examplePath fills a pattern's wildcards so the route matches.
func examplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x")
	return method, path
}

// The role table as the README states it, written out independently of
// routes.go: a wrong row in either fails here.
var wantAccess = map[string][]auth.Role{
	"GET /api/search":                         anyone,
	"GET /api/mentions/{id}":                  anyone,
	"GET /api/profiles":                       anyone,
	"GET /api/profiles/{id}":                  anyone,
	"GET /api/me":                             anyone,
	"PUT /api/me/password":                    anyone,
	"GET /api/me/tokens":                      anyone,
	"POST /api/me/tokens":                     anyone,
	"DELETE /api/me/tokens/{id}":              anyone,
	"DELETE /api/session":                     anyone,
	"GET /api/openapi.json":                   anyone,
	"GET /api/saved-searches":                 anyone,
	"GET /api/saved-searches/{id}":            anyone,
	"POST /api/saved-searches":                {auth.RoleAdmin, auth.RoleMarketing},
	"PUT /api/saved-searches/{id}":            {auth.RoleAdmin, auth.RoleMarketing},
	"DELETE /api/saved-searches/{id}":         {auth.RoleAdmin, auth.RoleMarketing},
	"GET /api/alerts/rules":                   anyone,
	"GET /api/alerts/rules/{id}":              anyone,
	"POST /api/alerts/rules":                  {auth.RoleAdmin, auth.RoleMarketing},
	"PUT /api/alerts/rules/{id}":              {auth.RoleAdmin, auth.RoleMarketing},
	"DELETE /api/alerts/rules/{id}":           {auth.RoleAdmin, auth.RoleMarketing},
	"GET /api/alerts/deliveries":              anyone,
	"POST /api/alerts/deliveries/{id}/retry":  {auth.RoleAdmin, auth.RoleMarketing},
	"GET /api/alerts/channels":                anyone,
	"GET /api/corrections":                    anyone,
	"POST /api/corrections":                   {auth.RoleAdmin, auth.RoleMarketing},
	"GET /api/mutes":                          anyone,
	"POST /api/mutes":                         {auth.RoleAdmin, auth.RoleMarketing},
	"DELETE /api/mutes/{id}":                  {auth.RoleAdmin, auth.RoleMarketing},
	"GET /api/prospects":                      anyone,
	"GET /api/prospects/{id}":                 anyone,
	"PUT /api/prospects/{id}/stage":           {auth.RoleAdmin, auth.RoleSales},
	"PUT /api/prospects/{id}/owner":           {auth.RoleAdmin, auth.RoleSales},
	"POST /api/prospects/{id}/notes":          {auth.RoleAdmin, auth.RoleSales},
	"DELETE /api/prospects/{id}/notes/{note}": {auth.RoleAdmin, auth.RoleSales},
	"GET /api/export/mentions.csv":            anyone,
	"GET /api/export/prospects.csv":           anyone,
	"POST /api/customers/import":              {auth.RoleAdmin},
	"GET /api/customers/import/{id}":          {auth.RoleAdmin},
	"POST /api/erasures":                      {auth.RoleAdmin},
	"GET /api/people/{who}/export":            {auth.RoleAdmin},
	"GET /api/identity/review":                {auth.RoleAdmin, auth.RoleSales},
	"POST /api/identity/decisions":            {auth.RoleAdmin, auth.RoleSales},
	"POST /api/customers":                     {auth.RoleAdmin},
	"GET /api/users":                          {auth.RoleAdmin},
	"POST /api/users":                         {auth.RoleAdmin},
	"GET /api/users/{name}":                   {auth.RoleAdmin},
	"PATCH /api/users/{name}":                 {auth.RoleAdmin},
	"DELETE /api/users/{name}":                {auth.RoleAdmin},
	"GET /api/tokens":                         {auth.RoleAdmin},
	"POST /api/tokens":                        {auth.RoleAdmin},
	"DELETE /api/tokens/{id}":                 {auth.RoleAdmin},
}

func TestRouteTableMatchesTheRoleTable(t *testing.T) {
	ta := newTestApp(t)
	for _, rt := range ta.srv.Routes() {
		if !isAPI(rt.Pattern) || rt.Public {
			continue
		}
		want, ok := wantAccess[rt.Pattern]
		if !ok {
			t.Errorf("%s is not in the test's role table", rt.Pattern)
			continue
		}
		if !slices.Equal(sortedRoles(rt.Roles), sortedRoles(want)) {
			t.Errorf("%s: roles %v, the README says %v", rt.Pattern, rt.Roles, want)
		}
	}
}

func sortedRoles(rs []auth.Role) []auth.Role {
	out := slices.Clone(rs)
	slices.Sort(out)
	return out
}

// Every gated route: 401 without credentials, 403 for each role not in its
// row, and never 401/403 for a role in it.
func TestEveryRouteIsGatedByItsRoles(t *testing.T) {
	ta := newTestApp(t)
	for _, rt := range ta.srv.Routes() {
		if rt.Public {
			continue
		}
		method, path := examplePath(rt.Pattern)
		// A cookie-less browser that does not follow redirects.
		anon := ta.do(t, req{method: method, path: path, sess: ta.newBrowser(t), noCSRF: true, header: map[string]string{"Accept": "text/html,*/*"}})
		switch {
		case isAPI(rt.Pattern):
			if anon.code != http.StatusUnauthorized || anon.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s anonymous: %d, want 401 with WWW-Authenticate", rt.Pattern, anon.code)
			} else if p := anon.problem(t); p.Type != problemBase+"unauthenticated" {
				t.Errorf("%s anonymous: problem type %s", rt.Pattern, p.Type)
			}
		case method == http.MethodGet && rt.Pattern != "GET /metrics":
			if anon.code != http.StatusSeeOther || !strings.HasPrefix(anon.header.Get("Location"), "/login?next=") {
				t.Errorf("page %s anonymous: %d to %q, want a redirect to /login", rt.Pattern, anon.code, anon.header.Get("Location"))
			}
		default:
			if anon.code != http.StatusUnauthorized {
				t.Errorf("%s anonymous: %d, want 401", rt.Pattern, anon.code)
			}
		}
		bad := ta.do(t, req{method: method, path: path, token: "est_nope_" + strings.Repeat("x", 43)})
		if bad.code != http.StatusUnauthorized {
			t.Errorf("%s with a made-up token: %d, want 401", rt.Pattern, bad.code)
		}
		for _, role := range auth.Roles {
			// No body: allowed roles get past the gate and fail on input (or succeed).
			r := ta.do(t, req{method: method, path: path, role: role})
			allowed := slices.Contains(rt.Roles, role)
			// Changing one's own password without the current one is refused after the gate.
			ownPassword := rt.Pattern == "PUT /api/me/password" || rt.Pattern == "POST /account/password"
			if allowed && (r.code == http.StatusUnauthorized || r.code == http.StatusForbidden) && !ownPassword {
				t.Errorf("%s as %s: %d %s, but the role is allowed", rt.Pattern, role, r.code, r.body)
			}
			if !allowed {
				if r.code != http.StatusForbidden {
					t.Errorf("%s as %s: %d, want 403", rt.Pattern, role, r.code)
				} else if p := r.problem(t); p.Type != problemBase+"forbidden" || !strings.Contains(p.Detail, string(role)) {
					t.Errorf("%s as %s: problem %+v", rt.Pattern, role, p)
				}
			}
		}
	}
}

func TestPublicRoutesNeedNoSignIn(t *testing.T) {
	ta := newTestApp(t)
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/login"} {
		if r := ta.do(t, req{method: "GET", path: path}); r.code != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.code)
		}
	}
}

func TestMetricsCanRequireAnAdmin(t *testing.T) {
	ta := newTestApp(t, func(c *Config, _ *App) { f := false; c.MetricsPublic = &f })
	if r := ta.do(t, req{method: "GET", path: "/metrics"}); r.code != http.StatusUnauthorized {
		t.Fatalf("anonymous /metrics: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/metrics", role: auth.RoleViewer}); r.code != http.StatusForbidden {
		t.Fatalf("viewer /metrics: %d", r.code)
	}
	r := ta.do(t, req{method: "GET", path: "/metrics", role: auth.RoleAdmin})
	if r.code != http.StatusOK || !strings.Contains(string(r.body), "earshot_http_refused_total") {
		t.Fatalf("admin /metrics: %d", r.code)
	}
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	ta := newTestApp(t)
	for _, q := range []req{
		{method: "GET", path: "/login"},
		{method: "GET", path: "/api/search"},
		{method: "GET", path: "/api/search", role: auth.RoleViewer},
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/nope"},
	} {
		r := ta.do(t, q)
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", q.path, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") == "" || r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", q.path, r.header)
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", q.path)
		}
	}
}

func TestHostIsChecked(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do(t, req{method: "GET", path: "/api/search", role: auth.RoleViewer, header: map[string]string{}})
	if r.code != http.StatusOK {
		t.Fatalf("loopback host: %d", r.code)
	}
	hostGet := func(base, path, host string) int {
		t.Helper()
		hr, _ := http.NewRequest("GET", base+path, nil)
		hr.Host = host
		res, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := hostGet(ta.ts.URL, "/login", "evil.example:80"); code != http.StatusMisdirectedRequest {
		t.Fatalf("rebound host: %d, want 421", code)
	}
	// Probes and metrics answer load balancers that use the address.
	if code := hostGet(ta.ts.URL, "/readyz", "10.0.0.5:8080"); code != http.StatusOK {
		t.Fatalf("readyz by address: %d", code)
	}
	// A process without the web app (connect's public forms intake) checks no Host.
	plain := httptest.NewServer(NewServer(DefaultConfig(), nil, nil).Handler())
	defer plain.Close()
	if code := hostGet(plain.URL, "/healthz", "forms.example.com"); code != http.StatusOK {
		t.Fatalf("no web app, any host: %d", code)
	}
	named := newTestApp(t, func(c *Config, _ *App) { c.Hosts = []string{"earshot.example.com"} })
	if code := hostGet(named.ts.URL, "/login", "earshot.example.com"); code != http.StatusOK {
		t.Fatalf("configured host: %d", code)
	}
	if code := hostGet(named.ts.URL, "/login", "localhost"); code != http.StatusMisdirectedRequest {
		t.Fatalf("loopback name once hosts are configured: %d", code)
	}
}

func TestNonLoopbackListenNeedsHosts(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = "0.0.0.0:8080"
	ta := buildTestApp(t)
	srv := NewServer(cfg, nil, nil)
	if err := srv.Mount(ta.app); err == nil || !strings.Contains(err.Error(), "http.hosts") {
		t.Fatalf("mounting on 0.0.0.0 without hosts: %v", err)
	}
}

func TestCSRF(t *testing.T) {
	ta := newTestApp(t)
	b := ta.signIn(t, auth.RoleAdmin)
	newUser := newUser{Name: "csrf-victim", Role: auth.RoleViewer, Password: "a long enough password"}

	r := ta.do(t, req{method: "POST", path: "/api/users", sess: b, json: newUser, noCSRF: true})
	if r.code != http.StatusForbidden || r.problem(t).Type != problemBase+"csrf" {
		t.Fatalf("no CSRF token: %d %s", r.code, r.body)
	}
	r = ta.do(t, req{method: "POST", path: "/api/users", sess: b, json: newUser, csrf: "forged"})
	if r.code != http.StatusForbidden {
		t.Fatalf("wrong CSRF token: %d %s", r.code, r.body)
	}
	other := ta.signIn(t, auth.RoleAdmin)
	r = ta.do(t, req{method: "POST", path: "/api/users", sess: b, json: newUser, csrf: other.csrf})
	if r.code != http.StatusForbidden {
		t.Fatalf("another session's CSRF token: %d %s", r.code, r.body)
	}
	if _, err := ta.accounts.User("csrf-victim"); err == nil {
		t.Fatal("a refused request created the user")
	}
	r = ta.do(t, req{method: "POST", path: "/api/users", sess: b, json: newUser})
	if r.code != http.StatusCreated {
		t.Fatalf("with the CSRF token: %d %s", r.code, r.body)
	}
	// A bearer token is not ambient: no CSRF token needed.
	newUser.Name = "token-made"
	if r := ta.do(t, req{method: "POST", path: "/api/users", role: auth.RoleAdmin, json: newUser}); r.code != http.StatusCreated {
		t.Fatalf("bearer: %d %s", r.code, r.body)
	}
	// GET /api/me shows a browser its CSRF token.
	var me meResponse
	ta.do(t, req{method: "GET", path: "/api/me", sess: b}).decode(t, &me)
	if !auth.CSRFMatches(me.CSRFToken, b.csrf) || me.User != "ada" || me.Via != auth.ViaSession {
		t.Fatalf("me: %+v", me)
	}
}

// The attack of issue 11: a page on another site posts customers with no
// Content-Type (no CORS preflight needed) to a signed-in admin's Earshot.
func TestCrossSiteCustomersPostIsRefused(t *testing.T) {
	ta := newTestApp(t)
	b := ta.signIn(t, auth.RoleAdmin)
	body := `{"id":"EVIL","first_name":"Mallory"}`
	for name, q := range map[string]req{
		"cross-site, cookie, no type, no CSRF": {sess: b, noCSRF: true, header: map[string]string{"Origin": "https://evil.example"}},
		"cross-site, cookie, no type, token":   {sess: b, header: map[string]string{"Origin": "https://evil.example"}},
		"same-site, cookie, no type, token":    {sess: b},
		"text/plain with the CSRF token":       {sess: b, ctype: "text/plain"},
		"bearer, no type":                      {role: auth.RoleAdmin},
		"anonymous, no type":                   {},
	} {
		q.method, q.path, q.body = "POST", "/api/customers", body
		r := ta.do(t, q)
		if r.code < 400 {
			t.Errorf("%s: %d — accepted", name, r.code)
			continue
		}
		r.problem(t)
	}
	if len(ta.pub.outs) != 0 {
		t.Fatalf("refused requests wrote %d customers", len(ta.pub.outs))
	}
	r := ta.do(t, req{method: "POST", path: "/api/customers", sess: b, ctype: "application/json", body: body})
	if r.code != http.StatusOK || len(ta.pub.outs) != 1 {
		t.Fatalf("the admin's own request: %d %s", r.code, r.body)
	}
	r = ta.do(t, req{method: "POST", path: "/api/customers", role: auth.RoleAdmin, ctype: "application/x-ndjson", body: body + "\n"})
	if r.code != http.StatusOK {
		t.Fatalf("ndjson with a token: %d %s", r.code, r.body)
	}
}

func TestSignInPageFlow(t *testing.T) {
	ta := newTestApp(t)
	b := ta.newBrowser(t)
	get := func(path string) resp { return ta.do(t, req{method: "GET", path: path, sess: b}) }
	r := get("/login?next=" + url.QueryEscape("/api/me"))
	if r.code != http.StatusOK || !strings.Contains(string(r.body), `name="csrf_token"`) || !strings.Contains(string(r.body), `value="/api/me"`) {
		t.Fatalf("sign-in page: %d %s", r.code, r.body)
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(r.body))[1]
	post := func(form url.Values) resp {
		return ta.do(t, req{method: "POST", path: "/login", sess: b, noCSRF: true, ctype: "application/x-www-form-urlencoded", body: form.Encode()})
	}
	// Without the form's token (login CSRF): refused.
	if r := post(url.Values{"user": {"ada"}, "password": {testPassword}}); r.code != http.StatusForbidden {
		t.Fatalf("sign-in without the form token: %d", r.code)
	}
	// A wrong password re-shows the form, escaping what was typed.
	r = post(url.Values{"user": {"<b>ada"}, "password": {"nope"}, "csrf_token": {csrf}})
	if r.code != http.StatusUnauthorized || strings.Contains(string(r.body), "<b>ada") || !strings.Contains(string(r.body), "&lt;b&gt;ada") {
		t.Fatalf("wrong password: %d %s", r.code, r.body)
	}
	r = post(url.Values{"user": {"ADA"}, "password": {testPassword}, "csrf_token": {csrf}, "next": {"//evil.example/"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d to %q", r.code, r.header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Fatalf("session cookie %+v (plain HTTP: not Secure)", cookie)
	}
	var me meResponse
	get("/api/me").decode(t, &me)
	if me.User != "ada" || me.Role != auth.RoleAdmin || me.CSRFToken == "" {
		t.Fatalf("me after sign-in: %+v", me)
	}
	// Sign out needs the session's CSRF token.
	if r := ta.do(t, req{method: "POST", path: "/logout", sess: b, noCSRF: true, ctype: "application/x-www-form-urlencoded", body: "x=1"}); r.code != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", r.code)
	}
	form := url.Values{"csrf_token": {me.CSRFToken}}
	r = ta.do(t, req{method: "POST", path: "/logout", sess: b, noCSRF: true, ctype: "application/x-www-form-urlencoded", body: form.Encode()})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %s", r.code, r.body)
	}
	if r := get("/api/me"); r.code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", r.code)
	}
	if r := get("/"); r.code != http.StatusSeeOther {
		t.Fatalf("home signed out: %d", r.code)
	}
}

func TestSignInIsThrottled(t *testing.T) {
	ta := newTestApp(t)
	try := func(user, pw string) resp {
		return ta.do(t, req{method: "POST", path: "/api/session", json: credentials{User: user, Password: pw}})
	}
	for i := range 5 {
		if r := try("vic", "wrong"); r.code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, r.code)
		}
	}
	r := try("vic", testPassword) // even the right password waits now
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.problem(t).RetryAfter <= 0 {
		t.Fatalf("sixth attempt: %d %v %s", r.code, r.header, r.body)
	}
	// Another account from the same address still signs in (address limit is 20).
	if r := try("sam", testPassword); r.code != http.StatusCreated {
		t.Fatalf("other account: %d %s", r.code, r.body)
	}
	for i := range 15 {
		try(fmt.Sprintf("nobody%d", i), "x")
	}
	if r := try("mia", testPassword); r.code != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d", r.code)
	}
}

func TestBadJSONBodiesAreProblems(t *testing.T) {
	ta := newTestApp(t)
	for name, q := range map[string]req{
		"malformed":      {ctype: "application/json", body: `{"name":`},
		"unknown member": {ctype: "application/json", body: `{"name":"x","role":"viewer","password":"long enough pw","shoe":1}`},
		"two values":     {ctype: "application/json", body: `{}{}`},
		"empty":          {ctype: "application/json", body: ` `},
	} {
		q.method, q.path, q.role = "POST", "/api/users", auth.RoleAdmin
		r := ta.do(t, q)
		if r.code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.code, r.body)
			continue
		}
		r.problem(t)
	}
	r := ta.do(t, req{method: "POST", path: "/api/users", role: auth.RoleAdmin, ctype: "application/json", body: `{"name":"` + strings.Repeat("x", maxJSONBody) + `"}`})
	if r.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: %d", r.code)
	}
	r = ta.do(t, req{method: "POST", path: "/api/users", role: auth.RoleAdmin, ctype: "application/x-www-form-urlencoded", body: "name=x"})
	if r.code != http.StatusUnsupportedMediaType || r.header.Get("Accept-Post") != "application/json" {
		t.Fatalf("form body on a JSON route: %d %v", r.code, r.header)
	}
}

func TestOverTLSCookiesAreSecureAndHSTSIsSent(t *testing.T) {
	ta := buildTestApp(t)
	ts := httptest.NewTLSServer(ta.srv.Handler())
	defer ts.Close()
	body := strings.NewReader(`{"user":"vic","password":"` + testPassword + `"}`)
	res, err := ts.Client().Post(ts.URL+"/api/session", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("sign-in over TLS: %d %v", res.StatusCode, res.Header)
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie over TLS: %+v", session)
	}
}

// The sign-in page speaks the reader's language: Accept-Language, or a
// ?lang= link (remembered in the cookie), errors included.
func TestSignInPageInTheReadersLanguage(t *testing.T) {
	ta := newTestApp(t)
	b := ta.newBrowser(t)
	r := ta.do(t, req{method: "GET", path: "/login", sess: b, header: map[string]string{"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}})
	if body := string(r.body); r.code != http.StatusOK || !strings.Contains(body, `<html lang="pl">`) || !strings.Contains(body, "Hasło") || !strings.Contains(body, "Zaloguj") {
		t.Fatalf("Polish sign-in page: %d %s", r.code, r.body)
	}
	r = ta.do(t, req{method: "GET", path: "/login?lang=zh&next=%2Fprospects", sess: b})
	body := string(r.body)
	if !strings.Contains(body, `<html lang="zh">`) || !strings.Contains(body, "密码") || !strings.Contains(body, `value="/prospects"`) {
		t.Fatalf("Chinese sign-in page: %s", body)
	}
	// The switcher keeps where the reader was going.
	if !strings.Contains(body, `href="/login?lang=lv&amp;next=%2Fprospects"`) {
		t.Fatalf("language switcher lost next: %s", body)
	}
	var remembered bool
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		remembered = remembered || (c.Name == i18n.CookieName && c.Value == "zh")
	}
	if !remembered {
		t.Fatal("a language chosen by link is not remembered")
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)[1]
	form := url.Values{"user": {"ada"}, "password": {"nope"}, "csrf_token": {csrf}}
	r = ta.do(t, req{method: "POST", path: "/login?lang=zh", sess: b, noCSRF: true, ctype: "application/x-www-form-urlencoded", body: form.Encode()})
	if r.code != http.StatusUnauthorized || !strings.Contains(string(r.body), "用户不存在或密码错误") {
		t.Fatalf("Chinese error: %d %s", r.code, r.body)
	}
}
