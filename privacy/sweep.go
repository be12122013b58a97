package privacy

import (
	"context"
	"time"
)

// RunSweeps calls sweep at once and then every interval until ctx ends: the
// schedule every retention sweep shares (index, prospects, alert
// deliveries). A sweep interrupted by ctx ending is a stop, not a failure:
// sweep checks ctx before reporting an error.
func RunSweeps(ctx context.Context, interval time.Duration, sweep func(context.Context)) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		sweep(ctx)
		timer.Reset(interval)
	}
}
