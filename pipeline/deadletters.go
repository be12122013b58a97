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

// DeadLetter writes dl (stage, position, reason, the item's bytes), cut to
// the broker's message limit, and returns once Kafka acknowledged it.
func (d *DeadLetters) DeadLetter(ctx context.Context, dl *record.DeadLetter) error {
	if dl.At.IsZero() {
		dl.At = time.Now().UTC()
	}
	dl.Fit(d.k.maxMessageBytes())
	value, err := record.Encode(dl)
	if err != nil {
		return err
	}
	if err := d.p.ProduceSync(ctx, Output{Topic: d.k.topics.DLQ(), Key: []byte(dl.Stage), Value: value}); err != nil {
		return err
	}
	d.k.metrics.DLQ.WithLabelValues(dl.Stage).Inc()
	return nil
}

// maxMessageBytes is the largest record the producers write: the batch
// limit, which defaults to the broker's message.max.bytes.
func (k *Kafka) maxMessageBytes() int {
	if b := k.cfg.Producer.BatchBytes; b > 0 {
		return int(b)
	}
	return 1 << 20
}
