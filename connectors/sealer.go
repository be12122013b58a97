package connectors

import (
	"errors"
	"fmt"

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

// KeyringSealer seals with kr; with a nil kr (no privacy.secret) values are
// kept as they are.
func KeyringSealer(kr *privacy.Keyring) Sealer {
	if kr == nil {
		return plainSealer{}
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
