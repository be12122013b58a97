// Package progress is the delivery bookkeeping shared by Earshot's pulling
// connectors (mastodon, web, feed): a bounded outbox between a connector's
// producers and Read, exactly-once acks with redelivery of failed records,
// ordered cursors that advance only to the highest contiguous acked position,
// bounded sets of recently delivered ids, and a checkpoint saver.
package progress

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// ErrClosed is returned by Put and Read once the outbox is closed. It wraps
// connectors.ErrNotConnected so a host reconnects rather than gives up.
var ErrClosed = fmt.Errorf("outbox closed: %w", connectors.ErrNotConnected)

// DefaultMaxAttempts is how often a record whose delivery failed is handed
// out again before it is given up.
const DefaultMaxAttempts = 10

// Item is a record on its way to the host.
type Item struct {
	Record *record.Mention
	// Done runs exactly once: with nil when the host acknowledged the record,
	// or with the last delivery error when the outbox gave up on it after
	// MaxAttempts. It is not called for records still unacknowledged at Close:
	// their positions stay open so a restart reads them again.
	Done func(err error)
	// Rejected, when set, is an input item that cannot become a record (a
	// malformed payload): Read returns it as the error, with its Ack set, so
	// the host dead-letters it with the reason; Record is nil then. It takes
	// an in-flight slot like a record, and Done runs when it is acknowledged.
	Rejected *connectors.RejectedError

	attempts int
}

// Outbox hands records from producers to Read. It bounds records read but not
// yet acknowledged to maxInFlight (Read blocks beyond that: backpressure all
// the way to the source) and records waiting to be read to the queue
// capacity (Put blocks). A failed delivery is handed out again by the next
// Read without taking a new slot.
type Outbox struct {
	slots       chan struct{}
	queue       chan *Item
	retryWake   chan struct{}
	failures    chan error
	closed      chan struct{}
	closeOnce   sync.Once
	maxAttempts int

	mu    sync.Mutex
	retry []*Item
}

// NewOutbox returns an outbox allowing maxInFlight unacknowledged records and
// queueCap records waiting for Read. maxAttempts <= 0 means DefaultMaxAttempts.
func NewOutbox(maxInFlight, queueCap, maxAttempts int) *Outbox {
	if maxInFlight < 1 {
		maxInFlight = 1
	}
	if queueCap < 0 {
		queueCap = 0
	}
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	return &Outbox{
		slots:       make(chan struct{}, maxInFlight),
		queue:       make(chan *Item, queueCap),
		retryWake:   make(chan struct{}, 1),
		failures:    make(chan error, 1),
		closed:      make(chan struct{}),
		maxAttempts: maxAttempts,
	}
}

// Put queues an item for Read, blocking while the queue is full.
func (o *Outbox) Put(ctx context.Context, it *Item) error {
	select {
	case <-o.closed:
		return ErrClosed
	default:
	}
	select {
	case o.queue <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-o.closed:
		return ErrClosed
	}
}

// Fail makes the next Read return err (wrap connectors.ErrNotConnected to
// have the host reconnect). Only the first unread failure is kept.
func (o *Outbox) Fail(err error) {
	select {
	case o.failures <- err:
	default:
	}
}

// Read returns the next record and its ack function.
func (o *Outbox) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	for {
		if it := o.popRetry(); it != nil {
			return o.hand(it)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-o.closed:
			return nil, nil, ErrClosed
		case err := <-o.failures:
			return nil, nil, err
		case <-o.retryWake:
			continue
		case o.slots <- struct{}{}:
		}
		select {
		case it := <-o.queue:
			return o.hand(it)
		case <-o.retryWake:
			<-o.slots // a redelivery brings its own slot
			o.wakeRetry()
			continue
		case err := <-o.failures:
			<-o.slots
			return nil, nil, err
		case <-ctx.Done():
			<-o.slots
			return nil, nil, ctx.Err()
		case <-o.closed:
			<-o.slots
			return nil, nil, ErrClosed
		}
	}
}

// hand returns an item taken from the queue or the retries: a record, or a
// rejected item as a *connectors.RejectedError carrying its ack.
func (o *Outbox) hand(it *Item) (*record.Mention, connectors.AckFunc, error) {
	if it.Rejected != nil {
		rej := *it.Rejected
		rej.Ack = o.ackFunc(it)
		return nil, nil, &rej
	}
	return it.Record, o.ackFunc(it), nil
}

// InFlight is the number of records read and not yet acknowledged.
func (o *Outbox) InFlight() int { return len(o.slots) }

// Close stops Put and Read. Items still queued or in flight are dropped
// without calling Done; their positions stay open.
func (o *Outbox) Close() {
	o.closeOnce.Do(func() { close(o.closed) })
}

// Closed is closed when the outbox is.
func (o *Outbox) Closed() <-chan struct{} { return o.closed }

func (o *Outbox) popRetry() *Item {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.retry) == 0 {
		return nil
	}
	it := o.retry[0]
	o.retry[0] = nil
	o.retry = o.retry[1:]
	if len(o.retry) > 0 {
		o.wakeRetry()
	}
	return it
}

func (o *Outbox) wakeRetry() {
	select {
	case o.retryWake <- struct{}{}:
	default:
	}
}

// errAckedTwice reports a host calling an AckFunc more than once.
var errAckedTwice = errors.New("acknowledging a record twice")

func (o *Outbox) ackFunc(it *Item) connectors.AckFunc {
	var called atomic.Bool
	return func(_ context.Context, err error) error {
		if !called.CompareAndSwap(false, true) {
			return errAckedTwice
		}
		if err == nil {
			<-o.slots
			if it.Done != nil {
				it.Done(nil)
			}
			return nil
		}
		it.attempts++
		select {
		case <-o.closed:
			<-o.slots // stays open in the cursor; read again after restart
			return nil
		default:
		}
		if it.attempts >= o.maxAttempts {
			<-o.slots
			if it.Done != nil {
				it.Done(err)
			}
			return nil
		}
		o.mu.Lock()
		o.retry = append(o.retry, it)
		o.mu.Unlock()
		o.wakeRetry()
		return nil
	}
}
