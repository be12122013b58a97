package auth

import (
	"context"
	"fmt"
	"strings"
)

// Role is what a user may do; the route table in web/routes.go maps each
// route to the roles allowed to call it.
type Role string

// The roles. Viewer reads; marketing also manages saved searches, alerts
// and corrections; sales also works prospects; admin may do everything,
// including users, tokens, customer imports and erasure.
const (
	RoleAdmin     Role = "admin"
	RoleMarketing Role = "marketing"
	RoleSales     Role = "sales"
	RoleViewer    Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleMarketing, RoleSales, RoleViewer}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles {
		if r == known {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (known: admin, marketing, sales, viewer)", s)
}

// How a principal authenticated.
const (
	ViaSession = "session" // the session cookie of a signed-in browser
	ViaToken   = "token"   // Authorization: Bearer TOKEN
)

// Principal is who is making a request.
type Principal struct {
	User string
	Role Role
	Via  string
	// TokenID is the API token used, when Via is ViaToken.
	TokenID string
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p (the gate calls it).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal the gate authenticated, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
