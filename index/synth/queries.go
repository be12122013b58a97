package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
)

// Shape is a kind of listening query, with parameters drawn at random for
// each run so that no two runs ask quite the same thing.
type Shape struct {
	Name string
	// What it asks, for benchmark output.
	Describe string
	// Make draws one request over a corpus made with cfg.
	Make func(r *rand.Rand, cfg Config) index.SearchRequest
	// Pages > 1 follows the result cursor for that many pages.
	Pages int
}

// topics are one aspect's word in English, Portuguese and Polish, as a
// listening query names a topic in the languages it watches.
var topics = [][3]string{
	{"delivery", "entrega", "dostawa"}, {"price", "preço", "cena"}, {"support", "atendimento", "obsługa"},
	{"refund", "reembolso", "zwrot"}, {"quality", "qualidade", "jakość"}, {"app", "aplicativo", "aplikacja"},
}

var phrases = []string{`"the delivery"`, `"my order"`, `"o pedido"`, `"late delivery"`, `"zamówienie nie"`, `"very slow"`}

var prefixQueries = []string{"deliver* OR 快递 OR piegād*", "refund* OR 退款 OR atmaks*", "pric* OR 价格 OR cen*", "support* OR 客服 OR atbalst*"}

var sentiments = []string{"negative", "positive", "neutral"}

// window is a random [from, to) of length d inside the corpus period.
func window(r *rand.Rand, cfg Config, d time.Duration) (time.Time, time.Time) {
	span := cfg.Span - d
	if span <= 0 {
		return cfg.Start, cfg.Start.Add(cfg.Span)
	}
	// Whole minutes plus some seconds, as a UI would send "now - 30 days".
	from := cfg.Start.Add(time.Duration(r.Int64N(int64(span/time.Second))) * time.Second)
	return from, from.Add(d)
}

// Shapes are the typical questions of a listening tool, from the alert
// query with facets to the whole-year overview.
var Shapes = []Shape{
	{
		Name:     "listening",
		Describe: "topic in 3 languages + language and sentiment filters, 30 days, 6 facets, daily histogram, snippets",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			t := topics[r.IntN(len(topics))]
			from, to := window(r, cfg, 30*24*time.Hour)
			return index.SearchRequest{
				Query:   strings.Join(t[:], " OR "),
				Filters: []string{"language:(en OR pt OR pl)", "sentiment:" + sentiments[r.IntN(len(sentiments))]},
				From:    from, To: to, Facets: index.DefaultFacets, Histogram: index.IntervalDay, Highlight: true,
			}
		},
	},
	{
		Name:     "dashboard-7d",
		Describe: "everything in the last 7 days, newest first, 6 facets, hourly histogram",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			from, to := window(r, cfg, 7*24*time.Hour)
			return index.SearchRequest{From: from, To: to, Sort: index.SortNewest, Facets: index.DefaultFacets, Histogram: index.IntervalHour}
		},
	},
	{
		Name:     "brand-90d",
		Describe: "brand:X with a sentiment filter, 90 days, newest first, 6 facets, weekly histogram",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			from, to := window(r, cfg, 90*24*time.Hour)
			return index.SearchRequest{
				Query: "brand:" + strings.ToLower(brands[r.IntN(4)]), Filters: []string{"sentiment:" + sentiments[r.IntN(len(sentiments))]},
				From: from, To: to, Sort: index.SortNewest, Facets: index.DefaultFacets, Histogram: index.IntervalWeek,
			}
		},
	},
	{
		Name:     "phrase",
		Describe: "a quoted phrase, 90 days, by relevance, snippets",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			from, to := window(r, cfg, 90*24*time.Hour)
			return index.SearchRequest{Query: phrases[r.IntN(len(phrases))], From: from, To: to, Highlight: true}
		},
	},
	{
		Name:     "prefix-cjk",
		Describe: "prefixes and a Chinese word, 30 days, by relevance, 6 facets",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			from, to := window(r, cfg, 30*24*time.Hour)
			return index.SearchRequest{Query: prefixQueries[r.IntN(len(prefixQueries))], From: from, To: to, Facets: index.DefaultFacets}
		},
	},
	{
		Name:     "deep-pages",
		Describe: "a brand and a topic word, newest first, 5 pages of 50 through the cursor (latency per page)",
		Pages:    5,
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			t := topics[r.IntN(len(topics))]
			return index.SearchRequest{Query: fmt.Sprintf("%s %s", strings.ToLower(brands[r.IntN(2)]), t[0]), Sort: index.SortNewest, Size: 50}
		},
	},
	{
		Name:     "overview-year",
		Describe: "everything, no time range, 6 facets, monthly histogram (every document is counted)",
		Make: func(r *rand.Rand, cfg Config) index.SearchRequest {
			return index.SearchRequest{Facets: index.DefaultFacets, Histogram: index.IntervalMonth}
		},
	},
}
