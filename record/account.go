package record

import "time"

// Accounts of the web app: people who sign in, the API tokens they use from
// scripts, and their sessions. Each lives in a compacted topic keyed by its
// ID and is read into memory by every `earshot serve` instance, so a user
// created on one instance signs in on another, and a session survives a
// restart. Secrets are never stored: a password as its argon2id hash, a
// token and a session cookie as their SHA-256 (both are 256-bit random
// values, so a fast hash suffices).

// User is one account.
type User struct {
	Schema int    `json:"schema"`
	Name   string `json:"name"` // the sign-in name, lower case; also the key
	Role   string `json:"role"` // admin, marketing, sales or viewer
	// PasswordHash is an argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
	PasswordHash string `json:"password_hash"`
	// PasswordChangedAt ends every session started before it.
	PasswordChangedAt time.Time `json:"password_changed_at"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// APIToken is a bearer token of a user, for scripts and scheduled pulls.
type APIToken struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"` // public part of the token; also the key
	User   string `json:"user"`
	Name   string `json:"name"` // what the token is for
	// Hash is the hex SHA-256 of the token's secret part.
	Hash       string    `json:"hash"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Session is a signed-in browser. ID is the hex SHA-256 of the cookie value.
type Session struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	User   string `json:"user"`
	// CSRF is the token every state-changing request of this session carries.
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (u *User) schemaVersion() *int     { return &u.Schema }
func (t *APIToken) schemaVersion() *int { return &t.Schema }
func (s *Session) schemaVersion() *int  { return &s.Schema }
