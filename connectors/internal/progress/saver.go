package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// Saver writes a connector's checkpoints to its store: periodically while it
// runs and once more on Close. Collect returns the keys whose value changed
// since the last call; a value that could not be saved is retried on the next
// flush unless a newer one replaced it.
type Saver struct {
	store    connectors.CheckpointStore
	collect  func() map[string][]byte
	interval time.Duration
	logger   *slog.Logger

	mu      sync.Mutex // one flush at a time
	unsaved map[string][]byte
}

// NewSaver returns a saver; interval <= 0 means one second.
func NewSaver(store connectors.CheckpointStore, interval time.Duration, logger *slog.Logger, collect func() map[string][]byte) *Saver {
	if interval <= 0 {
		interval = time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Saver{store: store, collect: collect, interval: interval, logger: logger, unsaved: map[string][]byte{}}
}

// Flush saves every changed checkpoint now.
func (s *Saver) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.collect() {
		s.unsaved[k] = v
	}
	var errs []error
	for k, v := range s.unsaved {
		if err := s.store.Save(ctx, k, v); err != nil {
			errs = append(errs, fmt.Errorf("saving checkpoint %q: %w", k, err))
			continue
		}
		delete(s.unsaved, k)
	}
	return errors.Join(errs...)
}

// Run flushes every interval until ctx is done. It does not flush at the end:
// the owner calls Flush with its own shutdown deadline.
func (s *Saver) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
				s.logger.Warn("checkpoint not saved, retrying", "err", err)
			}
		}
	}
}
