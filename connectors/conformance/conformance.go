// Package conformance is the test suite every Earshot connector passes:
// open and close, delivery with unique ids, backpressure at MaxInFlight,
// reconnect after the peer drops, restart from checkpoint with no gap and no
// duplicate id, bounded memory over a long run, and clean shutdown within a
// deadline. A connector's test supplies a Harness (how to start its peer,
// publish items there and build the connector) and calls Run.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// Source is the peer a connector reads from, driven by the test: a fake
// Mastodon server, a local web site, a feed, a file, a form client.
type Source interface {
	// Publish makes n new items available at the source and returns the
	// source ids (record.Mention.SourceID) the connector must emit for
	// them. It must not wait for the connector to read them: a push source
	// (forms) submits in the background and retries until accepted.
	Publish(t testing.TB, n int) []string
}

// Dropper is implemented by sources that can break the connector's
// connection (close streams, refuse requests for a while, rotate a file).
// The connector must recover on its own or by returning
// connectors.ErrNotConnected so the host calls Connect again.
type Dropper interface {
	Drop(t testing.TB)
}

// Harness describes one connector type to the suite.
type Harness struct {
	// Type is the connector type; every record's Source must equal it.
	Type string
	// NewSource starts a fresh, empty source for one check; stop it with
	// t.Cleanup.
	NewSource func(t testing.TB) Source
	// NewConnector builds a connector reading src. deps carries the
	// checkpoint store (the same store across a restart), MaxInFlight and a
	// logger; the harness fills in whatever else the connector needs.
	NewConnector func(t testing.TB, src Source, deps connectors.Deps) connectors.Connector
	// Timeout bounds the wait for published items to be read (default 30s).
	Timeout time.Duration
	// Quiet is how long the restart check keeps reading after every expected
	// item arrived, to catch late duplicates (default 500ms).
	Quiet time.Duration
	// LongRun is the number of items of the bounded-memory check (default
	// 3000, a tenth of that with -short).
	LongRun int
	// MemoryBudget is the live-heap growth allowed between the first quarter
	// and the end of the long run (default 24 MiB), peer included.
	MemoryBudget uint64
	// ShutdownDeadline is the deadline Close must meet (default 5s).
	ShutdownDeadline time.Duration
	// GoroutineSlack is how many goroutines above the baseline may remain
	// after Close (default 0: every goroutine the connector started ends;
	// the peer's goroutines serving its connections end with them).
	GoroutineSlack int
}

func (h *Harness) defaults() {
	if h.Timeout <= 0 {
		h.Timeout = 30 * time.Second
	}
	if h.Quiet <= 0 {
		h.Quiet = 500 * time.Millisecond
	}
	if h.LongRun <= 0 {
		h.LongRun = 3000
		if testing.Short() {
			h.LongRun = 300
		}
	}
	if h.MemoryBudget == 0 {
		h.MemoryBudget = 24 << 20
	}
	if h.ShutdownDeadline <= 0 {
		h.ShutdownDeadline = 5 * time.Second
	}
}

// Run runs every check as a subtest.
func Run(t *testing.T, h Harness) {
	h.defaults()
	if h.Type == "" || h.NewSource == nil || h.NewConnector == nil {
		t.Fatal("conformance: the harness needs Type, NewSource and NewConnector")
	}
	t.Run("OpenClose", func(t *testing.T) { checkOpenClose(t, h) })
	t.Run("Delivery", func(t *testing.T) { checkDelivery(t, h) })
	t.Run("Backpressure", func(t *testing.T) { checkBackpressure(t, h) })
	t.Run("Reconnect", func(t *testing.T) { checkReconnect(t, h) })
	t.Run("RestartFromCheckpoint", func(t *testing.T) { checkRestart(t, h) })
	t.Run("BoundedMemory", func(t *testing.T) { checkBoundedMemory(t, h) })
	t.Run("Shutdown", func(t *testing.T) { checkShutdown(t, h) })
}

func deps(store connectors.CheckpointStore, maxInFlight int) connectors.Deps {
	return connectors.Deps{
		Name:        "conformance",
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Checkpoints: store,
		MaxInFlight: maxInFlight,
	}
}

func checkOpenClose(t testing.TB, h Harness) {
	src := h.NewSource(t)
	c := h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), 16))
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	rctx, rcancel := context.WithTimeout(ctx, h.ShutdownDeadline)
	defer rcancel()
	if _, _, err := c.Read(rctx); err == nil {
		t.Fatal("Read after Close returned a record")
	} else if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("Read after Close blocked instead of returning an error")
	}
}

func checkDelivery(t testing.TB, h Harness) {
	src := h.NewSource(t)
	hst := startHost(t, h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), 16)))
	defer hst.close(t, h.ShutdownDeadline)
	want := src.Publish(t, 20)
	got := hst.collect(t, h, want)
	for _, m := range got {
		if m.Source != h.Type {
			t.Errorf("record %s has source %q, want %q", m.SourceID, m.Source, h.Type)
		}
		if err := m.Normalize(); err != nil {
			t.Errorf("record %s does not normalize: %v", m.SourceID, err)
		}
		if m.ID != record.RecordID(m.Source, m.SourceID) {
			t.Errorf("record %s has id %q, want RecordID(source, source_id)", m.SourceID, m.ID)
		}
	}
}

func checkBackpressure(t testing.TB, h Harness) {
	const max = 3
	src := h.NewSource(t)
	hst := startHost(t, h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), max)))
	defer hst.close(t, h.ShutdownDeadline)
	want := src.Publish(t, max+4)
	var held []delivery
	for len(held) < max {
		held = append(held, hst.next(t, h.Timeout))
	}
	// With max records unacknowledged the connector must not hand out more.
	select {
	case d := <-hst.deliveries:
		t.Fatalf("record %s read with %d records unacknowledged and MaxInFlight %d", d.m.SourceID, max, max)
	case <-time.After(300 * time.Millisecond):
	}
	for _, d := range held {
		ack(t, d, nil)
	}
	seen := map[string]bool{}
	for _, d := range held {
		seen[d.m.SourceID] = true
	}
	rest := missing(want, seen)
	hst.collect(t, h, rest)
}

func checkReconnect(t testing.TB, h Harness) {
	src := h.NewSource(t)
	dropper, ok := src.(Dropper)
	if !ok {
		t.Skip("source cannot drop its connection")
	}
	hst := startHost(t, h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), 16)))
	defer hst.close(t, h.ShutdownDeadline)
	hst.collect(t, h, src.Publish(t, 5))
	dropper.Drop(t)
	hst.collect(t, h, src.Publish(t, 5))
}

func checkRestart(t testing.TB, h Harness) {
	src := h.NewSource(t)
	store := connectors.NewMemoryCheckpoints()

	// First run: read 12 items, acknowledge them out of order, leave three
	// (an early, a middle and the last) unacknowledged, fail one delivery.
	first := startHost(t, h.NewConnector(t, src, deps(store, 64)))
	published := src.Publish(t, 12)
	var ds []delivery
	seen := map[string]bool{}
	for len(seen) < len(published) {
		d := first.next(t, h.Timeout)
		if seen[d.m.SourceID] {
			t.Fatalf("first run: %s read twice before any ack", d.m.SourceID)
		}
		seen[d.m.SourceID] = true
		ds = append(ds, d)
	}
	if missed := missing(published, seen); len(missed) > 0 {
		t.Fatalf("first run: published items not read: %v", missed)
	}
	unacked := map[int]bool{1: true, 7: true, len(ds) - 1: true}
	acked := map[string]bool{}
	order := rand.Perm(len(ds))
	for _, i := range order {
		if unacked[i] {
			continue
		}
		ack(t, ds[i], nil)
		acked[ds[i].m.SourceID] = true
	}
	first.close(t, h.ShutdownDeadline)

	// Second run over the same checkpoints: the unacknowledged items and the
	// new ones arrive, nothing acknowledged before comes again.
	second := startHost(t, h.NewConnector(t, src, deps(store, 64)))
	defer second.close(t, h.ShutdownDeadline)
	var want []string
	for i := range ds {
		if unacked[i] {
			want = append(want, ds[i].m.SourceID)
		}
	}
	want = append(want, src.Publish(t, 5)...)
	got := map[string]bool{}
	deadline := time.After(h.Timeout)
	var quiet <-chan time.Time
	for {
		select {
		case d := <-second.deliveries:
			id := d.m.SourceID
			if acked[id] {
				t.Fatalf("second run: %s was acknowledged in the first run and came again (duplicate)", id)
			}
			if got[id] {
				t.Fatalf("second run: %s read twice", id)
			}
			got[id] = true
			ack(t, d, nil)
			if quiet == nil && len(missing(want, got)) == 0 {
				quiet = time.After(h.Quiet)
			}
		case <-quiet:
			return
		case err := <-second.errs:
			t.Fatalf("second run: %v", err)
		case <-deadline:
			t.Fatalf("second run: items never arrived (gap): %v", missing(want, got))
		}
	}
}

func checkBoundedMemory(t testing.TB, h Harness) {
	if testing.Short() && h.LongRun > 1000 {
		h.LongRun = 1000
	}
	src := h.NewSource(t)
	hst := startHost(t, h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), 64)))
	defer hst.close(t, h.ShutdownDeadline)
	const batch = 100
	var baseline uint64
	for done := 0; done < h.LongRun; done += batch {
		n := min(batch, h.LongRun-done)
		hst.collect(t, h, src.Publish(t, n))
		if baseline == 0 && done+n >= h.LongRun/4 {
			baseline = liveHeap()
		}
	}
	end := liveHeap()
	t.Logf("live heap after a quarter: %d KiB, at the end of %d items: %d KiB", baseline>>10, h.LongRun, end>>10)
	if end > baseline+h.MemoryBudget {
		t.Fatalf("live heap grew by %d KiB over %d items, budget %d KiB", (end-baseline)>>10, h.LongRun*3/4, h.MemoryBudget>>10)
	}
}

func checkShutdown(t testing.TB, h Harness) {
	src := h.NewSource(t)
	before := goroutines()
	c := h.NewConnector(t, src, deps(connectors.NewMemoryCheckpoints(), 16))
	hst := startHost(t, c)
	hst.collect(t, h, src.Publish(t, 5))
	// Close while the host is blocked in Read with more items arriving.
	src.Publish(t, 5)
	start := time.Now()
	hst.close(t, h.ShutdownDeadline)
	if took := time.Since(start); took > h.ShutdownDeadline {
		t.Fatalf("shutdown took %v, deadline %v", took, h.ShutdownDeadline)
	}
	// Every goroutine started since (ids are never reused) must end; the
	// peer's goroutines serving the connector's connections end with them.
	limit := time.Now().Add(h.ShutdownDeadline)
	for {
		var left []string
		for id, stack := range goroutines() {
			if _, old := before[id]; !old {
				left = append(left, stack)
			}
		}
		if len(left) <= h.GoroutineSlack {
			return
		}
		if time.Now().After(limit) {
			t.Fatalf("%d goroutines started during the check still run after Close:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutines returns the stack of every goroutine by id.
func goroutines() map[int]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[int]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		var id int
		if _, err := fmt.Sscanf(g, "goroutine %d ", &id); err == nil {
			out[id] = g
		}
	}
	return out
}

// liveHeap returns the heap in use after two collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

type delivery struct {
	m   *record.Mention
	ack connectors.AckFunc
}

func ack(t testing.TB, d delivery, err error) {
	t.Helper()
	if d.ack == nil {
		return
	}
	if aerr := d.ack(context.Background(), err); aerr != nil {
		t.Fatalf("acknowledging %s: %v", d.m.SourceID, aerr)
	}
}

// host plays the runner: Connect, Read in a loop, Connect again after
// ErrNotConnected or another error, hand every record to the test.
type host struct {
	c          connectors.Connector
	deliveries chan delivery
	errs       chan error
	cancel     context.CancelFunc
	done       chan struct{}
	closeOnce  sync.Once
}

// startHost connects (retrying, as the runner does) and returns once the
// first Connect succeeded: items published after it must all arrive.
func startHost(t testing.TB, c connectors.Connector) *host {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &host{c: c, deliveries: make(chan delivery), errs: make(chan error, 1), cancel: cancel, done: make(chan struct{})}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.Connect(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("Connect kept failing: %v", err)
		}
		pause(ctx, 50*time.Millisecond)
	}
	go h.loop(ctx)
	t.Cleanup(func() { h.close(t, 10*time.Second) })
	return h
}

func (h *host) loop(ctx context.Context) {
	defer close(h.done)
	connect := func() bool {
		for ctx.Err() == nil {
			if err := h.c.Connect(ctx); err == nil {
				return true
			}
			pause(ctx, 50*time.Millisecond)
		}
		return false
	}
	for ctx.Err() == nil {
		m, ackFn, err := h.c.Read(ctx)
		var rejected *connectors.RejectedError
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return
		case errors.As(err, &rejected):
			if rejected.Ack != nil {
				_ = rejected.Ack(ctx, nil)
			}
			continue
		case errors.Is(err, connectors.ErrEndOfInput):
			select {
			case h.errs <- fmt.Errorf("unexpected end of input: %w", err):
			default:
			}
			return
		default: // ErrNotConnected or a transient error: reconnect
			pause(ctx, 50*time.Millisecond)
			if !connect() {
				return
			}
			continue
		}
		select {
		case h.deliveries <- delivery{m: m, ack: ackFn}:
		case <-ctx.Done():
			return
		}
	}
}

// close stops the read loop and closes the connector within deadline.
func (h *host) close(t testing.TB, deadline time.Duration) {
	h.closeOnce.Do(func() {
		h.cancel()
		select {
		case <-h.done:
		case <-time.After(deadline):
			t.Errorf("Read did not return within %v of its context ending", deadline)
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := h.c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

func (h *host) next(t testing.TB, timeout time.Duration) delivery {
	t.Helper()
	select {
	case d := <-h.deliveries:
		return d
	case err := <-h.errs:
		t.Fatal(err)
	case <-time.After(timeout):
		t.Fatalf("no record within %v", timeout)
	}
	return delivery{}
}

// collect reads until every id in want arrived, acknowledging each record;
// a record read twice or one not in want fails the test.
func (h *host) collect(t testing.TB, hs Harness, want []string) []*record.Mention {
	t.Helper()
	wanted := map[string]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	got := map[string]bool{}
	var out []*record.Mention
	deadline := time.After(hs.Timeout)
	for len(got) < len(wanted) {
		select {
		case d := <-h.deliveries:
			id := d.m.SourceID
			if got[id] {
				t.Fatalf("%s read twice", id)
			}
			if !wanted[id] {
				t.Fatalf("unexpected record %s (not published in this step)", id)
			}
			got[id] = true
			out = append(out, d.m)
			ack(t, d, nil)
		case err := <-h.errs:
			t.Fatal(err)
		case <-deadline:
			t.Fatalf("%d of %d items never arrived: %v", len(wanted)-len(got), len(wanted), firstFew(missing(want, got)))
		}
	}
	return out
}

func missing(want []string, got map[string]bool) []string {
	var out []string
	for _, id := range want {
		if !got[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func firstFew(ids []string) []string {
	if len(ids) > 10 {
		return append(ids[:10:10], fmt.Sprintf("... and %d more", len(ids)-10))
	}
	return ids
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
