package alert

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Deliveries live in a compacted topic, where Kafka's retention.ms does not
// apply: the last record of each delivery would stay for ever, quoting the
// mentions its notification carried. ExpireDeliveries removes those the
// notifications retention period has passed, so the delivery log keeps as
// long as the notifications topic does.

// ExpireDeliveries tombstones every finished delivery (delivered or failed)
// last changed before cut, then writes compaction markers so the cleaner
// can drop them; a delivery still waiting for an attempt stays until it is
// done. It returns how many it removed. Several instances sweeping at once
// write the same tombstones.
func (s *Store) ExpireDeliveries(ctx context.Context, cut time.Time) (int, error) {
	topic := s.k.Topics().Name(pipeline.RoleDeliveries)
	var outs []pipeline.Output
	var ids []string
	for id, d := range s.deliveries.all() {
		finished := d.Status == record.DeliveryDelivered || d.Status == record.DeliveryFailed
		if finished && d.UpdatedAt.Before(cut) {
			outs = append(outs, pipeline.Output{Topic: topic, Key: []byte(id)})
			ids = append(ids, id)
		}
	}
	if len(outs) == 0 {
		return 0, nil
	}
	if err := s.producer.ProduceSync(ctx, outs...); err != nil {
		return 0, fmt.Errorf("removing %d expired alert deliveries: %w", len(outs), err)
	}
	for _, id := range ids {
		s.deliveries.put(id, nil, nil)
	}
	markers, err := s.k.CompactionMarkers(ctx, topic)
	if err == nil {
		err = s.producer.ProduceSync(ctx, markers...)
	}
	if err != nil {
		return len(ids), fmt.Errorf("the expired alert deliveries were removed, but writing compaction markers failed: %w", err)
	}
	return len(ids), nil
}

// RunDeliveryExpiry removes deliveries older than age at once and every
// interval until ctx ends; a failed round is logged and tried again at the
// next interval.
func (s *Store) RunDeliveryExpiry(ctx context.Context, age, interval time.Duration) error {
	privacy.RunSweeps(ctx, interval, func(ctx context.Context) {
		cut := s.now().Add(-age)
		n, err := s.ExpireDeliveries(ctx, cut)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.logger.Warn("removing expired alert deliveries failed; trying again at the next interval", "removed", n, "error", err, "retry_in", interval)
		case n > 0:
			s.logger.Info("removed alert deliveries older than the notifications retention", "removed", n,
				"older_than", cut.UTC().Format(time.RFC3339))
		}
	})
	return nil
}
