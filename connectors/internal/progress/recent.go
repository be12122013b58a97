package progress

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
)

// Hash is the 64-bit FNV-1a hash of s, the form in which connectors remember
// ids: stable across processes and small enough to keep many.
func Hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// Recent is a set of at most a fixed number of hashes; adding beyond the
// capacity forgets the oldest. Connectors remember recently delivered ids in
// it so a restart does not deliver them again. Not safe for concurrent use.
type Recent struct {
	ring []uint64
	next int
	full bool
	set  map[uint64]struct{}
}

// NewRecent returns an empty set holding up to capacity hashes.
func NewRecent(capacity int) *Recent {
	if capacity < 1 {
		capacity = 1
	}
	return &Recent{ring: make([]uint64, capacity), set: make(map[uint64]struct{}, capacity)}
}

// Has reports whether h is in the set.
func (r *Recent) Has(h uint64) bool {
	_, ok := r.set[h]
	return ok
}

// Add inserts h, forgetting the oldest hash when full. Adding a present hash
// does nothing.
func (r *Recent) Add(h uint64) {
	if r.Has(h) {
		return
	}
	if r.full {
		delete(r.set, r.ring[r.next])
	}
	r.ring[r.next] = h
	r.set[h] = struct{}{}
	r.next++
	if r.next == len(r.ring) {
		r.next, r.full = 0, true
	}
}

// Len is the number of hashes held.
func (r *Recent) Len() int { return len(r.set) }

// MarshalBinary encodes the hashes oldest first, 8 bytes each.
func (r *Recent) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, 8*r.Len())
	start, n := 0, r.next
	if r.full {
		start, n = r.next, len(r.ring)
	}
	for i := 0; i < n; i++ {
		out = binary.BigEndian.AppendUint64(out, r.ring[(start+i)%len(r.ring)])
	}
	return out, nil
}

// UnmarshalBinary adds the hashes of a MarshalBinary encoding, oldest first,
// keeping the newest when there are more than the capacity.
func (r *Recent) UnmarshalBinary(b []byte) error {
	if len(b)%8 != 0 {
		return fmt.Errorf("decoding recent ids: length %d is not a multiple of 8", len(b))
	}
	for i := 0; i < len(b); i += 8 {
		r.Add(binary.BigEndian.Uint64(b[i:]))
	}
	return nil
}
