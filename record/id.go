package record

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// RecordID is the deterministic id of a record: a hash of its source and its
// source-native id. A replayed record gets the same id and overwrites itself
// downstream instead of duplicating.
func RecordID(source, sourceID string) string {
	return hashID(source, sourceID)
}

// hashID hashes parts with a separator that cannot occur in them ambiguously
// (a length prefix), and keeps 128 bits: enough to never collide in practice,
// short enough for keys and URLs.
func hashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var n [4]byte
		l := len(p)
		n[0], n[1], n[2], n[3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// AuthorKey is the partitioning key of a raw record: the strongest identity
// the source gives for its author (email, then phone, then platform handle,
// then profile URL, then the platform's account id). Records with no author
// identity at all are keyed by source so they still spread deterministically.
func AuthorKey(source string, a Author) string {
	platform := a.Platform
	if platform == "" {
		platform = source
	}
	switch {
	case a.Email != "":
		return "email:" + strings.ToLower(strings.TrimSpace(a.Email))
	case a.Phone != "":
		return "phone:" + strings.TrimSpace(a.Phone)
	case a.Handle != "":
		return "handle:" + platform + ":" + strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a.Handle), "@"))
	case a.ProfileURL != "":
		return "url:" + strings.ToLower(strings.TrimSpace(a.ProfileURL))
	case a.ID != "":
		return "account:" + platform + ":" + a.ID
	case a.Name != "":
		return "name:" + platform + ":" + strings.ToLower(strings.TrimSpace(a.Name))
	}
	return "source:" + source
}
