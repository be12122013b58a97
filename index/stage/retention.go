package stage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Retention: mentions older than the configured age (by creation time at
// their source) leave the index. A sweep deletes them, at start and every
// interval, then recounts the profiles of the people they belonged to, so
// a profile counts the mentions the index still holds. Between sweeps the
// stage does not index a mention that is already expired (a replay of the
// enriched topic, a backfill of old posts), so nothing expired comes back.
// Several index stages sweeping at once delete the same documents; the
// second finds nothing.

type retentionMetrics struct {
	deleted *prometheus.CounterVec // by reason: sweep, skipped
	sweeps  *prometheus.CounterVec // by result
}

func newRetentionMetrics(reg prometheus.Registerer) (retentionMetrics, error) {
	m := retentionMetrics{
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index_retention",
			Name: "mentions_total", Help: "Expired mentions: deleted by a sweep (sweep) or not indexed because they arrived expired (skipped)."},
			[]string{"reason"}),
		sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index_retention",
			Name: "sweeps_total", Help: "Retention sweeps of the index, by result (ok, error)."}, []string{"result"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []**prometheus.CounterVec{&m.deleted, &m.sweeps} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return m, fmt.Errorf("registering index retention metrics: %w", err)
			}
			*c = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return m, nil
}

// SetMentionRetention sets how long mentions stay in the index (0: forever).
// Call it before Run.
func (s *Stage) SetMentionRetention(age time.Duration) { s.mentionAge = age }

// expired reports whether a mention is older than the retention allows.
func (s *Stage) expired(em *record.EnrichedMention) bool {
	return s.mentionAge > 0 && !em.CreatedAt.IsZero() && em.CreatedAt.Before(s.now().Add(-s.mentionAge))
}

// ExpireMentions deletes the mentions older than the retention and
// recounts their people's profiles. It needs a backend that implements
// index.Expirer.
func (s *Stage) ExpireMentions(ctx context.Context) (index.Expired, error) {
	var out index.Expired
	if s.mentionAge <= 0 {
		return out, nil
	}
	ex, ok := s.backend.(index.Expirer)
	if !ok {
		return out, fmt.Errorf("the %T index cannot delete expired mentions", s.backend)
	}
	out, err := ex.ExpireMentions(ctx, s.now().Add(-s.mentionAge))
	s.retention.deleted.WithLabelValues("sweep").Add(float64(out.Deleted))
	if err != nil {
		return out, err
	}
	if out.People() == 0 {
		return out, nil
	}
	people := make([]personKey, 0, out.People())
	for _, id := range out.Customers {
		people = append(people, personKey{index.ProfileCustomer, id})
	}
	for _, id := range out.Prospects {
		people = append(people, personKey{index.ProfileProspect, id})
	}
	// One profile rebuild at a time: a batch rebuilding the same person
	// meanwhile must not write a count read before this one's.
	s.mu.Lock()
	s.cache.clear()
	failed := s.refreshProfiles(ctx, people, nil)
	s.mu.Unlock()
	if len(failed) > 0 {
		var errs []error
		for p, err := range failed {
			errs = append(errs, fmt.Errorf("profile %s: %w", index.ProfileID(p.kind, p.id), err))
			if len(errs) == 3 {
				break
			}
		}
		return out, fmt.Errorf("recounting %d profiles after expiring mentions: %w", len(failed), errors.Join(errs...))
	}
	return out, nil
}

// RunRetention sweeps at once and then every interval until ctx ends. A
// failed sweep is logged and tried again at the next interval.
func (s *Stage) RunRetention(ctx context.Context, interval time.Duration) {
	if s.mentionAge <= 0 {
		return
	}
	privacy.RunSweeps(ctx, interval, func(ctx context.Context) {
		start := time.Now()
		out, err := s.ExpireMentions(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.retention.sweeps.WithLabelValues("error").Inc()
			s.logger.Warn("retention sweep of the index failed; trying again at the next interval",
				"deleted", out.Deleted, "error", err, "retry_in", interval)
		default:
			s.retention.sweeps.WithLabelValues("ok").Inc()
			level := s.logger.Debug
			if out.Deleted > 0 {
				level = s.logger.Info
			}
			level("retention sweep of the index", "older_than", s.now().Add(-s.mentionAge).UTC().Format(time.RFC3339),
				"deleted", out.Deleted, "profiles_recounted", out.People(), "took", time.Since(start).Round(time.Millisecond))
		}
	})
}
