package progress

import (
	"encoding/binary"
	"fmt"
)

// Versions remembers, for at most a fixed number of item keys, the hash of
// the content last delivered under each key, so an incremental source emits
// only new or changed items. Beyond the capacity the key written longest ago
// is forgotten. Keys and contents are 64-bit hashes (see Hash). Not safe for
// concurrent use.
type Versions struct {
	capacity int
	seq      uint64
	m        map[uint64]version
	order    []written // writes in order; stale when a later write replaced them
}

type written struct {
	key, seq uint64
}

type version struct {
	content uint64
	seq     uint64 // write order; an order entry is stale unless it matches
}

// NewVersions returns an empty map holding up to capacity keys.
func NewVersions(capacity int) *Versions {
	if capacity < 1 {
		capacity = 1
	}
	return &Versions{capacity: capacity, m: map[uint64]version{}}
}

// Get returns the content hash delivered under key.
func (v *Versions) Get(key uint64) (uint64, bool) {
	x, ok := v.m[key]
	return x.content, ok
}

// Put records content as delivered under key.
func (v *Versions) Put(key, content uint64) {
	v.seq++
	v.m[key] = version{content: content, seq: v.seq}
	v.order = append(v.order, written{key: key, seq: v.seq})
	for len(v.m) > v.capacity {
		v.evictOldest()
	}
	// Compact the order log when stale entries dominate it.
	if len(v.order) > 2*v.capacity+64 {
		v.compact()
	}
}

// Len is the number of keys remembered.
func (v *Versions) Len() int { return len(v.m) }

func (v *Versions) evictOldest() {
	for len(v.order) > 0 {
		w := v.order[0]
		v.order = v.order[1:]
		if v.live(w) {
			delete(v.m, w.key)
			return
		}
	}
}

func (v *Versions) live(w written) bool {
	x, ok := v.m[w.key]
	return ok && x.seq == w.seq
}

func (v *Versions) compact() {
	out := make([]written, 0, len(v.m))
	for _, w := range v.order {
		if v.live(w) {
			out = append(out, w)
		}
	}
	v.order = out
}

// MarshalBinary encodes the entries oldest first as key/content pairs.
func (v *Versions) MarshalBinary() ([]byte, error) {
	v.compact()
	out := make([]byte, 0, 16*len(v.order))
	for _, w := range v.order {
		out = binary.BigEndian.AppendUint64(out, w.key)
		out = binary.BigEndian.AppendUint64(out, v.m[w.key].content)
	}
	return out, nil
}

// UnmarshalBinary adds the entries of a MarshalBinary encoding.
func (v *Versions) UnmarshalBinary(b []byte) error {
	if len(b)%16 != 0 {
		return fmt.Errorf("decoding item versions: length %d is not a multiple of 16", len(b))
	}
	for i := 0; i < len(b); i += 16 {
		v.Put(binary.BigEndian.Uint64(b[i:]), binary.BigEndian.Uint64(b[i+8:]))
	}
	return nil
}
