package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Where a group with no committed offset starts reading.
const (
	FirstOffset = kafka.FirstOffset
	LastOffset  = kafka.LastOffset
)

// Assignment is a partition a group member owns for one generation, and the
// group's committed offset on it (kafka.FirstOffset when none).
type Assignment struct {
	Partition int
	Offset    int64
}

// Generation is one period of ownership: it ends (Context is done) when the
// group rebalances, and the next one may assign different partitions.
type Generation struct {
	gen   *kafka.Generation
	topic string
	// Owned are this member's partitions of the topic.
	Owned []Assignment

	// commitMu keeps one commit request in flight. The partitions' work
	// goroutines committing at once shared the coordinator connection,
	// where kafka-go spins (a fresh read deadline per turn) until the
	// answer in the buffer is its own: the alerts' prospect reader spent
	// 23% of `earshot run`'s CPU there.
	commitMu sync.Mutex
}

// Commit records the next offset to read on partition for the group; it
// returns once the group has it.
func (g *Generation) Commit(partition int, next int64) error {
	g.commitMu.Lock()
	defer g.commitMu.Unlock()
	if err := g.gen.CommitOffsets(map[string]map[int]int64{g.topic: {partition: next}}); err != nil {
		return fmt.Errorf("committing offset of %s/%d: %w", g.topic, partition, err)
	}
	return nil
}

// Own joins group on topic and calls work once per generation with the
// partitions this member owns, so that work keyed by partition (alert rules,
// deliveries) has exactly one owner among any number of instances. work must
// return soon after its context ends: the next generation starts only when
// every member's work of the previous one returned. A partition the group
// never committed starts at start (FirstOffset or LastOffset). Own returns
// when ctx ends.
func (k *Kafka) Own(ctx context.Context, group, topic string, start int64, work func(ctx context.Context, g *Generation)) error {
	cc := k.cfg.Consumer
	session := cc.SessionTimeout
	if session <= 0 {
		session = 30 * time.Second
	}
	logger := k.base.With("component", "ownership", "group", group, "topic", topic)
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                group,
		Brokers:           k.brokers,
		Dialer:            k.dialer(),
		Topics:            []string{topic},
		HeartbeatInterval: session / 10,
		SessionTimeout:    session,
		RebalanceTimeout:  session,
		JoinGroupBackoff:  time.Second,
		StartOffset:       start,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			logger.Debug(fmt.Sprintf(msg, args...))
		}),
	})
	if err != nil {
		return fmt.Errorf("joining group %s: %w", group, err)
	}
	stop := context.AfterFunc(ctx, func() { cg.Close() })
	defer stop()
	defer cg.Close()
	backoff := 100 * time.Millisecond
	for {
		gen, err := cg.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) || errors.Is(err, io.EOF) {
				return nil
			}
			logger.Warn("joining group; retrying", "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		g := &Generation{gen: gen, topic: topic}
		for _, a := range gen.Assignments[topic] {
			g.Owned = append(g.Owned, Assignment{Partition: a.ID, Offset: a.Offset})
		}
		logger.Debug("owning partitions", "generation", gen.ID, "partitions", len(g.Owned))
		gen.Start(func(gctx context.Context) { work(gctx, g) })
	}
}

// PartitionReader reads one partition from an offset, without a group.
type PartitionReader struct {
	r      *kafka.Reader
	logger *slog.Logger
}

// NewPartitionReader reads topic's partition starting at offset (an absolute
// offset or kafka.FirstOffset / kafka.LastOffset).
func (k *Kafka) NewPartitionReader(topic string, partition int, offset int64) (*PartitionReader, error) {
	cc := k.cfg.Consumer
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        k.brokers,
		Topic:          topic,
		Partition:      partition,
		Dialer:         k.dialer(),
		MinBytes:       1,
		MaxBytes:       max(cc.MaxBytes, 1<<20),
		MaxWait:        max(cc.MaxWait, 10*time.Millisecond),
		ReadBackoffMin: 50 * time.Millisecond,
		ReadBackoffMax: time.Second,
	})
	if err := r.SetOffset(offset); err != nil {
		r.Close()
		return nil, fmt.Errorf("seeking %s/%d to %d: %w", topic, partition, offset, err)
	}
	return &PartitionReader{r: r, logger: k.logger.With("topic", topic, "partition", partition)}, nil
}

// Fetch returns the next record; it returns an error only when ctx ends.
// Read errors are logged and waited out: the client retries underneath
// (a leader election, a broker restart, a slow dial) and only reports, so
// returning them would silently stop the partition until the next rebalance.
func (p *PartitionReader) Fetch(ctx context.Context) (Message, error) {
	for {
		m, err := p.r.FetchMessage(ctx)
		if err == nil {
			return Message{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Time: m.Time}, nil
		}
		if ctx.Err() != nil {
			return Message{}, ctx.Err()
		}
		if errors.Is(err, io.EOF) { // the reader was closed
			return Message{}, err
		}
		p.logger.Warn("partition read failed; retrying", "error", err)
	}
}

// Close releases the reader.
func (p *PartitionReader) Close() error { return p.r.Close() }
