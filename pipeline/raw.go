package pipeline

import (
	"context"

	"github.com/earshothq/earshot/record"
)

// RawPublisher writes connector records to the raw topic, keyed by author so
// one person's records stay on one partition (and one enrich instance).
type RawPublisher struct {
	Producer *Producer
	Topic    string
}

// NewRawPublisher returns a publisher to k's raw topic over p.
func (k *Kafka) NewRawPublisher(p *Producer) *RawPublisher {
	return &RawPublisher{Producer: p, Topic: k.topics.Raw()}
}

// Publish encodes m and queues it; done receives the broker's answer.
// With sealing enabled the record is encrypted with its author's key and
// keyed by the author's subject (a keyed hash), so neither the key nor the
// value of the stored record names the person.
func (r *RawPublisher) Publish(ctx context.Context, m *record.Mention, done func(error)) error {
	key := m.AuthorKey()
	var subject string
	if kr := r.Producer.k.Keyring(); kr != nil {
		subject = kr.Subject(key)
		key = subject
		m.Subject = subject
	}
	value, err := record.Encode(m)
	if err != nil {
		return err
	}
	return r.Producer.Produce(ctx, Output{Topic: r.Topic, Key: []byte(key), Value: value, Subject: subject}, done)
}
