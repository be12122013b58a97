package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/web"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/store"
	"github.com/earshothq/earshot/web/table"
)

// EnvAdminPassword sets the password of the admin `earshot run` creates
// when there are no users yet (instead of a random one).
const EnvAdminPassword = "EARSHOT_ADMIN_PASSWORD"

// tableWait bounds how long a serve instance waits to load the web app's
// tables (users, sessions, ...) before it listens.
const tableWait = 60 * time.Second

// firstAdmin is the account `earshot run` created on a hub with no users.
type firstAdmin struct {
	password  string
	generated bool
}

// openWebApp loads the accounts from their topics and builds the web app
// (Mount is the caller's, once every dependency is set). `earshot run`
// creates the first admin; any instance refuses to listen beyond loopback
// while nobody can sign in.
func (h *hub) openWebApp(srv *web.Server, b index.Backend) (*web.App, []role, error) {
	cfg := h.cfg.HTTP
	producer := h.kafka.NewProducer("web", 0)
	accounts := auth.NewAccounts(cfg.Auth, producer, h.kafka.Topics(), h.logger)
	ctx, stop := context.WithCancel(context.Background())
	fail := func(err error) (*web.App, []role, error) {
		stop()
		producer.Close()
		return nil, nil, err
	}
	sb, ok := b.(store.Backend)
	if !ok {
		return fail(fmt.Errorf("the %T search backend cannot apply corrections", b))
	}
	st := store.New(producer, h.kafka.Topics(), sb, h.logger)
	st.UserExists = func(name string) bool { _, err := accounts.User(name); return err == nil }
	if kr := h.kafka.Keyring(); kr != nil {
		kr.OnShred(func(subject string) { st.ForgetSubject(subject) })
	}
	if err := table.Follow(ctx, h.kafka, tableWait, append(accounts.Tables(), st.Tables()...)...); err != nil {
		return fail(fmt.Errorf("loading the web app's state (users, sessions, saved searches, ...): %w", err))
	}
	if h.createFirstAdmin {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		created, pw, err := accounts.EnsureAdmin(wctx, os.Getenv(EnvAdminPassword))
		cancel()
		if err != nil {
			return fail(fmt.Errorf("%w (%s)", err, EnvAdminPassword))
		}
		if created {
			h.firstAdmin = &firstAdmin{password: pw, generated: os.Getenv(EnvAdminPassword) == ""}
		}
	}
	if !cfg.Loopback() && !accounts.HasUsers() {
		return fail(fmt.Errorf("refusing to serve on %s with no users: anyone could reach it and nobody could sign in; "+
			"create an admin first (earshot users add NAME --role admin --password-stdin) or listen on 127.0.0.1", srv.ListenAddr()))
	}
	app := &web.App{
		Accounts: accounts,
		Throttle: auth.NewThrottle(cfg.Auth.Throttle),
		Search:   b,
		Store:    st,
		Logger:   h.logger,
	}
	if h.cfg.Alerts.Enabled {
		alerts, err := h.alerts(ctx)
		if err != nil {
			return fail(err)
		}
		app.Alerts = alerts
	}
	upkeep := role{name: "accounts", run: func(rctx context.Context) error {
		defer producer.Close()
		defer stop()
		return accounts.Maintain(rctx, time.Minute)
	}}
	return app, []role{upkeep}, nil
}

// printFirstAdmin shows the credentials of the admin this run created, once.
func (h *hub) printFirstAdmin(app *App) {
	a := h.firstAdmin
	if a == nil {
		return
	}
	if a.generated {
		fmt.Fprintf(app.Stdout, "  First sign-in:   user admin, password %s\n", a.password)
		fmt.Fprintf(app.Stdout, "                   (shown once; change it under your name in the web app, or with: earshot users passwd admin --password-stdin)\n")
		return
	}
	fmt.Fprintf(app.Stdout, "  First sign-in:   user admin, the password in $%s\n", EnvAdminPassword)
}
