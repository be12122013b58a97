package stage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// A deletion record (record.Deletion) removes the mention with its id. It
// is keyed by its author, while the mention it removes may have been keyed
// by the person enrichment matched, so the two can sit on different
// partitions and the deletion can be read first. The stage therefore
// remembers the ids it deleted recently and drops an older copy of one
// that arrives afterwards.

// rememberDeleted bounds the ids remembered.
const rememberDeleted = 10000

// deletedIDs is a bounded first-in first-out memory of deleted ids and
// when their deletion happened at the source.
type deletedIDs struct {
	mu    sync.Mutex
	at    map[string]time.Time
	order []string
}

func (d *deletedIDs) put(id string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.at == nil {
		d.at = map[string]time.Time{}
	}
	if _, ok := d.at[id]; !ok {
		d.order = append(d.order, id)
	}
	d.at[id] = at
	for len(d.order) > rememberDeleted {
		delete(d.at, d.order[0])
		d.order = d.order[1:]
	}
}

// superseded reports whether em is a copy of a mention deleted after it
// was fetched.
func (d *deletedIDs) superseded(em *record.EnrichedMention) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.at[em.ID]
	return ok && !em.FetchedAt.After(at)
}

// pendingDeletion is a deletion record of a segment and the people whose
// profiles count the mention it removes.
type pendingDeletion struct {
	msg     int
	em      *record.EnrichedMention
	persons []personKey
	known   bool // persons came from the segment's own copy
}

// applyDeletions deletes the mentions of dels and reports the people whose
// profiles must be rebuilt, with the messages that depend on them.
func (s *Stage) applyDeletions(ctx context.Context, dels []pendingDeletion, errs []error) map[personKey][]int {
	if len(dels) == 0 {
		return nil
	}
	// The removed mention's links to people are read from the index
	// (unless the segment carried the mention itself).
	refreshed := false
	for k := range dels {
		if dels[k].known {
			continue
		}
		if !refreshed {
			if err := s.backend.Refresh(ctx); err != nil {
				for _, d := range dels {
					errs[d.msg] = fmt.Errorf("refreshing before deleting mentions: %w", err)
				}
				return nil
			}
			refreshed = true
		}
		old, err := s.backend.GetMention(ctx, dels[k].em.ID)
		switch {
		case errors.Is(err, index.ErrNotFound):
		case err != nil:
			errs[dels[k].msg] = settle(fmt.Errorf("reading mention %s before deleting it: %w", dels[k].em.ID, err))
		default:
			dels[k].persons = personsOf(old)
		}
	}
	ids := make([]string, 0, len(dels))
	for _, d := range dels {
		ids = append(ids, d.em.ID)
	}
	out := map[personKey][]int{}
	for j, err := range s.backend.DeleteMentions(ctx, ids) {
		d := dels[j]
		if err != nil {
			errs[d.msg] = settle(fmt.Errorf("deleting mention %s: %w", d.em.ID, err))
			continue
		}
		if errs[d.msg] != nil {
			continue
		}
		s.deleted.put(d.em.ID, d.em.Deletion.At)
		s.cache.removed(d.em.ID)
		s.logger.Info("deleted mention", "id", d.em.ID, "reason", d.em.Deletion.Reason)
		for _, p := range d.persons {
			out[p] = append(out[p], d.msg)
		}
	}
	return out
}
