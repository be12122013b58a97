package alert

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// fakeIndex answers searches from mentions in memory: the time range and a
// "sentiment:negative" filter are honoured, the query is not (every test
// search matches everything), histograms and totals are exact.
type fakeIndex struct {
	index.Backend // unimplemented methods panic
	mu            sync.Mutex
	mentions      []*record.EnrichedMention
	searches      int
	unsorted      bool
	profiles      []*index.Profile
}

func (f *fakeIndex) add(ms ...*record.EnrichedMention) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mentions = append(f.mentions, ms...)
	f.unsorted = true
}

func (f *fakeIndex) Search(_ context.Context, r *index.SearchRequest) (*index.SearchResult, error) {
	c, err := r.Compile()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches++
	if f.unsorted {
		sort.SliceStable(f.mentions, func(i, j int) bool { return f.mentions[i].CreatedAt.Before(f.mentions[j].CreatedAt) })
		f.unsorted = false
	}
	var hits []*record.EnrichedMention
	lo, hi := 0, len(f.mentions)
	if !c.From.IsZero() {
		lo = sort.Search(len(f.mentions), func(i int) bool { return !f.mentions[i].CreatedAt.Before(c.From) })
	}
	if !c.To.IsZero() {
		hi = sort.Search(len(f.mentions), func(i int) bool { return !f.mentions[i].CreatedAt.Before(c.To) })
	}
	for _, m := range f.mentions[lo:max(lo, hi)] {
		if (!c.From.IsZero() && m.CreatedAt.Before(c.From)) || (!c.To.IsZero() && !m.CreatedAt.Before(c.To)) {
			continue
		}
		if filtered(m, r.Filters) {
			continue
		}
		hits = append(hits, m)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if c.Sort == index.SortOldest {
			return hits[i].CreatedAt.Before(hits[j].CreatedAt)
		}
		return hits[i].CreatedAt.After(hits[j].CreatedAt)
	})
	out := &index.SearchResult{Total: int64(len(hits))}
	for i, m := range hits {
		if i == c.Size {
			break
		}
		out.Hits = append(out.Hits, index.Hit{ID: m.ID, Mention: m})
	}
	if c.Interval != "" {
		by := map[time.Time]*index.HistogramBucket{}
		for _, m := range hits {
			s := index.BucketStart(m.CreatedAt, c.Interval)
			b := by[s]
			if b == nil {
				b = &index.HistogramBucket{Start: s, Sentiment: map[string]int64{}}
				by[s] = b
			}
			b.Count++
			b.Sentiment[sentimentOf(m)]++
		}
		for _, b := range by {
			out.Histogram = append(out.Histogram, *b)
		}
	}
	if len(c.Facets) > 0 {
		out.Facets = map[string][]index.Bucket{}
		counts := map[string]int64{}
		for _, m := range hits {
			counts[sentimentOf(m)]++
		}
		for k, v := range counts {
			out.Facets["sentiment"] = append(out.Facets["sentiment"], index.Bucket{Value: k, Count: v})
		}
	}
	return out, nil
}

func (f *fakeIndex) SearchProfiles(context.Context, *index.ProfileRequest) (*index.ProfileResult, error) {
	return &index.ProfileResult{Profiles: f.profiles}, nil
}

func filtered(m *record.EnrichedMention, filters []string) bool {
	for _, f := range filters {
		if v, ok := strings.CutPrefix(f, "sentiment:"); ok && sentimentOf(m) != v {
			return true
		}
	}
	return false
}

func sentimentOf(m *record.EnrichedMention) string {
	if m.Analysis.Sentiment == nil {
		return index.NoSentiment
	}
	return m.Analysis.Sentiment.Label
}

var mentionSeq int

func mention(at time.Time, sentiment, text string) *record.EnrichedMention {
	mentionSeq++
	m := &record.EnrichedMention{}
	m.ID = record.RecordID("test", strings.Repeat("x", mentionSeq%7)+at.Format(time.RFC3339Nano)+text)
	m.Source = "mastodon"
	m.Text = text
	m.CreatedAt = at
	m.Author.Handle = "someone"
	if sentiment != "" {
		m.Analysis.Sentiment = &record.Sentiment{Label: sentiment, Score: 0.9}
	}
	return m
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
