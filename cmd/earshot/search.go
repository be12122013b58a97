package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/backend"
)

func init() { addCommand(newSearchCmd) }

// newSearchCmd is `earshot search QUERY`: one page of mentions from the
// search backend named by flags (the embedded index by default).
func newSearchCmd(app *App) *cobra.Command {
	cfg := backend.Defaults()
	var (
		req      index.SearchRequest
		from, to string
		asJSON   bool
		esAddr   string
	)
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search mentions: words, \"phrases\", prefix*, field:value, AND/OR/NOT, (groups)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				req.Query = args[0]
			}
			var err error
			if req.From, err = parseCLITime("--from", from); err != nil {
				return &exitError{code: 2, err: err}
			}
			if req.To, err = parseCLITime("--to", to); err != nil {
				return &exitError{code: 2, err: err}
			}
			if _, err := req.Compile(); err != nil {
				return &exitError{code: 2, err: err}
			}
			if esAddr != "" {
				cfg.Backend = backend.KindElasticsearch
				cfg.Elasticsearch.Addresses = strings.Split(esAddr, ",")
			}
			b, err := backend.Open(cmd.Context(), cfg, app.Logger(), nil)
			if err != nil {
				return err
			}
			defer b.Close()
			res, err := b.Search(cmd.Context(), &req)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printResult(app, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&req.Filters, "filter", nil, "filter query, repeatable (e.g. language:pl)")
	f.StringVar(&from, "from", "", "created at or after (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&to, "to", "", "created before (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&req.Sort, "sort", "", "relevance, newest or oldest")
	f.IntVar(&req.Size, "size", 20, "hits per page")
	f.StringVar(&req.Cursor, "cursor", "", "continue after a previous page (its next cursor)")
	f.StringSliceVar(&req.Facets, "facets", nil, "facets to count: source,language,sentiment,intent,aspect,brand,...")
	f.StringVar(&req.Histogram, "histogram", "", "volume by sentiment per hour, day, week, month or auto")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.StringVar(&cfg.Embedded.Path, "index-path", cfg.Embedded.Path, "embedded index directory")
	f.StringVar(&esAddr, "es", "", "Elasticsearch addresses (comma-separated) instead of the embedded index")
	f.StringVar(&cfg.Elasticsearch.IndexPrefix, "es-prefix", cfg.Elasticsearch.IndexPrefix, "Elasticsearch index prefix")
	req.Highlight = true
	return cmd
}

func parseCLITime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time or a YYYY-MM-DD date", name, v)
}

func printResult(app *App, res *index.SearchResult) {
	w := app.Stdout
	fmt.Fprintf(w, "%d mentions\n", res.Total)
	for _, h := range res.Hits {
		m := h.Mention
		sent := ""
		if m.Analysis.Sentiment != nil {
			sent = m.Analysis.Sentiment.Label
		}
		text := m.Text
		if len(h.Snippets) > 0 {
			text = strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(strings.Join(h.Snippets, " … "))
		}
		fmt.Fprintf(w, "%s  %-9s %-8s %s  %s\n", m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.Source, sent, h.ID[:min(8, len(h.ID))], text)
	}
	for name, bs := range res.Facets {
		parts := make([]string, len(bs))
		for i, b := range bs {
			parts[i] = fmt.Sprintf("%s=%d", b.Value, b.Count)
		}
		fmt.Fprintf(w, "%s: %s\n", name, strings.Join(parts, " "))
	}
	for _, hb := range res.Histogram {
		fmt.Fprintf(w, "%s %d %v\n", hb.Start.Format("2006-01-02T15"), hb.Count, hb.Sentiment)
	}
	if res.Next != "" {
		fmt.Fprintf(w, "next: --cursor %s\n", res.Next)
	}
}
