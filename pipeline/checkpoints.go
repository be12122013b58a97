package pipeline

import (
	"context"
	"fmt"
	"sync"
)

// CheckpointStore keeps connector checkpoints in the compacted checkpoints
// topic: Save writes and waits for the ack, Load answers from a table that
// follows the topic, so a connector moved to another machine resumes from
// the last acknowledged position.
type CheckpointStore struct {
	k        *Kafka
	producer *Producer
	mu       sync.RWMutex
	values   map[string][]byte
	table    *Table
}

// OpenCheckpoints loads the checkpoints topic and keeps following it.
func (k *Kafka) OpenCheckpoints(ctx context.Context) (*CheckpointStore, error) {
	s := &CheckpointStore{k: k, producer: k.NewProducer("checkpoints", 1000), values: map[string][]byte{}}
	// Raw: a value sealed by a connector (connectors.Sealer) stays sealed
	// in memory, so forgetting its person makes it unreadable here too.
	table, err := k.FollowTableRaw(ctx, k.topics.Checkpoints(), func(m Message) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if m.Value == nil {
			delete(s.values, string(m.Key))
			return
		}
		s.values[string(m.Key)] = m.Value
	})
	if err != nil {
		return nil, err
	}
	if err := table.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	s.table = table
	return s, nil
}

// Load returns the last checkpoint saved under key, or nil.
func (s *CheckpointStore) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := s.values[key]
	if v == nil {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// Save writes value under key and returns once Kafka acknowledged it.
func (s *CheckpointStore) Save(ctx context.Context, key string, value []byte) error {
	v := append([]byte(nil), value...)
	if err := s.producer.ProduceSync(ctx, Output{Topic: s.k.topics.Checkpoints(), Key: []byte(key), Value: v}); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", key, err)
	}
	s.mu.Lock()
	s.values[key] = v
	s.mu.Unlock()
	return nil
}

// Close flushes and closes the store's producer.
func (s *CheckpointStore) Close() error { return s.producer.Close() }
