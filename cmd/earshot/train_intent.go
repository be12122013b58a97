package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/intent"
)

// newTrainIntentCmd is `earshot train intent`: a learned layer over the
// intent rules, taught by people's intent corrections.
func newTrainIntentCmd(app *App) *cobra.Command {
	req := analysis.IntentTrainRequest{Options: intent.DefaultTrainOptions()}
	var correctionsFile, baseline string
	var fromTopic, noBaseline bool
	cmd := &cobra.Command{
		Use:   "intent",
		Short: "Learn an intent model over the rules from people's intent corrections; refuse it when it is worse",
		Long: `Learns, per intent, a logistic regression over the rules' decision and the text's words
(words, 5-letter prefixes, word pairs; Chinese ideographs and pairs), deterministically, and
writes it to --out; point enrich.analysis.intent_model at the file to use it (a running enrich
stage reloads it without a restart, and every mention records intent_model_version).

Data: the built-in development set (--base dev; or JSONL files {"lang","text","intents"}) and
intent corrections from --corrections (a JSONL export of the corrections topic) or
--corrections-topic: value "buying" says the text has that intent, "-buying" that it has not.
Corrections weigh --correction-weight base texts; a --hold-back share (chosen by id) is kept
for evaluation.

The new model is compared with the running one (--baseline, by default
enrich.analysis.intent_model, or the rules alone) on the held-back corrections and the --val
sets (default: the built-in holdouts), F1 per intent; it is refused (nothing written, exit
status 1) when it is less accurate on the held-back corrections or loses more than --tolerance
points of micro-F1 on a validation set.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if correctionsFile != "" && fromTopic {
				return errors.New("give one of --corrections and --corrections-topic")
			}
			cfg, err := analyzeConfig(app, cmd)
			if err != nil {
				return err
			}
			switch {
			case noBaseline:
				cfg.IntentModel = ""
			case baseline != "":
				cfg.IntentModel = baseline
			}
			a, err := analysis.New(cfg, app.Logger())
			if err != nil {
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
			_, err = a.TrainIntent(req, app.Stdout)
			return err
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&req.Base, "base", nil, "base labelled sets: built-in names ("+strings.Join(intent.ShippedSets, ", ")+") or JSONL files (default dev)")
	f.StringSliceVar(&req.Val, "val", nil, "validation sets, same forms (default: the built-in holdouts)")
	f.StringVar(&correctionsFile, "corrections", "", "corrections exported as JSONL (record.Correction per line)")
	f.BoolVar(&fromTopic, "corrections-topic", false, "read the corrections from the corrections topic")
	f.Float32Var(&req.CorrectionWeight, "correction-weight", analysis.DefaultCorrectionWeight, "weight of a correction against a base text")
	f.Float64Var(&req.HoldBack, "hold-back", analysis.DefaultHoldBack, "share of the intent corrections kept out of training to evaluate on")
	f.StringVar(&baseline, "baseline", "", "intent model the new one must not be worse than (default: the configured one, or the rules)")
	f.BoolVar(&noBaseline, "no-baseline", false, "compare with the rules alone, not the configured intent model")
	f.Float64Var(&req.Tolerance, "tolerance", analysis.DefaultTolerance, "micro-F1 points a validation set may lose")
	f.StringVar(&req.Out, "out", "", "model file to write")
	f.IntVar(&req.Options.Epochs, "epochs", req.Options.Epochs, "training epochs")
	f.Float64Var(&req.Options.Rate, "rate", req.Options.Rate, "AdaGrad learning rate")
	f.Float64Var(&req.Options.L2, "l2", req.Options.L2, "L2 penalty on word weights")
	return cmd
}
