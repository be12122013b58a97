package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

func init() { addCommand(newTrainCmd) }

// newTrainCmd is `earshot train`: models Earshot trains itself.
func newTrainCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train Earshot's own models",
	}
	cmd.AddCommand(newTrainSentimentCmd(app), newTrainIntentCmd(app))
	return cmd
}

// shippedTrainCommand reproduces enrich/sentiment/model.bin.gz byte for byte.
const shippedTrainCommand = `earshot train sentiment --umsab ../shared/data/sentiment --umsab-val \
    --data enrich/sentiment/feedback/train --data-weight 3 --lang-weight pt=0.5 --balance --bags 5 \
    --val enrich/sentiment/feedback/dev --seed 1 --out enrich/sentiment/model.bin.gz`

func newTrainSentimentCmd(app *App) *cobra.Command {
	req := analysis.TrainRequest{Options: sentiment.DefaultTrainOptions()}
	var correctionsFile, baseline string
	var fromTopic, noBaseline bool
	var langWeights []string
	cmd := &cobra.Command{
		Use:   "sentiment",
		Short: "Train a sentiment model on labelled data and people's corrections; refuse it when it is worse",
		Long: `Trains the multilingual sentiment model (hashed n-grams + lexicon and composition
features, naive-Bayes scaled, logistic regression) deterministically and writes it to --out;
point enrich.analysis.sentiment_model at the file to use it (a running enrich stage reloads
it without a restart).

Data: --umsab (the UMSAB tweets), --data files or folders (JSONL {"text","label","lang"?};
TSV label<TAB>text, named by language) weighing --data-weight each, or, for a language
named by --lang-weight LANG=W (repeatable, e.g. --lang-weight pt=2), W; corrections from --corrections (a JSONL export of
the corrections topic) or --corrections-topic. Sentiment corrections are learned with
--correction-weight; a --hold-back share of them (chosen by id) is kept for evaluation.

With corrections, the new model is compared with the running one (--baseline, by default
enrich.analysis.sentiment_model or the embedded model) on the held-back corrections and
the --val / --umsab-val sets; it is refused (nothing written, exit status 1) when it is
less accurate on the held-back corrections or loses more than --tolerance points of
macro-F1 on a validation set.

Reproduce the shipped model:
  ` + shippedTrainCommand,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if correctionsFile != "" && fromTopic {
				return errors.New("give one of --corrections and --corrections-topic")
			}
			var err error
			if req.LangWeights, err = parseLangWeights(langWeights); err != nil {
				return err
			}
			if correctionsFile != "" {
				if req.Corrections, err = analysis.ReadCorrectionsFile(correctionsFile); err != nil {
					return err
				}
			}
			if fromTopic {
				if req.Corrections, err = readCorrectionsTopic(cmd.Context(), app); err != nil {
					return err
				}
			}
			if (len(req.Corrections) > 0 || baseline != "") && !noBaseline {
				if req.Baseline, err = loadBaseline(app, baseline); err != nil {
					return err
				}
			}
			_, err = analysis.TrainSentiment(req, app.Stdout)
			return err
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&req.Data, "data", nil, "training examples: JSONL or TSV files, or folders of them (repeatable)")
	f.Float32Var(&req.DataWeight, "data-weight", 1, "weight of the --data examples")
	f.StringSliceVar(&langWeights, "lang-weight", nil, "LANG=W: weight of the --data examples in language LANG instead of --data-weight (repeatable, e.g. pt=2)")
	f.BoolVar(&req.Balance, "balance", false, "weigh the --data classes equally within each language")
	f.StringVar(&req.UMSAB, "umsab", "", "UMSAB data folder (train split)")
	f.BoolVar(&req.UMSABVal, "umsab-val", false, "with --umsab: evaluate on the val split")
	f.StringSliceVar(&req.Val, "val", nil, "evaluation examples: files or folders (repeatable), macro-F1 per language")
	f.StringVar(&correctionsFile, "corrections", "", "corrections exported as JSONL (record.Correction per line)")
	f.BoolVar(&fromTopic, "corrections-topic", false, "read the corrections from the corrections topic")
	f.Float32Var(&req.CorrectionWeight, "correction-weight", analysis.DefaultCorrectionWeight, "weight of a correction against a base example")
	f.Float64Var(&req.HoldBack, "hold-back", analysis.DefaultHoldBack, "share of the sentiment corrections kept out of training to evaluate on")
	f.StringVar(&baseline, "baseline", "", "model the new one must not be worse than (default: the configured or embedded model)")
	f.BoolVar(&noBaseline, "no-baseline", false, "skip the comparison with the running model")
	f.Float64Var(&req.Tolerance, "tolerance", analysis.DefaultTolerance, "macro-F1 points a validation set may lose")
	f.StringVar(&req.Out, "out", "", "model file to write")
	f.IntVar(&req.Options.Bits, "bits", req.Options.Bits, "log2 of hashed feature buckets")
	f.IntVar(&req.Options.Epochs, "epochs", req.Options.Epochs, "training epochs")
	f.Float64Var(&req.Options.Rate, "rate", req.Options.Rate, "AdaGrad learning rate")
	f.Float64Var(&req.Options.L2, "l2", req.Options.L2, "L2 penalty")
	f.Int64Var(&req.Options.Seed, "seed", req.Options.Seed, "shuffle seed")
	f.IntVar(&req.Options.Bags, "bags", req.Options.Bags, "fits with different shuffle seeds whose weights are averaged")
	f.Float64Var(&req.Options.NB, "nb", req.Options.NB, "naive-Bayes feature scaling smoothing (0 = off)")
	f.BoolVar(&req.Options.Features.Register, "register", req.Options.Features.Register, "add the register copy of the word features to texts with no social marker (no @user, #tag, link or RT)")
	return cmd
}

// parseLangWeights reads --lang-weight values, LANG=W: LANG a lowercase
// ISO 639-1 code given once, W a positive number.
func parseLangWeights(specs []string) (map[string]float32, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	out := map[string]float32{}
	for _, spec := range specs {
		l, v, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("--lang-weight %q: want LANG=WEIGHT, e.g. pt=2", spec)
		}
		if len(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
			return nil, fmt.Errorf("--lang-weight %q: %q is not a language code (two lowercase letters, e.g. pt)", spec, l)
		}
		if _, dup := out[l]; dup {
			return nil, fmt.Errorf("--lang-weight %q: %s given twice", spec, l)
		}
		w, err := strconv.ParseFloat(v, 32)
		if err != nil || !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("--lang-weight %q: weight %q is not a positive number", spec, v)
		}
		out[l] = float32(w)
	}
	return out, nil
}

// loadBaseline is the model a retrained one is compared with: the named
// file, else the configured model, else the embedded one.
func loadBaseline(app *App, path string) (*sentiment.Model, error) {
	if path == "" {
		if cfg, err := app.Config(); err == nil {
			path = cfg.Enrich.Analysis.SentimentModel
		}
	}
	if path == "" {
		return sentiment.Embedded()
	}
	return sentiment.LoadFile(path)
}

// readCorrectionsTopic reads the whole corrections topic (latest value per
// key; tombstones delete).
func readCorrectionsTopic(ctx context.Context, app *App) ([]record.Correction, error) {
	h, err := app.openHub(ctx)
	if err != nil {
		return nil, err
	}
	defer h.close()
	var mu sync.Mutex // the table's goroutines may outlive cancel
	byKey := map[string]record.Correction{}
	var bad int
	var firstErr error
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	table, err := h.kafka.FollowTable(tctx, h.kafka.Topics().Corrections(), func(m pipeline.Message) {
		key := string(m.Key)
		mu.Lock()
		defer mu.Unlock()
		if m.Value == nil {
			delete(byKey, key)
			return
		}
		var c record.Correction
		err := record.Decode(m.Value, &c)
		if err == nil {
			err = analysis.ValidateCorrection(&c)
		}
		if err != nil {
			bad++
			if firstErr == nil {
				firstErr = fmt.Errorf("correction %s: %w", key, err)
			}
			return
		}
		byKey[key] = c
	})
	if err != nil {
		return nil, err
	}
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	if err := table.WaitCaughtUp(wctx); err != nil {
		return nil, err
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if bad > 0 {
		app.Logger().Warn("skipped unreadable corrections", "count", bad, "first", firstErr)
	}
	out := make([]record.Correction, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, c)
	}
	return out, nil
}
