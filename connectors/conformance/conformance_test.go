package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// logSource is an in-memory append-only log of items, the simplest peer.
type logSource struct {
	mu      sync.Mutex
	items   []string
	changed chan struct{} // closed and replaced on every append
	dropped chan struct{} // closed and replaced on every Drop
}

func newLogSource(testing.TB) Source {
	return &logSource{changed: make(chan struct{}), dropped: make(chan struct{})}
}

// Drop breaks the connection: the connector's producer sees it and reports
// ErrNotConnected, the host connects again.
func (s *logSource) Drop(testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.dropped)
	s.dropped = make(chan struct{})
}

func (s *logSource) dropSignal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

func (s *logSource) Publish(_ testing.TB, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		id := strconv.Itoa(len(s.items) + 1)
		s.items = append(s.items, id)
		ids = append(ids, id)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return ids
}

// after returns the items after position pos and a channel closed on change.
func (s *logSource) after(pos int) ([]string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pos >= len(s.items) {
		return nil, s.changed
	}
	return append([]string(nil), s.items[pos:]...), s.changed
}

// logConnector reads a logSource with the progress bookkeeping, as the
// real cursor connectors do. The flaws switch off parts of it so the suite
// can be shown to catch them.
type logConnector struct {
	src   *logSource
	deps  connectors.Deps
	flaws flaws

	mu     sync.Mutex
	seq    *progress.Sequence
	recent *progress.Recent
	out    *progress.Outbox
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type flaws struct {
	forgetAcked     bool // restart re-delivers acknowledged items
	ignoreInFlight  bool // hand out records without bound
	leakOnClose     bool // leave the producer running after Close
	loseUnackedOnGo bool // checkpoint past unacknowledged items
}

type logCheckpoint struct {
	Mark   string `json:"mark"`
	Recent []byte `json:"recent"`
}

func (c *logConnector) Connect(ctx context.Context) error {
	c.Close(ctx)
	raw, err := c.deps.Checkpoints.Load(ctx, "log")
	if err != nil {
		return fmt.Errorf("loading checkpoint: %w", err)
	}
	var cp logCheckpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding checkpoint: %w", err)
		}
	}
	c.mu.Lock()
	c.seq = progress.NewSequence(cp.Mark, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	c.recent = progress.NewRecent(1024)
	if !c.flaws.forgetAcked {
		_ = c.recent.UnmarshalBinary(cp.Recent)
	}
	inFlight := c.deps.MaxInFlight
	if c.flaws.ignoreInFlight {
		inFlight = 1 << 20
	}
	c.out = progress.NewOutbox(inFlight, 0, 0)
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	start, _ := strconv.Atoi(cp.Mark)
	c.mu.Unlock()
	c.wg.Add(1)
	go c.produce(runCtx, c.out, start)
	return nil
}

func (c *logConnector) produce(ctx context.Context, out *progress.Outbox, pos int) {
	defer c.wg.Done()
	dropped := c.src.dropSignal()
	for {
		items, changed := c.src.after(pos)
		for _, id := range items {
			pos++
			c.mu.Lock()
			if c.recent.Has(progress.Hash(id)) {
				c.seq.Pass(id)
				c.mu.Unlock()
				continue
			}
			p := c.seq.Add(id)
			c.mu.Unlock()
			if c.flaws.loseUnackedOnGo {
				c.mu.Lock()
				c.seq.Done(p)
				c.mu.Unlock()
			}
			it := &progress.Item{Record: &record.Mention{Source: "log", SourceID: id, Text: "item " + id}}
			it.Done = func(error) {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.recent.Add(progress.Hash(id))
				c.seq.Done(p)
			}
			if err := out.Put(ctx, it); err != nil {
				if c.flaws.leakOnClose {
					<-make(chan struct{})
				}
				return
			}
		}
		select {
		case <-ctx.Done():
			if c.flaws.leakOnClose {
				<-make(chan struct{})
			}
			return
		case <-dropped:
			out.Fail(fmt.Errorf("log source dropped: %w", connectors.ErrNotConnected))
			return
		case <-changed:
		}
	}
}

func (c *logConnector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	c.mu.Lock()
	out := c.out
	c.mu.Unlock()
	if out == nil {
		return nil, nil, connectors.ErrNotConnected
	}
	return out.Read(ctx)
}

func (c *logConnector) Close(ctx context.Context) error {
	c.mu.Lock()
	cancel, out := c.cancel, c.out
	c.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	out.Close()
	if !c.flaws.leakOnClose {
		c.wg.Wait()
	}
	c.mu.Lock()
	recent, _ := c.recent.MarshalBinary()
	raw, _ := json.Marshal(logCheckpoint{Mark: c.seq.Mark(), Recent: recent})
	c.mu.Unlock()
	return c.deps.Checkpoints.Save(ctx, "log", raw)
}

func harness(f flaws) Harness {
	return Harness{
		Type:      "log",
		NewSource: newLogSource,
		NewConnector: func(_ testing.TB, src Source, d connectors.Deps) connectors.Connector {
			return &logConnector{src: src.(*logSource), deps: d, flaws: f}
		},
		LongRun: 2000,
	}
}

// The reference connector passes every check.
func TestReferenceConnectorConforms(t *testing.T) {
	Run(t, harness(flaws{}))
}

// recorder is a testing.TB that records failures instead of reporting them,
// so the suite itself can be tested against broken connectors.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	msg      string
	cleanups []func()
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	r.cleanups = append(r.cleanups, f)
	r.mu.Unlock()
}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.failed {
		r.msg = fmt.Sprintf(format, args...)
	}
	r.failed = true
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}
func (r *recorder) Skip(...any) { runtime.Goexit() }

// runCheck runs one check against a recorder and reports whether it failed.
func runCheck(t *testing.T, check func(testing.TB, Harness), h Harness) (bool, string) {
	h.defaults()
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(rec, h)
	}()
	<-done
	for i := len(rec.cleanups) - 1; i >= 0; i-- {
		rec.cleanups[i]()
	}
	return rec.failed, rec.msg
}

func TestSuiteCatchesBrokenConnectors(t *testing.T) {
	cases := []struct {
		name  string
		check func(testing.TB, Harness)
		flaws flaws
	}{
		{"duplicates after restart", checkRestart, flaws{forgetAcked: true}},
		{"gap after restart", checkRestart, flaws{loseUnackedOnGo: true}},
		{"unbounded in-flight", checkBackpressure, flaws{ignoreInFlight: true}},
		{"goroutine left running", checkShutdown, flaws{leakOnClose: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := harness(tc.flaws)
			h.ShutdownDeadline = 500e6
			h.Timeout = 2e9
			failed, msg := runCheck(t, tc.check, h)
			if !failed {
				t.Fatal("the check passed a broken connector")
			}
			if i := strings.IndexByte(msg, '\n'); i > 0 {
				msg = msg[:i]
			}
			t.Logf("caught: %s", msg)
		})
	}
}

// The reference connector through the runner into the embedded broker.
func TestIntegrationReferenceConnector(t *testing.T) {
	RunIntegration(t, harness(flaws{}))
}
