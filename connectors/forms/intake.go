package forms

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// pending is a submission handed from an HTTP handler to Read. Its state
// decides, exactly once, whether the runner takes it (and the handler must
// wait for the ack) or the handler gives up first (and Read skips it), so a
// submission answered 503 before it was taken is never published.
type pending struct {
	m       *record.Mention
	state   atomic.Int32
	acked   atomic.Bool
	done    chan error // buffered: the ack never blocks
	release func()     // frees the in-flight slot Read took for it
}

const (
	stateQueued int32 = iota
	stateTaken
	stateAbandoned
)

func newPending(m *record.Mention) *pending {
	return &pending{m: m, done: make(chan error, 1)}
}

// ack is the AckFunc the runner calls once Kafka answered.
func (p *pending) ack(_ context.Context, err error) error {
	if !p.acked.CompareAndSwap(false, true) {
		return fmt.Errorf("acknowledging submission %s: already acknowledged", p.m.ID)
	}
	if p.release != nil {
		p.release()
	}
	p.done <- err
	return nil
}

var (
	errQueueFull   = errors.New("the intake queue is full")
	errNotTaken    = errors.New("the pipeline did not take the submission in time")
	errAckTimeout  = errors.New("kafka did not acknowledge the submission in time")
	errClosed      = errors.New("the forms connector is closed")
	errClientGone  = errors.New("the client went away before the submission was taken")
	errAckRejected = errors.New("the pipeline refused the submission")
)

// deliver hands m to Read and waits for its ack. It returns nil only when
// Kafka acknowledged the write. When the submission was not taken by the
// pipeline in time it is withdrawn (never published); once taken, the
// handler waits for the ack up to the ack timeout even if the client left,
// so the outcome is always known and counted.
func (c *Connector) deliver(ctx context.Context, m *record.Mention) error {
	if c.closing.Load() {
		return errClosed
	}
	p := newPending(m)
	select {
	case c.queue <- p:
	default:
		return errQueueFull
	}
	handoff := time.NewTimer(c.cfg.Timeouts.Handoff)
	defer handoff.Stop()
	select {
	case err := <-p.done:
		return ackError(err)
	case <-handoff.C:
		if p.state.CompareAndSwap(stateQueued, stateAbandoned) {
			return errNotTaken
		}
	case <-ctx.Done():
		if p.state.CompareAndSwap(stateQueued, stateAbandoned) {
			return errClientGone
		}
	case <-c.closed:
		if p.state.CompareAndSwap(stateQueued, stateAbandoned) {
			return errClosed
		}
	}
	ackWait := time.NewTimer(c.cfg.Timeouts.Ack)
	defer ackWait.Stop()
	select {
	case err := <-p.done:
		return ackError(err)
	case <-ackWait.C:
		return errAckTimeout
	case <-c.closed:
		// The runner acks what it can before closing us; what is still
		// open now will never be acked.
		select {
		case err := <-p.done:
			return ackError(err)
		default:
			return errAckTimeout
		}
	}
}

func ackError(err error) error {
	if err != nil {
		return fmt.Errorf("%w: %w", errAckRejected, err)
	}
	return nil
}

// Connect marks the intake ready. The HTTP side is served by the host, so
// there is nothing to dial; submissions queue until Read takes them.
func (c *Connector) Connect(context.Context) error {
	if c.closing.Load() {
		return errClosed
	}
	c.connected.Store(true)
	return nil
}

// Read returns the next submission a handler queued, skipping the ones
// whose handler already gave up. It hands out at most MaxInFlight
// submissions not yet acknowledged (later ones wait in the queue, and are
// answered 503 if they wait longer than the handoff timeout). Before
// Connect it reports ErrNotConnected, after Close ErrEndOfInput.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	if c.closing.Load() {
		return nil, nil, connectors.ErrEndOfInput
	}
	if !c.connected.Load() {
		return nil, nil, connectors.ErrNotConnected
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-c.closed:
		return nil, nil, connectors.ErrEndOfInput
	}
	for {
		select {
		case p := <-c.queue:
			if !p.state.CompareAndSwap(stateQueued, stateTaken) {
				continue
			}
			p.release = c.releaseSlot
			return p.m, p.ack, nil
		case <-ctx.Done():
			c.releaseSlot()
			return nil, nil, ctx.Err()
		case <-c.closed:
			c.releaseSlot()
			return nil, nil, connectors.ErrEndOfInput
		}
	}
}

func (c *Connector) releaseSlot() { <-c.slots }

// Close stops taking submissions: new posts and queued ones not yet taken
// are answered 503. Submissions already taken keep waiting for their acks.
func (c *Connector) Close(context.Context) error {
	if c.closing.CompareAndSwap(false, true) {
		close(c.closed)
	}
	c.connected.Store(false)
	return nil
}
