package bleve

import (
	"context"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// purgeMarkerID is a document with no fields, indexed for a moment when an
// index has a single segment (see purge).
const purgeMarkerID = "\x00earshot-purge-marker"

// purge rewrites the indexes' segments into one each, so deleted documents
// (an erased person's mentions and profiles) leave the files on disk: scorch
// only marks a deleted document and keeps its terms and stored record in
// the segment until a merge rewrites it, and a merge drops the terms no
// live document has. Scorch never plans a merge of a single segment, so the
// index gets a field-less marker document in a segment of its own for the
// merge's duration (a search matching everything may count it in that
// moment). Scorch removes the replaced segment files once no snapshot
// refers to them (numSnapshotsToKeep is 1). The cost is a rewrite of the
// index per erasure; erasures are rare.
func (b *Backend) purge(ctx context.Context) error {
	for _, ix := range []struct {
		name string
		idx  bleve.Index
	}{{"mentions", b.mentions}, {"profiles", b.profiles}} {
		if err := purgeIndex(ctx, ix.idx); err != nil {
			return fmt.Errorf("purging deleted %s: %w", ix.name, err)
		}
	}
	return nil
}

func purgeIndex(ctx context.Context, idx bleve.Index) error {
	raw, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := raw.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if fmt.Sprint(s.StatsMap()["TotFileSegmentsAtRoot"]) == "0" {
		return nil // in memory, or empty: no files to purge
	}
	// Always, not only when one segment is left: a background merge may
	// be folding two segments into one right now, with the deleted
	// documents carried along as deleted; the marker guarantees the forced
	// merge sees at least two segments once it plans.
	batch := idx.NewBatch()
	if err := batch.Index(purgeMarkerID, map[string]any{}); err != nil {
		return err
	}
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("adding the merge marker: %w", err)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	mergeErr := s.ForceMerge(ctx, &opts)
	batch = idx.NewBatch()
	batch.Delete(purgeMarkerID)
	return errors.Join(mergeErr, idx.Batch(batch))
}
