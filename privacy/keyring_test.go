package privacy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func newRing(t *testing.T, secret string) *Keyring {
	t.Helper()
	k, err := NewKeyring(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenAndShred(t *testing.T) {
	k := newRing(t, "a secret of sixteen+")
	anna, jan := k.Subject("email:anna@example.com"), k.Subject("email:jan@example.pl")
	if anna == jan || len(anna) != 32 {
		t.Fatalf("subjects %q %q", anna, jan)
	}
	if k.Subject("email:anna@example.com") != anna {
		t.Fatal("subject is not deterministic")
	}
	if _, err := k.Seal(anna, []byte("x")); err == nil {
		t.Fatal("sealed without a key")
	}
	var stored []StoredKey
	for _, s := range []string{anna, jan} {
		sk, err := k.NewKey(s)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sk.Value, []byte(s)) {
			t.Fatal("stored key names its subject in the value")
		}
		if err := k.Apply(sk.Key, sk.Value); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, sk)
	}
	plain := []byte(`{"text":"Ekspres przestał działać","email":"anna@example.com"}`)
	sealed, err := k.Seal(anna, plain)
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || bytes.Contains(sealed, []byte("anna")) || bytes.Contains(sealed, []byte("Ekspres")) {
		t.Fatalf("sealed value leaks plaintext: %q", sealed)
	}
	got, subject, err := k.Open(sealed)
	if err != nil || subject != anna || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %q %v", got, subject, err)
	}
	// Tampering is detected.
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, _, err := k.Open(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("tampered value opened: %v", err)
	}
	// Another process with the same secret loads the stored keys.
	other := newRing(t, "a secret of sixteen+")
	for _, sk := range stored {
		if err := other.Apply(sk.Key, sk.Value); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := other.Open(sealed); err != nil {
		t.Fatalf("second process: %v", err)
	}
	// A wrong secret cannot unwrap them.
	if err := newRing(t, "another secret 16+").Apply(stored[0].Key, stored[0].Value); err == nil {
		t.Fatal("a key unwrapped with the wrong secret")
	}
	// Shredding: the tombstone removes the key and the value is gone for good.
	var shredded []string
	k.OnShred(func(s string) { shredded = append(shredded, s) })
	for _, id := range k.Serials(anna) {
		if err := k.Apply([]byte(id), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := k.Open(sealed); !errors.Is(err, ErrShredded) {
		t.Fatalf("open after shredding: %v", err)
	}
	if len(shredded) != 1 || shredded[0] != anna || k.Has(anna) || !k.Has(jan) {
		t.Fatalf("shredded %v; anna %v jan %v", shredded, k.Has(anna), k.Has(jan))
	}
}

func TestKeyringRejectsShortSecretAndMalformedKeys(t *testing.T) {
	if _, err := NewKeyring("short"); err == nil {
		t.Fatal("short secret accepted")
	}
	k := newRing(t, "a secret of sixteen+")
	if err := k.Apply([]byte("not-a-key-id"), []byte("x")); err == nil {
		t.Fatal("malformed key id accepted")
	}
	if (Config{Secret: "short"}).Validate() == nil {
		t.Fatal("config with a short secret validated")
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	dir := t.TempDir()
	s1, err := LoadOrCreateSecret(dir)
	if err != nil || len(s1) < 16 {
		t.Fatalf("%q %v", s1, err)
	}
	s2, err := LoadOrCreateSecret(dir)
	if err != nil || s2 != s1 {
		t.Fatalf("second load %q %v", s2, err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v %v", fi.Mode(), err)
	}
}

// A subject with two keys (two processes created one each): values sealed
// with either open; shredding one leaves sealing on the other; shredding
// both shreds the subject.
func TestTwoKeysOfOneSubject(t *testing.T) {
	k := newRing(t, "a secret of sixteen+")
	anna := k.Subject("email:anna@example.com")
	var ids []string
	var sealed [][]byte
	for range 2 {
		sk, err := k.NewKey(anna)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Apply(sk.Key, sk.Value); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, string(sk.Key))
		v, err := k.Seal(anna, []byte("tekst"))
		if err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, v)
	}
	// Sealing keeps one key: seal again and shred the one it used.
	v, err := k.Seal(anna, []byte("tekst"))
	if err != nil {
		t.Fatal(err)
	}
	used := anna + "/" + fmt.Sprintf("%x", v[len(magic)+subjectLen:len(magic)+subjectLen+serialLen])
	if !slices.Contains(ids, used) {
		t.Fatalf("sealed with %s, not one of %v", used, ids)
	}
	if err := k.Apply([]byte(used), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.Open(v); !errors.Is(err, ErrShredded) {
		t.Fatalf("a value of the shredded key opened: %v", err)
	}
	w, err := k.Seal(anna, []byte("dalej"))
	if err != nil {
		t.Fatalf("sealing with the remaining key: %v", err)
	}
	if got, _, err := k.Open(w); err != nil || string(got) != "dalej" {
		t.Fatalf("open with the remaining key: %q %v", got, err)
	}
	for _, id := range ids {
		if err := k.Apply([]byte(id), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range append(sealed, w) {
		if _, _, err := k.Open(v); !errors.Is(err, ErrShredded) {
			t.Fatalf("opened after both keys were shredded: %v", err)
		}
	}
	if _, err := k.Seal(anna, []byte("x")); err == nil || k.Has(anna) {
		t.Fatalf("sealed after shredding: %v (has %v)", err, k.Has(anna))
	}
	// A keys-topic key of the right length that is not hex is refused.
	if err := k.Apply([]byte(strings.Repeat("z", 2*subjectLen)+"/"+strings.Repeat("0", 2*serialLen)), []byte("x")); err == nil {
		t.Fatal("a non-hex key id was accepted")
	}
}

// A record sealed by another process can arrive before this process loaded
// its key: Open catches the keys up once and reads it; a key still missing
// after catching up, or whose tombstone was seen, is shredded without
// another catch-up; a catch-up that fails is not taken for an erasure.
func TestOpenCatchesUpWithKeysStoredElsewhere(t *testing.T) {
	writer, reader := newRing(t, "a secret of sixteen+"), newRing(t, "a secret of sixteen+")
	// newPerson stores a key in the writer alone and seals text with it.
	newPerson := func(identity, text string) (string, StoredKey, []byte) {
		subject := writer.Subject(identity)
		sk, err := writer.NewKey(subject)
		if err != nil {
			t.Fatal(err)
		}
		if err := writer.Apply(sk.Key, sk.Value); err != nil {
			t.Fatal(err)
		}
		sealed, err := writer.Seal(subject, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return subject, sk, sealed
	}
	anna, sk, sealed := newPerson("email:anna@example.com", "hello")

	// No catch-up: an unknown key reads as shredded, as before.
	if _, _, err := reader.Open(sealed); !errors.Is(err, ErrShredded) {
		t.Fatalf("without a catch-up: %v, want ErrShredded", err)
	}

	// A catch-up that fails: not shredded, and the record opens later.
	reader.SetCatchUp(func() error { return errors.New("keys topic unreachable") })
	if _, _, err := reader.Open(sealed); !errors.Is(err, ErrKeyNotLoaded) || errors.Is(err, ErrShredded) {
		t.Fatalf("failed catch-up: %v, want ErrKeyNotLoaded and not ErrShredded", err)
	}
	if _, err := reader.SealExisting(anna, []byte("x")); !errors.Is(err, ErrKeyNotLoaded) {
		t.Fatalf("SealExisting with a failed catch-up: %v, want ErrKeyNotLoaded", err)
	}

	// A catch-up that loads the key: the record opens.
	calls := 0
	reader.SetCatchUp(func() error { calls++; return reader.Apply(sk.Key, sk.Value) })
	pt, subject, err := reader.Open(sealed)
	if err != nil || string(pt) != "hello" || subject != anna || calls != 1 {
		t.Fatalf("after catching up: %q %q %v (%d catch-ups), want hello from %s after one", pt, subject, err, calls, anna)
	}
	if _, _, err := reader.Open(sealed); err != nil || calls != 1 {
		t.Fatalf("a loaded key caught up again (%d) or failed: %v", calls, err)
	}

	// A key the catch-up does not find was deleted: shredded, and known so.
	_, _, janSealed := newPerson("email:jan@example.pl", "bye")
	calls = 0
	for range 3 {
		if _, _, err := reader.Open(janSealed); !errors.Is(err, ErrShredded) {
			t.Fatalf("a key missing after catching up: %v, want ErrShredded", err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d catch-ups for one missing key, want 1", calls)
	}

	// A key whose tombstone was applied is shredded without a catch-up.
	if err := reader.Apply(sk.Key, nil); err != nil {
		t.Fatal(err)
	}
	calls = 0
	if _, _, err := reader.Open(sealed); !errors.Is(err, ErrShredded) || calls != 0 {
		t.Fatalf("tombstoned key: %v after %d catch-ups, want ErrShredded after none", err, calls)
	}
	if _, err := reader.SealExisting(anna, []byte("x")); !errors.Is(err, ErrShredded) || calls != 0 {
		t.Fatalf("SealExisting for an erased person: %v after %d catch-ups, want ErrShredded after none", err, calls)
	}
}

// CatchUp loads the keys stored elsewhere (an erasure lists a person's
// keys after it), and says when it could not.
func TestCatchUpLoadsKeysStoredElsewhere(t *testing.T) {
	writer, reader := newRing(t, "a secret of sixteen+"), newRing(t, "a secret of sixteen+")
	if err := reader.CatchUp(); err != nil {
		t.Fatalf("without a catch-up: %v", err)
	}
	anna := writer.Subject("email:anna@example.com")
	sk, err := writer.NewKey(anna)
	if err != nil {
		t.Fatal(err)
	}
	reader.SetCatchUp(func() error { return reader.Apply(sk.Key, sk.Value) })
	if err := reader.CatchUp(); err != nil || !slices.Equal(reader.Serials(anna), []string{string(sk.Key)}) {
		t.Fatalf("after catching up: %v, serials %v, want [%s]", err, reader.Serials(anna), sk.Key)
	}
	reader.SetCatchUp(func() error { return errors.New("keys topic unreachable") })
	if err := reader.CatchUp(); !errors.Is(err, ErrKeyNotLoaded) {
		t.Fatalf("failed catch-up: %v, want ErrKeyNotLoaded", err)
	}
}
