package connectors

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/earshothq/earshot/privacy"
)

// Sealer seals what a connector keeps about a person beyond the record it
// published (a pending form submission, the author of a post whose
// deletion it follows) with that person's data key, so that erasing the
// person (`earshot customers forget`) leaves the kept copy unreadable.
type Sealer interface {
	// Seal encrypts b for the person whose identity key (record.AuthorKey)
	// is given. It fails with privacy.ErrShredded when the person has no
	// key: erased since their record was written; keep nothing then.
	Seal(identityKey string, b []byte) ([]byte, error)
	// Open returns what Seal sealed (and plain values as they are). It
	// fails with privacy.ErrShredded once the person was erased: the caller
	// drops what it kept.
	Open(b []byte) ([]byte, error)
}

// KeyringSealer seals with kr; nil when kr is nil (no privacy.secret:
// values are kept as they are).
func KeyringSealer(kr *privacy.Keyring) Sealer {
	if kr == nil {
		return nil
	}
	return keyringSealer{kr}
}

// PersonalSealer is the host's Sealer, or one that keeps values as they
// are when the host gave none (tests, one-shot runs).
func (d Deps) PersonalSealer() Sealer {
	if d.Sealer == nil {
		return plainSealer{}
	}
	return d.Sealer
}

// Erased reports whether err says the person was erased.
func Erased(err error) bool { return errors.Is(err, privacy.ErrShredded) }

type keyringSealer struct{ kr *privacy.Keyring }

func (s keyringSealer) Seal(identityKey string, b []byte) ([]byte, error) {
	return s.kr.SealFor(identityKey, b)
}

func (s keyringSealer) Open(b []byte) ([]byte, error) { return s.kr.OpenValue(b) }

type plainSealer struct{}

func (plainSealer) Seal(_ string, b []byte) ([]byte, error) { return b, nil }

func (plainSealer) Open(b []byte) ([]byte, error) {
	if privacy.IsSealed(b) {
		return nil, fmt.Errorf("opening kept data: it is sealed and this process has no privacy.secret")
	}
	return b, nil
}

// MemorySealer is a Sealer over a keyring of its own, for tests and
// one-shot runs: a person gets a key when first sealed for (the pipeline
// stores one before their first record), and Forget erases one.
type MemorySealer struct {
	kr        *privacy.Keyring
	mu        sync.Mutex
	keys      map[string][]byte // identity key -> keys-topic key
	forgotten map[string]bool
}

// NewMemorySealer returns a sealer with a fresh random secret.
func NewMemorySealer() *MemorySealer {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	kr, err := privacy.NewKeyring(hex.EncodeToString(secret))
	if err != nil {
		panic(err) // a 64-character secret is always accepted
	}
	return &MemorySealer{kr: kr, keys: map[string][]byte{}, forgotten: map[string]bool{}}
}

// Seal makes the person's key on first use (unless they were forgotten).
func (m *MemorySealer) Seal(identityKey string, b []byte) ([]byte, error) {
	m.mu.Lock()
	if m.keys[identityKey] == nil && !m.forgotten[identityKey] {
		sk, err := m.kr.NewKey(m.kr.Subject(identityKey))
		if err == nil {
			err = m.kr.Apply(sk.Key, sk.Value)
		}
		if err != nil {
			m.mu.Unlock()
			return nil, err
		}
		m.keys[identityKey] = sk.Key
	}
	m.mu.Unlock()
	return m.kr.SealFor(identityKey, b)
}

// Open opens what Seal sealed.
func (m *MemorySealer) Open(b []byte) ([]byte, error) { return m.kr.OpenValue(b) }

// Forget erases the person's key, as `earshot customers forget` does.
func (m *MemorySealer) Forget(identityKey string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k := m.keys[identityKey]; k != nil {
		_ = m.kr.Apply(k, nil)
	}
	delete(m.keys, identityKey)
	m.forgotten[identityKey] = true
}
