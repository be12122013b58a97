package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

var _ index.Relinker = (*Backend)(nil)

// MentionsOf pages through the stored mentions named by ids, ordered by
// id (search_after), decoding each from its stored record.
func (b *Backend) MentionsOf(ctx context.Context, ids index.Identifiers, pageSize int, fn func([]*record.EnrichedMention) error) error {
	if ids.Empty() {
		return nil
	}
	if pageSize < 1 {
		return errors.New("reading mentions to re-link: page size must be positive")
	}
	var qs []bq.Query
	for _, id := range ids.ProspectIDs {
		qs = append(qs, termQuery(query.FieldProspect, id))
	}
	for _, e := range ids.Emails {
		qs = append(qs, termQuery(fieldEmail, index.Keyword(e)))
	}
	for _, a := range ids.Authors {
		qs = append(qs, termQuery(query.FieldAuthor, index.Keyword(a)))
	}
	for _, p := range ids.EmailPatterns {
		q := bq.NewRegexpQuery(p)
		q.SetField(fieldEmail)
		qs = append(qs, q)
	}
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bq.NewDisjunctionQuery(qs), pageSize, 0, false)
		req.Fields = []string{fieldRaw}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := b.mentions.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("reading mentions to re-link: %w", err)
		}
		if len(res.Hits) == 0 {
			return nil
		}
		page := make([]*record.EnrichedMention, 0, len(res.Hits))
		for _, h := range res.Hits {
			raw, err := rawField(h.Fields)
			if err != nil {
				return fmt.Errorf("reading stored mention %s: %w", h.ID, err)
			}
			var m record.EnrichedMention
			if err := json.Unmarshal(raw, &m); err != nil {
				return fmt.Errorf("decoding stored mention %s: %w", h.ID, err)
			}
			page = append(page, &m)
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(res.Hits) < pageSize {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}
