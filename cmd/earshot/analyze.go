package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/analysis"
)

func init() { addCommand(newAnalyzeCmd) }

// newAnalyzeCmd is `earshot analyze`: batch analysis of exports and
// evaluation files with the same code the enrich stage runs.
func newAnalyzeCmd(app *App) *cobra.Command {
	cfg := analysis.DefaultConfig()
	var input string
	var languages string
	cmd := &cobra.Command{
		Use:   "analyze [FILE]",
		Short: "Detect language, sentiment, intents and preferences of JSONL or plain lines (stdin or FILE) → enriched JSONL",
		Long: `Reads one record per line from FILE (or stdin): JSON objects with "text"
(and optionally "title", "lang" and any other fields), or plain text lines.
Writes each record back as JSON with an "analysis" object: language,
sentiment label and score, intents with evidence, aspects and preferences.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				input = args[0]
			}
			if languages != "" {
				cfg.Languages = strings.Split(languages, ",")
			}
			a, err := analysis.New(cfg, app.Logger())
			if err != nil {
				return err
			}
			var in io.Reader = app.Stdin
			if input != "" && input != "-" {
				f, err := os.Open(input)
				if err != nil {
					return fmt.Errorf("opening input: %w", err)
				}
				defer f.Close()
				in = f
			}
			_, err = analysis.RunBatch(cmd.Context(), a, in, app.Stdout, app.Stderr)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&languages, "languages", "", "comma-separated ISO 639-1 codes to detect (default: "+strings.Join(cfg.Languages, ",")+")")
	f.StringVar(&cfg.SentimentModel, "sentiment-model", "", "sentiment model file from `earshot train sentiment` (default: embedded)")
	f.StringVar(&cfg.Taxonomy, "taxonomy", cfg.Taxonomy, "taxonomy file (falls back to the embedded copy when the default path is missing)")
	f.StringVar(&cfg.Intents.PhrasesFile, "intent-phrases", "", "intent phrase lists replacing the built-in ones")
	f.Float64Var(&cfg.BuyingThreshold, "buying-threshold", cfg.BuyingThreshold, "score from which buying intent is reported")
	return cmd
}
