package bleve

import (
	"context"
	"fmt"

	bq "github.com/blevesearch/bleve/v2/search/query"
)

// DeleteMentions deletes mentions by id, keeping the rollups exact; ids
// not in the index are not an error.
func (b *Backend) DeleteMentions(ctx context.Context, ids []string) []error {
	errs := make([]error, len(ids))
	if len(ids) == 0 {
		return errs
	}
	if _, err := b.deleteMatching(ctx, bq.NewDocIDQuery(ids)); err != nil {
		fill(errs, fmt.Errorf("deleting %d mentions: %w", len(ids), err))
	}
	return errs
}
