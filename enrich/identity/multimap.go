package identity

// multimap maps 64-bit key hashes to uint32 values, any number of values
// per key, in 8 bytes a slot and without pointers (so a table of tens of
// millions of postings costs the garbage collector nothing to scan).
//
// Only a 32-bit fingerprint of the hash is kept and the home slot is
// derived from it, so the table can grow without the original keys. Two
// keys collide only if their fingerprints are equal, which callers
// tolerate: exact keys are verified against the stored record, and a
// spurious blocking candidate only costs one comparison.
type multimap struct {
	slots []mslot
	live  int
	dead  int
}

type mslot struct {
	fp  uint32 // 0: empty or deleted
	val uint32 // for fp 0: 0 empty, 1 deleted
}

const minSlots = 16

func fingerprint(h uint64) uint32 {
	fp := uint32(h>>32) ^ uint32(h)
	if fp == 0 {
		fp = 1
	}
	return fp
}

// add inserts a posting; the same (key, value) may be added twice and is
// then held twice.
func (m *multimap) add(h uint64, val uint32) {
	if (m.live+m.dead+1)*4 > len(m.slots)*3 {
		m.rehash()
	}
	fp := fingerprint(h)
	mask := uint32(len(m.slots) - 1)
	pos := fp & mask
	for step := uint32(1); ; step++ {
		s := &m.slots[pos]
		if s.fp == 0 {
			if s.val == 1 {
				m.dead--
			}
			s.fp, s.val = fp, val
			m.live++
			return
		}
		pos = (pos + step) & mask
	}
}

// remove deletes one posting of (key, value); it reports whether it was there.
func (m *multimap) remove(h uint64, val uint32) bool {
	if len(m.slots) == 0 {
		return false
	}
	fp := fingerprint(h)
	mask := uint32(len(m.slots) - 1)
	pos := fp & mask
	for step := uint32(1); ; step++ {
		s := &m.slots[pos]
		if s.fp == 0 && s.val == 0 {
			return false
		}
		if s.fp == fp && s.val == val {
			s.fp, s.val = 0, 1
			m.live--
			m.dead++
			return true
		}
		pos = (pos + step) & mask
	}
}

// each calls fn with every value of the key until fn returns false.
func (m *multimap) each(h uint64, fn func(uint32) bool) {
	if len(m.slots) == 0 {
		return
	}
	fp := fingerprint(h)
	mask := uint32(len(m.slots) - 1)
	pos := fp & mask
	for step := uint32(1); ; step++ {
		s := m.slots[pos]
		if s.fp == 0 && s.val == 0 {
			return
		}
		if s.fp == fp && !fn(s.val) {
			return
		}
		pos = (pos + step) & mask
	}
}

// appendValues appends the key's values to dst, at most limit of them; it
// reports false when the key has more (the caller treats it as too common).
func (m *multimap) appendValues(dst []uint32, h uint64, limit int) ([]uint32, bool) {
	n := 0
	ok := true
	m.each(h, func(v uint32) bool {
		if n == limit {
			ok = false
			return false
		}
		dst = append(dst, v)
		n++
		return true
	})
	if !ok {
		return dst[:len(dst)-n], false
	}
	return dst, true
}

// rehash grows the table when it is mostly live, or rebuilds it at the
// same size to clear deleted slots.
func (m *multimap) rehash() {
	size := max(len(m.slots), minSlots)
	if (m.live+1)*2 > size {
		size *= 2
	}
	m.resize(size)
}

// resize moves the live postings into a table of size slots.
func (m *multimap) resize(size int) {
	old := m.slots
	m.slots = make([]mslot, size)
	m.live, m.dead = 0, 0
	mask := uint32(size - 1)
	for _, s := range old {
		if s.fp == 0 {
			continue
		}
		pos := s.fp & mask
		for step := uint32(1); m.slots[pos].fp != 0; step++ {
			pos = (pos + step) & mask
		}
		m.slots[pos] = s
		m.live++
	}
}

// bytes is the table's memory.
func (m *multimap) bytes() int { return len(m.slots) * 8 }

// reserve makes room for n more postings without rehashing.
func (m *multimap) reserve(n int) {
	need := (m.live+m.dead+n)*4/3 + 1
	size := max(len(m.slots), minSlots)
	for size < need {
		size *= 2
	}
	if size != len(m.slots) {
		m.resize(size)
	}
}
