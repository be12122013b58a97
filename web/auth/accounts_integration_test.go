package auth

import (
	"context"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/web/table"
)

// Two serve instances on one broker: a user added on one signs in on the
// other, a session started on one is valid on the other and ends on both,
// and a third instance started later (a restart) loads it all.
func TestIntegrationAccountsAcrossInstances(t *testing.T) {
	c := pipelinetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := DefaultConfig()
	cfg.Argon2 = cheap
	open := func() *Accounts {
		p := c.Kafka.NewProducer("accounts-test", 0)
		t.Cleanup(func() { p.Close() })
		a := NewAccounts(cfg, p, c.Kafka.Topics(), nil)
		if err := table.Follow(ctx, c.Kafka, 30*time.Second, a.Tables()...); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := open(), open()
	if _, err := a.AddUser(ctx, "ola", RoleMarketing, "a long password"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the user on instance b", func() bool { _, err := b.CheckPassword("ola", "a long password"); return err == nil })
	cookie, _, _, err := b.CreateSession(ctx, "ola")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := a.CreateToken(ctx, "ola", "cron", 0)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the session on instance a", func() bool { _, _, ok := a.Session(cookie); return ok })
	waitUntil(t, "the token on instance b", func() bool { _, ok := b.AuthenticateToken(secret); return ok })

	restarted := open()
	if p, _, ok := restarted.Session(cookie); !ok || p.Role != RoleMarketing {
		t.Fatalf("a restarted instance lost the session: %+v %v", p, ok)
	}
	if err := a.EndSession(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the sign-out on instance b", func() bool { _, _, ok := b.Session(cookie); return !ok })
	if err := b.SetPassword(ctx, "ola", "another long password"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the new password on the restarted instance", func() bool {
		_, err := restarted.CheckPassword("ola", "another long password")
		return err == nil
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
