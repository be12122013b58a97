// Package privacy holds what makes erasure reach every copy of a person's
// data: keyed hashes of identifiers (subjects), per-person data keys and the
// sealing of records with them (AES-256-GCM), so that deleting a person's
// keys leaves every remaining copy of their records unreadable
// (crypto-shredding). It knows nothing about Kafka: pipeline stores the keys
// in a compacted topic and seals and opens records on the way in and out.
package privacy

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// magic starts every sealed value. JSON records never start with a NUL
// byte, so a reader tells sealed from plain values without a header.
var magic = []byte{0, 'E', 'S', '1'}

const (
	subjectLen = 16 // bytes of the keyed hash kept as a subject
	serialLen  = 8
	dekLen     = 32
)

// Errors of opening a sealed value.
var (
	// ErrShredded says the value's key was deleted: the person was erased
	// and the value can never be read again.
	ErrShredded = errors.New("the record's key was erased")
	// ErrMalformed says a value starting like a sealed one is not.
	ErrMalformed = errors.New("malformed sealed record")
	// ErrKeyNotLoaded says the value's key is neither loaded nor known to
	// be deleted, and the keys could not be brought up to date to tell
	// (see SetCatchUp): the value may well be readable later. It is not
	// ErrShredded, so no caller takes it for an erasure.
	ErrKeyNotLoaded = errors.New("the record's key is not loaded yet")
)

// Keyring keeps the data keys of a process in memory, each wrapped (sealed)
// in its stored form by a key-encryption key derived from the secret, and
// computes subjects, the keyed hashes that stand for identifiers wherever an
// identifier would otherwise be written (Kafka keys, erasure requests).
type Keyring struct {
	mac  []byte
	kek  cipher.AEAD
	mu   sync.RWMutex
	keys map[string]map[string]cipher.AEAD // subject -> serial -> data key
	// onShred are called after a key's tombstone was applied.
	onShred []func(subject string)
	// erased are the subjects whose last key this keyring saw deleted.
	erased map[string]bool
	// byHeader finds a data key by the raw subject and serial bytes of a
	// sealed value's header, and sealing finds a subject's header by its
	// hex, so neither side decodes or encodes hex per record.
	byHeader map[string]cipher.AEAD
	headers  map[string]string // subject (hex) -> raw subject+serial of one of its keys
	// shredded are the raw headers of keys known to be gone: their
	// tombstone was applied, or the keys were caught up and they were not
	// there.
	shredded map[string]bool
	// catchUp loads every key stored up to now (see SetCatchUp); catching
	// serialises its calls.
	catchUp  func() error
	catching sync.Mutex
}

// NewKeyring derives the hashing key and the key-encryption key from secret
// (at least 16 bytes).
func NewKeyring(secret string) (*Keyring, error) {
	if len(secret) < 16 {
		return nil, errors.New("privacy secret: must be at least 16 characters")
	}
	mac, err := hkdf.Key(sha256.New, []byte(secret), nil, "earshot subject v1", 32)
	if err != nil {
		return nil, fmt.Errorf("deriving the subject key: %w", err)
	}
	kekBytes, err := hkdf.Key(sha256.New, []byte(secret), nil, "earshot key wrapping v1", 32)
	if err != nil {
		return nil, fmt.Errorf("deriving the key-encryption key: %w", err)
	}
	kek, err := newAEAD(kekBytes)
	if err != nil {
		return nil, err
	}
	return &Keyring{mac: mac, kek: kek, keys: map[string]map[string]cipher.AEAD{},
		byHeader: map[string]cipher.AEAD{}, headers: map[string]string{}, shredded: map[string]bool{}}, nil
}

// SetCatchUp gives the keyring a way to load every key stored up to now
// (pipeline: follow the keys topic to its current end). Another process
// stores a key before it writes the first record sealed with it, but this
// process follows the keys and reads the records independently, so a
// record can arrive before its key. Without a catch-up an unknown key
// reads as shredded; with one, Open and SealExisting first catch up, and
// only a key still missing then (or whose tombstone was seen) is shredded.
func (k *Keyring) SetCatchUp(f func() error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.catchUp = f
}

// CatchUp loads every key stored up to now (see SetCatchUp; nothing
// without one). An erasure calls it before listing a person's keys, so a
// key another process stored a moment ago is deleted too.
func (k *Keyring) CatchUp() error {
	_, err := k.caughtUp(func() bool { return false })
	return err
}

// caughtUp runs the catch-up unless known reports true once another
// caller's catch-up finished: the first of many callers waiting for keys
// written together loads them for all. It reports whether the keys are
// now up to date (false when there is no catch-up), and ErrKeyNotLoaded
// when the catch-up failed.
func (k *Keyring) caughtUp(known func() bool) (bool, error) {
	k.mu.RLock()
	f := k.catchUp
	k.mu.RUnlock()
	if f == nil {
		return false, nil
	}
	k.catching.Lock()
	defer k.catching.Unlock()
	if known() {
		return true, nil
	}
	if err := f(); err != nil {
		return false, fmt.Errorf("%w: %w", ErrKeyNotLoaded, err)
	}
	return true, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("making AES cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// OnShred adds a function called (outside the keyring's lock) after a key
// was deleted by a tombstone, e.g. to have the embedded broker compact or a
// table drop what it holds in memory of the person.
func (k *Keyring) OnShred(f func(subject string)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.onShred = append(k.onShred, f)
}

// Subject is the keyed hash (hex) of an identity key such as
// "email:anna@example.com" (see record.AuthorKey).
func (k *Keyring) Subject(identityKey string) string {
	h := hmac.New(sha256.New, k.mac)
	h.Write([]byte(identityKey))
	return hex.EncodeToString(h.Sum(nil)[:subjectLen])
}

// StoredKey is a data key as written to the keys topic: topic key
// "SUBJECT/SERIAL", value the key sealed by the key-encryption key.
type StoredKey struct {
	Key   []byte
	Value []byte
}

// KeyID splits a keys-topic key into subject and serial.
func KeyID(topicKey []byte) (subject, serial string, ok bool) {
	s, r, ok := strings.Cut(string(topicKey), "/")
	if !ok || len(s) != 2*subjectLen || len(r) != 2*serialLen {
		return "", "", false
	}
	return s, r, true
}

// NewKey makes a fresh data key for subject and returns it in its stored
// form; it is usable once Apply saw it (the caller writes it to the keys
// topic first, so no record is sealed with a key that is not stored).
func (k *Keyring) NewKey(subject string) (StoredKey, error) {
	serial := make([]byte, serialLen)
	dek := make([]byte, dekLen)
	if _, err := rand.Read(serial); err != nil {
		return StoredKey{}, fmt.Errorf("drawing a key serial: %w", err)
	}
	if _, err := rand.Read(dek); err != nil {
		return StoredKey{}, fmt.Errorf("drawing a data key: %w", err)
	}
	id := subject + "/" + hex.EncodeToString(serial)
	nonce := make([]byte, k.kek.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return StoredKey{}, fmt.Errorf("drawing a nonce: %w", err)
	}
	wrapped := k.kek.Seal(nonce, nonce, dek, []byte(id))
	return StoredKey{Key: []byte(id), Value: wrapped}, nil
}

// Apply loads one record of the keys topic: a wrapped key, or a tombstone
// that deletes it from memory.
func (k *Keyring) Apply(topicKey, value []byte) error {
	subject, serial, ok := KeyID(topicKey)
	if !ok || len(rawHeader(subject, serial)) != subjectLen+serialLen {
		return fmt.Errorf("keys topic: malformed key %q", topicKey)
	}
	if value == nil {
		k.mu.Lock()
		_, had := k.keys[subject][serial]
		delete(k.keys[subject], serial)
		hdr := rawHeader(subject, serial)
		delete(k.byHeader, hdr)
		k.shredded[hdr] = true
		if k.headers[subject] == hdr {
			delete(k.headers, subject)
			for other := range k.keys[subject] { // another key of the subject, if any
				k.headers[subject] = rawHeader(subject, other)
				break
			}
		}
		if len(k.keys[subject]) == 0 {
			delete(k.keys, subject)
			if had {
				if k.erased == nil {
					k.erased = map[string]bool{}
				}
				k.erased[subject] = true
			}
		}
		listeners := k.onShred
		k.mu.Unlock()
		if had {
			for _, f := range listeners {
				f(subject)
			}
		}
		return nil
	}
	ns := k.kek.NonceSize()
	if len(value) < ns {
		return fmt.Errorf("keys topic: key %s: %w", topicKey, ErrMalformed)
	}
	dek, err := k.kek.Open(nil, value[:ns], value[ns:], topicKey)
	if err != nil {
		return fmt.Errorf("keys topic: unwrapping key %s (is privacy.secret the one it was written with?): %w", topicKey, err)
	}
	aead, err := newAEAD(dek)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys[subject] == nil {
		k.keys[subject] = map[string]cipher.AEAD{}
	}
	k.keys[subject][serial] = aead
	hdr := rawHeader(subject, serial)
	k.byHeader[hdr] = aead
	if _, ok := k.headers[subject]; !ok {
		k.headers[subject] = hdr
	}
	return nil
}

// Erased reports whether this keyring saw the last key of subject deleted
// (and no new one since): the person was forgotten.
func (k *Keyring) Erased(subject string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.erased[subject] && len(k.keys[subject]) == 0
}

// rawHeader is the subject and serial bytes a sealed value carries.
// A malformed one is shorter than subjectLen+serialLen.
func rawHeader(subject, serial string) string {
	sb, err1 := hex.DecodeString(subject)
	rb, err2 := hex.DecodeString(serial)
	if err1 != nil || err2 != nil {
		return ""
	}
	return string(sb) + string(rb)
}

// Has reports whether a key of subject is loaded.
func (k *Keyring) Has(subject string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.keys[subject]) > 0
}

// Serials lists the loaded keys of a subject as keys-topic keys.
func (k *Keyring) Serials(subject string) []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]string, 0, len(k.keys[subject]))
	for s := range k.keys[subject] {
		out = append(out, subject+"/"+s)
	}
	sort.Strings(out)
	return out
}

// Len is the number of subjects with a key.
func (k *Keyring) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.keys)
}

// Seal encrypts plaintext with a key of subject. Layout: magic, subject (16
// bytes), serial (8), nonce (12), ciphertext with tag; subject and serial
// are authenticated. It fails when subject has no key (NewKey and Apply
// first).
func (k *Keyring) Seal(subject string, plaintext []byte) ([]byte, error) {
	k.mu.RLock()
	hdr, ok := k.headers[subject] // any key of the subject will do
	aead := k.byHeader[hdr]
	k.mu.RUnlock()
	if !ok || aead == nil {
		if _, err := hex.DecodeString(subject); err != nil || len(subject) != 2*subjectLen {
			return nil, fmt.Errorf("sealing: malformed subject %q", subject)
		}
		return nil, fmt.Errorf("sealing a record of subject %s: no key loaded", subject)
	}
	out := make([]byte, 0, len(magic)+len(hdr)+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out = append(out, magic...)
	out = append(out, hdr...)
	header := len(out)
	nonce := out[header : header+aead.NonceSize()]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("drawing a nonce: %w", err)
	}
	out = out[:header+aead.NonceSize()]
	return aead.Seal(out, nonce, plaintext, out[:header]), nil
}

// IsSealed reports whether v is a sealed value.
func IsSealed(v []byte) bool { return bytes.HasPrefix(v, magic) }

// SubjectOf returns the subject a sealed value was sealed for.
func SubjectOf(v []byte) (string, bool) {
	if !IsSealed(v) || len(v) < len(magic)+subjectLen+serialLen {
		return "", false
	}
	return hex.EncodeToString(v[len(magic) : len(magic)+subjectLen]), true
}

// Open decrypts a sealed value and returns the plaintext and its subject.
// ErrShredded means the key is gone (the person was erased).
func (k *Keyring) Open(v []byte) ([]byte, string, error) {
	subject, ok := SubjectOf(v)
	if !ok {
		return nil, "", ErrMalformed
	}
	header := len(magic) + subjectLen + serialLen
	hdr := string(v[len(magic):header])
	aead, gone := k.dataKey(hdr)
	if aead == nil && !gone {
		current, err := k.caughtUp(func() bool { a, g := k.dataKey(hdr); return a != nil || g })
		if err != nil {
			return nil, subject, err
		}
		if aead, gone = k.dataKey(hdr); aead == nil && !gone && current {
			// Stored keys are all loaded and this one is not among them:
			// it was deleted, and its tombstone compacted away.
			k.mu.Lock()
			k.shredded[hdr] = true
			k.mu.Unlock()
		}
	}
	if aead == nil {
		return nil, subject, ErrShredded
	}
	if len(v) < header+aead.NonceSize()+aead.Overhead() {
		return nil, subject, ErrMalformed
	}
	pt, err := aead.Open(nil, v[header:header+aead.NonceSize()], v[header+aead.NonceSize():], v[:header])
	if err != nil {
		return nil, subject, fmt.Errorf("opening a record of subject %s: %w", subject, ErrMalformed)
	}
	return pt, subject, nil
}

// dataKey finds the data key of a raw header, and whether it is known
// to be gone.
func (k *Keyring) dataKey(hdr string) (cipher.AEAD, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.byHeader[hdr], k.shredded[hdr]
}
