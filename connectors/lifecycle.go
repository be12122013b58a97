package connectors

import (
	"context"
	"time"
)

// DefaultMaxInFlight bounds records read but not yet acknowledged when the
// host sets no Deps.MaxInFlight (the runner's own bound uses it too).
const DefaultMaxInFlight = 1000

// InFlight is the in-flight bound a connector applies: MaxInFlight, or
// DefaultMaxInFlight when unset.
func (d Deps) InFlight() int {
	if d.MaxInFlight <= 0 {
		return DefaultMaxInFlight
	}
	return d.MaxInFlight
}

// Sleep waits d, or less when ctx ends first; it returns ctx.Err() then.
// Connectors use it between polls, recrawls and reconnects so that every
// wait ends with its context.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
