package main

import (
	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/sentiment"
)

func init() { addCommand(newTrainCmd) }

// newTrainCmd is `earshot train`: models Earshot trains itself.
func newTrainCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train Earshot's own models",
	}
	cmd.AddCommand(newTrainSentimentCmd(app))
	return cmd
}

func newTrainSentimentCmd(app *App) *cobra.Command {
	req := analysis.TrainRequest{Options: sentiment.DefaultTrainOptions()}
	cmd := &cobra.Command{
		Use:   "sentiment",
		Short: "Train a sentiment model on labelled JSONL ({\"text\",\"label\",\"lang\"}) or the UMSAB folders",
		Long: `Trains the multilingual sentiment model (hashed n-grams + lexicon features,
naive-Bayes scaled, logistic regression) deterministically and writes it to --out; point
analysis.sentiment_model (or analyze --sentiment-model) at the file to use it.
Labels: negative, neutral, positive (or 0, 1, 2). Examples without "lang"
get the detected language. Reproduce the shipped model with
  earshot train sentiment --umsab ../shared/data/sentiment --umsab-val --out enrich/sentiment/model.bin.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return analysis.TrainSentiment(req, app.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Data, "data", "", "training examples, JSONL")
	f.StringVar(&req.UMSAB, "umsab", "", "UMSAB data folder (train split) instead of --data")
	f.BoolVar(&req.UMSABVal, "umsab-val", false, "with --umsab: report macro-F1 on the val split")
	f.StringVar(&req.Val, "val", "", "evaluation examples, JSONL (macro-F1 per language)")
	f.StringVar(&req.Out, "out", "", "model file to write")
	f.IntVar(&req.Options.Bits, "bits", req.Options.Bits, "log2 of hashed feature buckets")
	f.IntVar(&req.Options.Epochs, "epochs", req.Options.Epochs, "training epochs")
	f.Float64Var(&req.Options.Rate, "rate", req.Options.Rate, "AdaGrad learning rate")
	f.Float64Var(&req.Options.L2, "l2", req.Options.L2, "L2 penalty")
	f.Int64Var(&req.Options.Seed, "seed", req.Options.Seed, "shuffle seed")
	f.IntVar(&req.Options.Bags, "bags", req.Options.Bags, "fits with different shuffle seeds whose weights are averaged")
	f.Float64Var(&req.Options.NB, "nb", req.Options.NB, "naive-Bayes feature scaling smoothing (0 = off)")
	return cmd
}
