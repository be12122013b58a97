package identity

import (
	"hash/maphash"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

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
	tagPostcodeInitial
	tagDOBInitial
	tagStreet
	tagCityNames
	tagDomainLast
	tagEmail
	tagPhone
	tagHandle
	tagURL
	tagID
	tagDOB
)

// index is the in-memory identity index of customers: records, exact keys,
// blocking keys and name frequencies. It is not safe for concurrent use;
// the Resolver guards it.
type index struct {
	seed   maphash.Seed
	recs   records
	ids    multimap // id → entry
	exact  multimap // email, phone, handle, profile URL → entry
	blocks multimap // blocking keys → entry
	first  nameStats
	last   nameStats
	live   int
	// households counts pairs of customers with one family name at one
	// address: how common households are among the customers.
	households int
}

// newIndex makes an empty index. Blocking keys shared by more than
// maxBlock customers, and exact keys (a team mailbox) by more than
// maxShared, are dropped as too common to tell anyone apart.
func newIndex(maxBlock int) *index {
	x := &index{seed: maphash.MakeSeed()}
	x.blocks.limit = maxBlock
	x.exact.limit = maxShared
	return x
}

// maxShared bounds how many customers one email, phone or account may
// identify before it is no identifier at all.
const maxShared = 50

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
		if x.recs.field(i, pID) == id {
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
	x.households += x.householdMates(v, ^uint32(0))
	i := x.recs.add(v)
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
	v := x.recs.view(i)
	x.households -= x.householdMates(&v, i)
	x.ids.remove(x.hash(tagID, id), i)
	x.eachExactKey(&v, func(h uint64) { x.exact.remove(h, i) })
	var buf [64]uint64
	for _, h := range x.blockKeys(&v, buf[:0], false) {
		x.blocks.remove(h, i)
	}
	x.first.remove(firstToken(v[pFirst]))
	x.last.remove(familyKey(v[pLast]))
	x.recs.remove(i) // after the keys: v points into the arena
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
				if listContains(x.recs.field(i, l.f), item) && !slices.Contains(dst, i) {
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
	// A query also tries its names the other way round; one with a single
	// name does not know which name it is.
	if query && (v[pFirst] != "") != (v[pLast] != "") || query && v[pFirst] != "" && v[pLast] != "" {
		dst = x.nameBlockKeys(v, v[pLast], v[pFirst], dst)
	}
	for rest := v[pAlt]; rest != ""; {
		var alt string
		alt, rest = nextItem(rest)
		f, l, _ := strings.Cut(alt, "|")
		k := makeNameKeys(f, l)
		for _, pf := range k.first[:k.nf] {
			for _, pl := range k.last[:k.nl] {
				dst = append(dst, weighted(x.hash(tagNames, min(pf, pl), max(pf, pl)), 1))
			}
		}
	}
	if v[pDOB] != "" && v[pPostcode] != "" {
		dst = append(dst, weighted(x.hash(tagDOBPostcode, v[pDOB], v[pPostcode]), 3))
	}
	// Keys without names find a record whose names are both mistyped or
	// replaced: the street (by its name: the house number may be in a
	// column of its own, missing or mistyped) in its postcode, either
	// address line; the birth date alone.
	for _, line := range [2]string{v[pStreet], v[pLine2]} {
		if k, ok := x.streetKey(line, v); ok {
			dst = append(dst, weighted(k, 2))
		}
		if name, _ := splitHouse(line); name != "" && v[pCity] != "" && v[pPostcode] != "" {
			// Also within the city: either may be mistyped or missing.
			dst = append(dst, weighted(x.hash(tagStreet, name, "", v[pCity]), 2))
		}
	}
	if v[pDOB] != "" {
		dst = append(dst, weighted(x.hash(tagDOB, v[pDOB]), 1))
	}
	for rest := v[pEmails]; rest != ""; {
		var e string
		e, rest = nextItem(rest)
		local := e[:strings.LastIndexByte(e, '@')]
		if len(local) >= 4 && !genericMailboxes[local] {
			dst = append(dst, weighted(x.hash(tagMailbox, local), 2))
		}
	}
	return dst
}

// streetKey is the blocking key of an address line: the street's name
// within the postcode, or the city where there is no postcode.
func (x *index) streetKey(line string, v *view) (uint64, bool) {
	name, _ := splitHouse(line)
	switch {
	case name == "":
		return 0, false
	case v[pPostcode] != "":
		return x.hash(tagStreet, name, v[pPostcode]), true
	case v[pCity] != "":
		return x.hash(tagStreet, name, "", v[pCity]), true
	}
	return 0, false
}

func (x *index) nameBlockKeys(v *view, first, last string, dst []uint64) []uint64 {
	k := makeNameKeys(first, last)
	for _, pf := range k.first[:k.nf] {
		for _, pl := range k.last[:k.nl] {
			dst = append(dst, weighted(x.hash(tagNames, min(pf, pl), max(pf, pl)), 1))
			// The names within one city: selective even for the commonest
			// names, whose name key alone is dropped as too common.
			if v[pCity] != "" {
				dst = append(dst, weighted(x.hash(tagCityNames, v[pCity], pf, pl), 2))
			}
		}
		if v[pPostcode] != "" {
			dst = append(dst, weighted(x.hash(tagFirstPostcode, pf, v[pPostcode]), 3))
		}
		if v[pDOB] != "" {
			dst = append(dst, weighted(x.hash(tagFirstDOB, pf, v[pDOB]), 3))
		}
	}
	for _, pl := range k.last[:k.nl] {
		if v[pPostcode] != "" {
			dst = append(dst, weighted(x.hash(tagLastPostcode, pl, v[pPostcode]), 3))
		}
		if v[pDOB] != "" {
			dst = append(dst, weighted(x.hash(tagLastDOB, pl, v[pDOB]), 3))
		}
		if v[pCompany] != "" {
			dst = append(dst, weighted(x.hash(tagCompanyLast, v[pCompany], pl), 2))
		}
		// The employer's web domain (or a work email's) with the family name.
		for rest := v[pDomains]; rest != ""; {
			var d string
			d, rest = nextItem(rest)
			dst = append(dst, weighted(x.hash(tagDomainLast, d, pl), 2))
		}
	}
	if len(k.firstRaw) >= 2 && len(k.lastRaw) >= 2 {
		dst = append(dst, weighted(x.hash(tagLastPrefix, prefix(k.lastRaw, 4), prefix(k.firstRaw, 2)), 1))
		dst = append(dst, weighted(x.hash(tagFirstPrefix, prefix(k.firstRaw, 4), prefix(k.lastRaw, 2)), 1))
	}
	// The family name's initial with the postcode or the birth date: both
	// names may be mistyped, the first letter rarely is.
	if k.lastRaw != "" {
		initial := k.lastRaw[:1]
		if v[pPostcode] != "" {
			dst = append(dst, weighted(x.hash(tagPostcodeInitial, v[pPostcode], initial), 2))
		}
		if v[pDOB] != "" {
			dst = append(dst, weighted(x.hash(tagDOBInitial, v[pDOB], initial), 2))
		}
	}
	return dst
}

// weighted stores in a blocking key's top two bits how much sharing it
// says: 1 for a name alone, 2 for a name and employer, 3 for a name with a
// birth date or postcode. Candidates are ranked by the sum over the keys
// they share.
func weighted(h uint64, w uint64) uint64 { return h&^(3<<62) | w<<62 }

func keyWeight(h uint64) int { return int(h >> 62) }

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
	c := s.x.recs.view(i)
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
	if out.vec[fFirst] == 0 && out.vec[fLast] == 0 {
		return s.finish(out)
	}
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
	return s.finish(out)
}

// finish weighs the non-name fields and totals.
func (s *scorer) finish(out scored) scored {
	out.total = out.w[fFirst] + out.w[fLast]
	for f := fDOB; f < numFields; f++ {
		out.w[f] = s.m.weight(f, out.vec[f])
		out.total += out.w[f]
	}
	return out
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
			i := uint32(rng.IntN(x.recs.len()))
			if x.recs.alive(i) {
				return i
			}
		}
	}
	for range n {
		a, b := pick(), pick()
		if a == b {
			continue
		}
		q := x.recs.view(a)
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

// householdMates counts the customers other than self at v's address
// (street with its number, in its postcode or city) with v's family name.
func (x *index) householdMates(v *view, self uint32) int {
	fam := familyKey(v[pLast])
	if fam == "" || v[pStreet] == "" {
		return 0
	}
	k, ok := x.streetKey(v[pStreet], v)
	if !ok {
		return 0
	}
	n := 0
	var vbuf [64]uint32
	vals, _ := x.blocks.appendValues(vbuf[:0], weighted(k, 2), x.blocks.limit)
	for _, i := range vals {
		if i != self && x.recs.field(i, pStreet) == v[pStreet] && familyKey(x.recs.field(i, pLast)) == fam {
			n++
		}
	}
	return n
}

// householdRate is how many other customers of the same family share an
// average customer's address.
func (x *index) householdRate() float64 {
	if x.live == 0 {
		return minHouseholdRate
	}
	return max(2*float64(x.households)/float64(x.live), minHouseholdRate)
}

// minHouseholdRate: households exist in every population; a customer file
// without any says only that they are rarer among its customers than this.
const minHouseholdRate = 0.01
