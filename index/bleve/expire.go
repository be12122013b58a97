package bleve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

var _ index.Expirer = (*Backend)(nil)

// ExpireMentions deletes every mention created before t (the index's
// retention) and names the people they were linked to. The rollups lose
// each deleted mention in the same commit, so counts, histograms and
// facets agree with search at once.
func (b *Backend) ExpireMentions(ctx context.Context, t time.Time) (index.Expired, error) {
	var out index.Expired
	if t.IsZero() {
		return out, errors.New("expiring mentions: no time given")
	}
	var people index.ExpiredPeople
	n, err := b.deleteMatchingSeen(ctx, keyRange(fieldTimeKey, bound{open: true}, bound{t: t.UTC()}, timeKey), func(m *record.EnrichedMention) {
		if m.Identity != nil {
			people.Add(m.Identity.CustomerID, m.Identity.ProspectID)
		}
	})
	out.Deleted = n
	people.Fill(&out)
	if n > 0 {
		b.metrics.Deleted.WithLabelValues("mention").Add(float64(n))
	}
	if err != nil {
		return out, fmt.Errorf("expiring mentions created before %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}
