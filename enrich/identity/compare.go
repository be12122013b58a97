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
	domains := []string{}
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
	if ta == tb || (strings.Contains(a+b, " ") && strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "")) {
		return 0
	}
	if len(ta) == 1 || len(tb) == 1 {
		if ta[0] == tb[0] {
			return 3 // initial
		}
		return 4
	}
	if sameFormal(ta, tb) {
		return 1 // alias: a nickname of the same formal name
	}
	if JaroWinkler(a, b) >= 0.92 || (ta != a || tb != b) && JaroWinkler(ta, tb) >= 0.92 {
		return 2
	}
	return 4
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
	if strings.Contains(a+b, " ") {
		if strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "") {
			return 0
		}
		if tokenSubset(a, b) || tokenSubset(b, a) {
			return 1 // "silva" within "silva santos"
		}
	}
	jw := JaroWinkler(a, b)
	switch {
	case jw >= 0.92:
		return 1
	case jw >= 0.85:
		return 2
	}
	return 3
}

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

// compareDOB: exact, close (one digit typed wrong, two swapped, or day and
// month swapped), same year, different.
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
	if editDistanceAtMost1(da, db) {
		return 1
	}
	if a[:4] == b[:4] {
		return 2
	}
	return 3
}

func comparePostcode(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	if len(a) >= 4 && len(b) >= 4 && a[:3] == b[:3] {
		return 1
	}
	return 2
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

func compareStreet(a, b string) int8 {
	if a == "" || b == "" {
		return missing
	}
	if a == b {
		return 0
	}
	if JaroWinkler(a, b) >= 0.88 {
		return 1
	}
	return 2
}

// genericMailboxes are local parts shared by whole teams; they say nothing
// about a person.
var genericMailboxes = map[string]bool{
	"info": true, "contact": true, "office": true, "sales": true, "hello": true, "admin": true,
	"kontakt": true, "biuro": true, "support": true, "mail": true, "team": true, "geral": true,
	"contato": true, "birojs": true, "noreply": true,
}

func compareEmail(a, b string) int8 {
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
		if len(la) < 4 || genericMailboxes[la] {
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
// a work email) and by name.
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
	if qDomains != "" && cDomains != "" {
		return 2
	}
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

// compareNonName fills every field but the names.
func compareNonName(q, c *view, v *vector) {
	v[fDOB] = compareDOB(q[pDOB], c[pDOB])
	v[fPostcode] = comparePostcode(q[pPostcode], c[pPostcode])
	v[fCity] = compareCity(q[pCity], c[pCity])
	v[fStreet] = compareStreet(q[pStreet], c[pStreet])
	v[fEmail] = compareEmail(q[pEmails], c[pEmails])
	v[fPhone] = comparePhone(q[pPhones], c[pPhones])
	v[fCompany] = compareCompany(q[pCompany], q[pDomains], c[pCompany], c[pDomains])
	v[fHandle] = compareHandle(q[pHandles], q[pURLs], c[pHandles], c[pURLs])
	v[fCountry] = compareCountry(q[pCountry], c[pCountry])
}
