package identity

import (
	"testing"

	"github.com/earshothq/earshot/record"
)

// TestHouseholdsStayBelowTheMatchThreshold: same family name and address
// with another given name is a household member unless the birth date
// agrees; a given name replaced in data entry, with the birth date and the
// address agreeing, still matches. Address in separate columns (house
// number, second line, state) is read and compared, lines swapped too.
func TestHouseholdsStayBelowTheMatchThreshold(t *testing.T) {
	r := newTestResolver(t)
	base := record.Customer{ID: "H1", FirstName: "Marek", LastName: "Wiśniewski",
		Address:     record.Address{Street: "ul. Ogrodowa 17", Line2: "m. 4", City: "Poznań", Region: "wielkopolskie", PostalCode: "61-821", Country: "PL"},
		DateOfBirth: "1971-04-12"}
	r.ApplyCustomer(base.ID, &base)
	at := func(first, dob string) record.Customer {
		c := base
		c.ID, c.FirstName, c.DateOfBirth = "", first, dob
		return c
	}
	cases := []struct {
		name string
		lead record.Customer
		want string // outcome
	}{
		{"his son", at("Piotr", "1999-08-30"), record.MatchPossible},
		{"his father", at("Zbigniew", "1946-01-05"), record.MatchPossible},
		{"his brother", at("Tomasz", "1974-10-02"), record.MatchPossible},
		{"someone of the family, no birth date", at("Adam", ""), record.MatchPossible},
		{"given name replaced, birth date agreeing", at("Mariusz", "1971-04-12"), record.MatchExact},
		{"himself, birth date typed wrong", at("Marek", "1971-04-21"), record.MatchExact},
	}
	n := r.Normalizer()
	for _, c := range cases {
		p, errs := n.Customer(&c.lead)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.name, errs)
		}
		d := r.MatchPerson(&p)
		if d.Outcome != c.want {
			t.Errorf("%s: got %s score %.1f, want %s (evidence %+v, candidates %+v)", c.name, d.Outcome, d.Score, c.want, d.Evidence, d.Candidates)
		}
		if c.want == record.MatchPossible && (len(d.Candidates) == 0 || d.Candidates[0].CustomerID != "H1") {
			t.Errorf("%s: the family's customer is not listed for review: %+v", c.name, d.Candidates)
		}
	}
	// The address lines swapped, the house number in the other line, the
	// suburb written differently: the street still agrees.
	p, _ := n.Customer(&record.Customer{FirstName: "Marek", LastName: "Wisniewski",
		Address: record.Address{Street: "m. 4", Line2: "Ogrodowa 17", City: "Poznan-Jezyce", Region: "wielkopolskie"}, DateOfBirth: "1971-04-12"})
	d := r.MatchPerson(&p)
	levels := map[string]string{}
	for _, e := range d.Evidence {
		levels[e.Field] = e.Level
	}
	if d.Outcome != record.MatchExact || levels["street"] != "close" || levels["address_2"] != "exact" || levels["region"] != "exact" {
		t.Errorf("swapped address lines: got %s, evidence %+v", d.Outcome, d.Evidence)
	}
}

// TestTypedDateLevels: dates compare as dates, a generation apart is its
// own (strongly disagreeing) level.
func TestTypedDateLevels(t *testing.T) {
	cases := []struct {
		a, b string
		want string
	}{
		{"1971-04-12", "1971-04-12", "exact"},
		{"1971-04-12", "1971-12-04", "close"},
		{"1971-04-12", "1971-04-13", "close"},
		{"1971-04-12", "1971-09-30", "year"},
		{"1971-04-12", "1975-01-02", "near"},
		{"1971-04-12", "1999-08-30", "far"},
	}
	for _, c := range cases {
		if got := fieldSpecs[fDOB].Levels[compareDOB(c.a, c.b)]; got != c.want {
			t.Errorf("%s vs %s: %s, want %s", c.a, c.b, got, c.want)
		}
	}
	m, _ := newModel(nil)
	if w := m.weight(fDOB, 4); w > -5 {
		t.Errorf("a generation apart weighs %.2f; it must count against a match", w)
	}
}

// TestShortNamesWithOneTypo: three-letter names one slip apart are
// similar, not different; unrelated short names stay different.
func TestShortNamesWithOneTypo(t *testing.T) {
	if l := compareFirst("amy", "amu"); l != 3 {
		t.Errorf("amy/amu: level %d, want similar", l)
	}
	if l := compareFirst("ian", "ain"); l != 3 {
		t.Errorf("ian/ain: level %d, want similar", l)
	}
	if l := compareFirst("amy", "bob"); l != 5 {
		t.Errorf("amy/bob: level %d, want different", l)
	}
	if l := compareLast("lee", "lea"); l != 2 {
		t.Errorf("lee/lea: level %d, want similar", l)
	}
}

// TestBlockingWithoutNames finds a customer whose names are both replaced
// or mistyped by the street and birth date, and a single-name record.
func TestBlockingWithoutNames(t *testing.T) {
	r := newTestResolver(t)
	n := r.Normalizer()
	// Both names mangled; the street (number in its own column upstream,
	// so written first here), postcode and birth date agree.
	p, _ := n.Customer(&record.Customer{FirstName: "Kasienka", LastName: "Nowakowska",
		Address: record.Address{Street: "12 Polna", PostalCode: "80-001", City: "Gdańsk"}, DateOfBirth: "1992-02-14"})
	x := r.idx
	v := p.view(n.EmailDomain)
	_, _, cands := x.candidates(&v, r.cfg.MaxBlockSize, r.cfg.MaxCandidates)
	if !containsID(x, cands, "C5") {
		t.Errorf("street and birth date did not find C5: %v", cands)
	}
	// Only a family name, with the birth date.
	p, _ = n.Customer(&record.Customer{LastName: "Petrov", DateOfBirth: "1969-12-31"})
	v = p.view(n.EmailDomain)
	_, _, cands = x.candidates(&v, r.cfg.MaxBlockSize, r.cfg.MaxCandidates)
	if !containsID(x, cands, "C7") {
		t.Errorf("a single name with the birth date did not find C7: %v", cands)
	}
}

func containsID(x *index, cands []uint32, id string) bool {
	for _, c := range cands {
		if x.recs.field(c, pID) == id {
			return true
		}
	}
	return false
}
