package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// table is a compacted topic read into memory, remembering which partition
// each key lives in and how far each partition was read, so that a new owner
// of a partition can wait until it has seen everything the previous owner
// wrote (sync).
type table[T any, P interface {
	*T
	record.Versioned
}] struct {
	k      *pipeline.Kafka
	topic  string
	logger *slog.Logger
	// open, when set, completes a decoded row (opens its sealed parts);
	// privacy.ErrShredded makes the row a deletion.
	open func(*T) error

	mu        sync.RWMutex
	rows      map[string]*T
	partition map[string]int
	applied   map[int]int64 // highest offset applied per partition
	changed   chan struct{} // closed and replaced on every change
	t         *pipeline.Table
	// echo holds this process's own writes not yet read back by the
	// follower: older records of those keys still on their way in must not
	// undo them (a delivery read back as "scheduled" after it was
	// delivered would be delivered again).
	echo map[string]ownWrite
}

type ownWrite struct {
	value []byte
	at    time.Time
}

// echoWait bounds how long an own write shadows the follower, in case its
// echo never comes (compacted away under a newer write by another instance).
const echoWait = 30 * time.Second

func newTable[T any, P interface {
	*T
	record.Versioned
}](k *pipeline.Kafka, topic string, logger *slog.Logger) *table[T, P] {
	return &table[T, P]{k: k, topic: topic, logger: logger, rows: map[string]*T{}, partition: map[string]int{},
		applied: map[int]int64{}, changed: make(chan struct{}), echo: map[string]ownWrite{}}
}

// start follows the topic and waits until it caught up.
func (t *table[T, P]) start(ctx context.Context) error {
	ft, err := t.k.FollowTable(ctx, t.topic, t.apply)
	if err != nil {
		return err
	}
	t.t = ft
	return ft.WaitCaughtUp(ctx)
}

func (t *table[T, P]) apply(m pipeline.Message) {
	key := string(m.Key)
	var row *T
	if m.Value != nil {
		row = new(T)
		err := record.Decode(m.Value, P(row))
		if err == nil && t.open != nil {
			err = t.open(row)
		}
		switch {
		case errors.Is(err, privacy.ErrShredded):
			row = nil // about an erased person: gone
		case err != nil:
			t.logger.Warn("skipping undecodable record", "topic", t.topic, "key", key, "error", err)
			row = nil
		}
	}
	t.mu.Lock()
	t.partition[key] = m.Partition
	t.applied[m.Partition] = max(t.applied[m.Partition], m.Offset)
	if own, ok := t.echo[key]; ok && time.Since(own.at) < echoWait {
		// Records before our own write are older than what we hold; our
		// own write coming back is already applied.
		if bytes.Equal(own.value, m.Value) && (own.value == nil) == (m.Value == nil) {
			delete(t.echo, key)
		}
		t.mu.Unlock()
		return
	}
	delete(t.echo, key)
	if row == nil {
		delete(t.rows, key)
	} else {
		t.rows[key] = row
	}
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// put applies a row this process wrote (and Kafka acked) as value at once,
// so the writer reads its own write before the follower catches up.
func (t *table[T, P]) put(key string, row *T, value []byte) {
	t.mu.Lock()
	t.echo[key] = ownWrite{value: value, at: time.Now()}
	if row == nil {
		delete(t.rows, key)
	} else {
		t.rows[key] = row
	}
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// rewrite replaces each row with what fn returns when it says changed
// (nil deletes), in memory only, and returns how many changed.
func (t *table[T, P]) rewrite(fn func(*T) (*T, bool)) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for key, row := range t.rows {
		next, changed := fn(row)
		if !changed {
			continue
		}
		n++
		if next == nil {
			delete(t.rows, key)
		} else {
			t.rows[key] = next
		}
	}
	if n > 0 {
		close(t.changed)
		t.changed = make(chan struct{})
	}
	return n
}

func (t *table[T, P]) get(key string) (*T, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.rows[key]
	return r, ok
}

func (t *table[T, P]) partitionOf(key string) (int, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	p, ok := t.partition[key]
	return p, ok
}

// all returns a snapshot of the rows.
func (t *table[T, P]) all() map[string]*T {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]*T, len(t.rows))
	for k, v := range t.rows {
		out[k] = v
	}
	return out
}

// some reports whether any row satisfies ok, without copying the rows.
func (t *table[T, P]) some(ok func(*T) bool) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, v := range t.rows {
		if ok(v) {
			return true
		}
	}
	return false
}

// changes is closed at the next change.
func (t *table[T, P]) changes() <-chan struct{} {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.changed
}

// sync waits until the table has applied every record written to the
// topic before the call.
func (t *table[T, P]) sync(ctx context.Context) error {
	ends, err := t.k.EndOffsets(ctx, t.topic)
	if err != nil {
		return fmt.Errorf("syncing table %s: %w", t.topic, err)
	}
	for {
		t.mu.RLock()
		done := true
		for p, end := range ends {
			if a, ok := t.applied[p]; end > 0 && (!ok || a < end-1) {
				done = false
			}
		}
		ch := t.changed
		t.mu.RUnlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("syncing table %s: %w", t.topic, ctx.Err())
		}
	}
}

// each calls fn for every row under the read lock; fn must not call back
// into the table.
func (t *table[T, P]) each(fn func(*T)) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, r := range t.rows {
		fn(r)
	}
}
