package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/table"
)

// Every page route is in the route table with roles, and every page row
// reaches a page handler.
func TestEveryPageHasARouteRow(t *testing.T) {
	ta := newTestApp(t)
	rows := map[string]Route{}
	for _, rt := range ta.srv.Routes() {
		rows[rt.Pattern] = rt
	}
	for _, r := range ta.app.pages.Routes() {
		rt, ok := rows[r.Pattern]
		if !ok {
			t.Errorf("page route %q has no row in routes.go", r.Pattern)
			continue
		}
		if !rt.Public && len(rt.Roles) == 0 {
			t.Errorf("page route %q has no roles", r.Pattern)
		}
	}
	for pattern := range ta.app.pageRoutes {
		if _, ok := rows[pattern]; !ok {
			t.Errorf("page %q is not routed", pattern)
		}
	}
}

func (ta *testApp) page(t *testing.T, b *browser, method, path string, form url.Values, header ...string) resp {
	t.Helper()
	q := req{method: method, path: path, sess: b, header: map[string]string{"Accept": "text/html"}}
	if form != nil {
		q.ctype, q.body = "application/x-www-form-urlencoded", form.Encode()
	}
	for i := 0; i+1 < len(header); i += 2 {
		q.header[header[i]] = header[i+1]
	}
	return ta.do(t, q)
}

func TestPagesBehindTheGate(t *testing.T) {
	ta := newTestApp(t)
	mention := contract.Mentions()[0].ID

	// Signed out: a browser is sent to sign in, coming back afterwards.
	r := ta.page(t, ta.newBrowser(t), "GET", "/mentions?q=x", nil)
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=%2Fmentions") {
		t.Fatalf("signed-out /mentions = %d %q", r.code, r.header.Get("Location"))
	}
	if r := ta.page(t, ta.newBrowser(t), "GET", "/assets/app.css", nil); r.code != 200 {
		t.Errorf("assets need no sign-in: %d", r.code)
	}

	viewer, marketer, seller := ta.signIn(t, auth.RoleViewer), ta.signIn(t, auth.RoleMarketing), ta.signIn(t, auth.RoleSales)
	if r := ta.page(t, viewer, "GET", "/", nil); r.code != http.StatusSeeOther || r.header.Get("Location") != "/mentions" {
		t.Errorf("home when signed in = %d %q", r.code, r.header.Get("Location"))
	}
	r = ta.page(t, viewer, "GET", "/mentions?period=all", nil)
	if r.code != 200 || !auth.CSRFMatches(metaCSRF(string(r.body)), viewer.csrf) {
		t.Fatalf("viewer /mentions = %d, or no session CSRF token in the page", r.code)
	}
	if strings.Contains(string(r.body), viewer.csrf) {
		t.Errorf("the page shows the session's CSRF token unmasked")
	}
	if again := ta.page(t, viewer, "GET", "/mentions?period=all", nil); metaCSRF(string(again.body)) == metaCSRF(string(r.body)) {
		t.Errorf("two renders carry the same masked CSRF token")
	}
	if strings.Contains(string(r.body), `/sentiment"`) || strings.Contains(string(r.body), `href="/admin"`) {
		t.Errorf("a viewer is offered corrections or administration")
	}
	if r := ta.page(t, marketer, "GET", "/mentions?period=all", nil); !strings.Contains(string(r.body), `/sentiment"`) {
		t.Errorf("a marketer is not offered corrections")
	}

	// Corrections: marketing may, viewers may not, nobody without the token.
	form := url.Values{"value": {"negative"}}
	if r := ta.page(t, viewer, "POST", "/mentions/"+mention+"/sentiment", form); r.code != http.StatusForbidden {
		t.Errorf("viewer correction = %d; want 403", r.code)
	}
	noToken := ta.do(t, req{method: "POST", path: "/mentions/" + mention + "/sentiment", sess: marketer, noCSRF: true,
		ctype: "application/x-www-form-urlencoded", body: form.Encode()})
	if noToken.code != http.StatusForbidden || !strings.Contains(string(noToken.body), "csrf") {
		t.Errorf("correction without the CSRF token = %d %s", noToken.code, noToken.body)
	}
	// The token as a page carries it (masked) is the session's; altered, it is not.
	masked := metaCSRF(string(ta.page(t, marketer, "GET", "/mentions?period=all", nil).body))
	altered := []byte(masked)
	altered[len(altered)/2] ^= 'A' ^ 'B' // one character changed
	for token, want := range map[string]int{masked: http.StatusSeeOther, string(altered): http.StatusForbidden} {
		withField := url.Values{"value": {"positive"}, auth.CSRFField: {token}}
		r := ta.do(t, req{method: "POST", path: "/mentions/" + mention + "/sentiment", sess: marketer, noCSRF: true,
			ctype: "application/x-www-form-urlencoded", body: withField.Encode()})
		if r.code != want {
			t.Errorf("correction with the page's token %q = %d; want %d", token, r.code, want)
		}
	}
	r = ta.page(t, marketer, "POST", "/mentions/"+mention+"/sentiment", form, "HX-Request", "true")
	if r.code != 200 || !strings.Contains(string(r.body), `data-sentiment="negative"`) {
		t.Fatalf("marketer correction = %d %s", r.code, r.body)
	}
	eventually(t, "the correction in the store", func() bool { return len(ta.store.Corrections(mention)) == 1 })

	// Prospects: sales works them, marketing may not.
	if r := ta.page(t, marketer, "POST", "/prospects/P2/stage", url.Values{"stage": {"contacted"}}); r.code != http.StatusForbidden {
		t.Errorf("marketer stage change = %d; want 403", r.code)
	}
	r = ta.page(t, seller, "POST", "/prospects/P2/stage", url.Values{"stage": {"contacted"}, "view": {"profile"}}, "HX-Request", "true")
	if r.code != 200 || !strings.Contains(string(r.body), `data-to="contacted"`) {
		t.Fatalf("seller stage change = %d %s", r.code, r.body)
	}
	eventually(t, "the stage in the store", func() bool { return ta.store.Work("P2").Stage == "contacted" })
	if r := ta.page(t, viewer, "GET", "/prospects?stage=contacted", nil); !strings.Contains(string(r.body), "Anna Kowalska") {
		t.Errorf("the inbox's stage filter misses the prospect sales moved")
	}

	// Administration is for admins.
	if r := ta.page(t, viewer, "GET", "/admin", nil); r.code != http.StatusForbidden {
		t.Errorf("viewer /admin = %d; want 403", r.code)
	}
	if r := ta.page(t, ta.signIn(t, auth.RoleAdmin), "GET", "/admin", nil); r.code != 200 || !strings.Contains(string(r.body), "vic") {
		t.Errorf("admin /admin = %d, or users not listed", r.code)
	}
}

// The admin page changes a real account: a role applies to the user's
// next request, a new password ends their sessions; nobody else may.
func TestAdminPageChangesAccounts(t *testing.T) {
	ta := newTestApp(t)
	admin, seller, viewer := ta.signIn(t, auth.RoleAdmin), ta.signIn(t, auth.RoleSales), ta.signIn(t, auth.RoleViewer)
	if r := ta.page(t, seller, "POST", "/admin/users/vic/role", url.Values{"role": {"admin"}}); r.code != http.StatusForbidden {
		t.Errorf("a seller changing a role = %d; want 403", r.code)
	}
	if r := ta.page(t, admin, "POST", "/admin/users/vic/role", url.Values{"role": {"marketing"}}); r.code != http.StatusSeeOther {
		t.Fatalf("role change = %d %s", r.code, r.body)
	}
	if u, err := ta.accounts.User("vic"); err != nil || u.Role != auth.RoleMarketing {
		t.Fatalf("vic is %+v (%v); want marketing", u, err)
	}
	if r := ta.page(t, viewer, "GET", "/mentions?period=all", nil); !strings.Contains(string(r.body), `/sentiment"`) {
		t.Errorf("vic's next page does not offer a marketer's corrections")
	}
	if r := ta.page(t, admin, "POST", "/admin/users/vic/password", url.Values{"password": {"another long password"}}); r.code != http.StatusSeeOther {
		t.Fatalf("password set = %d %s", r.code, r.body)
	}
	if r := ta.page(t, viewer, "GET", "/mentions", nil); r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("vic's old session still works after the new password: %d %q", r.code, r.header.Get("Location"))
	}
	if _, err := ta.accounts.CheckPassword("vic", "another long password"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// The account and admin pages say why the accounts refused a change in
// the reader's language, with the status that says what kind of refusal
// it was.
func TestAccountRefusalsInTheReadersLanguage(t *testing.T) {
	ta := newTestApp(t)
	admin, viewer := ta.signIn(t, auth.RoleAdmin), ta.signIn(t, auth.RoleViewer)
	polish := []string{"Accept-Language", "pl"}
	for _, c := range []struct {
		name, path string
		form       url.Values
		code       int
		says       string
	}{
		{"an existing user", "/admin/users", url.Values{"name": {"vic"}, "role": {"viewer"}, "password": {"a long enough password"}}, http.StatusConflict, "Użytkownik o tej nazwie już istnieje."},
		{"a bad user name", "/admin/users", url.Values{"name": {"Ola Nowak"}, "role": {"viewer"}, "password": {"a long enough password"}}, http.StatusBadRequest, "Nazwa użytkownika ma 1–64 znaki"},
		{"an unknown user", "/admin/users/nobody/role", url.Values{"role": {"sales"}}, http.StatusNotFound, "Nie ma takiego użytkownika."},
		{"a token without a name", "/admin/tokens", url.Values{"user": {"vic"}, "name": {" "}}, http.StatusBadRequest, "Opisz w 1–100 znakach, do czego służy token."},
		{"an unknown token", "/admin/tokens/nosuch/revoke", url.Values{}, http.StatusNotFound, "Nie ma takiego tokenu."},
	} {
		r := ta.page(t, admin, "POST", c.path, c.form, polish...)
		if r.code != c.code || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%s: %d; want %d saying %q in:\n%s", c.name, r.code, c.code, c.says, problemText(r.body))
		}
	}
	// Guessing one's own current password meets the sign-in throttle,
	// said in Polish with the wait.
	var r resp
	for range 20 {
		r = ta.page(t, viewer, "POST", "/account/password", url.Values{"current": {"a guess"}, "password": {"a fresh long password"}, "repeat": {"a fresh long password"}}, polish...)
		if r.code != http.StatusForbidden {
			break
		}
		if !strings.Contains(string(r.body), "Obecne hasło jest nieprawidłowe.") {
			t.Fatalf("a wrong current password is not said in Polish:\n%s", problemText(r.body))
		}
	}
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "Zbyt wiele nieudanych prób. Spróbuj ponownie za ") {
		t.Errorf("the throttle on the account page = %d:\n%s", r.code, problemText(r.body))
	}
}

// problemText is the refusal a page shows, for a failure message.
func problemText(page []byte) string {
	_, rest, ok := strings.Cut(string(page), `class="error" role="alert"><p>`)
	if !ok {
		return "(no problem shown)"
	}
	text, _, _ := strings.Cut(rest, "</")
	return text
}

// Anyone changes their own password on the account page: a wrong current
// password changes nothing, the right one ends their other sessions and
// keeps this browser signed in.
func TestAccountPageChangesOwnPassword(t *testing.T) {
	ta := newTestApp(t)
	here, elsewhere := ta.signIn(t, auth.RoleViewer), ta.signIn(t, auth.RoleViewer)
	if r := ta.page(t, here, "GET", "/account", nil); r.code != 200 || !strings.Contains(string(r.body), `action="/account/password"`) {
		t.Fatalf("a viewer's account page = %d", r.code)
	}
	change := func(current string) resp {
		return ta.page(t, here, "POST", "/account/password", url.Values{"current": {current}, "password": {"a fresh long password"}, "repeat": {"a fresh long password"}})
	}
	if r := change("not my password"); r.code != http.StatusForbidden {
		t.Errorf("a wrong current password = %d; want 403", r.code)
	}
	if _, err := ta.accounts.CheckPassword("vic", testPassword); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}
	if r := change(testPassword); r.code != http.StatusSeeOther || r.header.Get("Location") != "/account?done=password_changed" {
		t.Fatalf("change = %d %q %s", r.code, r.header.Get("Location"), r.body)
	}
	if r := ta.page(t, here, "GET", "/account?done=password_changed", nil); r.code != 200 || !strings.Contains(string(r.body), "Password changed.") {
		t.Errorf("this browser was signed out: %d", r.code)
	}
	if r := ta.page(t, elsewhere, "GET", "/account", nil); r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("another session survived the change: %d %q", r.code, r.header.Get("Location"))
	}
	if _, err := ta.accounts.CheckPassword("vic", "a fresh long password"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// A token made on the account page acts as its maker, with their role.
func TestAccountPageTokenActsAsItsMaker(t *testing.T) {
	ta := newTestApp(t)
	seller := ta.signIn(t, auth.RoleSales)
	r := ta.page(t, seller, "POST", "/account/tokens", url.Values{"name": {"cli"}, "expires": {"30d"}})
	_, rest, _ := strings.Cut(string(r.body), `<code class="secret-value">`)
	secret, _, _ := strings.Cut(rest, "<")
	if r.code != 200 || !strings.HasPrefix(secret, "est_") {
		t.Fatalf("token creation = %d, secret %q", r.code, secret)
	}
	var me meResponse
	ta.do(t, req{method: "GET", path: "/api/me", token: secret}).decode(t, &me)
	if me.User != "sam" || me.Role != auth.RoleSales || me.Via != auth.ViaToken {
		t.Errorf("the new token acts as %+v; want sam, sales", me)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/users", token: secret, json: map[string]string{"name": "x"}}); r.code != http.StatusForbidden {
		t.Errorf("a seller's token reached an admin route: %d", r.code)
	}
	for _, tok := range ta.accounts.Tokens("sam") {
		if tok.Name == "cli" && (tok.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) || tok.ExpiresAt.After(time.Now().Add(31*24*time.Hour))) {
			t.Errorf("the token asked to live 30 days expires at %s", tok.ExpiresAt)
		}
	}
}

// metaCSRF is the CSRF token a page carries in its <meta> element.
func metaCSRF(page string) string {
	_, rest, _ := strings.Cut(page, `<meta name="csrf-token" content="`)
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

// The pages say the accounts' own password minimum (they check it first,
// to say it in the reader's language).
func TestPagesAndAccountsAgreeOnThePasswordMinimum(t *testing.T) {
	if pages.MinPasswordLen != auth.MinPasswordLen {
		t.Fatalf("pages say %d characters, the accounts take %d", pages.MinPasswordLen, auth.MinPasswordLen)
	}
	short := strings.Repeat("x", auth.MinPasswordLen-1)
	if auth.CheckPasswordPolicy("vic", short) == nil || auth.CheckPasswordPolicy("vic", short+"y") != nil {
		t.Errorf("the accounts' minimum is not %d characters", auth.MinPasswordLen)
	}
}

// Every account refusal the pages can say in the reader's language is
// named for them, keeping its own text for the log.
func TestPageRefusalNamesAccountErrors(t *testing.T) {
	for _, c := range []struct{ err, want error }{
		{auth.ErrBadCredentials, pages.ErrWrongPassword},
		{auth.ErrLastAdmin, pages.ErrLastAdmin},
		{fmt.Errorf("adding vic: %w", auth.ErrUserExists), pages.ErrUserExists},
		{fmt.Errorf("%w: vic", auth.ErrUnknownUser), pages.ErrUnknownUser},
		{auth.ErrUnknownToken, pages.ErrUnknownToken},
		{&auth.InvalidError{Err: errors.New("user name"), Rule: auth.ErrBadUserName}, pages.ErrBadUserName},
		{&auth.InvalidError{Err: errors.New("token name"), Rule: auth.ErrBadTokenName}, pages.ErrBadTokenName},
		{fmt.Errorf("saving: %w", &table.WriteError{Err: errors.New("broker down")}), pages.ErrNotSaved},
	} {
		got := pageRefusal(c.err)
		if !errors.Is(got, c.want) || got.Error() != c.err.Error() {
			t.Errorf("pageRefusal(%v) = %v; want it named %v with the same text", c.err, got, c.want)
		}
	}
	var tries pages.TooManyTries
	if err := pageRefusal(errThrottled{wait: 90 * time.Second}); !errors.As(err, &tries) || tries.Wait != 90*time.Second {
		t.Errorf("a throttled check = %v; want TooManyTries of 90 s", err)
	}
	if other := errors.New("something else"); pageRefusal(other) != other || pageRefusal(nil) != nil {
		t.Errorf("an unknown error or none is not passed on as it is")
	}
}
