package pages

import (
	"errors"
	"net/http"
)

// ErrWrongPassword is what Deps.ChangePassword returns when the current
// password given is not the person's.
var ErrWrongPassword = errors.New("the current password is wrong")

type accountData struct {
	// Problem is a localised message key, or Detail a message as the
	// accounts gave it (a password policy, a throttle).
	Problem, Detail string
	CanChange       bool
}

// account is the signed-in person's own page: who they are and a form to
// change their password.
func (p *Pages) account(w http.ResponseWriter, r *http.Request) {
	p.renderAccount(w, r, http.StatusOK, accountData{})
}

func (p *Pages) renderAccount(w http.ResponseWriter, r *http.Request, code int, d accountData) {
	d.CanChange = p.d.ChangePassword != nil
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
		p.renderAccount(w, r, http.StatusBadRequest, accountData{Problem: "account.mismatch"})
		return
	}
	err := p.d.ChangePassword(w, r, current, next)
	switch {
	case errors.Is(err, ErrWrongPassword):
		p.renderAccount(w, r, http.StatusForbidden, accountData{Problem: "account.wrong"})
	case err != nil:
		p.renderAccount(w, r, http.StatusBadRequest, accountData{Detail: err.Error()})
	default:
		http.Redirect(w, r, "/account?done=password_changed", http.StatusSeeOther)
	}
}
