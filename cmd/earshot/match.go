package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/identity/batch"
)

func init() { addCommand(newMatchCmd) }

// newMatchCmd is `earshot match`: offline matching of a lead list against
// a customer file with the enrich stage's identity resolution.
func newMatchCmd(app *App) *cobra.Command {
	var (
		customers, input, out, format, weights string
		noProgress                             bool
		cf, lf                                 fileFlags
	)
	cmd := &cobra.Command{
		Use:   "match --customers FILE --input FILE [--out FILE]",
		Short: "Match a lead list (CSV or JSONL) against a customer file: match, possible or none per row, with evidence",
		Long: `Indexes the customer file, then decides for every row of the input file:
"match" (the customer id, the score and the evidence: which fields agreed,
at which level, with which weight), "possible" (the candidates for a person
to confirm) or "none"; rows that cannot be read at all are "invalid" with
their reasons. Unreadable single values of a lead row (a mistyped date) are
left out with a warning and the rest of the row is matched.

With weights "em" (the default of the identity config) the m probabilities
are estimated from the input's own candidate pairs and u from random
customer pairs before deciding. Identity settings (thresholds, weights,
phone region) come from enrich.identity of the config file when there is one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if customers == "" || input == "" {
				return &exitError{code: 2, err: fmt.Errorf("match needs --customers FILE and --input FILE")}
			}
			icfg, err := identityConfig(app, cmd)
			if err != nil {
				return err
			}
			o := batch.DefaultOptions()
			o.Identity = icfg
			o.Logger = app.Logger()
			if cmd.Flags().Changed("weights") {
				o.Identity.Weights.Estimate = weights
			}
			if err := o.Identity.Validate(); err != nil {
				return err
			}
			if o.Customers, err = cf.config(o.Customers); err != nil {
				return fmt.Errorf("customer file options: %w", err)
			}
			if o.Input, err = lf.config(o.Input); err != nil {
				return fmt.Errorf("input file options: %w", err)
			}
			w := app.Stdout
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("creating output: %w", err)
				}
				defer f.Close()
				w = f
				if format == "" && strings.EqualFold(filepath.Ext(out), ".csv") {
					format = "csv"
				}
			}
			if format == "" {
				format = "jsonl"
			}
			o.Format = format
			bars := map[string]*progressbar.ProgressBar{}
			o.Progress = func(stage string, done, total int64) {
				bar, ok := bars[stage]
				if !ok {
					bar = progressBar(app.Stderr, total, noProgress, "reading "+stage)
					bars[stage] = bar
				}
				if bar != nil {
					_ = bar.Set64(done)
				}
			}
			sum, err := batch.Run(cmd.Context(), o, customers, input, w)
			if err != nil {
				return err
			}
			return printMatchSummary(app.Stderr, sum, customers, input)
		},
	}
	f := cmd.Flags()
	f.StringVar(&customers, "customers", "", "customer file (CSV or JSONL)")
	f.StringVar(&input, "input", "", "lead file to match (CSV or JSONL)")
	f.StringVar(&out, "out", "", "write decisions here (default stdout); .csv writes CSV")
	f.StringVar(&format, "format", "", "output format: jsonl or csv (default: by --out extension, else jsonl)")
	f.StringVar(&weights, "weights", "em", "em (estimate from the input) or fixed (configured m/u)")
	f.BoolVar(&noProgress, "no-progress", false, "no progress bars even on a terminal")
	cf.register(cmd, "customers-", "customer file")
	lf.register(cmd, "input-", "input file")
	return cmd
}

func printMatchSummary(w io.Writer, sum batch.Summary, customers, input string) error {
	printColumns(w, customers, sum.CustomerColumns)
	printColumns(w, input, sum.InputColumns)
	if sum.PhoneRegion != "" {
		fmt.Fprintf(w, "phone numbers without a country code (in rows without a country) read as %s (default_phone_region)\n", sum.PhoneRegion)
	} else {
		fmt.Fprintln(w, "phone numbers without a country code are rejected (no default_phone_region)")
	}
	fmt.Fprintf(w, "%s indexed from %s (%s skipped)\n", plural(sum.Customers, "customer", "customers"), customers, plural(sum.BadCustomerRows, "bad row", "bad rows"))
	for _, r := range sum.BadRowsReported {
		fmt.Fprintln(w, "  "+r)
	}
	if sum.EM != nil {
		fmt.Fprintf(w, "weights estimated by EM: %d candidate pairs, %d iterations, converged %v", sum.EM.Pairs, sum.EM.Iterations, sum.EM.Converged)
		if len(sum.EM.Reverted) > 0 {
			fmt.Fprintf(w, ", kept configured m for %s", strings.Join(sum.EM.Reverted, ", "))
		}
		fmt.Fprintln(w)
	}
	var parts []string
	for d, n := range sum.Decisions {
		parts = append(parts, fmt.Sprintf("%s %d", d, n))
	}
	sort.Strings(parts)
	_, err := fmt.Fprintf(w, "%d rows of %s: %s\n", sum.Inputs, input, strings.Join(parts, ", "))
	return err
}

// printColumns shows which field each column of a file was read into, so a
// column the mapping missed is seen before the decisions are trusted.
func printColumns(w io.Writer, path string, cols []batch.Column) {
	if cols == nil {
		fmt.Fprintf(w, "columns of %s: JSON keys, mapped by name record by record\n", path)
		return
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		switch {
		case c.Field == "":
			parts[i] = c.Header + " → (ignored)"
		case strings.HasPrefix(c.Field, "attr."):
			parts[i] = c.Header + " → (attribute, not compared)"
		default:
			parts[i] = c.Header + " → " + c.Field
		}
	}
	fmt.Fprintf(w, "columns of %s: %s\n", path, strings.Join(parts, ", "))
}
