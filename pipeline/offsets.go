package pipeline

import (
	"sync"
)

// tpKey names one partition of one topic.
type tpKey struct {
	topic     string
	partition int
}

// offsetTracker records which fetched offsets are settled, per partition,
// and yields the highest offset below which everything is settled: only
// that is ever committed, so a crash replays what was not finished and
// never skips it.
type offsetTracker struct {
	mu    sync.Mutex
	parts map[tpKey]*partitionOffsets
}

type partitionOffsets struct {
	// pending holds fetched offsets in fetch (= offset) order; done marks
	// the settled ones. Compacted topics have gaps, so offsets are kept
	// explicitly rather than as a range.
	pending []int64
	done    map[int64]bool
	// floor is the next offset to commit (everything below is committed or
	// handed to commit); redeliveries below it are skipped.
	floor int64
	// committed is the floor as of the last commit; it starts at the first
	// fetched offset, which the group had already committed (or reset to).
	committed int64
}

func newOffsetTracker() *offsetTracker {
	return &offsetTracker{parts: map[tpKey]*partitionOffsets{}}
}

// track registers a fetched offset. It returns false when the offset is a
// redelivery of one already tracked or settled (after a rebalance the reader
// restarts from the committed offset): the caller must not process it again.
func (t *offsetTracker) track(topic string, partition int, offset int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := tpKey{topic, partition}
	p := t.parts[k]
	if p == nil {
		p = &partitionOffsets{done: map[int64]bool{}, floor: offset, committed: offset}
		t.parts[k] = p
	}
	if offset < p.floor {
		return false
	}
	if n := len(p.pending); n > 0 && offset <= p.pending[n-1] {
		return false
	}
	p.pending = append(p.pending, offset)
	return true
}

// settle marks an offset done.
func (t *offsetTracker) settle(topic string, partition int, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[tpKey{topic, partition}]
	if p == nil {
		return
	}
	p.done[offset] = true
	i := 0
	for i < len(p.pending) && p.done[p.pending[i]] {
		delete(p.done, p.pending[i])
		p.floor = p.pending[i] + 1
		i++
	}
	p.pending = p.pending[i:]
}

// commitPoint is a partition's offset to commit: the next offset to read.
type commitPoint struct {
	topic     string
	partition int
	next      int64
}

// toCommit returns the partitions whose settled floor moved past the last
// commit; markCommitted records the commit once it succeeded.
func (t *offsetTracker) toCommit() []commitPoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []commitPoint
	for k, p := range t.parts {
		if p.floor > p.committed {
			out = append(out, commitPoint{k.topic, k.partition, p.floor})
		}
	}
	return out
}

// markCommitted records that commit points were written.
func (t *offsetTracker) markCommitted(points []commitPoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range points {
		if p := t.parts[tpKey{c.topic, c.partition}]; p != nil && c.next > p.committed {
			p.committed = c.next
		}
	}
}

// outstanding counts fetched offsets not yet settled.
func (t *offsetTracker) outstanding() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, p := range t.parts {
		n += len(p.pending)
	}
	return n
}
