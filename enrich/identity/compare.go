package identity

import (
	"strings"
)

// Packed record fields, in storage order.
const (
	pID = iota
	pFirst
	pLast
	pAlt     // "first|last" spellings, listSep-separated
	pEmails  // listSep-separated
	pPhones  // listSep-separated
	pHandles // listSep-separated
	pURLs    // listSep-separated
	pCompany
	pDomains // company domain and non-free email domains, listSep-separated
	pStreet
	pCity
	pPostcode
	pCountry
	pDOB
	pLine2
	pRegion
	numPacked
)

// listSep separates the items of a list field; it never occurs in
// normalised values.
const listSep = "\x1f"

// view is a record as the comparator reads it: every field a string,
// lists joined by listSep. Index entries are sliced into views without
// allocating.
type view [numPacked]string

// view renders a Person for comparison. emailDomain filters free mail.
func (p *Person) view(emailDomain func(string) string) view {
	var v view
	v[pID] = p.ID
	v[pFirst] = p.First
	v[pLast] = p.Last
	v[pAlt] = strings.Join(p.AltNames, listSep)
	v[pEmails] = strings.Join(p.Emails, listSep)
	v[pPhones] = strings.Join(p.Phones, listSep)
	v[pHandles] = strings.Join(p.Handles, listSep)
	v[pURLs] = strings.Join(p.URLs, listSep)
	v[pCompany] = p.Company
	var dbuf [4]string
	domains := dbuf[:0]
	if p.Domain != "" {
		domains = append(domains, p.Domain)
	}
	for _, e := range p.Emails {
		domains = appendUnique(domains, emailDomain(e))
	}
	v[pDomains] = strings.Join(domains, listSep)
	v[pStreet] = p.Street
	v[pCity] = p.City
	v[pPostcode] = p.Postcode
	v[pCountry] = p.Country
	v[pDOB] = p.DOB
	v[pLine2] = p.Line2
	v[pRegion] = p.Region
	return v
}

// nextItem cuts the first item off a listSep-separated list.
func nextItem(list string) (item, rest string) {
	if i := strings.IndexByte(list, listSep[0]); i >= 0 {
		return list[:i], list[i+1:]
	}
	return list, ""
}

// anyCommon reports whether two lists share an item.
func anyCommon(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	for x := a; x != ""; {
		var item string
		item, x = nextItem(x)
		for y := b; y != ""; {
			var other string
			other, y = nextItem(y)
			if item == other {
				return true
			}
		}
	}
	return false
}

// Levels are indices into fieldSpecs[f].Levels.

func compareFirst(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	ta, tb := firstToken(a), firstToken(b)
	if ta == tb || (hasSpace(a) || hasSpace(b)) && strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "") {
		return 0
	}
	if len(ta) == 1 || len(tb) == 1 {
		if ta[0] == tb[0] {
			return 4 // initial
		}
		return 5
	}
	if sameFormal(ta, tb) {
		return 1 // alias: a nickname of the same formal name
	}
	jw := JaroWinkler(a, b)
	if ta != a || tb != b {
		jw = max(jw, JaroWinkler(ta, tb))
	}
	switch {
	case jw >= 0.92 || len(ta) >= 4 && editDistanceAtMost1(ta, tb) || looseEqual(ta, tb):
		return 2
	case jw >= 0.8 || soundAlike(ta, tb) || shortTypo(ta, tb):
		return 3
	}
	return 5
}

// shortTypo reports two names of three letters or more one typed slip
// apart ("amy" and "amu", "ian" and "ain"): too short for "close", where a
// slip as often makes another name (jan, jon), but not unrelated either.
func shortTypo(a, b string) bool {
	if len(a) < 3 || len(b) < 3 {
		return false
	}
	return editDistanceAtMost1(a, b) || len(a) == len(b) && transposedOnce(a, b)
}

// transposedOnce reports two strings equal but for one pair of adjacent
// bytes swapped.
func transposedOnce(a, b string) bool {
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

func compareLast(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	a, b = familyKey(a), familyKey(b)
	if a == b {
		return 0
	}
	if hasSpace(a) || hasSpace(b) {
		if strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "") {
			return 0
		}
		if tokenSubset(a, b) || tokenSubset(b, a) {
			return 1 // "silva" within "silva santos"
		}
	}
	jw := JaroWinkler(a, b)
	switch {
	case jw >= 0.92 || len(a) >= 4 && editDistanceAtMost1(a, b) || looseEqual(a, b):
		return 1
	case jw >= 0.85 || soundAlike(a, b) || shortTypo(a, b):
		return 2
	}
	return 3
}

// loose is a name with the differences between romanisation systems
// undone (Ukrainian "Mykhailo", Russian-style "Mikhaylo", German-style
// "Michailo") and spelling habits (ph/f, w/v, ck/k, ue/u), doubled
// letters collapsed; for the "close" level only.
func loose(s string) string { return string(appendLoose(nil, s)) }

// looseEqual compares the loose forms of two names without allocating.
func looseEqual(a, b string) bool {
	if len(a) > 48 || len(b) > 48 {
		return loose(a) == loose(b)
	}
	var ba, bb [96]byte
	return string(appendLoose(ba[:0], a)) == string(appendLoose(bb[:0], b))
}

func appendLoose(b []byte, s string) []byte {
	emit := func(c byte) {
		if len(b) == 0 || b[len(b)-1] != c {
			b = append(b, c)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case c == ' ':
		case (c == 'k' || c == 'c' || c == 'p') && next == 'h':
			if c == 'p' {
				emit('f')
			} else {
				emit('h')
			}
			i++
		case c == 'c' && next == 'k':
			emit('k')
			i++
		case (c == 'u' || c == 'o' || c == 'a') && next == 'e':
			emit(c)
			i++
		case c == 'w':
			emit('v')
		case c == 'y' || c == 'j':
			emit('i')
		case c == 'q':
			emit('k')
		case c == 'x':
			emit('k')
			emit('s')
		default:
			emit(c)
		}
	}
	return b
}

// soundAlike compares phonetic keys of names long enough for the key to
// mean something ("anna" and "jan" share a two-letter key).
func soundAlike(a, b string) bool {
	if len(a) < 4 || len(b) < 4 {
		return false
	}
	pa := Phonetic(a)
	return len(pa) >= 3 && pa == Phonetic(b)
}

func hasSpace(s string) bool { return strings.IndexByte(s, ' ') >= 0 }

// tokenSubset reports whether every word of a is a word of b.
func tokenSubset(a, b string) bool {
	for _, t := range strings.Fields(a) {
		found := false
		for _, u := range strings.Fields(b) {
			if t == u {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func firstToken(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// compareDOB compares two YYYY-MM-DD dates as dates: exact; close (one
// digit typed wrong, two swapped, or day and month swapped); the same
// year; near (less than farYears apart: siblings, a wrong year); far (a
// generation apart: parent and child).
func compareDOB(a, b string) int8 {
	if len(a) != 10 || len(b) != 10 {
		return missing
	}
	if a == b {
		return 0
	}
	if a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7] {
		return 1
	}
	da := a[:4] + a[5:7] + a[8:10]
	db := b[:4] + b[5:7] + b[8:10]
	if editDistanceAtMost1(da, db) || transposedOnce(da, db) {
		return 1
	}
	if a[:4] == b[:4] {
		return 2
	}
	ya, yb := atoi(a[:4]), atoi(b[:4])
	if ya < 0 || yb < 0 {
		return missing
	}
	if ya-yb < farYears && yb-ya < farYears {
		return 3
	}
	return 4
}

// farYears apart, two birth dates are a generation apart.
const farYears = 15

// comparePostcode compares postcodes together with the cities they are
// in (a postcode mostly implies its city, so the two are not independent
// evidence): the same postcode (city agreeing or unknown); the same
// postcode in another city; one character off; the same district (first
// three characters); another postcode in the same city; different.
func comparePostcode(qpc, qcity, cpc, ccity string) int8 {
	if qpc == "" || cpc == "" {
		return missing
	}
	switch {
	case qpc == cpc && compareCity(qcity, ccity) == 2:
		return 1
	case qpc == cpc:
		return 0
	case len(qpc) >= 4 && editDistanceAtMost1(qpc, cpc):
		return 2 // one character mistyped
	case len(qpc) >= 4 && len(cpc) >= 4 && qpc[:3] == cpc[:3]:
		return 3
	case compareCity(qcity, ccity) == 0:
		return 4
	}
	return 5
}

func compareCity(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	if JaroWinkler(a, b) >= 0.9 {
		return 1
	}
	return 2
}

// compareStreet compares two address lines: exact; close (a typo, the
// same house number or one side without it); the same street with another
// number (neighbours, or a move down the road); different.
func compareStreet(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	na, ha := splitHouse(a)
	nb, hb := splitHouse(b)
	if na == "" || nb == "" {
		// Only numbers on a side: nothing to compare but the numbers.
		if na == nb && ha == hb {
			return 1
		}
		return 3
	}
	sameName := na == nb || JaroWinkler(na, nb) >= 0.9
	switch {
	case sameName && (ha == hb || ha == "" || hb == "" || wordsWithin(ha, hb) || wordsWithin(hb, ha)):
		return 1
	case sameName:
		return 2
	}
	return 3
}

// compareLine2 compares second address lines: exact, close, different.
func compareLine2(a, b string) int8 {
	switch l := compareStreet(a, b); l {
	case 2:
		return 2 // another flat or building number
	case 3:
		return 2
	default:
		return l
	}
}

// compareAddress compares the address lines, also read with the query's
// first and second line swapped; the better reading counts.
func compareAddress(q, c *view) (street, line2 int8) {
	street, line2 = compareStreet(q[pStreet], c[pStreet]), compareLine2(q[pLine2], c[pLine2])
	if q[pLine2] == "" && c[pLine2] == "" || street == 0 || street == 1 {
		return street, line2
	}
	s2, l2 := compareStreet(q[pLine2], c[pStreet]), compareLine2(q[pStreet], c[pLine2])
	if s2 == 0 || s2 == 1 {
		// A house number kept in its own column is joined to whichever
		// line came first: the other line's text must still agree.
		if l2 == missing || l2 == 2 {
			if na, _ := splitHouse(q[pStreet]); na != "" && c[pLine2] != "" {
				if nb, _ := splitHouse(c[pLine2]); na == nb || JaroWinkler(na, nb) >= 0.9 {
					l2 = 1
				}
			}
		}
		return s2, l2
	}
	return street, line2
}

// wordsWithin reports whether every word of a is a word of b.
func wordsWithin(a, b string) bool { return tokenSubset(a, b) }

// splitHouse separates a folded street address into the street's words and
// its numbers ("ul marszalkowska 10 5" → "ul marszalkowska", "10 5").
func splitHouse(s string) (name, numbers string) {
	var nw, hw []string
	for _, t := range strings.Fields(s) {
		if strings.IndexFunc(t, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
			hw = append(hw, t)
		} else {
			nw = append(nw, t)
		}
	}
	return strings.Join(nw, " "), strings.Join(hw, " ")
}

// genericMailboxes are local parts shared by whole teams; they say nothing
// about a person.
var genericMailboxes = map[string]bool{
	"info": true, "contact": true, "office": true, "sales": true, "hello": true, "admin": true,
	"kontakt": true, "biuro": true, "support": true, "mail": true, "team": true, "geral": true,
	"contato": true, "birojs": true, "noreply": true,
}

// compareEmail: the same mailbox; the same personal mailbox name at
// another provider; different. A mailbox name made only of the person's
// names ("jan.kowalski", "jkowalski") is not personal: namesakes share it.
func compareEmail(a, b string, q, c *view) int8 {
	if a == "" || b == "" {
		return missing
	}
	if anyCommon(a, b) {
		return 0
	}
	for x := a; x != ""; {
		var ea string
		ea, x = nextItem(x)
		la := ea[:strings.LastIndexByte(ea, '@')]
		if len(la) < 4 || genericMailboxes[la] || nameDerived(la, q) || nameDerived(la, c) {
			continue
		}
		for y := b; y != ""; {
			var eb string
			eb, y = nextItem(y)
			if la == eb[:strings.LastIndexByte(eb, '@')] {
				return 1
			}
		}
	}
	return 2
}

var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// nameDerived reports whether a mailbox name is built from the record's
// names alone (with at most two digits added).
func nameDerived(local string, v *view) bool {
	// "mueller" is how "müller" is written in a mailbox.
	if alt := umlauts.Replace(local); alt != local && nameDerivedAs(alt, v) {
		return true
	}
	return nameDerivedAs(local, v)
}

func nameDerivedAs(local string, v *view) bool {
	var b strings.Builder
	for i := 0; i < len(local); i++ {
		if c := local[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	s := b.String()
	f := strings.ReplaceAll(firstToken(v[pFirst]), " ", "")
	l := strings.ReplaceAll(familyKey(v[pLast]), " ", "")
	if f == "" && l == "" {
		return false
	}
	var fi, li string
	if f != "" {
		fi = f[:1]
	}
	if l != "" {
		li = l[:1]
	}
	for _, p := range [...]string{f + l, l + f, fi + l, l + fi, f + li, li + f, f, l} {
		if len(p) < 2 || !strings.HasPrefix(s, p) {
			continue
		}
		rest := s[len(p):]
		if len(rest) <= 2 && allDigits(rest) || rest == "" {
			return true
		}
	}
	return false
}

func comparePhone(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if anyCommon(a, b) {
		return 0
	}
	for x := a; x != ""; {
		var pa string
		pa, x = nextItem(x)
		for y := b; y != ""; {
			var pb string
			pb, y = nextItem(y)
			if len(pa) == len(pb) && editDistanceAtMost1(pa, pb) {
				return 1
			}
		}
	}
	return 2
}

// compareCompany compares employers by web domain (including the domain of
// a work email) and by name; domains count when they agree, names either
// way.
func compareCompany(qName, qDomains, cName, cDomains string) int8 {
	if anyCommon(qDomains, cDomains) {
		return 0
	}
	if qName != "" && cName != "" {
		if qName == cName {
			return 0
		}
		if JaroWinkler(qName, cName) >= 0.9 {
			return 1
		}
		return 2
	}
	// Different web or mail domains alone say little: one person writes
	// from a private and a work address, and changes jobs.
	return missing
}

// compareHandle: any shared account or profile URL agrees; accounts on a
// common platform that all differ disagree; otherwise nothing is known.
func compareHandle(qh, qu, ch, cu string) int8 {
	if anyCommon(qh, ch) || anyCommon(qu, cu) {
		return 0
	}
	if qh == "" || ch == "" {
		return missing
	}
	for x := qh; x != ""; {
		var a string
		a, x = nextItem(x)
		pa, _, _ := strings.Cut(a, ":")
		for y := ch; y != ""; {
			var b string
			b, y = nextItem(y)
			if pb, _, _ := strings.Cut(b, ":"); pa == pb {
				return 1
			}
		}
	}
	return missing
}

func compareCountry(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	return 1
}

// compareNonName fills every field but the names. The city counts only
// where a postcode is missing and the country only where both are, unless
// all is set (counting u on random pairs, where each field's own chance
// agreement is wanted).
func compareNonName(q, c *view, v *vector, all bool) {
	v[fDOB] = compareDOB(q[pDOB], c[pDOB])
	v[fPostcode] = comparePostcode(q[pPostcode], q[pCity], c[pPostcode], c[pCity])
	v[fCity] = missing
	if all || v[fPostcode] == missing {
		v[fCity] = compareCity(q[pCity], c[pCity])
	}
	v[fStreet], v[fLine2] = compareAddress(q, c)
	v[fRegion] = compareRegion(q[pRegion], c[pRegion])
	v[fEmail] = compareEmail(q[pEmails], c[pEmails], q, c)
	v[fPhone] = comparePhone(q[pPhones], c[pPhones])
	v[fCompany] = compareCompany(q[pCompany], q[pDomains], c[pCompany], c[pDomains])
	v[fHandle] = compareHandle(q[pHandles], q[pURLs], c[pHandles], c[pURLs])
	v[fCountry] = missing
	if all || v[fPostcode] == missing && v[fCity] == missing {
		v[fCountry] = compareCountry(q[pCountry], c[pCountry])
	}
}

func compareRegion(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	return 1
}
