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
	// limit, when set, caps the values of one key: a key that reaches it
	// is too common to select anything, so its values are dropped and the
	// key is remembered as heavy (lookups and inserts then cost one map
	// lookup instead of walking thousands of slots).
	limit int
	heavy map[uint32]struct{}
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
// then held twice. It reports false when the key is heavy.
func (m *multimap) add(h uint64, val uint32) bool {
	fp := fingerprint(h)
	if m.isHeavy(fp) {
		return false
	}
	// Grow at 7/8 full, like Swiss tables: probe sequences stay short
	// (the first probes share a cache line) and memory is not doubled
	// before it must be.
	if (m.live+m.dead+1)*8 > len(m.slots)*7 {
		m.rehash()
	}
	mask := uint32(len(m.slots) - 1)
	pos := fp & mask
	free := -1
	count := 0
	for step := uint32(1); ; step++ {
		s := m.slots[pos]
		if s.fp == 0 && s.val == 0 {
			break
		}
		if s.fp == 0 && free < 0 {
			free = int(pos)
		}
		if s.fp == fp {
			count++
		}
		if m.limit == 0 && free >= 0 {
			break // without a limit there is nothing to count
		}
		pos = (pos + step) & mask
	}
	if m.limit > 0 && count >= m.limit {
		m.makeHeavy(fp)
		return false
	}
	if free < 0 {
		free = int(pos)
	} else {
		m.dead--
	}
	m.slots[free] = mslot{fp: fp, val: val}
	m.live++
	return true
}

func (m *multimap) isHeavy(fp uint32) bool {
	if m.heavy == nil {
		return false
	}
	_, ok := m.heavy[fp]
	return ok
}

// makeHeavy marks a key heavy and drops its values.
func (m *multimap) makeHeavy(fp uint32) {
	if m.heavy == nil {
		m.heavy = map[uint32]struct{}{}
	}
	m.heavy[fp] = struct{}{}
	mask := uint32(len(m.slots) - 1)
	pos := fp & mask
	for step := uint32(1); ; step++ {
		s := &m.slots[pos]
		if s.fp == 0 && s.val == 0 {
			return
		}
		if s.fp == fp {
			s.fp, s.val = 0, 1
			m.live--
			m.dead++
		}
		pos = (pos + step) & mask
	}
}

// remove deletes one posting of (key, value); it reports whether it was there.
func (m *multimap) remove(h uint64, val uint32) bool {
	fp := fingerprint(h)
	if len(m.slots) == 0 || m.isHeavy(fp) {
		return false
	}
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
	fp := fingerprint(h)
	if len(m.slots) == 0 || m.isHeavy(fp) {
		return
	}
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
// reports false when the key has more or is heavy (the caller treats it as
// too common).
func (m *multimap) appendValues(dst []uint32, h uint64, limit int) ([]uint32, bool) {
	if m.isHeavy(fingerprint(h)) {
		return dst, false
	}
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
