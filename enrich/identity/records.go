package identity

import (
	"unsafe"
)

// records stores the customers' packed fields in an append-only arena of
// 1 MiB chunks, with a small pointer-free header per record. A million
// customers are then a few hundred chunks for the garbage collector to
// look at, not a million strings, and no allocation is rounded up to a
// size class. Deleted and replaced records leave garbage in their chunk;
// the arena is compacted when garbage is half of it.
type records struct {
	meta    []recMeta
	chunks  [][]byte
	free    []uint32 // indices of deleted records, for reuse
	used    int      // bytes in chunks
	garbage int      // bytes of deleted records
	// minGarbage is the garbage below which compaction is not worth it
	// (0: 16 MiB).
	minGarbage int
}

// recMeta locates one record: chunk<<chunkBits | offset, and the end of
// every field relative to the record's start.
type recMeta struct {
	off  uint32
	ends [numPacked]uint16
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	deadOff   = ^uint32(0)
	// maxFieldBytes bounds one packed field so a record always fits the
	// 16-bit offsets and a chunk; longer lists lose their tail items.
	maxFieldBytes = 2048
)

// add stores a record and returns its index.
func (rs *records) add(v *view) uint32 {
	m := rs.write(v)
	if n := len(rs.free); n > 0 {
		i := rs.free[n-1]
		rs.free = rs.free[:n-1]
		rs.meta[i] = m
		return i
	}
	rs.meta = append(rs.meta, m)
	return uint32(len(rs.meta) - 1)
}

// write appends the fields to the arena.
func (rs *records) write(v *view) recMeta {
	var m recMeta
	n := 0
	var parts [numPacked]string
	for f := range numPacked {
		s := v[f]
		if len(s) > maxFieldBytes {
			s = s[:maxFieldBytes]
			for i := len(s) - 1; i > 0; i-- {
				if s[i] == listSep[0] {
					s = s[:i]
					break
				}
			}
		}
		parts[f] = s
		n += len(s)
		m.ends[f] = uint16(n)
	}
	last := len(rs.chunks) - 1
	if last < 0 || len(rs.chunks[last])+n > chunkSize {
		rs.chunks = append(rs.chunks, make([]byte, 0, chunkSize))
		last++
	}
	c := rs.chunks[last]
	m.off = uint32(last)<<chunkBits | uint32(len(c))
	for _, s := range parts {
		c = append(c, s...)
	}
	rs.chunks[last] = c
	rs.used += n
	return m
}

// remove deletes record i.
func (rs *records) remove(i uint32) {
	rs.garbage += int(rs.meta[i].ends[numPacked-1])
	rs.meta[i] = recMeta{off: deadOff}
	rs.free = append(rs.free, i)
	minGarbage := rs.minGarbage
	if minGarbage == 0 {
		minGarbage = 16 << 20
	}
	if rs.garbage > minGarbage && rs.garbage*2 > rs.used {
		rs.compact()
	}
}

func (rs *records) alive(i uint32) bool { return rs.meta[i].off != deadOff }

func (rs *records) len() int { return len(rs.meta) }

// bytes returns the record's packed bytes as a string without copying;
// chunk bytes are never changed once written, so the string stays valid
// (compaction writes new chunks).
func (rs *records) bytes(m *recMeta) string {
	n := int(m.ends[numPacked-1])
	if n == 0 || m.off == deadOff {
		return ""
	}
	c := rs.chunks[m.off>>chunkBits]
	return unsafe.String(&c[m.off&(chunkSize-1)], n)
}

func (rs *records) view(i uint32) view {
	m := &rs.meta[i]
	s := rs.bytes(m)
	var v view
	start := uint16(0)
	if s == "" {
		return v
	}
	for f := range numPacked {
		v[f] = s[start:m.ends[f]]
		start = m.ends[f]
	}
	return v
}

func (rs *records) field(i uint32, f int) string {
	m := &rs.meta[i]
	s := rs.bytes(m)
	if s == "" {
		return ""
	}
	start := uint16(0)
	if f > 0 {
		start = m.ends[f-1]
	}
	return s[start:m.ends[f]]
}

// compact copies the live records into fresh chunks.
func (rs *records) compact() {
	old := rs.chunks
	rs.chunks, rs.used, rs.garbage = nil, 0, 0
	for i := range rs.meta {
		m := &rs.meta[i]
		if m.off == deadOff {
			continue
		}
		n := int(m.ends[numPacked-1])
		src := old[m.off>>chunkBits][m.off&(chunkSize-1):]
		last := len(rs.chunks) - 1
		if last < 0 || len(rs.chunks[last])+n > chunkSize {
			rs.chunks = append(rs.chunks, make([]byte, 0, chunkSize))
			last++
		}
		m.off = uint32(last)<<chunkBits | uint32(len(rs.chunks[last]))
		rs.chunks[last] = append(rs.chunks[last], src[:n]...)
		rs.used += n
	}
}

// memory is the arena's and headers' size.
func (rs *records) memory() int {
	return len(rs.chunks)*chunkSize + cap(rs.meta)*int(unsafe.Sizeof(recMeta{})) + cap(rs.free)*4
}
