package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/parallel"
	"github.com/earshothq/earshot/record"
)

// Every change to the mention index goes through this file's write path
// (UpsertMentions, deleteMatching), which keeps the rollups exact: it takes
// the write lock, learns what replaced or deleted documents contributed,
// and commits the documents with the next rollup sequence number.

// rollupSeqKey is the internal key holding the last mention batch's
// sequence number, committed atomically with the batch.
const rollupSeqKey = "earshot_rollup_seq"

// UpsertMentions indexes ms in one batch. An invalid mention fails alone
// (permanently); a failing batch fails every mention in it (retryable).
func (b *Backend) UpsertMentions(ctx context.Context, ms []*record.EnrichedMention) []error {
	errs := make([]error, len(ms))
	b.wmu.Lock()
	defer b.wmu.Unlock()
	batch := b.mentions.NewBatch()
	var analysers []string
	built := b.buildMentions(ms)
	// The last write of an id in a batch is the one that stays.
	last := map[string]*index.MentionDoc{}
	for i, m := range ms {
		doc, d, err := built[i].doc, built[i].d, built[i].err
		if err == nil {
			err = batch.IndexAdvanced(doc)
		}
		if err != nil {
			errs[i] = index.Permanent(fmt.Errorf("indexing mention: %w", err))
			continue
		}
		last[m.ID] = d
		if d.Analyser != "" {
			analysers = append(analysers, d.Analyser)
		}
	}
	if len(last) == 0 {
		b.metrics.CountWrites("mention", errs)
		return errs
	}
	dl := b.roll.newDelta()
	ids := make([]string, 0, len(last))
	for id, d := range last {
		ids = append(ids, id)
		dl.add(d, 1)
	}
	if err := b.storedDocs(ids, func(d *index.MentionDoc) { dl.add(d, -1) }); err != nil {
		fill(errs, fmt.Errorf("reading the documents a batch replaces: %w", err))
		b.metrics.CountWrites("mention", errs)
		return errs
	}
	dl.added = ids
	// Searches look in a language field from before its first document is
	// visible, never after.
	b.languages.add(analysers...)
	b.commitMentions(ctx, batch, dl, errs)
	return errs
}

// builtMention is a mention's document and the projection it was built from.
type builtMention struct {
	doc *document.Document
	d   *index.MentionDoc
	err error
}

// buildChunk is the fewest mentions worth building on another goroutine
// (one takes 30–50 µs: the record's JSON, its compression, the fields).
const buildChunk = 32

// buildMentions builds the documents of ms on all CPUs: building touches
// nothing shared but the mapping (read only) and the record compressor
// (safe for concurrent use), and on a backlog it was an eighth of the
// index stage's serial path.
func (b *Backend) buildMentions(ms []*record.EnrichedMention) []builtMention {
	out := make([]builtMention, len(ms))
	parallel.Chunks(len(ms), buildChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i].doc, out[i].d, out[i].err = b.docs.mention(ms[i])
		}
	})
	return out
}

// commitMentions writes a mention batch with the next sequence number and,
// once it is committed, its rollup delta. Caller holds wmu.
func (b *Backend) commitMentions(ctx context.Context, batch *bleve.Batch, dl *delta, errs []error) {
	defer b.metrics.CountWrites("mention", errs)
	if err := ctx.Err(); err != nil {
		fill(errs, fmt.Errorf("writing mention batch: %w", err))
		return
	}
	seq := b.roll.seq + 1
	batch.SetInternal([]byte(rollupSeqKey), []byte(strconv.FormatUint(seq, 10)))
	w := b.days.beginWrite(dl)
	if err := b.mentions.Batch(batch); err != nil {
		// The batch may or may not be in the index now: the counts can no
		// longer be trusted until they are rebuilt.
		b.roll.invalidate()
		b.days.doubt()
		b.days.endWrite(w, nil)
		b.logger.Warn("a mention batch failed; dashboards count exactly until the next start rebuilds the rollups", "error", err)
		fill(errs, fmt.Errorf("writing mention batch: %w", err))
		return
	}
	b.roll.apply(dl, seq)
	b.days.endWrite(w, b.dayDeltas(ctx, w, dl.added))
	b.maybeSaveRollups()
}

// maybeSaveRollups writes the counts to disk when they changed and the
// last save is old enough. Caller holds wmu.
func (b *Backend) maybeSaveRollups() {
	if b.dir == "" {
		return
	}
	b.roll.mu.RLock()
	due := b.roll.dirty && b.roll.now().Sub(b.roll.saved) >= rollupSaveEvery
	b.roll.mu.RUnlock()
	if !due {
		return
	}
	b.roll.prune()
	if err := b.roll.save(b.dir); err != nil {
		b.logger.Warn("saving rollups; they will be rebuilt at the next start if this persists", "error", err)
	}
}

// storedDocs calls fn with the projection of each stored mention among ids.
func (b *Backend) storedDocs(ids []string, fn func(*index.MentionDoc)) error {
	return b.visitStored(func(s *scorch.SegmentSnapshot) (docNums, error) {
		bm, err := s.DocNumbers(ids)
		if err != nil {
			return nil, err
		}
		return bm.Iterate, nil
	}, fn)
}

// docNums iterates document numbers of one segment.
type docNums func(func(uint32) bool)

// visitStored decodes the stored record of every document that pick
// selects in every segment of the current snapshot, and calls fn with its
// projection.
func (b *Backend) visitStored(pick func(*scorch.SegmentSnapshot) (docNums, error), fn func(*index.MentionDoc)) error {
	adv, err := b.mentions.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("mention index reader is %T, not a scorch snapshot", r)
	}
	for _, seg := range snap.Segments() {
		nums, err := pick(seg)
		if err != nil {
			return err
		}
		var verr error
		nums(func(n uint32) bool {
			var raw []byte
			err := seg.VisitDocument(uint64(n), func(field string, _ byte, value []byte, _ []uint64) bool {
				if field == fieldRaw {
					raw = value
					return false
				}
				return true
			})
			if err == nil && raw == nil {
				err = errors.New("stored document has no record")
			}
			if err == nil {
				raw, err = unpackRecord(raw)
			}
			var m record.EnrichedMention
			if err == nil {
				err = json.Unmarshal(raw, &m)
			}
			if err != nil {
				verr = fmt.Errorf("reading stored mention: %w", err)
				return false
			}
			d := index.NewMentionDoc(&m, hasAnalyser)
			fn(&d)
			return true
		})
		if verr != nil {
			return verr
		}
	}
	return nil
}

// deleteMatching deletes every mention q matches, a page at a time, each
// page committed with its rollup delta, and reports how many it deleted.
func (b *Backend) deleteMatching(ctx context.Context, q bq.Query) (int, error) {
	return b.deleteMatchingSeen(ctx, q, nil)
}

// deleteMatchingSeen is deleteMatching calling seen (when not nil) with
// each mention it deletes.
func (b *Backend) deleteMatchingSeen(ctx context.Context, q bq.Query, seen func(*record.EnrichedMention)) (int, error) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	deleted := 0
	for {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
		req.SortBy([]string{"_id"})
		req.Fields = []string{fieldRaw}
		res, err := b.mentions.SearchInContext(ctx, req)
		if err != nil {
			return deleted, fmt.Errorf("finding mentions to delete: %w", err)
		}
		if len(res.Hits) == 0 {
			break
		}
		batch := b.mentions.NewBatch()
		dl := b.roll.newDelta()
		for _, h := range res.Hits {
			batch.Delete(h.ID)
			raw, err := rawField(h.Fields)
			var m record.EnrichedMention
			if err == nil {
				err = json.Unmarshal(raw, &m)
			}
			if err != nil {
				return deleted, fmt.Errorf("reading mention %s before deleting it: %w", h.ID, err)
			}
			d := index.NewMentionDoc(&m, hasAnalyser)
			dl.add(&d, -1)
			if seen != nil {
				seen(&m)
			}
		}
		errs := make([]error, 1)
		b.commitMentions(ctx, batch, dl, errs)
		if errs[0] != nil {
			return deleted, errs[0]
		}
		deleted += len(res.Hits)
	}
	b.metrics.Deleted.WithLabelValues("mention").Add(float64(deleted))
	return deleted, nil
}

// DeleteMentionsBefore deletes every mention created before t (a retention
// policy) and reports how many it deleted.
func (b *Backend) DeleteMentionsBefore(ctx context.Context, t time.Time) (int, error) {
	if t.IsZero() {
		return 0, errors.New("deleting mentions before a time: no time given")
	}
	n, err := b.deleteMatching(ctx, keyRange(fieldTimeKey, bound{open: true}, bound{t: t.UTC()}, timeKey))
	if err != nil {
		return n, fmt.Errorf("deleting mentions before %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

// openRollups loads the saved counts, or rebuilds them from the stored
// records when they do not match the index (see rollups).
func (b *Backend) openRollups(hourlyDays int) error {
	b.roll = newRollups(hourlyDays, time.Now)
	if b.dir == "" {
		return nil
	}
	v, err := b.mentions.GetInternal([]byte(rollupSeqKey))
	if err != nil {
		return fmt.Errorf("reading the rollup sequence: %w", err)
	}
	var seq uint64
	if len(v) > 0 {
		if seq, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return fmt.Errorf("reading the rollup sequence %q: %w", v, err)
		}
	}
	err = b.roll.load(b.dir)
	if err == nil && b.roll.ready && b.roll.seq == seq {
		return nil
	}
	reason := "the index has batches the saved counts lack"
	switch {
	case errors.Is(err, errNoRollups):
		reason = "no saved counts"
	case err != nil:
		reason = err.Error()
	case !b.roll.ready:
		reason = "a write failed before the last stop"
	}
	return b.rebuildRollups(seq, reason)
}

// rebuildRollups recounts every stored mention.
func (b *Backend) rebuildRollups(seq uint64, reason string) error {
	start := time.Now()
	b.roll.reset(seq)
	dl := b.roll.newDelta()
	n := 0
	err := b.visitStored(func(s *scorch.SegmentSnapshot) (docNums, error) {
		return s.DocNumbersLive().Iterate, nil
	}, func(d *index.MentionDoc) {
		dl.add(d, 1)
		n++
	})
	if err != nil {
		return fmt.Errorf("rebuilding rollups: %w", err)
	}
	b.roll.apply(dl, seq)
	if n > 0 {
		b.logger.Info("rebuilt rollups", "reason", reason, "mentions", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return b.roll.save(b.dir)
}

// closeRollups saves the counts at shutdown.
func (b *Backend) closeRollups() error {
	if b.dir == "" || b.roll == nil {
		return nil
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.roll.prune()
	return b.roll.save(b.dir)
}
