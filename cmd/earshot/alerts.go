package main

import (
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

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/record"
)

func init() { addCommand(newAlertsCmd) }

// openAlertStore connects to the cluster and loads the alert topics.
func (a *App) openAlertStore(ctx context.Context) (*alert.Store, func(), error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, nil, err
	}
	k, err := a.openAdmin(ctx)
	if err != nil {
		return nil, nil, err
	}
	s := alert.NewStore(cfg.Alerts, k, a.Logger())
	if err := s.Start(ctx); err != nil {
		s.Close()
		k.Close()
		return nil, nil, err
	}
	return s, func() { s.Close(); k.Close() }, nil
}

func newAlertsCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "Manage alert rules, see deliveries, retry failed ones, test channels"}
	withStore := func(run func(ctx context.Context, s *alert.Store, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			s, closeStore, err := app.openAlertStore(ctx)
			if err != nil {
				return err
			}
			defer closeStore()
			return run(ctx, s, args)
		}
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "rules",
		Short: "List alert rules",
		Args:  cobra.NoArgs,
		RunE: withStore(func(_ context.Context, s *alert.Store, _ []string) error {
			rules := s.Rules()
			if asJSON {
				return writeJSON(app.Stdout, rules)
			}
			w := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tKIND\tSEARCH\tCHANNELS\tSTATE\tLAST FIRED")
			for _, r := range rules {
				state, fired := "active", "-"
				if r.Paused {
					state = "paused"
				}
				if st, ok := s.State(r.ID); ok && !st.LastFired.IsZero() {
					fired = st.LastFired.UTC().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Kind, dash(r.SavedSearchID), strings.Join(r.Channels, ","), state, fired)
			}
			if len(rules) == 0 {
				fmt.Fprintln(w, "(no rules: add one with `earshot alerts add`)")
			}
			return w.Flush()
		}),
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var (
		file                    string
		r                       record.AlertRule
		spike                   record.SpikeParams
		interval, quiet, period string
		minScore                float64
		onNew                   bool
		hour                    int
		weekday, timezone       string
	)
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a rule (from flags, or a JSON rule with --file, - for stdin)",
		Example: `  earshot alerts add --name "Acme spikes" --kind spike --search SEARCH_ID --channel slack
  earshot alerts add --name "Negative share" --kind spike --metric negative_share --search SEARCH_ID --channel mail --k 4
  earshot alerts add --name "Competitor" --kind match --search SEARCH_ID --channel slack --interval 10m --quiet 22:00-07:00
  earshot alerts add --name "Hot leads" --kind prospect --min-score 0.8 --on-new --channel crm
  earshot alerts add --name "Monday digest" --kind digest --period weekly --hour 8 --channel mail --recipient me@example.com`,
		Args: cobra.NoArgs,
		RunE: withStore(func(ctx context.Context, s *alert.Store, _ []string) error {
			rule := r
			if file != "" {
				var in io.Reader = app.Stdin
				if file != "-" {
					f, err := os.Open(file)
					if err != nil {
						return fmt.Errorf("reading rule: %w", err)
					}
					defer f.Close()
					in = f
				}
				dec := json.NewDecoder(in)
				dec.DisallowUnknownFields()
				if err := dec.Decode(&rule); err != nil {
					return fmt.Errorf("reading rule JSON: %w", err)
				}
			}
			switch rule.Kind {
			case record.RuleSpike:
				if spike != (record.SpikeParams{}) {
					rule.Spike = &spike
				}
			case record.RuleMatch:
				if interval != "" {
					rule.Match = &record.MatchParams{Interval: interval}
				}
			case record.RuleProspect:
				if minScore != 0 || onNew {
					rule.Prospect = &record.ProspectParams{MinScore: minScore, OnNew: onNew}
				}
			case record.RuleDigest:
				if period != "" || hour != 0 || weekday != "" || timezone != "" {
					rule.Digest = &record.DigestParams{Period: period, Hour: hour, Weekday: weekday, Timezone: timezone}
				}
			}
			if quiet != "" {
				from, to, ok := strings.Cut(quiet, "-")
				if !ok {
					return fmt.Errorf("--quiet: want HH:MM-HH:MM, got %q", quiet)
				}
				rule.QuietHours = &record.QuietHours{From: from, To: to, Timezone: timezone}
			}
			rule.ID = ""
			saved, err := s.PutRule(ctx, &rule, "cli")
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "added rule %s (%s)\n", saved.ID, saved.Name)
			return nil
		}),
	}
	f := add.Flags()
	f.StringVarP(&file, "file", "f", "", "JSON rule file (- for stdin); flags below fill what it leaves out")
	f.StringVar(&r.Name, "name", "", "rule name")
	f.StringVar(&r.Kind, "kind", "", "spike, match, prospect or digest")
	f.StringVar(&r.SavedSearchID, "search", "", "saved search id")
	f.StringSliceVar(&r.Channels, "channel", nil, "configured channel names (repeat or comma-separate)")
	f.StringSliceVar(&r.Recipients, "recipient", nil, "e-mail recipients (default: the channel's smtp.to)")
	f.StringVar(&spike.Metric, "metric", "", "spike: volume or negative_share")
	f.StringVar(&spike.Window, "window", "", "spike: window (whole hours, default alerts.defaults.window)")
	f.StringVar(&spike.History, "history", "", "spike: history the baseline is computed over")
	f.Float64Var(&spike.K, "k", 0, "spike: how many σ above the baseline")
	f.IntVar(&spike.MinCount, "min-count", 0, "spike: fewest mentions in the window that can fire")
	f.Float64Var(&spike.MinIncrease, "min-increase", 0, "spike: smallest rise over the baseline, as a fraction (1 = double)")
	f.StringVar(&spike.Cooldown, "cooldown", "", "spike: quiet time after firing")
	f.StringVar(&interval, "interval", "", "match: batch interval")
	f.Float64Var(&minScore, "min-score", 0, "prospect: lead score threshold (0..1)")
	f.BoolVar(&onNew, "on-new", false, "prospect: every new prospect too")
	f.StringVar(&period, "period", "", "digest: daily or weekly")
	f.IntVar(&hour, "hour", 0, "digest: local hour it is sent")
	f.StringVar(&weekday, "weekday", "", "digest: weekday of a weekly digest")
	f.StringVar(&timezone, "timezone", "", "digest and quiet hours: IANA time zone")
	f.StringVar(&quiet, "quiet", "", "quiet hours HH:MM-HH:MM (notifications wait until they end)")

	remove := &cobra.Command{
		Use:   "remove RULE_ID",
		Short: "Remove a rule (its delivery log stays)",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(func(ctx context.Context, s *alert.Store, args []string) error {
			if err := s.DeleteRule(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "removed rule %s\n", args[0])
			return nil
		}),
	}
	pause := func(paused bool) func(ctx context.Context, s *alert.Store, args []string) error {
		return func(ctx context.Context, s *alert.Store, args []string) error {
			rule, err := s.Rule(args[0])
			if err != nil {
				return err
			}
			next := *rule
			next.Paused = paused
			if _, err := s.PutRule(ctx, &next, "cli"); err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "rule %s %s\n", rule.ID, map[bool]string{true: "paused", false: "resumed"}[paused])
			return nil
		}
	}
	pauseCmd := &cobra.Command{Use: "pause RULE_ID", Short: "Stop a rule from firing", Args: cobra.ExactArgs(1), RunE: withStore(pause(true))}
	resumeCmd := &cobra.Command{Use: "resume RULE_ID", Short: "Let a paused rule fire again", Args: cobra.ExactArgs(1), RunE: withStore(pause(false))}

	var failed bool
	var ruleID, status string
	var limit int
	deliveries := &cobra.Command{
		Use:   "deliveries",
		Short: "List deliveries (newest first): status, attempts, last error; --failed for the failed list",
		Args:  cobra.NoArgs,
		RunE: withStore(func(_ context.Context, s *alert.Store, _ []string) error {
			filter := alert.DeliveryFilter{RuleID: ruleID, Status: status, Limit: limit}
			if failed {
				filter.Status = record.DeliveryFailed
			}
			if filter.RuleID != "" {
				rule, err := s.Rule(filter.RuleID)
				if err == nil {
					filter.RuleID = rule.ID
				}
			}
			ds := s.Deliveries(filter)
			if asJSON {
				return writeJSON(app.Stdout, ds)
			}
			w := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCREATED\tRULE\tCHANNEL\tSTATUS\tATTEMPTS\tNEXT\tTITLE\tLAST ERROR")
			for _, d := range ds {
				next, lastErr := "-", "-"
				if !d.NextAttempt.IsZero() {
					next = d.NextAttempt.UTC().Format("15:04:05")
				}
				if n := len(d.Attempts); n > 0 && d.Attempts[n-1].Error != "" {
					lastErr = clipText(d.Attempts[n-1].Error, 60)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID[:12], d.Notification.CreatedAt.UTC().Format("2006-01-02 15:04"),
					d.Notification.RuleName, d.Channel, d.Status, len(d.Attempts), next, clipText(d.Notification.Title, 50), lastErr)
			}
			if len(ds) == 0 {
				fmt.Fprintln(w, "(no deliveries)")
			}
			return w.Flush()
		}),
	}
	df := deliveries.Flags()
	df.BoolVar(&failed, "failed", false, "only failed deliveries (retry them with `earshot alerts retry ID`)")
	df.StringVar(&ruleID, "rule", "", "only this rule's deliveries (its delivery log)")
	df.StringVar(&status, "status", "", "scheduled, retrying, delivered or failed")
	df.IntVar(&limit, "limit", 100, "at most this many")
	df.BoolVar(&asJSON, "json", false, "print JSON")

	retry := &cobra.Command{
		Use:   "retry DELIVERY_ID",
		Short: "Retry a failed delivery now (the id or its first 12 characters)",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(func(ctx context.Context, s *alert.Store, args []string) error {
			d, err := s.Retry(ctx, args[0], "cli")
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "delivery %s to %s scheduled for an attempt now; watch it with `earshot alerts deliveries --rule %s`\n",
				d.ID[:12], d.Channel, d.Notification.RuleID)
			return nil
		}),
	}

	test := &cobra.Command{
		Use:   "test CHANNEL",
		Short: "Send a sample notification to a configured channel now (checks URL, secret, SMTP login)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), cfg.Alerts.Delivery.Timeout+5*time.Second)
			defer cancel()
			if err := alert.SendTest(ctx, cfg.Alerts, args[0], "`earshot alerts test`", nil); err != nil {
				var se *alert.SendError
				if errors.As(err, &se) && se.Permanent {
					return fmt.Errorf("channel %s refused the test (fix the configuration): %w", args[0], err)
				}
				return fmt.Errorf("channel %s: %w", args[0], err)
			}
			fmt.Fprintf(app.Stdout, "sent a test notification to %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(list, add, remove, pauseCmd, resumeCmd, deliveries, retry, test)
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
