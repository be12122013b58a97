package index

import (
	"sort"
	"time"
)

// SearchCounts sums what a search answered from rollups returns besides
// its hits: the total, each requested facet's values and the histogram.
// Both backends add their rollup days and exact edge ranges to one and
// read the answer from it, so they cut and order it the same way.
type SearchCounts struct {
	Total  int64
	Facets map[string]map[string]int64 // facet name → value → count
	hist   map[time.Time]*HistogramBucket
}

// NewSearchCounts starts the counts of a search asking for these facets.
func NewSearchCounts(facets []string) *SearchCounts {
	t := &SearchCounts{Facets: make(map[string]map[string]int64, len(facets)), hist: map[time.Time]*HistogramBucket{}}
	for _, f := range facets {
		t.Facets[f] = map[string]int64{}
	}
	return t
}

// AddHist adds n mentions of sentiment sent ("" for none) to the
// histogram bucket that starts at start.
func (t *SearchCounts) AddHist(start time.Time, sent string, n int64) {
	if sent == "" {
		sent = NoSentiment
	}
	hb := t.hist[start]
	if hb == nil {
		hb = &HistogramBucket{Start: start, Sentiment: map[string]int64{}}
		t.hist[start] = hb
	}
	hb.Count += n
	hb.Sentiment[sent] += n
}

// Result is the answer to c without its hits: facets in SortBuckets'
// order cut to c.FacetSize, histogram buckets that hold mentions in time
// order.
func (t *SearchCounts) Result(c *Compiled) *SearchResult {
	out := &SearchResult{Total: t.Total, Hits: []Hit{}}
	if len(c.Facets) > 0 {
		out.Facets = make(map[string][]Bucket, len(t.Facets))
		for f, counts := range t.Facets {
			bs := make([]Bucket, 0, len(counts))
			for v, n := range counts {
				if n > 0 {
					bs = append(bs, Bucket{Value: v, Count: n})
				}
			}
			out.Facets[f] = SortBuckets(bs, c.FacetSize)
		}
	}
	if c.Interval != "" {
		out.Interval = c.Interval
		out.Histogram = make([]HistogramBucket, 0, len(t.hist))
		for _, hb := range t.hist {
			if hb.Count > 0 {
				out.Histogram = append(out.Histogram, *hb)
			}
		}
		sort.Slice(out.Histogram, func(i, j int) bool { return out.Histogram[i].Start.Before(out.Histogram[j].Start) })
	}
	return out
}
