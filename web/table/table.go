// Package table keeps a compacted control topic (users, sessions, saved
// searches, ...) as a map in memory. Every serve instance follows the whole
// topic (pipeline.Kafka.FollowTable), so a write on one instance reaches all
// of them; a writer also applies its own write as soon as Kafka acknowledged
// it, so the person who made a change sees it on the next request.
package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Publisher writes records and returns once Kafka acknowledged them.
// *pipeline.Producer implements it.
type Publisher interface {
	ProduceSync(ctx context.Context, outs ...pipeline.Output) error
}

// Row is a pointer to a record type.
type Row[T any] interface {
	*T
	record.Versioned
}

// Table is one compacted topic in memory, keyed by record key.
type Table[T any, P Row[T]] struct {
	topic   string
	pub     Publisher
	version func(*T) time.Time
	logger  *slog.Logger

	// subject names the person whose data key seals a value (SealWith).
	subject func(*T) string

	mu       sync.RWMutex
	rows     map[string]*T
	onChange []func(key string, old, cur *T)
}

// New creates an empty table of topic. version tells which of two values
// of one key is newer (its update time): an older value never replaces a
// newer one, so the follower replaying a write this instance already
// applied cannot undo a later one.
func New[T any, P Row[T]](topic string, pub Publisher, version func(*T) time.Time, logger *slog.Logger) *Table[T, P] {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Table[T, P]{topic: topic, pub: pub, version: version, logger: logger, rows: map[string]*T{}}
}

// SealWith has Put seal each value with the data key of the person
// subject names ("" leaves it plain): a value quoting a person's data is
// then shredded with their key (see package privacy). Call before use.
func (t *Table[T, P]) SealWith(subject func(*T) string) { t.subject = subject }

// Drop removes from memory, and from this process only, the values match
// selects, and returns how many; the topic is not written. It is for data
// that became unreadable (a shredded person's values): every process drops
// its own copy and the topic's copy cannot be opened any more.
func (t *Table[T, P]) Drop(match func(*T) bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for key, v := range t.rows {
		if !match(v) {
			continue
		}
		delete(t.rows, key)
		n++
		for _, fn := range t.onChange {
			fn(key, v, nil)
		}
	}
	return n
}

// Topic is the topic the table follows.
func (t *Table[T, P]) Topic() string { return t.topic }

// OnChange registers fn, called (under the table's lock, so keep it short
// and do not call back into the table) after a key changed; cur is nil when
// the key was deleted, old nil when it is new.
func (t *Table[T, P]) OnChange(fn func(key string, old, cur *T)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.onChange = append(t.onChange, fn)
}

// Apply takes one record of the topic (a tombstone deletes).
func (t *Table[T, P]) Apply(m pipeline.Message) {
	key := string(m.Key)
	if m.Value == nil {
		t.set(key, nil)
		return
	}
	v := new(T)
	if err := record.Decode(m.Value, P(v)); err != nil {
		t.logger.Warn("skipping undecodable control record", "topic", t.topic, "key", key, "error", err)
		return
	}
	t.set(key, v)
}

func (t *Table[T, P]) set(key string, v *T) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.rows[key]
	if v != nil && old != nil {
		switch nv, ov := t.version(v), t.version(old); {
		case nv.Before(ov):
			return
		case nv.Equal(ov):
			// The same write again (applied locally, then by the follower).
			t.rows[key] = v
			return
		}
	}
	if v == nil {
		if old == nil {
			return
		}
		delete(t.rows, key)
	} else {
		t.rows[key] = v
	}
	for _, fn := range t.onChange {
		fn(key, old, v)
	}
}

// Get returns a copy of the value under key.
func (t *Table[T, P]) Get(key string) (T, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, ok := t.rows[key]
	if !ok {
		var zero T
		return zero, false
	}
	return *v, true
}

// Len is the number of keys.
func (t *Table[T, P]) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.rows)
}

// Keys returns every key, sorted.
func (t *Table[T, P]) Keys() []string {
	t.mu.RLock()
	keys := make([]string, 0, len(t.rows))
	for k := range t.rows {
		keys = append(keys, k)
	}
	t.mu.RUnlock()
	sort.Strings(keys)
	return keys
}

// Each calls fn with a copy of every value in key order until fn returns false.
func (t *Table[T, P]) Each(fn func(key string, v T) bool) {
	for _, k := range t.Keys() {
		if v, ok := t.Get(k); ok && !fn(k, v) {
			return
		}
	}
}

// Put writes v under key, waits for Kafka's ack and applies it.
func (t *Table[T, P]) Put(ctx context.Context, key string, v *T) error {
	b, err := record.Encode(P(v))
	if err != nil {
		return err
	}
	out := pipeline.Output{Topic: t.topic, Key: []byte(key), Value: b}
	if t.subject != nil {
		out.Subject = t.subject(v)
	}
	if err := t.pub.ProduceSync(ctx, out); err != nil {
		return &WriteError{Err: fmt.Errorf("writing %s to %s: %w", key, t.topic, err)}
	}
	c := *v
	t.set(key, &c)
	return nil
}

// Delete writes a tombstone for key, waits for the ack and applies it.
func (t *Table[T, P]) Delete(ctx context.Context, key string) error {
	if err := t.pub.ProduceSync(ctx, pipeline.Output{Topic: t.topic, Key: []byte(key)}); err != nil {
		return &WriteError{Err: fmt.Errorf("deleting %s from %s: %w", key, t.topic, err)}
	}
	t.set(key, nil)
	return nil
}

// WriteError is a write Kafka did not acknowledge: nothing changed, and
// the same request may be retried.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// Follower is a table a process keeps in step with its topic.
type Follower interface {
	Topic() string
	Apply(pipeline.Message)
}

// Follow starts following every table's topic from its beginning and
// returns once each holds everything written before the call, or ctx (or
// wait) ends. The tables keep following until ctx ends.
func Follow(ctx context.Context, k *pipeline.Kafka, wait time.Duration, tables ...Follower) error {
	var errs []error
	var started []*pipeline.Table
	for _, tb := range tables {
		ft, err := k.FollowTable(ctx, tb.Topic(), tb.Apply)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		started = append(started, ft)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for _, ft := range started {
		if err := ft.WaitCaughtUp(wctx); err != nil {
			return err
		}
	}
	return nil
}

// Loopback is a Publisher that applies every write straight to the tables
// registered with it, with no Kafka in between: the unit tests' topic.
type Loopback struct {
	mu     sync.Mutex
	tables map[string][]Follower
	Fail   error // when set, every write fails with it
	Writes int
}

// NewLoopback returns a loopback over tables.
func NewLoopback(tables ...Follower) *Loopback {
	l := &Loopback{tables: map[string][]Follower{}}
	l.Add(tables...)
	return l
}

// Add registers more tables.
func (l *Loopback) Add(tables ...Follower) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, tb := range tables {
		l.tables[tb.Topic()] = append(l.tables[tb.Topic()], tb)
	}
}

// ProduceSync applies outs to the tables of their topics.
func (l *Loopback) ProduceSync(_ context.Context, outs ...pipeline.Output) error {
	l.mu.Lock()
	if l.Fail != nil {
		l.mu.Unlock()
		return l.Fail
	}
	l.Writes += len(outs)
	var apply []func()
	for _, o := range outs {
		for _, tb := range l.tables[o.Topic] {
			m := pipeline.Message{Topic: o.Topic, Key: o.Key, Value: o.Value}
			apply = append(apply, func() { tb.Apply(m) })
		}
	}
	l.mu.Unlock()
	for _, fn := range apply {
		fn()
	}
	return nil
}
