package privacy

import (
	"context"
	"testing"
	"time"
)

// TestRunSweepsSweepsAtOnceThenWaits: with an hour's interval the first
// sweep still runs at once, no second follows it early, and a stop ends
// the schedule.
func TestRunSweepsSweepsAtOnceThenWaits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	swept := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunSweeps(ctx, time.Hour, func(context.Context) { swept <- struct{}{} })
	}()
	select {
	case <-swept:
	case <-time.After(5 * time.Second):
		t.Fatal("the first sweep waited for the interval")
	}
	select {
	case <-swept:
		t.Fatal("a second sweep ran before the interval")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunSweeps did not return after its context ended")
	}
}
