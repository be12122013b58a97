package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/web/auth"
)

// meResponse is GET /api/me.
type meResponse struct {
	User string    `json:"user"`
	Role auth.Role `json:"role"`
	Via  string    `json:"via"`
	// CSRFToken is the session's token (empty for bearer tokens).
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (a *App) me(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	writeJSON(w, http.StatusOK, meResponse{User: p.User, Role: p.Role, Via: p.Via, CSRFToken: auth.CSRFToken(r)})
}

// passwordChange is PUT /api/me/password.
type passwordChange struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// changeOwnPassword is PUT /api/me/password (setOwnPassword).
func (a *App) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	var body passwordChange
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.setOwnPassword(w, r, body.Current, body.New)
	var th errThrottled
	switch {
	case errors.As(err, &th):
		th.write(w, r)
	case errors.Is(err, auth.ErrBadCredentials):
		problem(w, r, http.StatusForbidden, "forbidden", "the current password is wrong")
	case err != nil:
		a.fail(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// setOwnPassword checks the signed-in user's current password (under the
// sign-in throttle, so a borrowed session cannot guess it quickly), sets
// the new one, which ends every session of theirs, and signs a browser in
// again. For the API and the account page.
func (a *App) setOwnPassword(w http.ResponseWriter, r *http.Request, current, next string) error {
	p := principal(r)
	if _, err := a.signIn(r, p.User, current); err != nil {
		return err
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	if err := a.Accounts.SetPassword(ctx, p.User, next); err != nil {
		return err
	}
	if p.Via == auth.ViaSession {
		return a.startSession(w, r, p.User)
	}
	return nil
}

// newToken is POST /api/me/tokens and POST /api/tokens.
type newToken struct {
	User string `json:"user,omitempty"` // /api/tokens only
	Name string `json:"name"`
	// ExpiresIn is a Go duration ("720h"); empty: no expiry.
	ExpiresIn string `json:"expires_in,omitempty"`
}

// createdToken answers a token creation: the secret, shown this once.
type createdToken struct {
	Token string `json:"token"`
	auth.TokenInfo
}

func (a *App) listOwnTokens(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(a.Accounts.Tokens(principal(r).User)))
}

func (a *App) createOwnToken(w http.ResponseWriter, r *http.Request) {
	var body newToken
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.User != "" && body.User != principal(r).User {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "user: /api/me/tokens makes tokens for yourself; leave user out")
		return
	}
	body.User = principal(r).User
	a.issueToken(w, r, body)
}

func (a *App) issueToken(w http.ResponseWriter, r *http.Request, body newToken) {
	var ttl time.Duration
	if body.ExpiresIn != "" {
		d, err := time.ParseDuration(body.ExpiresIn)
		if err != nil || d <= 0 {
			problem(w, r, http.StatusUnprocessableEntity, "validation", fmt.Sprintf("expires_in: %q is not a positive duration like 720h", body.ExpiresIn))
			return
		}
		ttl = d
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	secret, info, err := a.Accounts.CreateToken(ctx, body.User, body.Name, ttl)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, createdToken{Token: secret, TokenInfo: info})
}

// revokeOwnToken revokes one of the caller's tokens; someone else's token
// is "not found" (its existence is not the caller's business).
func (a *App) revokeOwnToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := a.Accounts.Token(id)
	if err != nil || t.User != principal(r).User {
		problem(w, r, http.StatusNotFound, "not-found", "you have no token "+id)
		return
	}
	a.revoke(w, r, id)
}

func (a *App) revoke(w http.ResponseWriter, r *http.Request, id string) {
	ctx, cancel := requestContext(r)
	defer cancel()
	if err := a.Accounts.RevokeToken(ctx, id); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) listTokens(w http.ResponseWriter, r *http.Request) {
	user := strings.TrimSpace(r.URL.Query().Get("user"))
	if user != "" {
		if _, err := a.Accounts.User(user); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, nonNil(a.Accounts.Tokens(strings.ToLower(user))))
}

func (a *App) createToken(w http.ResponseWriter, r *http.Request) {
	var body newToken
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.User == "" {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "user: name the user the token acts as")
		return
	}
	a.issueToken(w, r, body)
}

func (a *App) revokeToken(w http.ResponseWriter, r *http.Request) {
	a.revoke(w, r, r.PathValue("id"))
}

// newUser is POST /api/users.
type newUser struct {
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	Password string    `json:"password"`
}

// userUpdate is PATCH /api/users/{name}: either or both members.
type userUpdate struct {
	Role     *auth.Role `json:"role,omitempty"`
	Password *string    `json:"password,omitempty"`
}

func (a *App) listUsers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(a.Accounts.Users()))
}

func (a *App) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := a.Accounts.User(r.PathValue("name"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (a *App) createUser(w http.ResponseWriter, r *http.Request) {
	var body newUser
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	u, err := a.Accounts.AddUser(ctx, body.Name, body.Role, body.Password)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/users/"+u.Name)
	writeJSON(w, http.StatusCreated, u)
}

func (a *App) updateUser(w http.ResponseWriter, r *http.Request) {
	var body userUpdate
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	name := r.PathValue("name")
	if body.Role == nil && body.Password == nil {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "send role, password or both")
		return
	}
	if _, err := a.Accounts.User(name); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	if body.Password != nil {
		if err := a.Accounts.SetPassword(ctx, name, *body.Password); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if body.Role != nil {
		if _, err := a.Accounts.SetRole(ctx, name, *body.Role); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	u, err := a.Accounts.User(name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (a *App) deleteUser(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := requestContext(r)
	defer cancel()
	if err := a.Accounts.RemoveUser(ctx, r.PathValue("name")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
