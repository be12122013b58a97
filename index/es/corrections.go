package es

import (
	"context"
	"errors"
	"fmt"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

var _ index.Corrector = (*Backend)(nil)

// ApplyCorrection re-indexes the corrected mention, or deletes it when
// marked irrelevant, then refreshes so the person who corrected it sees the
// change on their next search.
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
		if _, _, err := b.deleteMatching(ctx, obj{"ids": obj{"values": []string{m.ID}}}); err != nil {
			return nil, fmt.Errorf("taking mention %s out of search: %w", m.ID, err)
		}
	} else if err := errors.Join(b.UpsertMentions(ctx, []*record.EnrichedMention{corrected})...); err != nil {
		return nil, fmt.Errorf("re-indexing corrected mention %s: %w", m.ID, err)
	}
	if err := b.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("refreshing after correcting mention %s: %w", m.ID, err)
	}
	return m, nil
}

// RestoreMention indexes m again.
func (b *Backend) RestoreMention(ctx context.Context, m *record.EnrichedMention) error {
	if err := errors.Join(b.UpsertMentions(ctx, []*record.EnrichedMention{m})...); err != nil {
		return fmt.Errorf("restoring mention %s: %w", m.ID, err)
	}
	return b.Refresh(ctx)
}
