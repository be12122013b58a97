package es

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// profileSource is the part of a stored record that a profile rebuild reads
// (index.Tally counts it, the stage groups by the identity and applies
// corrections by id). Reading only it, instead of whole records with their
// texts and evidence, is what keeps the index stage's read-back cheap as a
// prolific person's mentions pile up.
var profileSource = []string{
	"record.id", "record.created_at", "record.source", "record.lang",
	"record.identity.customer_id", "record.identity.prospect_id",
	"record.analysis.language.code", "record.analysis.sentiment",
	"record.analysis.intents.name", "record.analysis.aspects.name", "record.analysis.aspects.sentiment",
	"record.analysis.preferences.brands", "record.analysis.preferences.products",
	"record.analysis.preferences.competitors", "record.analysis.preferences.channels",
}

// readBackPage is a variable so a test can page through a few mentions.
var readBackPage = 5000

// MentionsOfPeople reads people's mentions back for their profiles (see
// index.Backend and index.PlanReadBack): each mention with the fields a
// profile counts, not its text. One request counts every person's
// mentions first.
func (b *Backend) MentionsOfPeople(ctx context.Context, people []index.PersonRef, newest int) ([]*record.EnrichedMention, error) {
	if len(people) == 0 || newest <= 0 {
		return nil, nil
	}
	queries := make([]obj, len(people))
	filters := obj{}
	for i, p := range people {
		q, err := personTerm(p)
		if err != nil {
			return nil, err
		}
		queries[i] = q
		filters[strconv.Itoa(i)] = q
	}
	var counted struct {
		Aggregations struct {
			People struct {
				Buckets map[string]struct {
					DocCount int `json:"doc_count"`
				} `json:"buckets"`
			} `json:"people"`
		} `json:"aggregations"`
	}
	err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, Body: body(obj{
		"size": 0, "track_total_hits": false, "aggs": obj{"people": obj{"filters": obj{"filters": filters}}},
	})}, &counted)
	if err != nil {
		return nil, fmt.Errorf("counting mentions to read back: %w", err)
	}
	counts := make([]int, len(people))
	for i := range people {
		counts[i] = counted.Aggregations.People.Buckets[strconv.Itoa(i)].DocCount
	}
	plan := index.PlanReadBack(counts, newest)
	var out []*record.EnrichedMention
	for _, i := range plan.Alone {
		ms, err := b.readBack(ctx, queries[i], newest)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	for _, g := range plan.Groups {
		should := make([]obj, len(g))
		for k, i := range g {
			should[k] = queries[i]
		}
		ms, err := b.readBack(ctx, obj{"bool": obj{"should": should}}, -1)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return newestFirst(out), nil
}

func personTerm(p index.PersonRef) (obj, error) {
	switch p.Kind {
	case index.ProfileCustomer:
		return obj{"term": obj{"customer_id": p.ID}}, nil
	case index.ProfileProspect:
		return obj{"term": obj{"prospect_id": p.ID}}, nil
	}
	return nil, fmt.Errorf("reading mentions back: unknown kind of person %q", p.Kind)
}

// readBack reads the newest limit mentions matching q (every one when limit
// is negative), page by page.
func (b *Backend) readBack(ctx context.Context, q obj, limit int) ([]*record.EnrichedMention, error) {
	var out []*record.EnrichedMention
	var after []json.RawMessage
	for limit < 0 || len(out) < limit {
		size := readBackPage
		if limit >= 0 {
			size = min(size, limit-len(out))
		}
		req := obj{"query": q, "size": size, "sort": sortOrder(index.SortNewest), "track_total_hits": false, "_source": profileSource}
		if after != nil {
			req["search_after"] = after
		}
		var res searchResponse
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, Body: body(req)}, &res); err != nil {
			return nil, fmt.Errorf("reading mentions back: %w", err)
		}
		for _, h := range res.Hits.Hits {
			var m record.EnrichedMention
			if err := json.Unmarshal(h.Source.Record, &m); err != nil {
				return nil, fmt.Errorf("reading mention %s back: %w", h.ID, err)
			}
			out = append(out, &m)
		}
		if len(res.Hits.Hits) < size {
			break
		}
		after = res.Hits.Hits[len(res.Hits.Hits)-1].Sort
	}
	return out, nil
}

// newestFirst orders mentions newest first (ties by id), as a time-sorted
// search does, and drops repeats: a mention of two people read for both.
func newestFirst(ms []*record.EnrichedMention) []*record.EnrichedMention {
	out := index.DropRepeats(ms)
	slices.SortFunc(out, func(x, y *record.EnrichedMention) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out
}
