package main

import (
	"errors"
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
	var (
		languages, model, taxonomy, phrases string
		buying                              float64
	)
	cmd := &cobra.Command{
		Use:   "analyze [FILE]",
		Short: "Detect language, sentiment, intents and preferences of JSONL or plain lines (stdin or FILE) → enriched JSONL",
		Long: `Reads one record per line from FILE (or stdin): JSON objects with "text"
(and optionally "title", "lang" and any other fields), or plain text lines.
Writes each record back as JSON with an "analysis" object: language,
sentiment label and score, intents with evidence, aspects and preferences.

Settings come from the enrich.analysis section of the config file when
there is one (--config, or configs/earshot.yaml if present); flags override.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := analyzeConfig(app, cmd)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			if f.Changed("languages") {
				cfg.Languages = strings.Split(languages, ",")
			}
			if f.Changed("sentiment-model") {
				cfg.SentimentModel = model
			}
			if f.Changed("taxonomy") {
				cfg.Taxonomy = taxonomy
			}
			if f.Changed("intent-phrases") {
				cfg.Intents.PhrasesFile = phrases
			}
			if f.Changed("buying-threshold") {
				cfg.BuyingThreshold = buying
			}
			a, err := analysis.New(cfg, app.Logger())
			if err != nil {
				return err
			}
			var in io.Reader = app.Stdin
			if len(args) == 1 && args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("opening input: %w", err)
				}
				defer file.Close()
				in = file
			}
			_, err = analysis.RunBatch(cmd.Context(), a, in, app.Stdout, app.Stderr)
			return err
		},
	}
	def := analysis.DefaultConfig()
	f := cmd.Flags()
	f.StringVar(&languages, "languages", strings.Join(def.Languages, ","), "comma-separated ISO 639-1 codes to detect")
	f.StringVar(&model, "sentiment-model", "", "sentiment model file written by earshot train sentiment (default: embedded)")
	f.StringVar(&taxonomy, "taxonomy", def.Taxonomy, "taxonomy file (the embedded copy when the default path is missing)")
	f.StringVar(&phrases, "intent-phrases", "", "intent phrase lists replacing the built-in ones")
	f.Float64Var(&buying, "buying-threshold", def.BuyingThreshold, "score from which buying intent is reported")
	return cmd
}

// analyzeConfig is the analysis section of the config file, or the
// defaults when no file was named and the default one does not exist.
func analyzeConfig(app *App, cmd *cobra.Command) (analysis.Config, error) {
	explicit := cmd.Flags().Changed("config") || os.Getenv("EARSHOT_CONFIG") != ""
	if !explicit {
		if _, err := os.Stat(app.ConfigPath); errors.Is(err, os.ErrNotExist) {
			return analysis.DefaultConfig(), nil
		}
	}
	cfg, err := app.Config()
	if err != nil {
		return analysis.Config{}, err
	}
	return cfg.Enrich.Analysis, nil
}
