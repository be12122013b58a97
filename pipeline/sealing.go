package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/earshothq/earshot/privacy"
)

// sealing is the per-person encryption of records (see package privacy):
// the keyring, loaded from and kept in step with the keys topic, and the
// producer that stores new keys.
type sealing struct {
	ring     *privacy.Keyring
	mu       sync.Mutex
	producer *Producer
	// creating serialises key creation per subject within the process, so
	// one process writes one key per person.
	creating map[string]*sync.Mutex
}

// EnableSealing loads the keys topic into kr and keeps following it, then
// seals every Output with a Subject and opens every sealed record this
// handle reads. Records whose key was erased are skipped by stages and
// sinks (counted in earshot_pipeline_shredded_total). It returns once the
// keys present at the call are loaded.
func (k *Kafka) EnableSealing(ctx context.Context, kr *privacy.Keyring) (*Table, error) {
	if kr == nil {
		return nil, errors.New("enabling sealing: no keyring")
	}
	var applyErr error
	var errMu sync.Mutex
	t, err := k.FollowTable(ctx, k.topics.Keys(), func(m Message) {
		if err := kr.Apply(m.Key, m.Value); err != nil {
			errMu.Lock()
			applyErr = err
			errMu.Unlock()
			k.logger.Error("loading a data key", "error", err, "offset", m.Offset, "partition", m.Partition)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("following the keys topic: %w", err)
	}
	if err := t.WaitCaughtUp(ctx); err != nil {
		return nil, fmt.Errorf("loading the keys topic: %w", err)
	}
	errMu.Lock()
	defer errMu.Unlock()
	if applyErr != nil {
		return nil, fmt.Errorf("loading the keys topic: %w", applyErr)
	}
	k.seal = &sealing{ring: kr, creating: map[string]*sync.Mutex{}}
	// A record read here can come before its key does (another process
	// stores the key, then writes the record; this one follows the keys
	// and reads the record independently): an unknown key is looked for
	// up to the keys topic's end before the record counts as erased.
	kr.SetCatchUp(func() error {
		cctx, cancel := context.WithTimeout(ctx, keyCatchUpTimeout)
		defer cancel()
		return t.CatchUp(cctx)
	})
	return t, nil
}

// keyCatchUpTimeout bounds one wait for the keys topic; a reader that
// times out retries (openWaiting) rather than take the record for erased.
const keyCatchUpTimeout = 30 * time.Second

// Keyring returns the keyring sealing is enabled with, or nil.
func (k *Kafka) Keyring() *privacy.Keyring {
	if k.seal == nil {
		return nil
	}
	return k.seal.ring
}

// EnsureKey makes sure subject has a stored key, writing a new one when
// none is loaded (sealing must be enabled).
func (k *Kafka) EnsureKey(ctx context.Context, subject string) error {
	if k.seal == nil {
		return errors.New("ensuring a data key: sealing is not enabled")
	}
	return k.ensureKey(ctx, subject)
}

// ensureKey makes sure subject has a stored key, writing a new one to the
// keys topic (acknowledged) before any record is sealed with it.
func (k *Kafka) ensureKey(ctx context.Context, subject string) error {
	s := k.seal
	if s.ring.Has(subject) {
		return nil
	}
	s.mu.Lock()
	lock := s.creating[subject]
	if lock == nil {
		lock = &sync.Mutex{}
		s.creating[subject] = lock
	}
	if s.producer == nil {
		// A new person's first record waits for their key: write each
		// key at once instead of waiting for a batch to fill.
		pc := k.cfg.Producer
		pc.BatchSize = 1
		s.producer = k.newProducer("keys", 100, pc)
	}
	p := s.producer
	s.mu.Unlock()
	lock.Lock()
	defer func() {
		lock.Unlock()
		s.mu.Lock()
		delete(s.creating, subject)
		s.mu.Unlock()
	}()
	if s.ring.Has(subject) {
		return nil
	}
	sk, err := s.ring.NewKey(subject)
	if err != nil {
		return err
	}
	if err := p.ProduceSync(ctx, Output{Topic: k.topics.Keys(), Key: sk.Key, Value: sk.Value}); err != nil {
		return fmt.Errorf("storing a data key: %w", err)
	}
	return s.ring.Apply(sk.Key, sk.Value)
}

// sealOutput encrypts out's value for its subject when sealing is on.
func (k *Kafka) sealOutput(ctx context.Context, out Output) (Output, error) {
	if k.seal == nil || out.Subject == "" || out.Value == nil || privacy.IsSealed(out.Value) {
		return out, nil
	}
	if err := k.ensureKey(ctx, out.Subject); err != nil {
		return out, err
	}
	v, err := k.seal.ring.Seal(out.Subject, out.Value)
	if err != nil {
		return out, err
	}
	out.Value = v
	return out, nil
}

// openWaiting is openMessage for a reader that must not lose a record: while
// the record's key cannot be loaded (the keys topic unreachable), it waits
// and tries again until ctx ends. Any other error is returned as is:
// privacy.ErrShredded for an erased person, a malformed value that
// decoding will name.
func (k *Kafka) openWaiting(ctx context.Context, m *Message) error {
	backoff := time.Second
	for {
		err := k.openMessage(m)
		if !errors.Is(err, privacy.ErrKeyNotLoaded) {
			return err
		}
		k.logger.Warn("a record's key is not loaded yet; waiting for the keys topic", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// openMessage replaces a sealed value with its plaintext, keeping the
// sealed bytes for the dead-letter queue. It returns privacy.ErrShredded
// for a record of an erased person.
func (k *Kafka) openMessage(m *Message) error {
	if !privacy.IsSealed(m.Value) {
		return nil
	}
	if k.seal == nil {
		return nil // left sealed: decoding it fails and says so
	}
	pt, subject, err := k.seal.ring.Open(m.Value)
	m.Subject = subject
	if err != nil {
		return err
	}
	m.sealed = m.Value
	m.Value = pt
	return nil
}

// inheritSubject seals what a stage writes from a person's record to the
// topics that hold mentions (raw, enriched, filtered) with the same person's
// key, unless the processor chose a subject itself.
func (k *Kafka) inheritSubject(m Message, outs []Output) {
	if m.Subject == "" {
		return
	}
	for i := range outs {
		if outs[i].Subject != "" {
			continue
		}
		switch outs[i].Topic {
		case k.topics.Raw(), k.topics.Enriched(), k.topics.Filtered(), k.topics.DLQ():
			outs[i].Subject = m.Subject
		}
	}
}
