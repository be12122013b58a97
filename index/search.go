package index

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// Sort orders of a mention search.
const (
	SortRelevance = "relevance" // score, then id
	SortNewest    = "newest"    // created_at descending, then id
	SortOldest    = "oldest"    // created_at ascending, then id
)

// Histogram intervals (UTC calendar buckets; weeks start on Monday).
const (
	IntervalAuto  = "auto"
	IntervalHour  = "hour"
	IntervalDay   = "day"
	IntervalWeek  = "week"
	IntervalMonth = "month"
)

// NoSentiment is the histogram and facet label of mentions without sentiment.
const NoSentiment = "unknown"

// Size limits of a search page and of a facet.
const (
	DefaultSize      = 20
	MaxSize          = 1000
	DefaultFacetSize = 10
	MaxFacetSize     = 500
)

// FacetFields maps facet names (as the API names them) to index fields.
var FacetFields = map[string]string{
	"source":     query.FieldSource,
	"channel":    query.FieldChannel,
	"kind":       query.FieldKind,
	"language":   query.FieldLanguage,
	"sentiment":  query.FieldSentiment,
	"intent":     query.FieldIntent,
	"aspect":     query.FieldAspect,
	"brand":      query.FieldBrand,
	"product":    query.FieldProduct,
	"competitor": query.FieldCompetitor,
	"author":     query.FieldAuthor, // top authors on dashboards
}

// closedValues are the fields whose values form a fixed set: a value
// outside it (sentiment:angry) matches nothing, so it is an error naming
// the values there are.
var closedValues = map[string][]string{
	query.FieldSentiment: {"negative", "neutral", "positive"},
	query.FieldKind: {string(record.KindComment), string(record.KindFormSubmission), string(record.KindMention),
		string(record.KindReply), string(record.KindReview)},
}

// checkClosedValues reports the first term of n whose field has a fixed
// set of values that does not hold the term's value.
func checkClosedValues(n query.Node) error {
	switch n := n.(type) {
	case *query.Term:
		known, ok := closedValues[n.Field]
		if !ok {
			return nil
		}
		v := strings.ToLower(n.Value)
		for _, k := range known {
			if v == k || (n.Prefix && strings.HasPrefix(k, v)) {
				return nil
			}
		}
		return fmt.Errorf("%s:%s matches nothing: %s is one of %s", n.Field, n.Value, n.Field, strings.Join(known, ", "))
	case *query.And:
		for _, c := range n.Children {
			if err := checkClosedValues(c); err != nil {
				return err
			}
		}
	case *query.Or:
		for _, c := range n.Children {
			if err := checkClosedValues(c); err != nil {
				return err
			}
		}
	case *query.Not:
		return checkClosedValues(n.Child)
	}
	return nil
}

// DefaultFacets are the facets listening views show.
var DefaultFacets = []string{"source", "language", "sentiment", "intent", "aspect", "brand"}

// SearchRequest is a mention search as the CLI and API state it.
type SearchRequest struct {
	// Query is in the search language (see index/query); "" matches all.
	Query string
	// Filters are further queries in the same language that restrict
	// without scoring, e.g. "language:pl", "sentiment:negative".
	Filters []string
	// From (inclusive) and To (exclusive) bound created_at; zero = open.
	From, To time.Time
	Sort     string // SortRelevance, SortNewest, SortOldest; "" = relevance for text queries, else newest
	Size     int
	// Cursor continues a previous search (SearchResult.Next) with the same
	// query and sort.
	Cursor    string
	Facets    []string // names from FacetFields
	FacetSize int
	// Histogram asks for volume over time split by sentiment: an interval
	// name, IntervalAuto, or "" for none.
	Histogram string
	Highlight bool
	// NoHits asks for the counts alone (total, facets, histogram), as a
	// dashboard does: no page of hits is read, and Size is ignored.
	NoHits bool
}

// Compiled is a validated request, ready for a backend to translate.
type Compiled struct {
	Query     query.Node
	Filters   []query.Node
	From, To  time.Time
	Sort      string
	Size      int
	After     []string // search_after values from the cursor
	Facets    []string // facet names
	FacetSize int
	Interval  string // resolved histogram interval, "" for none
	Highlight bool
	// TextTerms are the positive full-text terms, for highlighting.
	TextTerms []*query.Term
}

// Compile validates r and parses its query and filters.
func (r *SearchRequest) Compile() (*Compiled, error) {
	q, err := query.Parse(r.Query)
	if err != nil {
		return nil, err
	}
	c := &Compiled{Query: q, From: r.From.UTC(), To: r.To.UTC(), Size: r.Size, FacetSize: r.FacetSize, Highlight: r.Highlight}
	if r.From.IsZero() {
		c.From = time.Time{}
	}
	if r.To.IsZero() {
		c.To = time.Time{}
	}
	if !c.From.IsZero() && !c.To.IsZero() && !c.To.After(c.From) {
		return nil, fmt.Errorf("time range: to (%s) must be after from (%s)", c.To.Format(time.RFC3339), c.From.Format(time.RFC3339))
	}
	for i, f := range r.Filters {
		n, err := query.Parse(f)
		if err != nil {
			return nil, fmt.Errorf("filter %d (%q): %w", i+1, f, err)
		}
		if _, all := n.(*query.All); !all {
			c.Filters = append(c.Filters, n)
		}
	}
	if err := checkClosedValues(q); err != nil {
		return nil, err
	}
	for i, n := range c.Filters {
		if err := checkClosedValues(n); err != nil {
			return nil, fmt.Errorf("filter %d (%q): %w", i+1, r.Filters[i], err)
		}
	}
	c.TextTerms = query.TextTerms(q)
	switch r.Sort {
	case "":
		c.Sort = SortNewest
		if len(c.TextTerms) > 0 {
			c.Sort = SortRelevance
		}
	case SortRelevance, SortNewest, SortOldest:
		c.Sort = r.Sort
	default:
		return nil, fmt.Errorf("unknown sort %q (want %s, %s or %s)", r.Sort, SortRelevance, SortNewest, SortOldest)
	}
	switch {
	case r.NoHits:
		c.Size = 0
	case c.Size == 0:
		c.Size = DefaultSize
	case c.Size < 0 || c.Size > MaxSize:
		return nil, fmt.Errorf("size %d out of range 1..%d", c.Size, MaxSize)
	}
	switch {
	case c.FacetSize == 0:
		c.FacetSize = DefaultFacetSize
	case c.FacetSize < 0 || c.FacetSize > MaxFacetSize:
		return nil, fmt.Errorf("facet size %d out of range 1..%d", c.FacetSize, MaxFacetSize)
	}
	seen := map[string]bool{}
	for _, f := range r.Facets {
		f = strings.ToLower(strings.TrimSpace(f))
		if _, ok := FacetFields[f]; !ok {
			return nil, fmt.Errorf("unknown facet %q (known: %s)", f, strings.Join(sortedKeys(FacetFields), ", "))
		}
		if !seen[f] {
			seen[f] = true
			c.Facets = append(c.Facets, f)
		}
	}
	switch r.Histogram {
	case "":
	case IntervalHour, IntervalDay, IntervalWeek, IntervalMonth:
		c.Interval = r.Histogram
	case IntervalAuto:
		c.Interval = autoInterval(c.From, c.To)
	default:
		return nil, fmt.Errorf("unknown histogram interval %q (want hour, day, week, month or auto)", r.Histogram)
	}
	if r.Cursor != "" {
		after, err := decodeCursor(r.Cursor, c.Sort)
		if err != nil {
			return nil, err
		}
		c.After = after
	}
	return c, nil
}

// autoInterval picks a bucket size giving a readable number of bars.
func autoInterval(from, to time.Time) string {
	if from.IsZero() {
		return IntervalDay
	}
	if to.IsZero() {
		to = time.Now()
	}
	switch span := to.Sub(from); {
	case span <= 3*24*time.Hour:
		return IntervalHour
	case span <= 120*24*time.Hour:
		return IntervalDay
	case span <= 3*365*24*time.Hour:
		return IntervalWeek
	}
	return IntervalMonth
}

// BucketStart is the start of the calendar bucket holding t.
func BucketStart(t time.Time, interval string) time.Time {
	t = t.UTC()
	switch interval {
	case IntervalHour:
		return t.Truncate(time.Hour)
	case IntervalWeek:
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case IntervalMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

type cursor struct {
	Sort   string   `json:"s"`
	Values []string `json:"v"`
}

// EncodeCursor makes an opaque cursor from a hit's sort values.
func EncodeCursor(sort string, values []string) string {
	b, _ := json.Marshal(cursor{Sort: sort, Values: values})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decoding cursor: %w", err)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decoding cursor: %w", err)
	}
	if c.Sort != sort {
		return nil, fmt.Errorf("cursor was made for sort %q, this search sorts by %q", c.Sort, sort)
	}
	if len(c.Values) != 2 {
		return nil, fmt.Errorf("decoding cursor: want 2 sort values, got %d", len(c.Values))
	}
	return c.Values, nil
}

// SearchResult is one page of a mention search.
type SearchResult struct {
	Total int64 `json:"total"`
	Hits  []Hit `json:"hits"`
	// Next continues after the last hit; "" when this page was not full.
	Next      string              `json:"next,omitempty"`
	Facets    map[string][]Bucket `json:"facets,omitempty"`
	Interval  string              `json:"interval,omitempty"`
	Histogram []HistogramBucket   `json:"histogram,omitempty"`
}

// Hit is one matching mention.
type Hit struct {
	ID      string                  `json:"id"`
	Score   float64                 `json:"score,omitempty"`
	Mention *record.EnrichedMention `json:"mention"`
	// Snippets are HTML-escaped fragments of the text with matches in <mark>.
	Snippets []string `json:"snippets,omitempty"`
}

// Bucket is one facet value and its count.
type Bucket struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// HistogramBucket is the volume of one time bucket, split by sentiment label
// (NoSentiment for mentions without one).
type HistogramBucket struct {
	Start     time.Time        `json:"start"`
	Count     int64            `json:"count"`
	Sentiment map[string]int64 `json:"sentiment"`
}

// SortBuckets orders facet buckets by count descending, then value, and
// keeps the first n: the order both engines are held to.
func SortBuckets(bs []Bucket, n int) []Bucket {
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].Count != bs[j].Count {
			return bs[i].Count > bs[j].Count
		}
		return bs[i].Value < bs[j].Value
	})
	if len(bs) > n {
		bs = bs[:n]
	}
	return bs
}
