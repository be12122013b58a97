package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
)

func init() { addCommand(newCustomersCmd) }

// newCustomersCmd is `earshot customers`: the customer base in the
// compacted customers topic.
func newCustomersCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "customers", Short: "Import customers into, and erase people from, the customers topic"}
	cmd.AddCommand(newCustomersImportCmd(app), newCustomersForgetCmd(app), newCustomersExportCmd(app))
	return cmd
}

// fileFlags are the options of reading a customer or lead file.
type fileFlags struct {
	format, delimiter, listSep, unmapped string
	mapping                              []string
}

func (f *fileFlags) register(cmd *cobra.Command, prefix, what string) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, prefix+"format", "auto", what+" format: auto (by extension), csv or jsonl")
	fl.StringVar(&f.delimiter, prefix+"delimiter", "auto", what+" CSV delimiter: auto, \",\", \";\", \"\\t\" or \"|\"")
	fl.StringVar(&f.listSep, prefix+"list-separator", ";", "separator of several values in one "+what+" cell")
	fl.StringVar(&f.unmapped, prefix+"unmapped", "attributes", "columns no field takes: attributes (kept) or ignore")
	fl.StringArrayVar(&f.mapping, prefix+"map", nil, "field=Column: the "+what+" column of a field when its usual names do not find it (repeatable), e.g. email=\"E-mail address\"")
}

func (f *fileFlags) config(base customerfile.Config) (customerfile.Config, error) {
	c := base
	c.Format, c.ListSeparator, c.Unmapped = f.format, f.listSep, f.unmapped
	c.Delimiter = strings.ReplaceAll(f.delimiter, `\t`, "\t")
	if len(f.mapping) > 0 {
		c.Mapping = map[string]string{}
		for _, m := range f.mapping {
			field, col, ok := strings.Cut(m, "=")
			if !ok || strings.TrimSpace(field) == "" {
				return c, fmt.Errorf("--map %q: want field=Column", m)
			}
			c.Mapping[strings.TrimSpace(field)] = col
		}
	}
	return c, c.Validate()
}

// identityConfig is the enrich.identity section when there is a config
// file (--config, or the default path if it exists), else the defaults.
func identityConfig(app *App, cmd *cobra.Command) (identity.Config, error) {
	explicit := cmd.Flags().Changed("config") || os.Getenv("EARSHOT_CONFIG") != ""
	if !explicit {
		if _, err := os.Stat(app.ConfigPath); errors.Is(err, os.ErrNotExist) {
			return identity.DefaultConfig(), nil
		}
	}
	cfg, err := app.Config()
	if err != nil {
		return identity.Config{}, err
	}
	return cfg.Enrich.Identity, nil
}

// progressBar draws on the terminal, and is nil anywhere else (logs,
// pipes, CI) so nothing but results is written there.
func progressBar(w io.Writer, size int64, noProgress bool, description string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if noProgress || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

func newCustomersImportCmd(app *App) *cobra.Command {
	var (
		ff         fileFlags
		dryRun     bool
		noProgress bool
		batch      int
		rejects    string
	)
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Validate a CSV or JSONL customer file and upsert its good rows into the customers topic",
		Long: `Reads FILE (CSV with a header line, or JSON Lines), maps its columns to
customer fields (common column names in English, Polish, Latvian, Portuguese
and Chinese are recognised; --map names the others), validates every row and
writes the good rows, keyed by customer id, to the compacted customers topic.
Bad rows are reported with their line number and reasons and not written;
the command then exits non-zero. Writes are acknowledged by Kafka in batches:
after a failure, the rows before the reported line are in the topic.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			icfg, err := identityConfig(app, cmd)
			if err != nil {
				return err
			}
			fcfg, err := ff.config(customerfile.DefaultConfig())
			if err != nil {
				return err
			}
			path := args[0]
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("opening customer file: %w", err)
			}
			defer f.Close()
			var size int64
			if st, err := f.Stat(); err == nil {
				size = st.Size()
			}
			reader, err := customerfile.NewReader(f, path, fcfg, identity.NewNormalizer(icfg))
			if err != nil {
				return err
			}
			var pub crm.Publisher = discard{}
			topics := pipeline.Topics{}
			if !dryRun {
				ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
				k, err := app.openAdmin(ctx)
				cancel()
				if err != nil {
					return err
				}
				defer k.Close()
				prod := k.NewProducer("customers-import", 0)
				defer prod.Close()
				pub, topics = prod, k.Topics()
			}
			var rejectsOut io.Writer
			if rejects != "" {
				rf, err := os.Create(rejects)
				if err != nil {
					return fmt.Errorf("creating rejects file: %w", err)
				}
				defer rf.Close()
				rejectsOut = rf
				fmt.Fprintln(rf, "line\treasons")
			}
			bar := progressBar(app.Stderr, size, noProgress, "importing "+path)
			var shown []string
			opts := crm.ImportOptions{
				BatchSize: batch,
				DryRun:    dryRun,
				BadRow: func(line int, reasons []string) {
					msg := fmt.Sprintf("%s:%d: %s", path, line, strings.Join(reasons, "; "))
					if len(shown) < maxShownBadRows {
						shown = append(shown, msg)
					}
					if rejectsOut != nil {
						fmt.Fprintf(rejectsOut, "%d\t%s\n", line, strings.Join(reasons, "; "))
					}
				},
				Progress: func(n int64) {
					if bar != nil {
						_ = bar.Set64(n)
					}
				},
			}
			rep, err := crm.Import(cmd.Context(), reader, pub, topics, opts)
			if bar != nil {
				_ = bar.Finish()
			}
			for _, m := range shown {
				fmt.Fprintln(app.Stderr, m)
			}
			if rep.Bad > len(shown) {
				where := "--rejects FILE lists them all"
				if rejects != "" {
					where = "all are in " + rejects
				}
				fmt.Fprintf(app.Stderr, "... and %s more (%s)\n", plural(rep.Bad-len(shown), "bad row", "bad rows"), where)
			}
			verb := "imported"
			if dryRun {
				verb = "validated (dry run, nothing written)"
			}
			fmt.Fprintf(app.Stdout, "%s %d customers from %s: %d rows, %d bad\n", verb, rep.Imported, path, rep.Rows, rep.Bad)
			if err != nil {
				return err
			}
			if rep.Bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s not imported", plural(rep.Bad, "bad row was", "bad rows were"))}
			}
			return nil
		},
	}
	ff.register(cmd, "", "file")
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "validate and report without writing")
	f.BoolVar(&noProgress, "no-progress", false, "no progress bar even on a terminal")
	f.IntVar(&batch, "batch", 500, "rows per acknowledged write")
	f.StringVar(&rejects, "rejects", "", "write every bad row (line and reasons) to this file")
	return cmd
}

// maxShownBadRows bounds the bad rows printed to the terminal.
const maxShownBadRows = 50

// discard is the publisher of a dry run.
type discard struct{}

func (discard) ProduceSync(context.Context, ...pipeline.Output) error { return nil }

func newCustomersForgetCmd(app *App) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "forget ID|EMAIL",
		Short: "Erase a person (GDPR): tombstones in the customers and prospects topics and a deletion request for the index",
		Long: `Finds the customer or prospect with this id, or every customer and
prospect with this email address, and every prospect sharing an email,
phone, handle or profile URL with them. Writes a deletion request to the
erasures topic (the index stage deletes the profiles and every mention
linked to them), then tombstones for the customers and prospects, which the
enrich instances apply to their identity tables.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			icfg, err := identityConfig(app, cmd)
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
			snap, err := crm.LoadSnapshot(ctx, k, k.Topics())
			if err != nil {
				return err
			}
			norm := identity.NewNormalizer(icfg)
			plan, err := crm.PlanErasure(snap, args[0], norm, time.Now())
			if err != nil {
				return err
			}
			spelled, note := spellingsViaIndex(ctx, app, norm, plan.Emails())
			plan.AddSpellings(spelled)
			if note != "" {
				fmt.Fprintln(app.Stdout, "note:", note)
			}
			emails := plan.Emails()
			if err := sealPlan(ctx, k, &plan); err != nil {
				return err
			}
			plan.By = operatorName()
			fmt.Fprintf(app.Stdout, "customers: %s\nprospects: %s\nemails: %s\n", list(plan.Customers), list(plan.Prospects), list(emails))
			if dryRun {
				fmt.Fprintln(app.Stdout, "dry run: nothing written")
				return nil
			}
			prod := k.NewProducer("customers-forget", 0)
			defer prod.Close()
			if err := crm.Forget(ctx, prod, k.Topics(), plan); err != nil {
				return err
			}
			for _, e := range plan.Erasures {
				fmt.Fprintf(app.Stdout, "deletion request %s written to %s\n", e.ID, k.Topics().Erasures())
			}
			fmt.Fprintf(app.Stdout, "tombstones written: %d customers, %d prospects, %d data keys\n", len(plan.Customers), len(plan.Prospects), len(plan.Keys))
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be erased without writing")
	return cmd
}

// spellingsViaIndex is spelledEmails for the CLI: it opens the index when
// it can (Elasticsearch, or an embedded index no hub holds) and otherwise
// says in note why the person's other spellings were not looked up. It
// opens nothing when none of emails has another spelling.
func spellingsViaIndex(ctx context.Context, app *App, norm *identity.Normalizer, emails []string) (found []string, note string) {
	if patterns, _ := spellingPatterns(norm, emails); len(patterns) == 0 {
		return nil, ""
	}
	cfg, err := app.Config()
	if err != nil {
		return nil, fmt.Sprintf("other spellings of the e-mail were not looked up: %v", err)
	}
	if cfg.Search.Backend == backend.KindEmbedded && !cfg.Search.Embedded.InMemory {
		if _, err := os.Stat(cfg.Search.Embedded.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, "" // no index yet: nothing was written under any spelling
		}
	}
	b, err := backend.Open(ctx, cfg.Search, app.Logger(), nil)
	if errors.Is(err, bleve.ErrInUse) {
		return nil, "the embedded index is in use by a running hub, so posts under other spellings of the e-mail (Gmail dots, a +tag) were not looked up; erase through the web app or POST /api/erasures to include them"
	}
	if err != nil {
		return nil, fmt.Sprintf("other spellings of the e-mail were not looked up (the index did not open: %v)", err)
	}
	defer b.Close()
	found, err = spelledEmails(ctx, b, norm, emails)
	if err != nil {
		return nil, err.Error()
	}
	return found, ""
}

func list(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	return strings.Join(items, ", ")
}
