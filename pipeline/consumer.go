package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/earshothq/earshot/privacy"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/earshothq/earshot/record"
)

// Message is one consumed record.
type Message struct {
	Topic     string
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte // nil for a tombstone
	Time      time.Time
	// Subject is the person whose key sealed the record ("" for a plain one).
	Subject string
	// sealed keeps the record's bytes as stored, for the dead-letter queue.
	sealed []byte
}

// permanentError marks an error that retrying cannot fix (a record that does
// not decode, a document the index rejects): it goes straight to the DLQ.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// consumer is the part shared by transform stages and sink stages: a group
// reader, the offset tracker, the in-flight bound, the DLQ and the committer.
type consumer struct {
	k        *Kafka
	name     string
	group    string
	topics   []string
	reader   *kafka.Reader
	tracker  *offsetTracker
	slots    chan struct{}
	dlq      *Producer
	logger   *slog.Logger
	inflight sync.WaitGroup
	// The stage's metric series, looked up once rather than per record.
	in, out, failed prometheus.Counter
	inFlight        prometheus.Gauge
}

func (k *Kafka) newConsumer(name, group string, topics []string) *consumer {
	cc := k.cfg.Consumer
	if group == "" {
		group = k.cfg.Group(name)
	}
	session := cc.SessionTimeout
	if session <= 0 {
		session = 30 * time.Second
	}
	logger := k.base.With("component", "stage", "stage", name)
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:           k.brokers,
		GroupID:           group,
		GroupTopics:       topics,
		Dialer:            k.dialer(),
		MinBytes:          1,
		MaxBytes:          max(cc.MaxBytes, 1<<20),
		MaxWait:           max(cc.MaxWait, 10*time.Millisecond),
		ReadBatchTimeout:  10 * time.Second, // a large fetch from a loaded broker takes time
		QueueCapacity:     1000,
		StartOffset:       kafka.FirstOffset,
		SessionTimeout:    session,
		HeartbeatInterval: session / 10,
		RebalanceTimeout:  session,
		JoinGroupBackoff:  time.Second,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    time.Second,
		ErrorLogger:       readerLogger(logger, k.metrics.FetchTimeouts.WithLabelValues(name)),
	})
	return &consumer{
		k:        k,
		name:     name,
		group:    group,
		topics:   topics,
		reader:   reader,
		tracker:  newOffsetTracker(),
		slots:    make(chan struct{}, max(cc.MaxInFlight, 1)),
		dlq:      k.NewProducer(name+"-dlq", 0),
		logger:   logger,
		in:       k.metrics.In.WithLabelValues(name),
		out:      k.metrics.Out.WithLabelValues(name),
		failed:   k.metrics.Failed.WithLabelValues(name),
		inFlight: k.metrics.InFlight.WithLabelValues(name),
	}
}

// readerLogger logs the reader's errors: a fetch that timed out (the reader
// retries it) is counted and logged at debug level, anything else is a
// warning.
func readerLogger(logger *slog.Logger, timeouts prometheus.Counter) kafka.Logger {
	return kafka.LoggerFunc(func(msg string, args ...any) {
		for _, a := range args {
			if err, ok := a.(error); ok && isTimeout(err) {
				timeouts.Inc()
				logger.Debug(fmt.Sprintf(msg, args...))
				return
			}
		}
		logger.Warn(fmt.Sprintf(msg, args...))
	})
}

// isTimeout reports a network timeout (i/o timeout, deadline exceeded).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// fetch reads the next message that is not a redelivery, holding an
// in-flight slot for it (released by settle). Group and broker errors the
// reader reports (a coordinator moving, a broker restarting) are logged and
// waited out: the reader rejoins on its own, and a stage must outlast an
// outage rather than exit. Only a closed reader or ctx ends the loop.
func (c *consumer) fetch(ctx context.Context) (Message, error) {
	backoff := 100 * time.Millisecond
	for {
		select {
		case c.slots <- struct{}{}:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
		m, err := c.reader.FetchMessage(ctx)
		if err != nil {
			<-c.slots
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return Message{}, err
			}
			c.logger.Warn("fetching records; retrying", "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return Message{}, ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if !c.tracker.track(m.Topic, m.Partition, m.Offset) {
			<-c.slots
			continue
		}
		c.inflight.Add(1)
		c.in.Inc()
		c.inFlight.Inc()
		msg := Message{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Time: m.Time}
		err = c.k.openWaiting(ctx, &msg)
		if ctx.Err() != nil {
			c.abandon()
			return Message{}, ctx.Err()
		}
		if errors.Is(err, privacy.ErrShredded) {
			// The person was erased: their record is skipped, never read.
			c.k.metrics.Shredded.WithLabelValues(c.name).Inc()
			c.settle(msg)
			continue
		}
		return msg, nil
	}
}

// settle marks a message done: its offset may now be committed.
func (c *consumer) settle(m Message) {
	c.tracker.settle(m.Topic, m.Partition, m.Offset)
	c.inFlight.Dec()
	<-c.slots
	c.inflight.Done()
}

// abandon releases a message that will not be settled in this run (shutdown
// interrupted it): its offset stays uncommitted, so it is processed again.
func (c *consumer) abandon() {
	c.inFlight.Dec()
	<-c.slots
	c.inflight.Done()
}

// deadLetter writes m to the DLQ with the reason and waits for the ack,
// retrying while the brokers fail.
func (c *consumer) deadLetter(ctx context.Context, m Message, cause error, attempts int) error {
	dl := &record.DeadLetter{
		Stage: c.name, Error: cause.Error(), Attempts: attempts,
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset,
		Key: m.Key, Value: m.Value, At: time.Now().UTC(),
	}
	if m.sealed != nil {
		dl.Value = m.sealed // as stored: the person's key still guards it
	}
	dl.Fit(c.k.maxMessageBytes())
	value, err := record.Encode(dl)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	if err := c.dlq.ProduceRetry(ctx, Output{Topic: c.k.topics.DLQ(), Key: dl.Key, Value: value, Subject: m.Subject}, func(err error) { done <- err }); err != nil {
		return err
	}
	select {
	case err := <-done:
		if err == nil {
			c.k.metrics.DLQ.WithLabelValues(c.name).Inc()
			c.logger.Warn("record sent to dead-letter queue", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "error", cause)
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitLoop commits settled offsets every interval until ctx ends.
func (c *consumer) commitLoop(ctx context.Context) {
	interval := c.k.cfg.Consumer.CommitInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.commit(ctx); err != nil && ctx.Err() == nil {
				c.logger.Warn("committing offsets", "error", err)
			}
		}
	}
}

// commit writes the settled floors of every partition that moved.
func (c *consumer) commit(ctx context.Context) error {
	points := c.tracker.toCommit()
	if len(points) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, len(points))
	for i, p := range points {
		// kafka-go commits offset+1 of the message it is given.
		msgs[i] = kafka.Message{Topic: p.topic, Partition: p.partition, Offset: p.next - 1}
	}
	if err := c.reader.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("committing offsets of group %s: %w", c.group, err)
	}
	c.tracker.markCommitted(points)
	return nil
}

// lagLoop publishes the group's lag per partition as a gauge.
func (c *consumer) lagLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		infos, err := c.k.DescribeTopics(ctx, c.topics, []string{c.group})
		if err == nil {
			for _, ti := range infos {
				for _, p := range ti.Partitions {
					committed, ok := p.Committed[c.group]
					if !ok {
						committed = p.StartOffset
					}
					c.k.metrics.Lag.WithLabelValues(c.name, ti.Name, strconv.Itoa(p.Partition)).Set(float64(max(p.EndOffset-committed, 0)))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// drain waits for in-flight messages to settle (bounded by timeout), commits
// what settled and closes the reader.
func (c *consumer) drain(timeout time.Duration) error {
	waited := make(chan struct{})
	go func() { c.inflight.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(timeout):
		c.logger.Warn("shutdown deadline reached with records in flight; they will be reprocessed", "in_flight", c.tracker.outstanding())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.commit(ctx)
	c.dlq.Close()
	if cerr := c.reader.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("closing reader: %w", cerr)
	}
	return err
}

// shutdownTimeout bounds how long a stopping stage waits for in-flight records.
const shutdownTimeout = 20 * time.Second
