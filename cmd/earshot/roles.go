package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// role is one long-running part of a process (HTTP, connectors, a stage).
// A role may return nil early (a file connector reached its end) without
// stopping the process; an error stops it.
type role struct {
	name string
	run  func(ctx context.Context) error
}

// runPhases starts every role of every phase at once and runs until ctx is
// cancelled or a role fails. Shutdown goes phase by phase, in order: phase 0
// (the intake) is stopped and drained before phase 1 is told to stop, so
// records accepted at the edge still flow through the stages behind it.
func runPhases(ctx context.Context, logger *slog.Logger, phases ...[]role) error {
	failed := make(chan error, 1)
	type running struct {
		cancel context.CancelFunc
		wg     sync.WaitGroup
	}
	rs := make([]*running, len(phases))
	var mu sync.Mutex
	var errs []error
	for i, phase := range phases {
		pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		rs[i] = &running{cancel: cancel}
		for _, r := range phase {
			rs[i].wg.Add(1)
			go func() {
				defer rs[i].wg.Done()
				err := r.run(pctx)
				if err != nil && pctx.Err() == nil {
					err = fmt.Errorf("%s: %w", r.name, err)
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					select {
					case failed <- err:
					default:
					}
					return
				}
				// A role interrupted by its own shutdown is not a failure.
				if err != nil && !errors.Is(err, context.Canceled) {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
					mu.Unlock()
				}
				logger.Debug("role stopped", "role", r.name)
			}()
		}
	}
	select {
	case <-ctx.Done():
		logger.Info("shutting down: draining in-flight records")
	case err := <-failed:
		logger.Error("shutting down after failure", "error", err)
	}
	for _, r := range rs {
		r.cancel()
		r.wg.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	return errors.Join(errs...)
}
