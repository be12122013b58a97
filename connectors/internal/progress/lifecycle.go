package progress

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// Lifecycle is the run state every pulling connector shares: the outbox its
// producers (pollers, streams, crawls) fill and Read drains, the run context
// those producers live on (detached from Connect's, which ends when Connect
// returns), the checkpoint saver, and the wait group Close waits on.
// A connector embeds one, starts it in Connect and stops it in Close; its own
// mutex keeps guarding its delivery state.
type Lifecycle struct {
	mu      sync.Mutex
	out     *Outbox
	cancel  context.CancelFunc
	saver   *Saver
	running sync.WaitGroup
}

// StartOptions configure one run.
type StartOptions struct {
	// Deps gives the in-flight bound and the checkpoint store.
	Deps connectors.Deps
	// Queue is how many records may wait for Read (the producers block beyond).
	Queue int
	// CheckpointInterval is how often the saver flushes (<= 0: one second).
	CheckpointInterval time.Duration
	Logger             *slog.Logger
	// Collect returns the checkpoints changed since its last call.
	Collect func() map[string][]byte
}

// Start begins a run: a new outbox, a run context that outlives ctx until
// Stop, and the periodic checkpoint saver. It returns started false, and
// does nothing, while a run is going (connecting a running connector does
// nothing). The caller starts its producers with Go on runCtx.
func (l *Lifecycle) Start(ctx context.Context, o StartOptions) (runCtx context.Context, out *Outbox, started bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancel != nil {
		return nil, nil, false
	}
	l.out = NewOutbox(o.Deps.InFlight(), o.Queue, 0)
	runCtx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	l.saver = NewSaver(o.Deps.Checkpoints, o.CheckpointInterval, o.Logger, o.Collect)
	saver := l.saver
	l.Go(func() { saver.Run(runCtx) })
	return runCtx, l.out, true
}

// Running reports whether a run is going.
func (l *Lifecycle) Running() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cancel != nil
}

// Go runs fn in a goroutine Stop waits for.
func (l *Lifecycle) Go(fn func()) {
	l.running.Add(1)
	go func() {
		defer l.running.Done()
		fn()
	}()
}

// Read returns the next record of the run, or connectors.ErrNotConnected
// before the first Start.
func (l *Lifecycle) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	l.mu.Lock()
	out := l.out
	l.mu.Unlock()
	if out == nil {
		return nil, nil, connectors.ErrNotConnected
	}
	return out.Read(ctx)
}

// Stop ends the run: it cancels the run context, closes the outbox (Read
// and the producers' Put return), waits for every goroutine started with Go,
// calls cleanup (drop in-flight bookkeeping, close idle connections), and
// saves the checkpoints once more within ctx. Stopping a stopped run does
// nothing and returns nil.
func (l *Lifecycle) Stop(ctx context.Context, cleanup func()) error {
	l.mu.Lock()
	cancel, out, saver := l.cancel, l.out, l.saver
	l.cancel = nil
	l.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	out.Close()
	l.running.Wait()
	if cleanup != nil {
		cleanup()
	}
	return saver.Flush(ctx)
}
