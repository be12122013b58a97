package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/table"
)

// Errors callers map to answers.
var (
	ErrBadCredentials = errors.New("unknown user or wrong password")
	ErrUnknownUser    = errors.New("no such user")
	ErrUserExists     = errors.New("the user exists")
	ErrUnknownToken   = errors.New("no such token")
	ErrLastAdmin      = errors.New("the last admin cannot be removed or demoted")
	// Rules an InvalidError can name, so a caller can say which in its
	// reader's language.
	ErrBadUserName  = errors.New("bad user name")
	ErrBadTokenName = errors.New("bad token name")
)

// InvalidError is bad input to an account operation (a name, a role, a
// password that breaks the policy); Rule, when set, is the rule broken
// (ErrBadUserName, ErrBadTokenName).
type InvalidError struct{ Err, Rule error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() []error {
	if e.Rule == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Rule}
}

func invalid(format string, args ...any) error {
	return &InvalidError{Err: fmt.Errorf(format, args...)}
}

// Config is the accounts section of the http config.
type Config struct {
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// Argon2 are the password hashing costs.
	Argon2 HashParams `yaml:"argon2"`
	// Throttle bounds failed sign-ins.
	Throttle ThrottleConfig `yaml:"throttle"`
}

// DefaultConfig: 12-hour sessions, OWASP's argon2id costs, 5 failures per
// account and 20 per address in 15 minutes.
func DefaultConfig() Config {
	return Config{SessionTTL: 12 * time.Hour, Argon2: DefaultHashParams, Throttle: DefaultThrottleConfig()}
}

// Validate names bad settings.
func (c Config) Validate() error {
	var errs []error
	if c.SessionTTL < time.Minute {
		errs = append(errs, confx.Keyf("http.auth.session_ttl", "must be at least 1m, got %s", c.SessionTTL))
	}
	if err := c.Argon2.Validate(); err != nil {
		errs = append(errs, confx.Keyf("http.auth.argon2", "%w", err))
	}
	if err := c.Throttle.Validate(); err != nil {
		errs = append(errs, confx.Keyf("http.auth.throttle", "%w", err))
	}
	return errors.Join(errs...)
}

// UserInfo is a user as the API and CLI show it (no hash).
type UserInfo struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TokenInfo is a token as the API and CLI show it (no secret, no hash).
type TokenInfo struct {
	ID         string    `json:"id"`
	User       string    `json:"user"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
}

// Accounts holds users, API tokens and sessions.
type Accounts struct {
	cfg      Config
	users    *table.Table[record.User, *record.User]
	tokens   *table.Table[record.APIToken, *record.APIToken]
	sessions *table.Table[record.Session, *record.Session]
	logger   *slog.Logger
	now      func() time.Time
	// dummyHash is verified when the user is unknown, so a wrong name
	// costs as much time as a wrong password.
	dummyHash string

	mu       sync.Mutex
	lastUsed map[string]time.Time // token id → last use not yet written
}

// NewAccounts creates the account tables over the topics' names; writes go
// through pub. Follow them (Tables) before serving.
func NewAccounts(cfg Config, pub table.Publisher, topics pipeline.Topics, logger *slog.Logger) *Accounts {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "accounts")
	a := &Accounts{
		cfg:      cfg,
		users:    table.New[record.User](topics.Name(pipeline.RoleUsers), pub, func(u *record.User) time.Time { return u.UpdatedAt }, logger),
		tokens:   table.New[record.APIToken](topics.Name(pipeline.RoleTokens), pub, func(t *record.APIToken) time.Time { return t.UpdatedAt }, logger),
		sessions: table.New[record.Session](topics.Name(pipeline.RoleSessions), pub, func(s *record.Session) time.Time { return s.UpdatedAt }, logger),
		logger:   logger,
		now:      time.Now,
		lastUsed: map[string]time.Time{},
	}
	a.dummyHash, _ = HashPassword(RandomSecret(16), cfg.Argon2)
	return a
}

// Tables are the topics Accounts follows.
func (a *Accounts) Tables() []table.Follower {
	return []table.Follower{a.users, a.tokens, a.sessions}
}

// SetClock replaces the clock (tests).
func (a *Accounts) SetClock(now func() time.Time) { a.now = now }

var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// NormalizeUserName lower-cases a user name and checks its characters.
func NormalizeUserName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if !userName.MatchString(n) {
		return "", &InvalidError{Err: fmt.Errorf("user name %q: use 1-64 letters a-z, digits and . _ @ - (starting with a letter or digit)", name), Rule: ErrBadUserName}
	}
	return n, nil
}

func userInfo(u record.User) UserInfo {
	return UserInfo{Name: u.Name, Role: Role(u.Role), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// HasUsers reports whether any account exists.
func (a *Accounts) HasUsers() bool { return a.users.Len() > 0 }

// Users lists every user by name.
func (a *Accounts) Users() []UserInfo {
	var out []UserInfo
	a.users.Each(func(_ string, u record.User) bool {
		out = append(out, userInfo(u))
		return true
	})
	return out
}

// User returns one user.
func (a *Accounts) User(name string) (UserInfo, error) {
	n, err := NormalizeUserName(name)
	if err != nil {
		return UserInfo{}, err
	}
	u, ok := a.users.Get(n)
	if !ok {
		return UserInfo{}, fmt.Errorf("%w: %s", ErrUnknownUser, n)
	}
	return userInfo(u), nil
}

// AddUser creates a user.
func (a *Accounts) AddUser(ctx context.Context, name string, role Role, password string) (UserInfo, error) {
	n, err := NormalizeUserName(name)
	if err != nil {
		return UserInfo{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return UserInfo{}, &InvalidError{Err: err}
	}
	if err := CheckPasswordPolicy(n, password); err != nil {
		return UserInfo{}, &InvalidError{Err: err}
	}
	if _, ok := a.users.Get(n); ok {
		return UserInfo{}, fmt.Errorf("%w: %s", ErrUserExists, n)
	}
	hash, err := HashPassword(password, a.cfg.Argon2)
	if err != nil {
		return UserInfo{}, err
	}
	now := a.now().UTC()
	u := &record.User{Name: n, Role: string(role), PasswordHash: hash, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := a.users.Put(ctx, n, u); err != nil {
		return UserInfo{}, err
	}
	a.logger.Info("user added", "user", n, "role", role)
	return userInfo(*u), nil
}

// SetPassword changes a password and ends the user's sessions.
func (a *Accounts) SetPassword(ctx context.Context, name, password string) error {
	n, err := NormalizeUserName(name)
	if err != nil {
		return err
	}
	u, ok := a.users.Get(n)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownUser, n)
	}
	if err := CheckPasswordPolicy(n, password); err != nil {
		return &InvalidError{Err: err}
	}
	if u.PasswordHash, err = HashPassword(password, a.cfg.Argon2); err != nil {
		return err
	}
	now := a.now().UTC()
	u.PasswordChangedAt, u.UpdatedAt = now, now
	if err := a.users.Put(ctx, n, &u); err != nil {
		return err
	}
	a.logger.Info("password changed", "user", n)
	return a.endSessions(ctx, n)
}

// SetRole changes a user's role; it applies to their next request.
func (a *Accounts) SetRole(ctx context.Context, name string, role Role) (UserInfo, error) {
	n, err := NormalizeUserName(name)
	if err != nil {
		return UserInfo{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return UserInfo{}, &InvalidError{Err: err}
	}
	u, ok := a.users.Get(n)
	if !ok {
		return UserInfo{}, fmt.Errorf("%w: %s", ErrUnknownUser, n)
	}
	if Role(u.Role) == RoleAdmin && role != RoleAdmin && a.admins() <= 1 {
		return UserInfo{}, ErrLastAdmin
	}
	u.Role, u.UpdatedAt = string(role), a.now().UTC()
	if err := a.users.Put(ctx, n, &u); err != nil {
		return UserInfo{}, err
	}
	a.logger.Info("role changed", "user", n, "role", role)
	return userInfo(u), nil
}

func (a *Accounts) admins() int {
	n := 0
	a.users.Each(func(_ string, u record.User) bool {
		if Role(u.Role) == RoleAdmin {
			n++
		}
		return true
	})
	return n
}

// RemoveUser deletes a user with their tokens and sessions. The last admin
// cannot be removed (nobody could manage accounts afterwards).
func (a *Accounts) RemoveUser(ctx context.Context, name string) error {
	n, err := NormalizeUserName(name)
	if err != nil {
		return err
	}
	u, ok := a.users.Get(n)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownUser, n)
	}
	if Role(u.Role) == RoleAdmin && a.admins() <= 1 {
		return ErrLastAdmin
	}
	if err := a.users.Delete(ctx, n); err != nil {
		return err
	}
	var errs []error
	for _, t := range a.Tokens(n) {
		errs = append(errs, a.tokens.Delete(ctx, t.ID))
	}
	errs = append(errs, a.endSessions(ctx, n))
	a.logger.Info("user removed", "user", n)
	return errors.Join(errs...)
}

// CheckPassword verifies a sign-in.
func (a *Accounts) CheckPassword(name, password string) (Principal, error) {
	n, err := NormalizeUserName(name)
	u, ok := a.users.Get(n)
	if err != nil || !ok || len(password) > MaxPasswordLen {
		_, _ = VerifyPassword(a.dummyHash, "x")
		return Principal{}, ErrBadCredentials
	}
	good, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		a.logger.Error("stored password hash unreadable", "user", n, "error", err)
		return Principal{}, ErrBadCredentials
	}
	if !good {
		return Principal{}, ErrBadCredentials
	}
	return Principal{User: n, Role: Role(u.Role), Via: ViaSession}, nil
}

// EnsureAdmin creates the user "admin" when there are no users at all:
// with password when given, else a random one it returns (generated true).
// It does nothing (created false) when any user exists.
func (a *Accounts) EnsureAdmin(ctx context.Context, password string) (created bool, pw string, err error) {
	if a.HasUsers() {
		return false, "", nil
	}
	pw = password
	if pw == "" {
		pw = RandomPassword()
	}
	if _, err := a.AddUser(ctx, "admin", RoleAdmin, pw); err != nil {
		return false, "", fmt.Errorf("creating the first admin: %w", err)
	}
	return true, pw, nil
}

// Token format: "est_" + id + "_" + secret. The id finds the record, the
// secret's hash proves possession.
const tokenPrefix = "est_"

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func tokenInfo(t record.APIToken) TokenInfo {
	return TokenInfo{ID: t.ID, User: t.User, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt}
}

// CreateToken makes an API token for user and returns its secret (shown
// once, never stored) with its description. ttl 0 means no expiry.
func (a *Accounts) CreateToken(ctx context.Context, user, name string, ttl time.Duration) (string, TokenInfo, error) {
	n, err := NormalizeUserName(user)
	if err != nil {
		return "", TokenInfo{}, err
	}
	if _, ok := a.users.Get(n); !ok {
		return "", TokenInfo{}, fmt.Errorf("%w: %s", ErrUnknownUser, n)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", TokenInfo{}, &InvalidError{Err: errors.New("token name: say in 1-100 characters what the token is for"), Rule: ErrBadTokenName}
	}
	if ttl < 0 {
		return "", TokenInfo{}, invalid("token expiry must not be negative")
	}
	id := strings.ToLower(RandomSecret(9))
	id = strings.NewReplacer("-", "a", "_", "b").Replace(id) // "_" separates the parts
	secret := RandomSecret(32)
	now := a.now().UTC()
	t := &record.APIToken{ID: id, User: n, Name: name, Hash: hashHex(secret), CreatedAt: now, UpdatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	if err := a.tokens.Put(ctx, id, t); err != nil {
		return "", TokenInfo{}, err
	}
	a.logger.Info("token created", "user", n, "token", id, "name", name)
	return tokenPrefix + id + "_" + secret, tokenInfo(*t), nil
}

// Tokens lists the tokens of user, or of everyone when user is "".
func (a *Accounts) Tokens(user string) []TokenInfo {
	var out []TokenInfo
	a.mu.Lock()
	pending := make(map[string]time.Time, len(a.lastUsed))
	for k, v := range a.lastUsed {
		pending[k] = v
	}
	a.mu.Unlock()
	a.tokens.Each(func(_ string, t record.APIToken) bool {
		if user == "" || t.User == user {
			info := tokenInfo(t)
			if lu, ok := pending[t.ID]; ok && lu.After(info.LastUsedAt) {
				info.LastUsedAt = lu
			}
			out = append(out, info)
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].User < out[j].User })
	return out
}

// Token returns one token's description.
func (a *Accounts) Token(id string) (TokenInfo, error) {
	t, ok := a.tokens.Get(id)
	if !ok {
		return TokenInfo{}, fmt.Errorf("%w: %s", ErrUnknownToken, id)
	}
	return tokenInfo(t), nil
}

// RevokeToken deletes a token; requests with it fail from then on.
func (a *Accounts) RevokeToken(ctx context.Context, id string) error {
	if _, ok := a.tokens.Get(id); !ok {
		return fmt.Errorf("%w: %s", ErrUnknownToken, id)
	}
	if err := a.tokens.Delete(ctx, id); err != nil {
		return err
	}
	a.mu.Lock()
	delete(a.lastUsed, id)
	a.mu.Unlock()
	a.logger.Info("token revoked", "token", id)
	return nil
}

// AuthenticateToken checks a bearer token and records its use.
func (a *Accounts) AuthenticateToken(token string) (Principal, bool) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return Principal{}, false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok {
		return Principal{}, false
	}
	t, ok := a.tokens.Get(id)
	if !ok || !EqualTokens(hashHex(secret), t.Hash) {
		return Principal{}, false
	}
	now := a.now().UTC()
	if !t.ExpiresAt.IsZero() && now.After(t.ExpiresAt) {
		return Principal{}, false
	}
	u, ok := a.users.Get(t.User)
	if !ok {
		return Principal{}, false
	}
	a.mu.Lock()
	a.lastUsed[id] = now
	a.mu.Unlock()
	return Principal{User: u.Name, Role: Role(u.Role), Via: ViaToken, TokenID: id}, true
}

// Session cookies are 256-bit random values; the topic keeps their hash.

// CreateSession signs user in and returns the cookie value and the
// session's CSRF token.
func (a *Accounts) CreateSession(ctx context.Context, user string) (cookie, csrf string, expires time.Time, err error) {
	cookie = RandomSecret(32)
	csrf = RandomSecret(32)
	now := a.now().UTC()
	s := &record.Session{ID: hashHex(cookie), User: user, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(a.cfg.SessionTTL), UpdatedAt: now}
	if err := a.sessions.Put(ctx, s.ID, s); err != nil {
		return "", "", time.Time{}, err
	}
	return cookie, csrf, s.ExpiresAt, nil
}

// Session returns who a session cookie belongs to and its CSRF token. A
// session ends when it expires, its user is removed, or the password
// changed after it began; the role is the user's current one.
func (a *Accounts) Session(cookie string) (Principal, string, bool) {
	if cookie == "" {
		return Principal{}, "", false
	}
	s, ok := a.sessions.Get(hashHex(cookie))
	if !ok || a.now().After(s.ExpiresAt) {
		return Principal{}, "", false
	}
	u, ok := a.users.Get(s.User)
	if !ok || s.CreatedAt.Before(u.PasswordChangedAt) {
		return Principal{}, "", false
	}
	return Principal{User: u.Name, Role: Role(u.Role), Via: ViaSession}, s.CSRF, true
}

// EndSession signs a browser out.
func (a *Accounts) EndSession(ctx context.Context, cookie string) error {
	id := hashHex(cookie)
	if _, ok := a.sessions.Get(id); !ok {
		return nil
	}
	return a.sessions.Delete(ctx, id)
}

func (a *Accounts) endSessions(ctx context.Context, user string) error {
	var errs []error
	for _, id := range a.sessions.Keys() {
		if s, ok := a.sessions.Get(id); ok && s.User == user {
			errs = append(errs, a.sessions.Delete(ctx, id))
		}
	}
	return errors.Join(errs...)
}

// Maintain writes what the hot path only remembers and cleans up: token
// last-used times and tombstones for expired sessions, every interval
// until ctx ends (then once more).
func (a *Accounts) Maintain(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return a.Flush(fctx)
		case <-tick.C:
			if err := a.Flush(ctx); err != nil && ctx.Err() == nil {
				a.logger.Warn("writing account upkeep", "error", err)
			}
		}
	}
}

// Flush writes pending token last-used times and deletes expired sessions.
func (a *Accounts) Flush(ctx context.Context) error {
	a.mu.Lock()
	pending := a.lastUsed
	a.lastUsed = map[string]time.Time{}
	a.mu.Unlock()
	var errs []error
	for id, at := range pending {
		t, ok := a.tokens.Get(id)
		if !ok || !at.After(t.LastUsedAt) {
			continue
		}
		t.LastUsedAt, t.UpdatedAt = at, a.now().UTC()
		if err := a.tokens.Put(ctx, id, &t); err != nil {
			errs = append(errs, err)
			a.mu.Lock()
			if cur, ok := a.lastUsed[id]; !ok || cur.Before(at) {
				a.lastUsed[id] = at
			}
			a.mu.Unlock()
		}
	}
	now := a.now()
	for _, id := range a.sessions.Keys() {
		if s, ok := a.sessions.Get(id); ok && now.After(s.ExpiresAt) {
			errs = append(errs, a.sessions.Delete(ctx, id))
		}
	}
	return errors.Join(errs...)
}
