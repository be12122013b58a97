package privacy

import "fmt"

// Sealing outside the record topics. A few things Earshot keeps are not
// records of a topic the pipeline seals: a connector's checkpoint that
// remembers a pending form submission or the author of a post it follows,
// a correction kept as training data, an alert that quotes a mention. They
// are sealed with the key of the person they are about, so erasing the
// person shreds them too. These helpers never make a key: the person's
// record was written (and their key stored) before anything about them is
// kept, and a person erased since must not get a new key from a copy.

// SealFor seals b with a key of the person whose identity key (see
// record.AuthorKey) is given. ErrShredded when that person has no key.
func (k *Keyring) SealFor(identityKey string, b []byte) ([]byte, error) {
	return k.SealExisting(k.Subject(identityKey), b)
}

// SealExisting seals b with a key of subject; ErrShredded when it has none
// once the keys are caught up (see SetCatchUp).
func (k *Keyring) SealExisting(subject string, b []byte) ([]byte, error) {
	if !k.Has(subject) && !k.Erased(subject) {
		if _, err := k.caughtUp(func() bool { return k.Has(subject) || k.Erased(subject) }); err != nil {
			return nil, fmt.Errorf("sealing data of subject %s: %w", subject, err)
		}
	}
	if !k.Has(subject) {
		return nil, fmt.Errorf("sealing data of subject %s: %w", subject, ErrShredded)
	}
	v, err := k.Seal(subject, b)
	if err != nil && !k.Has(subject) { // erased between the two calls
		return nil, fmt.Errorf("sealing data of subject %s: %w", subject, ErrShredded)
	}
	return v, err
}

// OpenValue returns a sealed value's plaintext, or v itself when it is not
// sealed (written before sealing was on). ErrShredded once the person it
// belongs to was erased.
func (k *Keyring) OpenValue(v []byte) ([]byte, error) {
	if !IsSealed(v) {
		return v, nil
	}
	pt, _, err := k.Open(v)
	return pt, err
}
