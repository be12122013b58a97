package bleve

import (
	"context"
	"errors"
	"fmt"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

var _ index.Corrector = (*Backend)(nil)

// ApplyCorrection re-indexes the corrected mention (rollups follow, as for
// any overwrite), or deletes it from the index when marked irrelevant.
func (b *Backend) ApplyCorrection(ctx context.Context, c *record.Correction) (*record.EnrichedMention, error) {
	m, err := b.GetMention(ctx, c.MentionID)
	if err != nil {
		return nil, err
	}
	corrected, hide, err := index.Correct(m, c)
	if err != nil {
		return nil, err
	}
	if hide {
		if _, err := b.deleteMatching(ctx, bq.NewDocIDQuery([]string{m.ID})); err != nil {
			return nil, fmt.Errorf("taking mention %s out of search: %w", m.ID, err)
		}
		return m, nil
	}
	if err := errors.Join(b.UpsertMentions(ctx, []*record.EnrichedMention{corrected})...); err != nil {
		return nil, fmt.Errorf("re-indexing corrected mention %s: %w", m.ID, err)
	}
	return m, nil
}

// RestoreMention indexes m again.
func (b *Backend) RestoreMention(ctx context.Context, m *record.EnrichedMention) error {
	if err := errors.Join(b.UpsertMentions(ctx, []*record.EnrichedMention{m})...); err != nil {
		return fmt.Errorf("restoring mention %s: %w", m.ID, err)
	}
	return nil
}
