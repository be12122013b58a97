package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/index/bleve"
)

func init() { addCommand(newSearchCmd) }

// EnvToken holds the API token CLI commands send to a running hub.
const EnvToken = "EARSHOT_TOKEN"

// newSearchCmd is `earshot search QUERY`: one page of mentions from the
// configured search backend. The embedded index belongs to the process that
// runs it, so while `earshot run` is up the query goes through its API.
func newSearchCmd(app *App) *cobra.Command {
	var (
		req      index.SearchRequest
		from, to string
		asJSON   bool
		esAddr   string
		idxPath  string
		esPrefix string
		direct   bool
		token    string
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
			appCfg, err := app.Config()
			if err != nil {
				return err
			}
			cfg := appCfg.Search
			if idxPath != "" {
				cfg.Embedded.Path = idxPath
			}
			if esAddr != "" {
				cfg.Backend = backend.KindElasticsearch
				cfg.Elasticsearch.Addresses = strings.Split(esAddr, ",")
			}
			if esPrefix != "" {
				cfg.Elasticsearch.IndexPrefix = esPrefix
			}
			var res *index.SearchResult
			if cfg.Backend == backend.KindEmbedded && !direct {
				if token == "" {
					token = os.Getenv(EnvToken)
				}
				res, err = searchViaAPI(cmd.Context(), appCfg.HTTP.Listen, token, from, to, &req)
				var refused *exitError
				if errors.As(err, &refused) {
					return err // the hub answered: the request itself is wrong
				}
			}
			if res == nil {
				if err != nil {
					app.Logger().Debug("hub API not reachable; opening the index directly", "error", err)
				}
				b, err := backend.Open(cmd.Context(), cfg, app.Logger(), nil)
				if errors.Is(err, bleve.ErrInUse) {
					return fmt.Errorf("the embedded index at %s is in use by a running hub: search through its API (without --direct; the hub at http.listen %s, with a token): %w",
						cfg.Embedded.Path, appCfg.HTTP.Listen, err)
				}
				if err != nil {
					return err
				}
				defer b.Close()
				if res, err = b.Search(cmd.Context(), &req); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printResult(app, res, req.Cursor)
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
	f.StringVar(&idxPath, "index-path", "", "embedded index directory (default: search.embedded.path of the config)")
	f.StringVar(&esAddr, "es", "", "Elasticsearch addresses (comma-separated) instead of the configured backend")
	f.StringVar(&esPrefix, "es-prefix", "", "Elasticsearch index prefix (default: the config's)")
	f.BoolVar(&direct, "direct", false, "open the embedded index directly instead of asking a running hub's API")
	f.StringVar(&token, "token", "", "API token for a running hub (default $"+EnvToken+")")
	req.Highlight = true
	return cmd
}

// searchViaAPI asks a running hub (GET /api/search on listen). It returns a
// nil result with the error when no hub answers.
func searchViaAPI(ctx context.Context, listen, token, from, to string, req *index.SearchRequest) (*index.SearchResult, error) {
	q := url.Values{}
	q.Set("q", req.Query)
	for _, f := range req.Filters {
		q.Add("filter", f)
	}
	for k, v := range map[string]string{"from": from, "to": to, "sort": req.Sort, "cursor": req.Cursor, "histogram": req.Histogram} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if req.Size > 0 {
		q.Set("size", fmt.Sprint(req.Size))
	}
	if len(req.Facets) > 0 {
		q.Set("facets", strings.Join(req.Facets, ","))
	}
	if req.Highlight {
		q.Set("highlight", "true")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+listen+"/api/search?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		hreq.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, &exitError{code: 1, err: fmt.Errorf("the hub's API needs a token: create one with `earshot tokens create USER` and pass it with --token or $%s", EnvToken)}
	}
	if resp.StatusCode != http.StatusOK {
		var p struct {
			Detail string `json:"detail"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return nil, &exitError{code: 2, err: fmt.Errorf("search API: %s", p.Detail)}
	}
	var res index.SearchResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, fmt.Errorf("decoding search API answer: %w", err)
	}
	return &res, nil
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

func printResult(app *App, res *index.SearchResult, cursor string) {
	w := app.Stdout
	if cursor != "" && len(res.Hits) == 0 {
		fmt.Fprintf(w, "no more mentions: the cursor is past the last page (%s in all)\n", plural(int(res.Total), "mention", "mentions"))
		return
	}
	fmt.Fprintln(w, plural(int(res.Total), "mention", "mentions"))
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
		if m.Title != "" && !strings.Contains(text, m.Title) {
			text = m.Title + " — " + text
		}
		// One row per hit: a form's title and message may hold line breaks and tabs.
		text = oneLine(text, 160)
		// The full id: it is what GET /api/mentions/{id} and the web app resolve.
		fmt.Fprintf(w, "%s  %-9s %-8s %s  %s\n", m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.Source, sent, h.ID, text)
	}
	for name, bs := range res.Facets {
		parts := make([]string, len(bs))
		for i, b := range bs {
			parts[i] = fmt.Sprintf("%s=%d", b.Value, b.Count)
		}
		fmt.Fprintf(w, "%s: %s\n", name, strings.Join(parts, " "))
	}
	for _, hb := range res.Histogram {
		var parts []string
		for _, label := range slices.Sorted(maps.Keys(hb.Sentiment)) {
			parts = append(parts, fmt.Sprintf("%s=%d", label, hb.Sentiment[label]))
		}
		fmt.Fprintf(w, "%s  %6d  %s\n", hb.Start.Format("2006-01-02T15:04"), hb.Count, strings.Join(parts, " "))
	}
	if res.Next != "" {
		fmt.Fprintf(w, "next: --cursor %s\n", res.Next)
	}
}
