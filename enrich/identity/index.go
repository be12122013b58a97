package identity

import (
	"hash/maphash"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// entry is one customer in the index: its normalised fields packed into a
// single string (one allocation, one pointer for the garbage collector)
// with the end offset of every field.
type entry struct {
	packed string
	ends   [numPacked]uint16
}

// maxFieldBytes bounds one packed field so a record always fits the
// 16-bit offsets; longer lists lose their tail items.
const maxFieldBytes = 2048

func packEntry(v *view) entry {
	var e entry
	var b strings.Builder
	n := 0
	for f := range numPacked {
		s := v[f]
		if len(s) > maxFieldBytes {
			s = s[:maxFieldBytes]
			if i := strings.LastIndexByte(s, listSep[0]); i > 0 {
				s = s[:i]
			}
		}
		n += len(s)
		e.ends[f] = uint16(n)
	}
	b.Grow(n)
	for f := range numPacked {
		start := 0
		if f > 0 {
			start = int(e.ends[f-1])
		}
		b.WriteString(v[f][:int(e.ends[f])-start])
	}
	e.packed = b.String()
	return e
}

func (e *entry) field(f int) string {
	start := uint16(0)
	if f > 0 {
		start = e.ends[f-1]
	}
	return e.packed[start:e.ends[f]]
}

func (e *entry) view() view {
	var v view
	start := uint16(0)
	for f := range numPacked {
		v[f] = e.packed[start:e.ends[f]]
		start = e.ends[f]
	}
	return v
}

// Blocking and exact key tags, hashed in front of the key's parts.
const (
	tagNames byte = iota + 1
	tagLastPostcode
	tagFirstPostcode
	tagLastDOB
	tagFirstDOB
	tagDOBPostcode
	tagMailbox
	tagLastPrefix
	tagFirstPrefix
	tagCompanyLast
	tagEmail
	tagPhone
	tagHandle
	tagURL
	tagID
)

// index is the in-memory identity index of customers: records, exact keys,
// blocking keys and name frequencies. It is not safe for concurrent use;
// the Resolver guards it.
type index struct {
	seed    maphash.Seed
	entries []entry
	free    []uint32
	ids     multimap // id → entry
	exact   multimap // email, phone, handle, profile URL → entry
	blocks  multimap // blocking keys → entry
	first   nameStats
	last    nameStats
	live    int
}

func newIndex() *index { return &index{seed: maphash.MakeSeed()} }

func (x *index) hash(tag byte, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteByte(tag)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// lookupID returns the entry of a customer id.
func (x *index) lookupID(id string) (uint32, bool) {
	var found uint32
	ok := false
	x.ids.each(x.hash(tagID, id), func(i uint32) bool {
		if x.entries[i].field(pID) == id {
			found, ok = i, true
			return false
		}
		return true
	})
	return found, ok
}

// upsert replaces the customer with v's id by v.
func (x *index) upsert(v *view) {
	x.remove(v[pID])
	e := packEntry(v)
	var i uint32
	if n := len(x.free); n > 0 {
		i = x.free[n-1]
		x.free = x.free[:n-1]
		x.entries[i] = e
	} else {
		i = uint32(len(x.entries))
		x.entries = append(x.entries, e)
	}
	x.ids.add(x.hash(tagID, v[pID]), i)
	x.eachExactKey(v, func(h uint64) { x.exact.add(h, i) })
	var buf [64]uint64
	for _, h := range x.blockKeys(v, buf[:0], false) {
		x.blocks.add(h, i)
	}
	x.first.add(firstToken(v[pFirst]))
	x.last.add(familyKey(v[pLast]))
	x.live++
}

// remove drops a customer; it reports whether it was indexed.
func (x *index) remove(id string) bool {
	i, ok := x.lookupID(id)
	if !ok {
		return false
	}
	v := x.entries[i].view()
	x.ids.remove(x.hash(tagID, id), i)
	x.eachExactKey(&v, func(h uint64) { x.exact.remove(h, i) })
	var buf [64]uint64
	for _, h := range x.blockKeys(&v, buf[:0], false) {
		x.blocks.remove(h, i)
	}
	x.first.remove(firstToken(v[pFirst]))
	x.last.remove(familyKey(v[pLast]))
	x.entries[i] = entry{}
	x.free = append(x.free, i)
	x.live--
	return true
}

func (x *index) eachExactKey(v *view, fn func(uint64)) {
	lists := [...]struct {
		tag byte
		f   int
	}{{tagEmail, pEmails}, {tagPhone, pPhones}, {tagHandle, pHandles}, {tagURL, pURLs}}
	for _, l := range lists {
		for rest := v[l.f]; rest != ""; {
			var item string
			item, rest = nextItem(rest)
			fn(x.hash(l.tag, item))
		}
	}
}

// exactMatches appends the entries sharing an exact key with q, and
// returns the strongest key that hit ("email:..." etc.).
func (x *index) exactMatches(q *view, dst []uint32) ([]uint32, string) {
	lists := [...]struct {
		tag    byte
		f      int
		prefix string
	}{{tagEmail, pEmails, "email:"}, {tagPhone, pPhones, "phone:"}, {tagHandle, pHandles, "handle:"}, {tagURL, pURLs, "url:"}}
	key := ""
	for _, l := range lists {
		for rest := q[l.f]; rest != ""; {
			var item string
			item, rest = nextItem(rest)
			x.exact.each(x.hash(l.tag, item), func(i uint32) bool {
				if listContains(x.entries[i].field(l.f), item) && !slices.Contains(dst, i) {
					dst = append(dst, i)
					if key == "" {
						key = l.prefix + item
					}
				}
				return true
			})
		}
	}
	return dst, key
}

func listContains(list, item string) bool {
	for rest := list; rest != ""; {
		var x string
		x, rest = nextItem(rest)
		if x == item {
			return true
		}
	}
	return false
}

// nameKeys are the phonetic codes a record is blocked under.
type nameKeys struct {
	first [4]string // phonetic codes of the formal forms of the given name
	nf    int
	last  [2]string // phonetic codes of the family name's words
	nl    int
	// raw prefixes for the n-gram keys
	firstRaw, lastRaw string
}

func makeNameKeys(first, last string) nameKeys {
	var k nameKeys
	if ft := firstToken(first); ft != "" {
		k.firstRaw = ft
		if formals := FormalNames(ft); len(formals) > 0 {
			for _, f := range formals {
				if k.nf == len(k.first) {
					break
				}
				if code := Phonetic(f); !slices.Contains(k.first[:k.nf], code) {
					k.first[k.nf] = code
					k.nf++
				}
			}
		} else {
			k.first[0] = Phonetic(ft)
			k.nf = 1
		}
	}
	if fam := familyKey(last); fam != "" {
		k.lastRaw = strings.ReplaceAll(fam, " ", "")
		for _, t := range strings.Fields(fam) {
			if k.nl == len(k.last) {
				break
			}
			if code := Phonetic(t); code != "" && !slices.Contains(k.last[:k.nl], code) {
				k.last[k.nl] = code
				k.nl++
			}
		}
	}
	return k
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// blockKeys appends the blocking keys of a record. A query also gets the
// keys of its names swapped, so "Kowalski Jan" finds "Jan Kowalski".
func (x *index) blockKeys(v *view, dst []uint64, query bool) []uint64 {
	dst = x.nameBlockKeys(v, v[pFirst], v[pLast], dst)
	if query && v[pFirst] != "" && v[pLast] != "" {
		dst = x.nameBlockKeys(v, v[pLast], v[pFirst], dst)
	}
	for rest := v[pAlt]; rest != ""; {
		var alt string
		alt, rest = nextItem(rest)
		f, l, _ := strings.Cut(alt, "|")
		k := makeNameKeys(f, l)
		for _, pf := range k.first[:k.nf] {
			for _, pl := range k.last[:k.nl] {
				dst = append(dst, x.hash(tagNames, min(pf, pl), max(pf, pl)))
			}
		}
	}
	if v[pDOB] != "" && v[pPostcode] != "" {
		dst = append(dst, x.hash(tagDOBPostcode, v[pDOB], v[pPostcode]))
	}
	for rest := v[pEmails]; rest != ""; {
		var e string
		e, rest = nextItem(rest)
		local := e[:strings.LastIndexByte(e, '@')]
		if len(local) >= 4 && !genericMailboxes[local] {
			dst = append(dst, x.hash(tagMailbox, local))
		}
	}
	return dst
}

func (x *index) nameBlockKeys(v *view, first, last string, dst []uint64) []uint64 {
	k := makeNameKeys(first, last)
	for _, pf := range k.first[:k.nf] {
		for _, pl := range k.last[:k.nl] {
			dst = append(dst, x.hash(tagNames, min(pf, pl), max(pf, pl)))
		}
		if v[pPostcode] != "" {
			dst = append(dst, x.hash(tagFirstPostcode, pf, v[pPostcode]))
		}
		if v[pDOB] != "" {
			dst = append(dst, x.hash(tagFirstDOB, pf, v[pDOB]))
		}
	}
	for _, pl := range k.last[:k.nl] {
		if v[pPostcode] != "" {
			dst = append(dst, x.hash(tagLastPostcode, pl, v[pPostcode]))
		}
		if v[pDOB] != "" {
			dst = append(dst, x.hash(tagLastDOB, pl, v[pDOB]))
		}
		if v[pCompany] != "" {
			dst = append(dst, x.hash(tagCompanyLast, v[pCompany], pl))
		}
	}
	if len(k.firstRaw) >= 2 && len(k.lastRaw) >= 2 {
		dst = append(dst, x.hash(tagLastPrefix, prefix(k.lastRaw, 4), prefix(k.firstRaw, 2)))
		dst = append(dst, x.hash(tagFirstPrefix, prefix(k.firstRaw, 4), prefix(k.lastRaw, 2)))
	}
	return dst
}

// nameStats counts how often each name occurs among customers, for
// frequency-adjusted name weights.
type nameStats struct {
	counts map[string]uint32
	sumSq  float64 // Σ count²
	n      float64 // Σ count
}

func (s *nameStats) add(name string) {
	if name == "" {
		return
	}
	if s.counts == nil {
		s.counts = map[string]uint32{}
	}
	c := s.counts[name]
	s.counts[strings.Clone(name)] = c + 1
	s.sumSq += float64(2*c + 1)
	s.n++
}

func (s *nameStats) remove(name string) {
	c, ok := s.counts[name]
	if name == "" || !ok {
		return
	}
	if c == 1 {
		delete(s.counts, name)
	} else {
		s.counts[name] = c - 1
	}
	s.sumSq -= float64(2*c - 1)
	s.n--
}

// ratio is how much likelier than an average name it is that a random
// customer carries this one: p(name) / Σ p(v)², where Σ p(v)² is the
// chance two random customers share a name. 1 for an unknown name.
func (s *nameStats) ratio(name string) float64 {
	c := s.counts[name]
	if c == 0 || s.sumSq == 0 {
		return 1
	}
	return float64(c) * s.n / s.sumSq
}

// scored is a candidate with its comparison.
type scored struct {
	idx     uint32
	total   float64
	vec     vector
	w       [numFields]float64
	swapped bool
	exact   bool
}

// scorer compares a query with candidates under one model.
type scorer struct {
	x        *index
	m        *Model
	tf       bool
	tfRatioC float64 // clamp of the frequency ratio
}

// nameWeight weighs a name level, adjusted by the name's frequency when
// the names agree exactly.
func (s *scorer) nameWeight(f int, level int8, name string, stats *nameStats) float64 {
	if level < 0 {
		return 0
	}
	if level != 0 || !s.tf {
		return s.m.W[f][level]
	}
	// A name rare among customers may still be common among everyone
	// else, so rarity earns little; commonness costs fully.
	r := clamp(stats.ratio(name), 0.5, s.tfRatioC)
	u := clamp(s.m.U[f][0]*r, minProb, maxProb)
	return math.Log2(s.m.M[f][0] / u)
}

// score compares q with candidate entry i.
func (s *scorer) score(q *view, i uint32) scored { return s.scoreAll(q, i, false) }

// scoreAll is score; all compares every field regardless of the others
// (for u on random pairs).
func (s *scorer) scoreAll(q *view, i uint32, all bool) scored {
	c := s.x.entries[i].view()
	out := scored{idx: i}
	compareNonName(q, &c, &out.vec, all)
	// Names: the straight and swapped reading of the query against the
	// customer's name and every alternative spelling; the best counts.
	best := math.Inf(-1)
	try := func(qf, ql, cf, cl string, swapped bool) {
		lf, ll := compareFirst(qf, cf), compareLast(ql, cl)
		wf := s.nameWeight(fFirst, lf, firstToken(cf), &s.x.first)
		wl := s.nameWeight(fLast, ll, familyKey(cl), &s.x.last)
		if wf+wl > best {
			best = wf + wl
			out.vec[fFirst], out.vec[fLast] = lf, ll
			out.w[fFirst], out.w[fLast] = wf, wl
			out.swapped = swapped
		}
	}
	qf, ql := q[pFirst], q[pLast]
	try(qf, ql, c[pFirst], c[pLast], false)
	canSwap := qf != "" && ql != ""
	if canSwap {
		try(ql, qf, c[pFirst], c[pLast], true)
	}
	for rest := c[pAlt]; rest != ""; {
		var alt string
		alt, rest = nextItem(rest)
		af, al, _ := strings.Cut(alt, "|")
		try(qf, ql, af, al, false)
		if canSwap {
			try(ql, qf, af, al, true)
		}
	}
	out.total = out.w[fFirst] + out.w[fLast]
	for f := fDOB; f < numFields; f++ {
		out.w[f] = s.m.weight(f, out.vec[f])
		out.total += out.w[f]
	}
	return out
}

// reserve sizes the tables for n customers so a bulk load does not rehash.
func (x *index) reserve(n int) {
	x.entries = slices.Grow(x.entries, n)
	x.ids.reserve(n)
	x.exact.reserve(3 * n)
	x.blocks.reserve(12 * n)
}

// randomPairVectors compares n random pairs of distinct customers: almost
// all are different people, so their level frequencies are the u
// probabilities, free of the bias blocking adds.
func (x *index) randomPairVectors(n int, m *Model, rng *rand.Rand) []vector {
	if x.live < 2 {
		return nil
	}
	s := scorer{x: x, m: m}
	out := make([]vector, 0, n)
	pick := func() uint32 {
		for {
			i := uint32(rng.IntN(len(x.entries)))
			if x.entries[i].packed != "" {
				return i
			}
		}
	}
	for range n {
		a, b := pick(), pick()
		if a == b {
			continue
		}
		q := x.entries[a].view()
		out = append(out, s.scoreAll(&q, b, true).vec)
	}
	return out
}

// uFromPairs estimates u from random-pair vectors, smoothed towards the
// starting probabilities so unseen levels keep finite weights.
func uFromPairs(vecs []vector, start *Model) *Model {
	m := *start
	for f := range numFields {
		var counts [maxLevels]float64
		var total float64
		for _, v := range vecs {
			if l := v[f]; l >= 0 {
				counts[l]++
				total++
			}
		}
		for l := range fieldSpecs[f].Levels {
			m.U[f][l] = clamp((counts[l]+emPriorStrength*start.U[f][l])/(total+emPriorStrength), minProb, maxProb)
		}
	}
	m.computeWeights()
	return &m
}
