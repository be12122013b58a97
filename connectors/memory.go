package connectors

import (
	"context"
	"sync"
)

// MemoryCheckpoints is an in-memory CheckpointStore for tests and one-shot
// runs; it survives connector restarts within one process only.
type MemoryCheckpoints struct {
	mu     sync.Mutex
	values map[string][]byte
	saves  int
}

// NewMemoryCheckpoints returns an empty store.
func NewMemoryCheckpoints() *MemoryCheckpoints {
	return &MemoryCheckpoints{values: map[string][]byte{}}
}

// Load returns a copy of the value saved under key, or nil.
func (s *MemoryCheckpoints) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// Save stores a copy of value under key.
func (s *MemoryCheckpoints) Save(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = append([]byte(nil), value...)
	s.saves++
	return nil
}

// Saves counts Save calls (tests check checkpoints are written).
func (s *MemoryCheckpoints) Saves() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}
