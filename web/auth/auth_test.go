package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/web/table"
)

var cheap = HashParams{Time: 1, MemoryKiB: 64, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("zażółć gęślą jaźń", DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %s", h)
	}
	if ok, err := VerifyPassword(h, "zażółć gęślą jaźń"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "zazolc gesla jazn"); ok {
		t.Fatal("wrong password verified")
	}
	h2, _ := HashPassword("zażółć gęślą jaźń", DefaultHashParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=1,t=1,p=1$x$y", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("VerifyPassword(%q) accepted a broken hash", bad)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short": false, "ada": false, "Ada": false, "eleven11!!!": false, "exactly12!!!": true, "密码密码密码密码密码密码": true, "密码密码密码密码密码": false,
		strings.Repeat("x", MaxPasswordLen+1): false,
	} {
		if err := CheckPasswordPolicy("ada", pw); (err == nil) != ok {
			t.Errorf("%.20q: %v", pw, err)
		}
	}
}

func newAccounts(t *testing.T) (*Accounts, *table.Loopback) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Argon2 = cheap
	loop := table.NewLoopback()
	a := NewAccounts(cfg, loop, pipeline.Topics{Prefix: "t."}, nil)
	loop.Add(a.Tables()...)
	return a, loop
}

func TestSessionsEnd(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	a.SetClock(func() time.Time { return now })
	if _, err := a.AddUser(ctx, "ola", RoleSales, "a long password"); err != nil {
		t.Fatal(err)
	}
	cookie, csrf, _, err := a.CreateSession(ctx, "ola")
	if err != nil {
		t.Fatal(err)
	}
	p, gotCSRF, ok := a.Session(cookie)
	if !ok || p.User != "ola" || p.Role != RoleSales || p.Via != ViaSession || gotCSRF != csrf {
		t.Fatalf("session: %+v %v", p, ok)
	}
	if _, _, ok := a.Session(cookie + "x"); ok {
		t.Fatal("a altered cookie is a session")
	}
	now = now.Add(13 * time.Hour)
	if _, _, ok := a.Session(cookie); ok {
		t.Fatal("an expired session is valid")
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if a.sessions.Len() != 0 {
		t.Fatal("Flush kept an expired session")
	}
}

func TestTokensLastUsedIsWrittenLater(t *testing.T) {
	ctx := context.Background()
	a, loop := newAccounts(t)
	if _, err := a.AddUser(ctx, "ola", RoleViewer, "a long password"); err != nil {
		t.Fatal(err)
	}
	secret, info, err := a.CreateToken(ctx, "ola", "cron", 0)
	if err != nil {
		t.Fatal(err)
	}
	writes := loop.Writes
	for range 100 {
		if p, ok := a.AuthenticateToken(secret); !ok || p.Via != ViaToken || p.TokenID != info.ID {
			t.Fatalf("token: %+v %v", p, ok)
		}
	}
	if loop.Writes != writes {
		t.Fatalf("authenticating wrote %d records; the hot path must not write", loop.Writes-writes)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if loop.Writes != writes+1 {
		t.Fatalf("flush wrote %d records, want 1", loop.Writes-writes)
	}
	stored, _ := a.tokens.Get(info.ID)
	if stored.LastUsedAt.IsZero() || stored.Hash == "" || strings.Contains(secret, stored.Hash) {
		t.Fatalf("stored token %+v", stored)
	}
	for _, bad := range []string{"", "est_", "est_" + info.ID, "est_" + info.ID + "_wrong", strings.Replace(secret, "est_", "xst_", 1)} {
		if _, ok := a.AuthenticateToken(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
	// A failed flush keeps the pending time for the next one.
	a.AuthenticateToken(secret)
	loop.Fail = errors.New("broker down")
	if err := a.Flush(ctx); err == nil {
		t.Fatal("flush on a failing broker reported nothing")
	}
	loop.Fail = nil
	if len(a.lastUsed) != 1 {
		t.Fatalf("pending after a failed flush: %v", a.lastUsed)
	}
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	created, pw, err := a.EnsureAdmin(ctx, "")
	if err != nil || !created || len(pw) < 20 {
		t.Fatalf("first admin: %v %q %v", created, pw, err)
	}
	if p, err := a.CheckPassword("admin", pw); err != nil || p.Role != RoleAdmin {
		t.Fatalf("signing in with the printed password: %v", err)
	}
	if created, _, _ := a.EnsureAdmin(ctx, ""); created {
		t.Fatal("a second admin was created")
	}
	b, _ := newAccounts(t)
	if _, _, err := b.EnsureAdmin(ctx, "short"); err == nil {
		t.Fatal("EARSHOT_ADMIN_PASSWORD below the policy was accepted")
	}
	if _, pw, _ := b.EnsureAdmin(ctx, "chosen by the operator"); pw != "chosen by the operator" {
		t.Fatal("the given password was not used")
	}
}

func TestCheckPasswordTimingOfUnknownUsers(t *testing.T) {
	a, _ := newAccounts(t)
	if _, err := a.CheckPassword("nobody", "x"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := a.CheckPassword("NO ONE", "x"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("invalid name: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	now := time.Unix(0, 0)
	th := NewThrottle(ThrottleConfig{PerAccount: 3, PerAddress: 5, Window: time.Minute})
	th.SetClock(func() time.Time { return now })
	for i := range 3 {
		if ok, _ := th.Allow("ola", "1.2.3.4"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		th.Failed("ola", "1.2.3.4")
		now = now.Add(10 * time.Second)
	}
	ok, wait := th.Allow("ola", "5.6.7.8")
	if ok || wait != 30*time.Second {
		t.Fatalf("fourth attempt: %v, wait %s (want 30s: the first failure leaves the window then)", ok, wait)
	}
	now = now.Add(wait)
	if ok, _ := th.Allow("ola", "5.6.7.8"); !ok {
		t.Fatal("still refused after the wait")
	}
	th.Failed("ola", "1.2.3.4")
	th.Failed("eve", "1.2.3.4")
	th.Failed("bob", "1.2.3.4") // with the two failures still in the window: 5
	if ok, _ := th.Allow("other", "1.2.3.4"); ok {
		t.Fatal("the address limit did not apply")
	}
	th.Succeeded("ola")
	if ok, _ := th.Allow("ola", "9.9.9.9"); !ok {
		t.Fatal("success did not clear the account")
	}
}

// A masked CSRF token differs on every page yet matches the token, and
// nothing else does.
func TestMaskedCSRFTokens(t *testing.T) {
	token := RandomSecret(32)
	a, b := MaskToken(token), MaskToken(token)
	if a == b || strings.Contains(a, token) {
		t.Fatalf("masking twice gave %q and %q for %q", a, b, token)
	}
	for _, m := range []string{a, b, token} {
		if !CSRFMatches(m, token) {
			t.Errorf("%q does not match its token", m)
		}
	}
	other := MaskToken(RandomSecret(32))
	flipped := []byte(a)
	flipped[len(flipped)-5] ^= 'A' ^ 'B'
	for name, m := range map[string]string{"another token's": other, "altered": string(flipped), "empty": "",
		"not base64": a[:10] + "!" + a[11:], "shorter": a[:len(a)-4], "the pad alone": a[:len(a)/2]} {
		if CSRFMatches(m, token) {
			t.Errorf("%s %q matches", name, m)
		}
	}
	if CSRFMatches(a, "") || MaskToken("") != "" {
		t.Errorf("an empty token matched or was masked")
	}
}
