package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/earshothq/earshot/privacy"

	"github.com/segmentio/kafka-go"
)

// Table follows a (usually compacted) topic from its first offset without a
// consumer group: every instance sees every record. Enrich builds its
// identity index from the customers and prospects topics this way, the
// checkpoint store its map of checkpoints.
type Table struct {
	k     *Kafka
	topic string
	apply func(Message)
	raw   bool          // values as stored: sealed ones are not opened
	mu    sync.Mutex    // serialises apply across partitions
	start map[int]int64 // each partition's end offset when following started

	errMu   sync.Mutex
	lastErr error // the latest read error, named when loading times out

	// next is each partition's next offset to apply. moved, made by a
	// waiter, is closed by the next advance, so applying a record costs no
	// allocation while nobody waits.
	posMu sync.Mutex
	next  map[int]int64
	moved chan struct{}
}

// FollowTable starts reading topic from the beginning, calling apply for
// every record (serially; Value nil for tombstones), and keeps following new
// records until ctx ends. WaitCaughtUp waits until every partition reached
// the end offset it had when following started.
func (k *Kafka) FollowTable(ctx context.Context, topic string, apply func(Message)) (*Table, error) {
	return k.followTable(ctx, topic, apply, false)
}

// FollowTableRaw is FollowTable with values as stored: sealed values are
// passed on sealed, and those of erased people too. For a store that
// opens what it keeps only when it is used (connector checkpoints), so an
// erasure makes its copy unreadable instead of leaving it opened in memory.
func (k *Kafka) FollowTableRaw(ctx context.Context, topic string, apply func(Message)) (*Table, error) {
	return k.followTable(ctx, topic, apply, true)
}

func (k *Kafka) followTable(ctx context.Context, topic string, apply func(Message), raw bool) (*Table, error) {
	ends, err := k.EndOffsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("following table %s: %w", topic, err)
	}
	if len(ends) == 0 {
		return nil, fmt.Errorf("following table %s: topic has no partitions (does it exist?)", topic)
	}
	t := &Table{k: k, topic: topic, apply: apply, raw: raw, start: ends, next: map[int]int64{}}
	fns := make([]func(context.Context), 0, len(ends))
	for partition := range ends {
		fns = append(fns, func(ctx context.Context) { t.followPartition(ctx, partition) })
	}
	if !k.followers.start(ctx, fns...) {
		return nil, fmt.Errorf("following table %s: the Kafka handle is closed", topic)
	}
	return t, nil
}

// WaitCaughtUp blocks until the table holds everything written before it
// started, or ctx ends. Read errors do not end the wait (the followers
// retry them); a timeout names the latest one.
func (t *Table) WaitCaughtUp(ctx context.Context) error {
	if err := t.waitApplied(ctx, t.start); err != nil {
		return fmt.Errorf("loading table %s: %w", t.topic, err)
	}
	return nil
}

// CatchUp waits until the table applied everything its topic holds now:
// every partition up to the end offset it has at the call. A read error
// does not end the wait (the followers retry); ctx does, naming it.
func (t *Table) CatchUp(ctx context.Context) error {
	ends, err := t.k.EndOffsets(ctx, t.topic)
	if err == nil {
		err = t.waitApplied(ctx, ends)
	}
	if err != nil {
		return fmt.Errorf("catching up with table %s: %w", t.topic, err)
	}
	return nil
}

// waitApplied waits until every partition applied everything below its
// offset in ends.
func (t *Table) waitApplied(ctx context.Context, ends map[int]int64) error {
	for {
		t.posMu.Lock()
		behind := false
		for p, end := range ends {
			if t.next[p] < end {
				behind = true
				break
			}
		}
		if !behind {
			t.posMu.Unlock()
			return nil
		}
		if t.moved == nil {
			t.moved = make(chan struct{})
		}
		moved := t.moved
		t.posMu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			if err := t.readErr(); err != nil {
				return fmt.Errorf("%w (last read error: %v)", ctx.Err(), err)
			}
			return ctx.Err()
		}
	}
}

// advance records that partition applied everything below next.
func (t *Table) advance(partition int, next int64) {
	t.posMu.Lock()
	defer t.posMu.Unlock()
	t.next[partition] = next
	if t.moved != nil {
		close(t.moved)
		t.moved = nil
	}
}

func (t *Table) readErr() error {
	t.errMu.Lock()
	defer t.errMu.Unlock()
	return t.lastErr
}

func (t *Table) followPartition(ctx context.Context, partition int) {
	cc := t.k.cfg.Consumer
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        t.k.brokers,
		Topic:          t.topic,
		Partition:      partition,
		Dialer:         t.k.dialer(),
		MinBytes:       1,
		MaxBytes:       max(cc.MaxBytes, 1<<20),
		MaxWait:        max(cc.MaxWait, 10*time.Millisecond),
		StartOffset:    kafka.FirstOffset,
		ReadBackoffMin: 50 * time.Millisecond,
		ReadBackoffMax: time.Second,
	})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			// The reader keeps retrying underneath (a leader not yet
			// elected on a fresh topic, a broker restart, a dial timeout
			// on a loaded machine) and only reports here; giving up would
			// freeze this partition of the table for the life of the process.
			err = fmt.Errorf("reading table %s partition %d: %w", t.topic, partition, err)
			t.errMu.Lock()
			t.lastErr = err
			t.errMu.Unlock()
			t.k.logger.Warn("table read failed; retrying", "topic", t.topic, "partition", partition, "error", err)
			continue
		}
		msg := Message{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Time: m.Time}
		// An erased person's record (its key is gone) is not applied.
		if t.raw {
			t.mu.Lock()
			t.apply(msg)
			t.mu.Unlock()
		} else if err := t.k.openWaiting(ctx, &msg); ctx.Err() != nil {
			return
		} else if !errors.Is(err, privacy.ErrShredded) {
			t.mu.Lock()
			t.apply(msg)
			t.mu.Unlock()
		}
		t.advance(partition, m.Offset+1)
	}
}
