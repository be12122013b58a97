package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/earshothq/earshot/record"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
)

// Output is one record a stage or connector writes. A nil Value is a
// tombstone (deletes Key from a compacted topic).
type Output struct {
	Topic string
	Key   []byte
	Value []byte
	// Subject, when sealing is enabled, is the person (privacy.Keyring's
	// keyed hash) whose key encrypts Value.
	Subject string
	// Current, when set, gives Value when a stage (RunStage) writes the
	// record rather than when it was made; ok false writes nothing. A
	// record held back on a StageConfig.Latest topic is so written in the
	// state its key has by then. Producer refuses a record with Current
	// set (its Value is not made yet).
	Current func() (value []byte, ok bool)
}

// ErrProducerClosed is returned by Produce after Close.
var ErrProducerClosed = errors.New("producer closed")

// Producer writes records asynchronously with acks from all in-sync
// replicas and tells each caller when its own record was acknowledged.
// In-flight records are bounded: Produce blocks (backpressure) when the
// bound is reached.
type Producer struct {
	name    string
	w       *kafka.Writer
	k       *Kafka
	slots   chan struct{}
	mu      sync.RWMutex
	closed  bool
	pending sync.WaitGroup
}

// delivery travels with a message through the writer to its completion.
type delivery struct {
	done func(error)
}

// NewProducer creates a producer; name labels its metrics and logs.
// maxInFlight bounds unacknowledged records (0: the consumer's default).
func (k *Kafka) NewProducer(name string, maxInFlight int) *Producer {
	return k.newProducer(name, maxInFlight, k.cfg.Producer)
}

// NewStreamProducer is NewProducer for records nobody waits on one by one:
// its batches wait StreamBatchTimeout to fill instead of BatchTimeout.
func (k *Kafka) NewStreamProducer(name string, maxInFlight int) *Producer {
	pc := k.cfg.Producer
	pc.BatchTimeout = pc.StreamBatchTimeout
	return k.newProducer(name, maxInFlight, pc)
}

func (k *Kafka) newProducer(name string, maxInFlight int, pc ProducerConfig) *Producer {
	if maxInFlight <= 0 {
		maxInFlight = k.cfg.Consumer.MaxInFlight
	}
	if maxInFlight <= 0 {
		maxInFlight = 10000
	}
	acks := kafka.RequireAll
	if pc.Acks == "leader" {
		acks = kafka.RequireOne
	}
	p := &Producer{name: name, k: k, slots: make(chan struct{}, maxInFlight)}
	p.w = &kafka.Writer{
		Addr: kafka.TCP(k.brokers...),
		// Murmur2 with Consistent: the Java client's partitioner, so a key
		// lands on the same partition whichever client wrote it.
		Balancer:     &kafka.Murmur2Balancer{Consistent: true},
		MaxAttempts:  max(pc.MaxAttempts, 1),
		BatchSize:    max(pc.BatchSize, 1),
		BatchBytes:   pc.BatchBytes,
		BatchTimeout: pc.BatchTimeout,
		WriteTimeout: pc.WriteTimeout,
		RequiredAcks: acks,
		Async:        true,
		Compression:  compression(pc.Compression),
		Transport:    k.transport,
		Completion:   p.complete,
	}
	return p
}

func compression(name string) compress.Compression {
	switch name {
	case "gzip":
		return compress.Gzip
	case "snappy":
		return compress.Snappy
	case "lz4":
		return compress.Lz4
	case "zstd":
		return compress.Zstd
	}
	return 0
}

// Produce queues out for writing and returns; done is called exactly once,
// from another goroutine, with nil when the brokers acknowledged the record
// or with the error that stopped it (after the writer's own retries).
func (p *Producer) Produce(ctx context.Context, out Output, done func(error)) error {
	if out.Current != nil {
		// Its Value is not made yet: writing it would write a tombstone.
		return fmt.Errorf("queueing record for %s: its value is to be taken from Output.Current first", out.Topic)
	}
	out, err := p.k.sealOutput(ctx, out)
	if err != nil {
		return fmt.Errorf("sealing record for %s: %w", out.Topic, err)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		<-p.slots
		return ErrProducerClosed
	}
	p.pending.Add(1)
	msg := kafka.Message{Topic: out.Topic, Key: out.Key, Value: out.Value, WriterData: &delivery{done: done}}
	// In async mode WriteMessages only queues; errors arrive in complete.
	if err := p.w.WriteMessages(context.WithoutCancel(ctx), msg); err != nil {
		p.pending.Done()
		<-p.slots
		if errors.As(err, new(kafka.MessageTooLargeError)) {
			return fmt.Errorf("queueing record for %s: %w (%d bytes)", out.Topic, record.ErrTooLarge, len(out.Key)+len(out.Value))
		}
		return fmt.Errorf("queueing record for %s: %w", out.Topic, err)
	}
	return nil
}

// complete is the writer's completion callback: it releases the slots and
// tells each record's caller.
func (p *Producer) complete(msgs []kafka.Message, err error) {
	if err != nil {
		if errors.Is(err, kafka.MessageSizeTooLarge) {
			err = fmt.Errorf("writing to Kafka: %w: %w", record.ErrTooLarge, err)
		} else {
			err = fmt.Errorf("writing to Kafka: %w", err)
		}
		p.k.logger.Warn("produce failed", "producer", p.name, "records", len(msgs), "error", err)
	}
	for _, m := range msgs {
		d, _ := m.WriterData.(*delivery)
		if d != nil && d.done != nil {
			d.done(err)
		}
		<-p.slots
		p.pending.Done()
	}
}

// ProduceSync writes outs and waits until every one is acknowledged,
// returning the first error.
func (p *Producer) ProduceSync(ctx context.Context, outs ...Output) error {
	errc := make(chan error, len(outs))
	queued := 0
	for _, out := range outs {
		if err := p.Produce(ctx, out, func(err error) { errc <- err }); err != nil {
			errc <- err
		}
		queued++
	}
	var first error
	for range queued {
		select {
		case err := <-errc:
			if err != nil && first == nil {
				first = err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return first
}

// ProduceRetry writes out, retrying with backoff while the brokers fail,
// until it is acknowledged or ctx ends. Stages use it so a broker outage
// stalls the pipeline instead of dropping records.
func (p *Producer) ProduceRetry(ctx context.Context, out Output, done func(error)) error {
	var attempt func(backoff time.Duration) error
	attempt = func(backoff time.Duration) error {
		return p.Produce(ctx, out, func(err error) {
			if err == nil || ctx.Err() != nil || errors.Is(err, record.ErrTooLarge) {
				done(err) // a record too large fails the same way every time
				return
			}
			p.k.metrics.Retries.WithLabelValues(p.name).Inc()
			next := min(backoff*2, 5*time.Second)
			// Retry off the writer's completion goroutine.
			time.AfterFunc(backoff, func() {
				if qerr := attempt(next); qerr != nil {
					done(qerr)
				}
			})
		})
	}
	return attempt(100 * time.Millisecond)
}

// Flush waits until every queued record has been completed.
func (p *Producer) Flush() { p.pending.Wait() }

// Close waits for queued records and closes the writer.
func (p *Producer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.pending.Wait()
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("closing producer %s: %w", p.name, err)
	}
	return nil
}
