package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/table"
)

func init() {
	addCommand(newUsersCmd)
	addCommand(newTokensCmd)
}

// withAccounts connects to Kafka, loads the account tables and runs fn.
// Changes go to the topics, which every running serve instance follows.
func withAccounts(cmd *cobra.Command, app *App, fn func(ctx context.Context, a *auth.Accounts) error) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
	defer cancel()
	k, err := app.openAdmin(ctx)
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.EnsureTopics(ctx); err != nil {
		return err
	}
	producer := k.NewProducer("accounts-cli", 0)
	defer producer.Close()
	accounts := auth.NewAccounts(cfg.HTTP.Auth, producer, k.Topics(), nil)
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := table.Follow(fctx, k, tableWait, accounts.Tables()...); err != nil {
		return fmt.Errorf("loading accounts: %w", err)
	}
	return fn(ctx, accounts)
}

// readPassword takes a password from stdin: the first line when piped
// (--password-stdin), or typed twice without echo on a terminal.
func readPassword(app *App, fromStdin bool) (string, error) {
	if f, ok := app.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !fromStdin {
		fmt.Fprint(app.Stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(app.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		fmt.Fprint(app.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(app.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	if !fromStdin {
		return "", &exitError{code: 2, err: errors.New("pass the password on stdin with --password-stdin (never as an argument: it would show in ps and shell history)")}
	}
	line, err := bufio.NewReader(io.LimitReader(app.Stdin, auth.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", &exitError{code: 2, err: errors.New("no password on stdin")}
	}
	return pw, nil
}

func newUsersCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage who may sign in to the web app and API, and with which role"}
	var role string
	var pwStdin bool
	add := &cobra.Command{
		Use:   "add NAME --role ROLE --password-stdin",
		Short: "Create a user (roles: admin, marketing, sales, viewer)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			pw, err := readPassword(app, pwStdin)
			if err != nil {
				return err
			}
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				u, err := a.AddUser(ctx, args[0], r, pw)
				if err != nil {
					return err
				}
				fmt.Fprintf(app.Stdout, "user %s added with role %s\n", u.Name, u.Role)
				return nil
			})
		},
	}
	add.Flags().StringVar(&role, "role", "", "admin, marketing, sales or viewer")
	add.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of stdin")
	_ = add.MarkFlagRequired("role")

	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List users and their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAccounts(cmd, app, func(_ context.Context, a *auth.Accounts) error {
				users := a.Users()
				if asJSON {
					return json.NewEncoder(app.Stdout).Encode(users)
				}
				w := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(w, "NAME\tROLE\tCREATED")
				for _, u := range users {
					fmt.Fprintf(w, "%s\t%s\t%s\n", u.Name, u.Role, u.CreatedAt.Format(time.DateTime))
				}
				return w.Flush()
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a user, with their API tokens and sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				if err := a.RemoveUser(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(app.Stdout, "user %s removed\n", strings.ToLower(args[0]))
				return nil
			})
		},
	}

	var passwdStdin bool
	passwd := &cobra.Command{
		Use:   "passwd NAME [--password-stdin]",
		Short: "Set a user's password (ends their sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(app, passwdStdin)
			if err != nil {
				return err
			}
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				if err := a.SetPassword(ctx, args[0], pw); err != nil {
					return err
				}
				fmt.Fprintf(app.Stdout, "password of %s changed; their sessions ended\n", strings.ToLower(args[0]))
				return nil
			})
		},
	}
	passwd.Flags().BoolVar(&passwdStdin, "password-stdin", false, "read the password from the first line of stdin")

	setRole := &cobra.Command{
		Use:   "role NAME ROLE",
		Short: "Change a user's role (applies to their next request)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := auth.ParseRole(args[1])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				u, err := a.SetRole(ctx, args[0], r)
				if err != nil {
					return err
				}
				fmt.Fprintf(app.Stdout, "user %s now has role %s\n", u.Name, u.Role)
				return nil
			})
		},
	}
	cmd.AddCommand(add, list, remove, passwd, setRole)
	return cmd
}

func newTokensCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "tokens", Short: "Manage API tokens (Authorization: Bearer TOKEN)"}
	var name, expires string
	create := &cobra.Command{
		Use:   "create USER [--name WHAT] [--expires 720h]",
		Short: "Create an API token acting as USER; prints the token (shown once) on stdout",
		Long: `Creates an API token with USER's role. Only the token is printed on
stdout, so it can be captured: export EARSHOT_TOKEN=$(earshot tokens create ada --name cli).
It is shown once: Earshot keeps only its hash.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ttl time.Duration
			if expires != "" {
				d, err := time.ParseDuration(expires)
				if err != nil || d <= 0 {
					return &exitError{code: 2, err: fmt.Errorf("--expires %q: want a positive duration like 720h", expires)}
				}
				ttl = d
			}
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				secret, info, err := a.CreateToken(ctx, args[0], name, ttl)
				if err != nil {
					return err
				}
				fmt.Fprintln(app.Stdout, secret)
				fmt.Fprintf(app.Stderr, "token %s for %s created; it is shown once, store it now\n", info.ID, info.User)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "cli", "what the token is for")
	create.Flags().StringVar(&expires, "expires", "", "lifetime (e.g. 720h); default: until revoked")

	var user string
	var asJSON bool
	list := &cobra.Command{
		Use:   "list [--user USER]",
		Short: "List API tokens with their last use (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAccounts(cmd, app, func(_ context.Context, a *auth.Accounts) error {
				tokens := a.Tokens(strings.ToLower(user))
				if asJSON {
					return json.NewEncoder(app.Stdout).Encode(tokens)
				}
				w := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tUSER\tNAME\tCREATED\tLAST USED\tEXPIRES")
				for _, t := range tokens {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Name, t.CreatedAt.Format(time.DateTime),
						orDash(t.LastUsedAt), orDash(t.ExpiresAt))
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's tokens")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token (requests with it fail from then on)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAccounts(cmd, app, func(ctx context.Context, a *auth.Accounts) error {
				if err := a.RevokeToken(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(app.Stdout, "token %s revoked\n", args[0])
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateTime)
}
