package bleve

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// MentionsOfPeople reads people's mentions back for their profiles (see
// index.Backend and index.PlanReadBack): a heavy person through bleve's
// sort, to their newest; the others fetched in index order, every match
// decoded once (the profile needs the records anyway), and sorted here.
func (b *Backend) MentionsOfPeople(ctx context.Context, people []index.PersonRef, newest int) ([]*record.EnrichedMention, error) {
	if len(people) == 0 || newest <= 0 {
		return nil, nil
	}
	queries := make([]bq.Query, len(people))
	counts := make([]int, len(people))
	for i, p := range people {
		q, err := personQuery(p)
		if err != nil {
			return nil, err
		}
		if counts[i], err = b.count(ctx, q); err != nil {
			return nil, err
		}
		queries[i] = q
	}
	plan := index.PlanReadBack(counts, newest)
	var out []*record.EnrichedMention
	for _, i := range plan.Alone {
		ms, err := b.newestOf(ctx, queries[i], newest)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	for _, g := range plan.Groups {
		qs := make([]bq.Query, len(g))
		total := 0
		for k, i := range g {
			qs[k], total = queries[i], total+counts[i]
		}
		ms, err := b.allOf(ctx, bq.NewDisjunctionQuery(qs), total)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return newestFirst(out), nil
}

func personQuery(p index.PersonRef) (bq.Query, error) {
	switch p.Kind {
	case index.ProfileCustomer:
		return termQuery("customer_id", p.ID), nil
	case index.ProfileProspect:
		return termQuery("prospect_id", p.ID), nil
	}
	return nil, fmt.Errorf("reading mentions back: unknown kind of person %q", p.Kind)
}

// count is how many mentions match q.
func (b *Backend) count(ctx context.Context, q bq.Query) (int, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = "none"
	sr, err := b.mentions.SearchInContext(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("counting mentions to read back: %w", err)
	}
	return int(sr.Total), nil
}

// allOf returns every mention matching q, about n of them, in index
// order. A write between the count and the fetch can add a few: the
// page has room for them, and the rest is fetched again.
func (b *Backend) allOf(ctx context.Context, q bq.Query, n int) ([]*record.EnrichedMention, error) {
	size := n + n/10 + 100
	for {
		req := bleve.NewSearchRequestOptions(q, size, 0, false)
		req.Score = "none" // every score is 0: no sort values are read
		req.Fields = []string{fieldRaw}
		sr, err := b.mentions.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("reading mentions back: %w", err)
		}
		if sr.Total > uint64(size) {
			size = int(sr.Total) + int(sr.Total)/10
			continue
		}
		return decodeHits(sr)
	}
}

// newestOf returns the newest n mentions matching q, through bleve's sort.
func (b *Backend) newestOf(ctx context.Context, q bq.Query, n int) ([]*record.EnrichedMention, error) {
	req := bleve.NewSearchRequestOptions(q, n, 0, false)
	req.Score = "none"
	req.Fields = []string{fieldRaw}
	req.SortByCustom(sortOrder(index.SortNewest))
	sr, err := b.mentions.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("reading mentions back: %w", err)
	}
	return decodeHits(sr)
}

func decodeHits(sr *bleve.SearchResult) ([]*record.EnrichedMention, error) {
	out := make([]*record.EnrichedMention, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		m, err := hitMention(h)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// newestFirst orders mentions as a time-sorted search does and drops
// repeats: a mention of two people read back for both.
func newestFirst(ms []*record.EnrichedMention) []*record.EnrichedMention {
	out := index.DropRepeats(ms)
	sortByTime(out, func(m *record.EnrichedMention) *record.EnrichedMention { return m }, true)
	return out
}
