package pages

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type accountData struct {
	// Problem says why the last change was refused, in the reader's
	// language where the pages know the reason (refusals.go), in the
	// error's own words otherwise.
	Problem   string
	CanChange bool
	// Tokens are the person's own API tokens (for the CLI and scripts);
	// Secret a new one's, shown once.
	Tokens    []Token
	HasTokens bool
	Secret    string
}

// account is the signed-in person's own page: who they are and what their
// role allows, a form to change their password, their own API tokens.
func (p *Pages) account(w http.ResponseWriter, r *http.Request) {
	p.renderAccount(w, r, http.StatusOK, accountData{})
}

func (p *Pages) renderAccount(w http.ResponseWriter, r *http.Request, code int, d accountData) {
	d.CanChange = p.d.ChangePassword != nil
	if d.HasTokens = p.d.Accounts != nil; d.HasTokens {
		var err error
		if d.Tokens, err = p.ownTokens(r); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	v := p.newView(r, "", "account", &d)
	v.Title = v.L.T("account.title")
	p.render(w, r, code, "account", "", v)
}

// changeOwnPassword asks for the current password and the new one twice;
// the other sessions end, this browser stays signed in.
func (p *Pages) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	if p.d.ChangePassword == nil {
		p.badRequest(w, r, "passwords are not managed by this server")
		return
	}
	current, next := r.PostFormValue("current"), r.PostFormValue("password")
	if next != r.PostFormValue("repeat") {
		p.renderAccount(w, r, http.StatusBadRequest, accountData{Problem: p.locale(r).T("account.mismatch")})
		return
	}
	if msg := p.passwordProblem(r, p.viewerName(r), next); msg != "" {
		p.renderAccount(w, r, http.StatusBadRequest, accountData{Problem: msg})
		return
	}
	if err := p.d.ChangePassword(w, r, current, next); err != nil {
		p.accountRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=password_changed", http.StatusSeeOther)
}

// accountRefused shows the account page saying why err refused a change.
func (p *Pages) accountRefused(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := p.refusal(w, r, err)
	p.renderAccount(w, r, status, accountData{Problem: msg})
}

// ownTokens are the signed-in person's API tokens.
func (p *Pages) ownTokens(r *http.Request) ([]Token, error) {
	all, err := p.d.Accounts.Tokens(r.Context())
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	me := p.viewerName(r)
	return slices.DeleteFunc(all, func(t Token) bool { return t.User != me }), nil
}

// createOwnToken makes an API token for the signed-in person; its secret
// is in this response only.
func (p *Pages) createOwnToken(w http.ResponseWriter, r *http.Request) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	ttl, err := tokenLifetime(r.PostFormValue("expires"))
	var secret string
	if err == nil {
		secret, err = p.d.Accounts.CreateToken(r.Context(), p.viewerName(r), strings.TrimSpace(r.PostFormValue("name")), ttl)
	}
	if err != nil {
		p.accountRefused(w, r, err)
		return
	}
	p.renderAccount(w, r, http.StatusOK, accountData{Secret: secret})
}

// tokenLifetimes are the lifetimes a new token may be given, the form's
// first choice its default; "never" keeps it until it is revoked.
var tokenLifetimes = []struct {
	Key string
	TTL time.Duration
}{{"90d", 90 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"365d", 365 * 24 * time.Hour}, {"never", 0}}

// tokenLifetime reads the form's choice (none: the default).
func tokenLifetime(key string) (time.Duration, error) {
	if key == "" {
		return tokenLifetimes[0].TTL, nil
	}
	for _, l := range tokenLifetimes {
		if l.Key == key {
			return l.TTL, nil
		}
	}
	return 0, fmt.Errorf("unknown token lifetime %q", key)
}

// revokeOwnToken revokes one of the signed-in person's own tokens; another
// person's is not found here (admins revoke any on /admin).
func (p *Pages) revokeOwnToken(w http.ResponseWriter, r *http.Request) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	mine, err := p.ownTokens(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if !slices.ContainsFunc(mine, func(t Token) bool { return t.ID == id }) {
		p.renderAccount(w, r, http.StatusNotFound, accountData{Problem: p.locale(r).T("account.no_such_token")})
		return
	}
	if err := p.d.Accounts.RevokeToken(r.Context(), id); err != nil {
		p.accountRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=token_revoked", http.StatusSeeOther)
}

// MinPasswordLen is the shortest password the accounts take
// (web/auth.MinPasswordLen; a test keeps them equal): the pages say it,
// and say why a password is refused, in the reader's language.
const MinPasswordLen = 12

// passwordProblem is why password cannot be user's, in the reader's
// language, or "" (the accounts check again, as they do for the API).
func (p *Pages) passwordProblem(r *http.Request, user, password string) string {
	l := p.locale(r)
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return l.T("password.too_short", MinPasswordLen)
	case strings.EqualFold(strings.TrimSpace(password), user):
		return l.T("password.is_name")
	}
	return ""
}
