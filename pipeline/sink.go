package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// BatchSink writes consumed messages to a system outside Kafka (the search
// index). WriteBatch returns one error per message, nil when it was written.
// Errors marked Permanent send that message to the DLQ; other errors are
// retried with backoff, for the failed messages only, until they succeed or
// the stage stops. Offsets are committed only for settled messages.
type BatchSink interface {
	WriteBatch(ctx context.Context, batch []Message) []error
}

// SinkConfig describes a sink stage.
type SinkConfig struct {
	Name         string
	Group        string // defaults to the consumer group prefix + Name
	Topics       []string
	Sink         BatchSink
	BatchSize    int           // default 1000
	BatchTimeout time.Duration // longest a message waits for its batch to fill; default 200ms
	// Linger flushes a partial batch once no message arrived for this
	// long (0: only BatchSize and BatchTimeout flush). A trickle (a form
	// post) is written at once instead of waiting out BatchTimeout, while
	// a stream keeps arriving faster than Linger and fills its batches.
	Linger time.Duration
}

// RunSink consumes sc.Topics in a consumer group and hands them to the sink
// in batches. It returns when ctx is cancelled, after the batch being
// written is settled or the shutdown deadline passes.
func (k *Kafka) RunSink(ctx context.Context, sc SinkConfig) error {
	if sc.Sink == nil || len(sc.Topics) == 0 || sc.Name == "" {
		return errors.New("running sink: name, topics and sink are required")
	}
	if sc.BatchSize <= 0 {
		sc.BatchSize = 1000
	}
	if sc.BatchTimeout <= 0 {
		sc.BatchTimeout = 200 * time.Millisecond
	}
	c := k.newConsumer(sc.Name, sc.Group, sc.Topics)
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	incoming := make(chan Message, sc.BatchSize)
	batcherDone := make(chan struct{})
	go func() {
		defer close(batcherDone)
		k.batchLoop(work, c, sc, incoming)
	}()
	go c.commitLoop(ctx)
	go c.lagLoop(ctx)
	c.logger.Info("sink started", "topics", sc.Topics, "group", c.group)

	var fetchErr error
	for {
		m, err := c.fetch(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fetchErr = fmt.Errorf("fetching from %v: %w", sc.Topics, err)
			}
			break
		}
		incoming <- m
	}
	close(incoming)
	timer := time.AfterFunc(shutdownTimeout, stopWork)
	defer timer.Stop()
	<-batcherDone
	err := c.drain(shutdownTimeout)
	c.logger.Info("sink stopped")
	return errors.Join(fetchErr, err)
}

// batchLoop collects messages into batches and writes them: a batch is
// written when it is full, when its first message has waited
// BatchTimeout, or when no message arrived for Linger.
func (k *Kafka) batchLoop(ctx context.Context, c *consumer, sc SinkConfig, incoming <-chan Message) {
	batch := make([]Message, 0, sc.BatchSize)
	sizes := k.metrics.SinkBatch.WithLabelValues(sc.Name)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var deadline time.Time
	flush := func() {
		if len(batch) > 0 {
			sizes.Observe(float64(len(batch)))
			k.writeBatch(ctx, c, sc.Sink, batch)
			batch = batch[:0]
		}
	}
	for {
		if len(batch) == 0 {
			m, ok := <-incoming
			if !ok {
				return
			}
			batch = append(batch, m)
			deadline = time.Now().Add(sc.BatchTimeout)
		}
		if len(batch) >= sc.BatchSize {
			flush()
			continue
		}
		wait := time.Until(deadline)
		if sc.Linger > 0 {
			wait = min(wait, sc.Linger)
		}
		timer.Reset(max(wait, 0))
		select {
		case m, ok := <-incoming:
			if !ok {
				flush()
				return
			}
			batch = append(batch, m)
		case <-timer.C:
			flush()
		}
	}
}

// writeBatch writes a batch until every message is settled: written, or in
// the DLQ. On shutdown the unsettled rest is abandoned (reprocessed later).
func (k *Kafka) writeBatch(ctx context.Context, c *consumer, sink BatchSink, batch []Message) {
	pending := append([]Message(nil), batch...)
	backoff := 200 * time.Millisecond
	attempts := 0
	for len(pending) > 0 {
		attempts++
		errs := sink.WriteBatch(ctx, pending)
		if len(errs) != len(pending) {
			err := fmt.Errorf("sink %s returned %d results for %d messages", c.name, len(errs), len(pending))
			errs = make([]error, len(pending))
			for i := range errs {
				errs[i] = err
			}
		}
		var retry []Message
		for i, m := range pending {
			switch err := errs[i]; {
			case err == nil:
				c.out.Inc()
				c.settle(m)
			case IsPermanent(err):
				c.failed.Inc()
				if dlErr := c.deadLetter(ctx, m, err, attempts); dlErr != nil {
					c.abandon()
					continue
				}
				c.settle(m)
			default:
				c.failed.Inc()
				retry = append(retry, m)
			}
		}
		pending = retry
		if len(pending) == 0 {
			return
		}
		c.logger.Warn("retrying batch items", "count", len(pending), "attempt", attempts, "retry_in", backoff, "error", firstError(errs))
		select {
		case <-ctx.Done():
			for range pending {
				c.abandon()
			}
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
