package pipeline

import (
	"context"
	"time"

	"github.com/earshothq/earshot/record"
)

// DeadLetters writes items rejected before they became records (a malformed
// line in an imported file) to the DLQ.
type DeadLetters struct {
	k *Kafka
	p *Producer
}

// NewDeadLetters returns a DLQ writer over p.
func (k *Kafka) NewDeadLetters(p *Producer) *DeadLetters { return &DeadLetters{k: k, p: p} }

// DeadLetter writes raw with the stage, position and reason, and returns
// once Kafka acknowledged it.
func (d *DeadLetters) DeadLetter(ctx context.Context, stage, position string, raw []byte, reason error) error {
	value, err := record.Encode(&record.DeadLetter{
		Stage: stage, Error: reason.Error(), Attempts: 1, Position: position,
		Partition: -1, Offset: -1, Value: raw, At: time.Now().UTC(),
	})
	if err != nil {
		return err
	}
	if err := d.p.ProduceSync(ctx, Output{Topic: d.k.topics.DLQ(), Key: []byte(stage), Value: value}); err != nil {
		return err
	}
	d.k.metrics.DLQ.WithLabelValues(stage).Inc()
	return nil
}
