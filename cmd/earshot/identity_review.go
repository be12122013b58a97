package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/record"
)

func init() { addCommand(newIdentityCmd) }

// newIdentityCmd is `earshot identity`: the review of possible matches.
func newIdentityCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "identity", Short: "Review possible identity matches: list them, confirm or reject"}
	cmd.AddCommand(newIdentityReviewCmd(app), newIdentityDecideCmd(app, record.VerdictConfirm), newIdentityDecideCmd(app, record.VerdictReject))
	return cmd
}

func newIdentityReviewCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "review",
		Short: "List the possible matches nobody decided yet: a prospect and a customer it may be, strongest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			snap, err := crm.LoadSnapshot(ctx, k, k.Topics())
			if err != nil {
				return err
			}
			decisions, err := crm.LoadDecisions(ctx, k, k.Topics())
			if err != nil {
				return err
			}
			items := crm.Review(snap, decisions)
			if asJSON {
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				if items == nil {
					items = []crm.ReviewItem{}
				}
				return enc.Encode(items)
			}
			if len(items) == 0 {
				fmt.Fprintln(app.Stdout, "nothing to review")
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROSPECT\tNAME\tIDENTIFIERS\tCUSTOMER\tCUSTOMER NAME\tSCORE\tEVIDENCE")
			for _, it := range items {
				var ev []string
				for _, e := range it.Evidence {
					ev = append(ev, fmt.Sprintf("%s=%s", e.Field, e.Level))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\n", it.ProspectID, it.ProspectName, strings.Join(append(it.Emails, it.Handles...), " "),
					it.CustomerID, it.CustomerName, it.Score, strings.Join(ev, " "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newIdentityDecideCmd(app *App, verdict string) *cobra.Command {
	var by string
	what := map[string]string{
		record.VerdictConfirm: "Confirm that a prospect is a customer: the prospect is converted into them, its mentions join their profile",
		record.VerdictReject:  "Reject a possible match: the customer is never listed for this prospect again",
	}[verdict]
	cmd := &cobra.Command{
		Use:   verdict + " PROSPECT_ID CUSTOMER_ID",
		Short: what,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if by == "" {
				by = os.Getenv("USER")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			snap, err := crm.LoadSnapshot(ctx, k, k.Topics())
			if err != nil {
				return err
			}
			prod := k.NewProducer("identity-"+verdict, 0)
			defer prod.Close()
			d, err := crm.Decide(ctx, prod, k.Topics(), snap, record.MatchDecision{ProspectID: args[0], CustomerID: args[1], Verdict: verdict, By: by})
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "%s: prospect %s, customer %s (decision %s written to %s)\n", verdict, d.ProspectID, d.CustomerID, d.ID, k.Topics().MatchDecisions())
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who decides (default: $USER)")
	return cmd
}
