package crm

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Retention of prospects that never converted: a prospect whose last
// activity (last_seen: the last mention or form that matched it, or the
// last change of its sales work: a note, a stage, an owner) is older than
// the configured period is removed with a tombstone in the prospects topic
// (and its sales work with one in prospect-work), as an erasure would, and
// the removal is written to the erasure audit log (step "retention":
// prospect ids and a count, no personal data). The enrich instances drop
// it from their identity tables and the index stage deletes its profile
// when they read the tombstone. Converted prospects stay: they point to
// their customer; so do prospects whose deal sales marked won. A merged prospect (a redirect to its survivor)
// goes with its survivor, or when the survivor is gone already.
//
// Several instances sweeping at once write the same tombstones (harmless)
// and one audit entry each.

// auditChunk bounds the prospect ids of one audit entry (and of one batch
// of tombstones), so an entry stays far below the broker's message limit.
const auditChunk = 1000

// ProspectRetention follows the prospects topic and removes stale ones.
type ProspectRetention struct {
	k      *pipeline.Kafka
	pub    Publisher
	age    time.Duration
	logger *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	table map[string]prospectActivity
	work  map[string]salesActivity
}

// salesActivity is what a sweep needs of a prospect's sales work.
type salesActivity struct {
	stage     string
	updatedAt time.Time
}

// prospectActivity is what a sweep needs of a prospect record.
type prospectActivity struct {
	status     string
	lastSeen   time.Time
	mergedInto string
}

// NewProspectRetention removes prospects inactive for longer than age
// (which must be positive), writing with pub.
func NewProspectRetention(k *pipeline.Kafka, pub Publisher, age time.Duration, logger *slog.Logger) *ProspectRetention {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ProspectRetention{k: k, pub: pub, age: age, logger: logger.With("component", "prospect-retention"), now: time.Now,
		table: map[string]prospectActivity{}, work: map[string]salesActivity{}}
}

// Follow reads the prospects and prospect-work topics and keeps following
// them until ctx ends; it returns once both have caught up.
func (r *ProspectRetention) Follow(ctx context.Context) error {
	w, err := r.k.FollowTable(ctx, r.k.Topics().Name(pipeline.RoleProspectWork), func(m pipeline.Message) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if m.Value == nil {
			delete(r.work, string(m.Key))
			return
		}
		var pw record.ProspectWork
		if err := record.Decode(m.Value, &pw); err != nil {
			r.logger.Warn("skipping a prospect work record that does not decode", "offset", m.Offset, "partition", m.Partition, "error", err)
			return
		}
		r.work[string(m.Key)] = salesActivity{stage: pw.Stage, updatedAt: pw.UpdatedAt}
	})
	if err != nil {
		return fmt.Errorf("following the prospects' sales work: %w", err)
	}
	if err := w.WaitCaughtUp(ctx); err != nil {
		return err
	}
	t, err := r.k.FollowTable(ctx, r.k.Topics().Prospects(), func(m pipeline.Message) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if m.Value == nil {
			delete(r.table, string(m.Key))
			return
		}
		var p record.ProspectLife // a third of the cost of the whole record
		if err := record.Decode(m.Value, &p); err != nil {
			r.logger.Warn("skipping a prospect record that does not decode", "offset", m.Offset, "partition", m.Partition, "error", err)
			return
		}
		last := p.LastSeen
		if last.IsZero() {
			last = p.FirstSeen
		}
		r.table[string(m.Key)] = prospectActivity{status: p.Status, lastSeen: last, mergedInto: p.MergedInto}
	})
	if err != nil {
		return fmt.Errorf("following the prospects: %w", err)
	}
	return t.WaitCaughtUp(ctx)
}

// Stale lists the prospects that never converted and whose last activity
// is before the cut, sorted.
func (r *ProspectRetention) Stale() []string {
	cut := r.now().Add(-r.age)
	r.mu.Lock()
	defer r.mu.Unlock()
	gone := map[string]bool{}
	for id, p := range r.table {
		work := r.work[id]
		if p.status == record.ProspectConverted || p.status == record.ProspectMerged || work.stage == record.StageWon {
			continue
		}
		if !p.lastSeen.IsZero() && p.lastSeen.Before(cut) && !work.updatedAt.After(cut) {
			gone[id] = true
		}
	}
	for id, p := range r.table {
		if p.status != record.ProspectMerged {
			continue
		}
		_, survivorHeld := r.table[p.mergedInto]
		if gone[p.mergedInto] || (!survivorHeld && !p.lastSeen.IsZero() && p.lastSeen.Before(cut)) {
			gone[id] = true
		}
	}
	out := make([]string, 0, len(gone))
	for id := range gone {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Sweep removes the stale prospects and returns how many it removed.
func (r *ProspectRetention) Sweep(ctx context.Context) (int, error) {
	ids := r.Stale()
	if len(ids) == 0 {
		return 0, nil
	}
	topics := r.k.Topics()
	removed := 0
	for start := 0; start < len(ids); start += auditChunk {
		chunk := ids[start:min(start+auditChunk, len(ids))]
		tombs := make([]pipeline.Output, 0, 2*len(chunk))
		for _, id := range chunk {
			tombs = append(tombs, pipeline.Output{Topic: topics.Prospects(), Key: []byte(id)},
				pipeline.Output{Topic: topics.Name(pipeline.RoleProspectWork), Key: []byte(id)})
		}
		if err := r.pub.ProduceSync(ctx, tombs...); err != nil {
			return removed, fmt.Errorf("writing tombstones for expired prospects: %w", err)
		}
		removed += len(chunk)
		at := r.now().UTC()
		audit := record.ErasureAudit{Step: "retention", By: "retention", At: at, ProspectIDs: chunk,
			RequestIDs: []string{}, Removed: map[string]int{"prospects": len(chunk)}}
		audit.ID = record.RecordID("erasure-audit", "retention|"+at.Format(time.RFC3339Nano)+"|"+chunk[0])
		if err := WriteAudit(ctx, r.pub, topics, &audit); err != nil {
			return removed, fmt.Errorf("the expired prospects were removed, but %w", err)
		}
	}
	// A compaction never cleans a partition's last record: markers after
	// the tombstones let it drop the removed records.
	markers, err := r.k.CompactionMarkers(ctx, topics.Prospects(), topics.Name(pipeline.RoleProspectWork))
	if err == nil {
		err = r.pub.ProduceSync(ctx, markers...)
	}
	if err != nil {
		return removed, fmt.Errorf("writing compaction markers after removing expired prospects: %w", err)
	}
	return removed, nil
}

// Run follows the prospects and sweeps once caught up and every interval
// until ctx ends; a failed sweep is logged and tried at the next interval.
func (r *ProspectRetention) Run(ctx context.Context, interval time.Duration) error {
	if err := r.Follow(ctx); err != nil {
		if stopped(ctx) {
			return nil // stopped while loading: not a failure
		}
		return err
	}
	privacy.RunSweeps(ctx, interval, func(ctx context.Context) {
		start := time.Now()
		n, err := r.Sweep(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			r.logger.Warn("removing expired prospects failed; trying again at the next interval", "removed", n, "error", err, "retry_in", interval)
		case n > 0:
			r.logger.Info("removed prospects that never converted and had no activity for the retention period",
				"removed", n, "inactive_since", r.now().Add(-r.age).UTC().Format(time.RFC3339), "took", time.Since(start).Round(time.Millisecond))
		}
	})
	return nil
}

// stopped tells whether ctx ended: a loop stopped by its caller is not a
// failure, whatever error the interrupted call returned.
func stopped(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}
