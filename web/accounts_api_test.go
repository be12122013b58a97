package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/web/auth"
)

func TestUsersAPI(t *testing.T) {
	ta := newTestApp(t)
	admin := func(method, path string, body any) resp {
		return ta.do(t, req{method: method, path: path, role: auth.RoleAdmin, json: body})
	}
	r := admin("POST", "/api/users", newUser{Name: "Zofia", Role: auth.RoleSales, Password: "zażółć gęślą jaźń"})
	var u auth.UserInfo
	r.decode(t, &u)
	if r.code != http.StatusCreated || u.Name != "zofia" || u.Role != auth.RoleSales || r.header.Get("Location") != "/api/users/zofia" {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	if strings.Contains(string(r.body), "argon2") || strings.Contains(string(r.body), "password") {
		t.Fatalf("the answer shows the password or its hash: %s", r.body)
	}
	for name, body := range map[string]newUser{
		"taken name":     {Name: "zofia", Role: auth.RoleViewer, Password: "long enough password"},
		"bad role":       {Name: "x1", Role: "boss", Password: "long enough password"},
		"short password": {Name: "x2", Role: auth.RoleViewer, Password: "short"},
		"bad name":       {Name: "a b", Role: auth.RoleViewer, Password: "long enough password"},
	} {
		r := admin("POST", "/api/users", body)
		want := http.StatusUnprocessableEntity
		if name == "taken name" {
			want = http.StatusConflict
		}
		if r.code != want {
			t.Errorf("%s: %d %s, want %d", name, r.code, r.body, want)
			continue
		}
		r.problem(t)
	}
	r = admin("GET", "/api/users/zofia", nil)
	if r.code != http.StatusOK {
		t.Fatalf("get: %d", r.code)
	}
	if r := admin("GET", "/api/users/nobody", nil); r.code != http.StatusNotFound {
		t.Fatalf("get unknown: %d", r.code)
	}
	// Zofia signs in, then an admin changes her role: her next request has it.
	z := ta.newBrowser(t)
	if r := ta.do(t, req{method: "POST", path: "/api/session", sess: z, json: credentials{User: "zofia", Password: "zażółć gęślą jaźń"}}); r.code != http.StatusCreated {
		t.Fatalf("zofia signs in: %d", r.code)
	}
	role := auth.RoleMarketing
	r = admin("PATCH", "/api/users/zofia", userUpdate{Role: &role})
	if r.decode(t, &u); r.code != http.StatusOK || u.Role != auth.RoleMarketing {
		t.Fatalf("patch role: %d %s", r.code, r.body)
	}
	var me meResponse
	ta.do(t, req{method: "GET", path: "/api/me", sess: z}).decode(t, &me)
	if me.Role != auth.RoleMarketing {
		t.Fatalf("role after change: %+v", me)
	}
	// A new password ends her sessions.
	pw := "a brand new password"
	if r := admin("PATCH", "/api/users/zofia", userUpdate{Password: &pw}); r.code != http.StatusOK {
		t.Fatalf("patch password: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/me", sess: z}); r.code != http.StatusUnauthorized {
		t.Fatalf("session after password change: %d", r.code)
	}
	if r := admin("PATCH", "/api/users/zofia", map[string]any{}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("empty patch: %d", r.code)
	}
	if r := admin("PATCH", "/api/users/nobody", userUpdate{Role: &role}); r.code != http.StatusNotFound {
		t.Fatalf("patch unknown: %d", r.code)
	}
	// Removing a user revokes their tokens.
	zt := ta.do(t, req{method: "POST", path: "/api/tokens", role: auth.RoleAdmin, json: newToken{User: "zofia", Name: "nightly export"}})
	var ct createdToken
	zt.decode(t, &ct)
	if r := ta.do(t, req{method: "GET", path: "/api/me", token: ct.Token}); r.code != http.StatusOK {
		t.Fatalf("zofia's token: %d", r.code)
	}
	if r := admin("DELETE", "/api/users/zofia", nil); r.code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/me", token: ct.Token}); r.code != http.StatusUnauthorized {
		t.Fatalf("token of a removed user: %d", r.code)
	}
	if r := admin("DELETE", "/api/users/zofia", nil); r.code != http.StatusNotFound {
		t.Fatalf("delete again: %d", r.code)
	}
	var users []auth.UserInfo
	admin("GET", "/api/users", nil).decode(t, &users)
	if len(users) != len(testUsers) {
		t.Fatalf("users: %+v", users)
	}
}

func TestLastAdminStays(t *testing.T) {
	ta := newTestApp(t)
	if r := ta.do(t, req{method: "DELETE", path: "/api/users/ada", role: auth.RoleAdmin}); r.code != http.StatusConflict {
		t.Fatalf("removing the last admin: %d %s", r.code, r.body)
	}
	viewer := auth.RoleViewer
	if r := ta.do(t, req{method: "PATCH", path: "/api/users/ada", role: auth.RoleAdmin, json: userUpdate{Role: &viewer}}); r.code != http.StatusConflict {
		t.Fatalf("demoting the last admin: %d %s", r.code, r.body)
	}
}

func TestTokensAPI(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do(t, req{method: "POST", path: "/api/tokens", role: auth.RoleAdmin, json: newToken{User: "vic", Name: "dashboard screen", ExpiresIn: "720h"}})
	var ct createdToken
	r.decode(t, &ct)
	if r.code != http.StatusCreated || !strings.HasPrefix(ct.Token, "est_"+ct.ID+"_") || ct.User != "vic" ||
		ct.ExpiresAt.Sub(ct.CreatedAt) != 720*time.Hour || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/search", token: ct.Token}); r.code != http.StatusOK {
		t.Fatalf("using it: %d", r.code)
	}
	var list []auth.TokenInfo
	ta.do(t, req{method: "GET", path: "/api/tokens?user=vic", role: auth.RoleAdmin}).decode(t, &list)
	var found *auth.TokenInfo
	for i := range list {
		if list[i].ID == ct.ID {
			found = &list[i]
		}
	}
	if found == nil || found.LastUsedAt.IsZero() || found.Name != "dashboard screen" {
		t.Fatalf("listed: %+v", list)
	}
	raw := string(ta.do(t, req{method: "GET", path: "/api/tokens", role: auth.RoleAdmin}).body)
	if strings.Contains(raw, ct.Token[len(ct.Token)-20:]) || strings.Contains(raw, "hash") {
		t.Fatalf("the list shows a secret: %s", raw)
	}
	for name, body := range map[string]newToken{
		"no user":      {Name: "x"},
		"no name":      {User: "vic"},
		"bad duration": {User: "vic", Name: "x", ExpiresIn: "soon"},
	} {
		if r := ta.do(t, req{method: "POST", path: "/api/tokens", role: auth.RoleAdmin, json: body}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
	if r := ta.do(t, req{method: "POST", path: "/api/tokens", role: auth.RoleAdmin, json: newToken{User: "nobody", Name: "x"}}); r.code != http.StatusNotFound {
		t.Fatalf("token for an unknown user: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/tokens?user=nobody", role: auth.RoleAdmin}); r.code != http.StatusNotFound {
		t.Fatalf("tokens of an unknown user: %d", r.code)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/tokens/" + ct.ID, role: auth.RoleAdmin}); r.code != http.StatusNoContent {
		t.Fatalf("revoke: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/search", token: ct.Token}); r.code != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", r.code)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/tokens/" + ct.ID, role: auth.RoleAdmin}); r.code != http.StatusNotFound {
		t.Fatalf("revoke again: %d", r.code)
	}
}

func TestOwnTokensAndPassword(t *testing.T) {
	ta := newTestApp(t)
	b := ta.signIn(t, auth.RoleViewer)
	r := ta.do(t, req{method: "POST", path: "/api/me/tokens", sess: b, json: newToken{Name: "spreadsheet pull"}})
	var ct createdToken
	r.decode(t, &ct)
	if r.code != http.StatusCreated || ct.User != "vic" {
		t.Fatalf("create own: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/me/tokens", sess: b, json: newToken{User: "ada", Name: "escalate"}}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("own token for someone else: %d", r.code)
	}
	var mine []auth.TokenInfo
	ta.do(t, req{method: "GET", path: "/api/me/tokens", sess: b}).decode(t, &mine)
	if len(mine) != 2 { // the harness's and this one
		t.Fatalf("own tokens: %+v", mine)
	}
	// Someone else's token is not found, not revocable.
	var adaTokens []auth.TokenInfo
	ta.do(t, req{method: "GET", path: "/api/me/tokens", role: auth.RoleAdmin}).decode(t, &adaTokens)
	if r := ta.do(t, req{method: "DELETE", path: "/api/me/tokens/" + adaTokens[0].ID, sess: b}); r.code != http.StatusNotFound {
		t.Fatalf("revoking another's token: %d", r.code)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/me/tokens/" + ct.ID, sess: b}); r.code != http.StatusNoContent {
		t.Fatalf("revoke own: %d", r.code)
	}
	// Password: the current one is checked, the new one is policed, the
	// browser stays signed in with a fresh session, other sessions end.
	other := ta.signIn(t, auth.RoleViewer)
	if r := ta.do(t, req{method: "PUT", path: "/api/me/password", sess: b, json: passwordChange{Current: "wrong", New: "a new long password"}}); r.code != http.StatusForbidden {
		t.Fatalf("wrong current password: %d", r.code)
	}
	if r := ta.do(t, req{method: "PUT", path: "/api/me/password", sess: b, json: passwordChange{Current: testPassword, New: "vic"}}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("weak new password: %d", r.code)
	}
	if r := ta.do(t, req{method: "PUT", path: "/api/me/password", sess: b, json: passwordChange{Current: testPassword, New: "a new long password"}}); r.code != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.code, r.body)
	}
	var me meResponse
	if r := ta.do(t, req{method: "GET", path: "/api/me", sess: b}); r.code != http.StatusOK {
		t.Fatalf("this browser after the change: %d", r.code)
	} else {
		r.decode(t, &me)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/me", sess: other}); r.code != http.StatusUnauthorized {
		t.Fatalf("other browser after the change: %d", r.code)
	}
	// Sign out through the API.
	b.csrf = me.CSRFToken
	if r := ta.do(t, req{method: "DELETE", path: "/api/session", sess: b}); r.code != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/me", sess: b}); r.code != http.StatusUnauthorized {
		t.Fatalf("after sign-out: %d", r.code)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do(t, req{method: "GET", path: "/api/openapi.json", role: auth.RoleViewer})
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || r.code != http.StatusOK || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %d %v", r.code, err)
	}
	n := 0
	for _, rt := range ta.srv.Routes() {
		if !isAPI(rt.Pattern) {
			continue
		}
		n++
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is served but not in the document", rt.Pattern)
			continue
		}
		if op["summary"] == "" || op["responses"] == nil {
			t.Errorf("%s: no summary or responses", rt.Pattern)
		}
		params, _ := op["parameters"].([]any)
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			found := false
			for _, p := range params {
				pm := p.(map[string]any)
				found = found || (pm["name"] == m[1] && pm["in"] == "path")
			}
			if !found {
				t.Errorf("%s: path parameter %s undocumented", rt.Pattern, m[1])
			}
		}
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != n {
		t.Fatalf("the document has %d operations, the table %d /api/ routes", documented, n)
	}
}
