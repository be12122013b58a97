package es

import (
	"context"
	"fmt"
)

// DeleteMentions deletes mentions by id from whichever month holds them;
// ids not in the index are not an error. Mentions written just before
// must be found, so it refreshes first (deletions are rare).
func (b *Backend) DeleteMentions(ctx context.Context, ids []string) []error {
	errs := make([]error, len(ids))
	if len(ids) == 0 {
		return errs
	}
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = fmt.Errorf("deleting %d mentions: %w", len(ids), err)
		}
		return errs
	}
	if err := b.Refresh(ctx); err != nil {
		return fail(err)
	}
	n, _, err := b.deleteMatching(ctx, obj{"ids": obj{"values": ids}})
	b.metrics.Deleted.WithLabelValues("mention").Add(float64(n))
	if err != nil {
		return fail(err)
	}
	return errs
}
