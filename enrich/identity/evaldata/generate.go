// Package evaldata generates a labelled identity-resolution data set: a
// customer file and a lead file whose rows are customers written with
// typos, swapped fields, missing fields, nicknames and transliterations,
// plus people who share a customer's name but are someone else, and new
// people. Every lead row carries its truth and its error type, so the
// precision and recall of matching can be measured per error type. The
// same generator makes the million-customer benchmark population.
package evaldata

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/record"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Error types of lead rows.
const (
	TypeExactEmail      = "exact_email"     // the customer's email, written differently
	TypeExactPhone      = "exact_phone"     // the customer's phone, written differently
	TypeClean           = "clean"           // no identifier, other fields as in the CRM
	TypeTypo            = "typo"            // typing errors in names, dates, postcodes
	TypeSwapped         = "swapped"         // given/family name or day/month swapped
	TypeMissing         = "missing"         // only the name and two other fields
	TypeNickname        = "nickname"        // a diminutive for the given name
	TypeTransliteration = "transliteration" // another script or no diacritics
	TypeSameName        = "same_name"       // another person with a customer's name
	TypeNewPerson       = "new_person"      // nobody in the customer file
	// TypeHousehold is a customer's parent, child, sibling or twin (one
	// family name, one address), not a customer: the hardest negative.
	TypeHousehold = "household"
)

// Types lists the error types in report order.
var Types = []string{TypeExactEmail, TypeExactPhone, TypeClean, TypeTypo, TypeSwapped, TypeMissing, TypeNickname, TypeTransliteration, TypeSameName, TypeHousehold, TypeNewPerson}

// ExactIdentifier reports whether leads of the type carry an exact
// identifier of their customer.
func ExactIdentifier(t string) bool { return t == TypeExactEmail || t == TypeExactPhone }

// typeShares is the mix of lead types.
var typeShares = []struct {
	t     string
	share float64
}{
	{TypeExactEmail, 0.08}, {TypeExactPhone, 0.07}, {TypeClean, 0.08}, {TypeTypo, 0.13}, {TypeSwapped, 0.09},
	{TypeMissing, 0.10}, {TypeNickname, 0.09}, {TypeTransliteration, 0.12}, {TypeSameName, 0.10}, {TypeHousehold, 0.08},
	{TypeNewPerson, 0.06},
}

// Label is the truth of one lead row.
type Label struct {
	LeadID     string
	CustomerID string // "" when the lead is nobody in the customer file
	Type       string
}

// Options size a data set.
type Options struct {
	Seed      uint64
	Customers int
	Leads     int
	// Namesakes is the share of customers given the full name of an
	// earlier customer (different people with one name in the CRM).
	Namesakes float64
	// Households is the share of customers who are a household member
	// (parent, child, sibling, twin) of an earlier customer.
	Households float64
}

// Dataset is a generated customer file, lead file and the truth.
type Dataset struct {
	Customers []record.Customer
	Leads     []record.Customer
	Labels    []Label
}

// generator holds the random source and what must stay unique.
type generator struct {
	rng     *rand.Rand
	emails  map[string]bool
	phones  map[string]bool
	weights []float64 // locale weights
	now     time.Time
}

func newGenerator(seed uint64) *generator {
	return &generator{
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		emails:  map[string]bool{},
		phones:  map[string]bool{},
		weights: []float64{0.22, 0.10, 0.10, 0.14, 0.12, 0.10, 0.12, 0.10}, // PL LV PT BR CN UA GB DE
		now:     time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Generate makes a data set.
func Generate(o Options) *Dataset {
	g := newGenerator(o.Seed)
	ds := &Dataset{Customers: make([]record.Customer, 0, o.Customers)}
	for i := range o.Customers {
		id := fmt.Sprintf("C%07d", i+1)
		if i > 10 && g.rng.Float64() < o.Households {
			ds.Customers = append(ds.Customers, g.householdMember(ds.Customers[g.rng.IntN(len(ds.Customers))], id))
			continue
		}
		c := g.person(g.locale(), id)
		if i > 10 && g.rng.Float64() < o.Namesakes {
			twin := ds.Customers[g.rng.IntN(len(ds.Customers))]
			if twin.Address.Country == c.Address.Country {
				c.FirstName, c.LastName = twin.FirstName, twin.LastName
			}
		}
		ds.Customers = append(ds.Customers, c)
	}
	for i := range o.Leads {
		id := fmt.Sprintf("L%06d", i+1)
		t := g.pickType()
		lead, truth := g.lead(ds.Customers, t, id)
		ds.Leads = append(ds.Leads, lead)
		ds.Labels = append(ds.Labels, Label{LeadID: id, CustomerID: truth, Type: t})
	}
	return ds
}

// Customers generates n customers quickly (benchmarks): the same
// population as Generate, without leads.
func Customers(seed uint64, n int, fn func(record.Customer)) {
	g := newGenerator(seed)
	for i := range n {
		fn(g.person(g.locale(), fmt.Sprintf("C%07d", i+1)))
	}
}

func (g *generator) pickType() string {
	x := g.rng.Float64()
	for _, ts := range typeShares {
		if x < ts.share {
			return ts.t
		}
		x -= ts.share
	}
	return TypeNewPerson
}

func (g *generator) locale() *locale {
	x := g.rng.Float64()
	for i, w := range g.weights {
		if x < w {
			return &locales[i]
		}
		x -= w
	}
	return &locales[0]
}

func localeOf(country string) *locale {
	for i := range locales {
		if locales[i].country == country {
			return &locales[i]
		}
	}
	return &locales[0]
}

// zipf picks an index in [0,n) with a head, as name frequencies have: a
// third of the draws follow a power law, the rest are uniform, so the most
// common name takes some 7% (Nowak in Poland is 0.5%, Silva in Brazil
// near 10%, Wang in China 7%).
func (g *generator) zipf(n int) int {
	if g.rng.Float64() < 0.7 {
		return g.rng.IntN(n)
	}
	u := g.rng.Float64()
	i := int(math.Exp(u*math.Log(float64(n)+1))) - 1
	return min(max(i, 0), n-1)
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) person(l *locale, id string) record.Customer {
	female := g.rng.IntN(2) == 0
	var first string
	if female {
		first = l.female[g.zipf(len(l.female))]
	} else {
		first = l.male[g.zipf(len(l.male))]
	}
	var family string
	if len(l.familyRoots) > 0 && g.rng.Float64() < 0.35 {
		family = g.pick(l.familyRoots) + g.pick(l.familySuffixes)
	} else {
		family = l.family[g.zipf(len(l.family))]
	}
	if female {
		family = feminine(l.country, family)
	}
	ct := l.cities[g.zipf(len(l.cities))]
	c := record.Customer{
		ID:        id,
		FirstName: first,
		LastName:  family,
		Address: record.Address{
			Street:     fmt.Sprintf("%s %d", g.pick(l.streets), 1+g.rng.IntN(150)),
			City:       ct.name,
			PostalCode: g.fill(ct.postcode),
			Country:    l.country,
		},
		DateOfBirth: time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(61*365)).Format("2006-01-02"),
		Language:    strings.ToLower(l.country),
		UpdatedAt:   g.now,
	}
	if g.rng.Float64() < 0.35 {
		stem := g.pick(companyStems)
		c.Company = stem + " " + g.pick(legalForms[l.country])
		c.Domain = slug(stem) + "." + tld(l.country)
	}
	if g.rng.Float64() < 0.85 {
		c.Emails = []string{g.email(c, l)}
	}
	if g.rng.Float64() < 0.8 {
		c.Phones = []string{g.phone(l.country)}
	}
	if g.rng.Float64() < 0.15 {
		c.Handles = []record.Handle{{Platform: "mastodon", Handle: g.uniqueLocal(asciiName(c, l), "") + "@" + g.pick([]string{"mastodon.social", "mstdn.social", "social.vivaldi.net", "mastodon.lv", "pol.social"})}}
	}
	c.Segment = g.pick([]string{"retail", "retail", "retail", "smb", "enterprise"})
	c.LifetimeValue = math.Round(g.rng.ExpFloat64()*400*100) / 100
	return c
}

// feminine gives a family name its female form where the language has one.
func feminine(country, family string) string {
	switch country {
	case "PL":
		for _, s := range [][2]string{{"ski", "ska"}, {"cki", "cka"}, {"dzki", "dzka"}} {
			if strings.HasSuffix(family, s[0]) {
				return strings.TrimSuffix(family, s[0]) + s[1]
			}
		}
	case "LV":
		for _, s := range [][2]string{{"iņš", "iņa"}, {"ulis", "ule"}, {"ītis", "īte"}, {"ais", "ā"}, {"enieks", "eniece"}, {"ons", "one"}, {"is", "e"}, {"s", "a"}} {
			if strings.HasSuffix(family, s[0]) {
				return strings.TrimSuffix(family, s[0]) + s[1]
			}
		}
	}
	return family
}

func (g *generator) fill(pattern string) string {
	var b strings.Builder
	for _, r := range pattern {
		switch r {
		case '9':
			b.WriteByte(byte('0' + g.rng.IntN(10)))
		case 'A':
			b.WriteByte(byte('A' + g.rng.IntN(26)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range stripDiacritics(strings.ToLower(s)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func tld(country string) string {
	switch country {
	case "GB":
		return "co.uk"
	case "BR":
		return "com.br"
	case "CN":
		return "cn"
	case "UA":
		return "com.ua"
	}
	return strings.ToLower(country)
}

// asciiName is how a person's name is written in an email address.
func asciiName(c record.Customer, l *locale) string {
	first, last := romanize(l, c.FirstName, false), romanize(l, c.LastName, true)
	return slug(first) + "." + slug(last)
}

func (g *generator) email(c record.Customer, l *locale) string {
	first, last := slug(romanize(l, c.FirstName, false)), slug(romanize(l, c.LastName, true))
	var local string
	switch g.rng.IntN(5) {
	case 0:
		local = first + "." + last
	case 1:
		local = first[:1] + last
	case 2:
		local = first + last
	case 3:
		local = first + "_" + last
	default:
		local = last + "." + first
	}
	domain := g.pick(l.providers)
	if c.Domain != "" && g.rng.Float64() < 0.6 {
		domain = c.Domain
	}
	return g.uniqueLocal(local, domain) + "@" + domain
}

// uniqueLocal appends digits until local@domain is a new mailbox (Gmail
// ignores dots: j.kowalski and jkowalski are one mailbox there).
func (g *generator) uniqueLocal(local, domain string) string {
	key := func(l string) string {
		if domain == "gmail.com" {
			l = strings.ReplaceAll(l, ".", "")
		}
		return l + "@" + domain
	}
	cand := local
	for g.emails[key(cand)] {
		cand = fmt.Sprintf("%s%d", local, 1+g.rng.IntN(9999))
	}
	g.emails[key(cand)] = true
	return cand
}

var mobilePrefixes = map[string][]string{
	"PL": {"+48 50", "+48 51", "+48 53", "+48 57", "+48 60", "+48 66", "+48 69", "+48 72", "+48 73", "+48 78", "+48 79", "+48 88"},
	"LV": {"+371 20", "+371 21", "+371 22", "+371 24", "+371 25", "+371 26", "+371 27", "+371 28", "+371 29"},
	"PT": {"+351 91", "+351 92", "+351 93", "+351 96"},
	"BR": {"+55 11 9", "+55 21 9", "+55 31 9", "+55 41 9", "+55 51 9", "+55 61 9", "+55 71 9", "+55 81 9"},
	"CN": {"+86 13"},
	"UA": {"+380 50", "+380 66", "+380 67", "+380 68", "+380 73", "+380 93", "+380 95", "+380 96", "+380 97", "+380 98"},
	"GB": {"+44 74", "+44 75", "+44 78", "+44 79"},
	"DE": {"+49 170", "+49 171", "+49 172", "+49 173", "+49 174", "+49 175", "+49 176", "+49 177", "+49 178", "+49 179"},
}

// mobileDigits is how many digits follow the prefix.
var mobileDigits = map[string]int{"PL": 7, "LV": 6, "PT": 7, "BR": 8, "CN": 9, "UA": 7, "GB": 8, "DE": 7}

func (g *generator) phone(country string) string {
	for {
		p := g.pick(mobilePrefixes[country])
		var b strings.Builder
		b.WriteString(p)
		b.WriteByte(' ')
		for i := range mobileDigits[country] {
			d := g.rng.IntN(10)
			if i == 0 && country == "BR" {
				d = 6 + g.rng.IntN(4) // Brazilian mobiles: 9 then 6–9
			}
			b.WriteByte(byte('0' + d))
		}
		s := b.String()
		if g.phones[s] {
			continue
		}
		// A few ranges inside the prefixes are unassigned: draw again.
		if num, err := phonenumbers.Parse(s, ""); err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		g.phones[s] = true
		return s
	}
}

// nationalPhone writes an international number the way people at home
// write it.
func nationalPhone(p, country string) string {
	_, rest, _ := strings.Cut(p, " ")
	digits := strings.ReplaceAll(rest, " ", "")
	switch country {
	case "GB", "DE", "UA":
		return "0" + digits
	case "BR":
		return "(" + digits[:2] + ") " + digits[2:7] + "-" + digits[7:]
	case "PL":
		if len(digits) == 9 {
			return digits[:3] + "-" + digits[3:6] + "-" + digits[6:]
		}
	}
	return digits
}

var stripper = func() func(string) string {
	special := strings.NewReplacer("ł", "l", "Ł", "L", "ß", "ss", "ø", "o", "Ø", "O")
	return func(s string) string {
		s = special.Replace(s)
		var b strings.Builder
		for _, r := range norm.NFD.String(s) {
			if !unicode.Is(unicode.Mn, r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
}()

func stripDiacritics(s string) string { return stripper(s) }

// germanASCII writes umlauts as a German would without them.
var germanASCII = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")

// romanize writes a name in Latin letters the way the person would on a
// Western form: pinyin for Chinese, the Ukrainian national system for
// Cyrillic, umlauts spelt out for German, diacritics dropped otherwise.
func romanize(l *locale, s string, family bool) string {
	switch l.country {
	case "CN":
		return pinyinName(s, family)
	case "UA":
		return ukrainianLatin(s)
	case "DE":
		return germanASCII.Replace(s)
	}
	return stripDiacritics(s)
}

// typo makes one typing error in a Latin-script word: a neighbouring key,
// a dropped or doubled letter, or two letters swapped.
func (g *generator) typo(s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + g.rng.IntN(len(r)-1) // first letters are rarely mistyped
	switch g.rng.IntN(4) {
	case 0:
		r[i] = neighbour(g, r[i])
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = append(r[:i], append([]rune{r[i]}, r[i:]...)...)
	default:
		if i == len(r)-1 {
			i--
		}
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}

var keyboard = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

func neighbour(g *generator, r rune) rune {
	lr := unicode.ToLower(r)
	for row, keys := range keyboard {
		if i := strings.IndexRune(keys, lr); i >= 0 {
			var opts []rune
			if i > 0 {
				opts = append(opts, rune(keys[i-1]))
			}
			if i+1 < len(keys) {
				opts = append(opts, rune(keys[i+1]))
			}
			if row > 0 && i < len(keyboard[row-1]) {
				opts = append(opts, rune(keyboard[row-1][i]))
			}
			n := opts[g.rng.IntN(len(opts))]
			if unicode.IsUpper(r) {
				n = unicode.ToUpper(n)
			}
			return n
		}
	}
	return 'e'
}
