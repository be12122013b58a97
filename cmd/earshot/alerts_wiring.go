package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/earshothq/earshot/alert"
)

// alertState is the hub's alert store, shared by the alert service and the
// web app's alert pages and API in one process.
type alertState struct {
	alertOnce  sync.Once
	alertStore *alert.Store
	alertErr   error
	alertStop  context.CancelFunc
}

// alerts returns the process's alert store, loading it on first use. It
// follows its topics until the hub closes.
func (h *hub) alerts(ctx context.Context) (*alert.Store, error) {
	h.alertOnce.Do(func() {
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s := alert.NewStore(h.cfg.Alerts, h.kafka, h.logger)
		loadCtx, loadCancel := context.WithTimeout(ctx, brokerWait)
		defer loadCancel()
		loaded := make(chan error, 1)
		go func() { loaded <- s.Start(runCtx) }()
		select {
		case err := <-loaded:
			h.alertErr = err
		case <-loadCtx.Done():
			h.alertErr = fmt.Errorf("loading alert rules: %w", loadCtx.Err())
		}
		if h.alertErr != nil {
			cancel()
			s.Close()
			return
		}
		h.alertStore, h.alertStop = s, cancel
	})
	return h.alertStore, h.alertErr
}

func (a *alertState) closeAlerts() {
	if a.alertStop != nil {
		a.alertStop()
		a.alertStore.Close()
	}
}

// alertRoles evaluates rules and delivers notifications (when
// alerts.enabled), in `earshot serve` and `earshot run`: instances share the
// work through consumer groups.
func (h *hub) alertRoles(ctx context.Context) ([]role, error) {
	if !h.cfg.Alerts.Enabled {
		return nil, nil
	}
	b, err := h.searchBackend(ctx)
	if err != nil {
		return nil, err
	}
	store, err := h.alerts(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := alert.NewService(store, b, alert.Options{Logger: h.logger, Registerer: h.registry})
	if err != nil {
		return nil, err
	}
	roles := []role{{name: "alerts", run: svc.Run}}
	// The deliveries topic is compacted (retention.ms does not apply): its
	// finished deliveries are removed after the notifications period plus
	// a day, so a delivery outlives its notification (deleted a segment,
	// up to a day, after the period) and keeps it from being sent twice.
	if age := h.cfg.Retention.Notifications; !age.Forever() {
		interval := h.cfg.Retention.SweepInterval
		roles = append(roles, role{name: "alert-retention", run: func(ctx context.Context) error {
			return store.RunDeliveryExpiry(ctx, age.Duration()+24*time.Hour, interval)
		}})
	}
	return roles, nil
}
