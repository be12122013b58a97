package es

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

var _ index.Relinker = (*Backend)(nil)

// MentionsOf pages through the mentions named by ids across every month,
// sorted by id with search_after, decoding each from its stored record. A
// cluster that refuses regular expressions (search.allow_expensive_queries
// false) is asked again without ids.EmailPatterns, with a warning (once
// per process; the refusal costs the node nothing, and asking each time
// finds the spellings again once the setting allows): the other spellings
// of an e-mail go unfound there, the rest is read.
func (b *Backend) MentionsOf(ctx context.Context, ids index.Identifiers, pageSize int, fn func([]*record.EnrichedMention) error) error {
	err := b.mentionsOf(ctx, ids, pageSize, fn)
	if err != nil && len(ids.EmailPatterns) > 0 && strings.Contains(err.Error(), "allow_expensive_queries") {
		if b.regexpRefused.CompareAndSwap(false, true) {
			b.logger.Warn("the cluster refuses regular expressions (search.allow_expensive_queries is false): mentions written from another spelling of an e-mail are not looked up", "error", err)
		}
		ids.EmailPatterns = nil
		if ids.Empty() {
			return nil
		}
		return b.mentionsOf(ctx, ids, pageSize, fn)
	}
	return err
}

func (b *Backend) mentionsOf(ctx context.Context, ids index.Identifiers, pageSize int, fn func([]*record.EnrichedMention) error) error {
	if ids.Empty() {
		return nil
	}
	if pageSize < 1 {
		return errors.New("reading mentions to re-link: page size must be positive")
	}
	keywords := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = index.Keyword(v)
		}
		return out
	}
	var should []any
	if len(ids.ProspectIDs) > 0 {
		should = append(should, obj{"terms": obj{"prospect_id": ids.ProspectIDs}})
	}
	if len(ids.Emails) > 0 {
		should = append(should, obj{"terms": obj{"author_email": keywords(ids.Emails)}})
	}
	if len(ids.Authors) > 0 {
		should = append(should, obj{"terms": obj{"author": keywords(ids.Authors)}})
	}
	for _, p := range ids.EmailPatterns {
		// No optional operators: "@", "&", "~", "#" and "<>" stay literal.
		should = append(should, obj{"regexp": obj{"author_email": obj{"value": p, "flags": "NONE"}}})
	}
	q := obj{"bool": obj{"should": should, "minimum_should_match": 1}}
	var after []json.RawMessage
	for {
		req := obj{"query": q, "size": pageSize, "sort": []obj{{"id": obj{"order": "asc"}}},
			"_source": []string{"record"}, "track_total_hits": false}
		if after != nil {
			req["search_after"] = after
		}
		var res struct {
			Hits struct {
				Hits []struct {
					ID     string `json:"_id"`
					Source struct {
						Record json.RawMessage `json:"record"`
					} `json:"_source"`
					Sort []json.RawMessage `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		t := true
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t,
			Body: body(req)}, &res); err != nil {
			return fmt.Errorf("reading mentions to re-link: %w", err)
		}
		hits := res.Hits.Hits
		if len(hits) == 0 {
			return nil
		}
		page := make([]*record.EnrichedMention, 0, len(hits))
		for _, h := range hits {
			var m record.EnrichedMention
			if err := json.Unmarshal(h.Source.Record, &m); err != nil {
				return fmt.Errorf("decoding stored mention %s: %w", h.ID, err)
			}
			page = append(page, &m)
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(hits) < pageSize {
			return nil
		}
		after = hits[len(hits)-1].Sort
	}
}
