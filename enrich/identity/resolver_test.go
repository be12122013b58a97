package identity

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fixtureCustomers are a small multilingual customer base with two people
// who share a name.
func fixtureCustomers() []record.Customer {
	return []record.Customer{
		{ID: "C1", FirstName: "Jan", LastName: "Kowalski", Emails: []string{"jan.kowalski@gmail.com"}, Phones: []string{"+48 601 234 567"},
			Address: record.Address{Street: "ul. Długa 5", City: "Warszawa", PostalCode: "00-950", Country: "PL"}, DateOfBirth: "1985-03-07"},
		{ID: "C2", FirstName: "Jan", LastName: "Kowalski", Emails: []string{"jkowalski@wp.pl"},
			Address: record.Address{City: "Kraków", PostalCode: "30-001", Country: "PL"}, DateOfBirth: "1990-11-20"},
		{ID: "C3", FirstName: "Jānis", LastName: "Bērziņš", Emails: []string{"janis@inbox.lv"}, Phones: []string{"+371 26 123 456"},
			Handles: []record.Handle{{Platform: "mastodon", Handle: "@janis@mastodon.lv"}},
			Address: record.Address{City: "Rīga", PostalCode: "LV-1050", Country: "LV"}, DateOfBirth: "1979-06-01"},
		{ID: "C4", FirstName: "伟", LastName: "王", Emails: []string{"wangwei@163.com"},
			Address: record.Address{City: "上海", PostalCode: "200001", Country: "CN"}, DateOfBirth: "1988-08-08"},
		{ID: "C5", FirstName: "Katarzyna", LastName: "Nowak", Company: "ACME Sp. z o.o.", Domain: "acme.pl",
			Address: record.Address{Street: "ul. Polna 12", City: "Gdańsk", PostalCode: "80-001", Country: "PL"}, DateOfBirth: "1992-02-14"},
		{ID: "C6", FirstName: "João", LastName: "da Silva", Emails: []string{"joao.silva@uol.com.br"},
			Address: record.Address{City: "São Paulo", PostalCode: "01310-100", Country: "BR"}, DateOfBirth: "1975-09-30"},
		{ID: "C7", FirstName: "Иван", LastName: "Петров", Phones: []string{"+380 50 123 4567"},
			Address: record.Address{City: "Київ", PostalCode: "01001", Country: "UA"}, DateOfBirth: "1969-12-31"},
	}
}

func newTestResolver(t *testing.T, mutate ...func(*Config)) *Resolver {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Weights.Estimate = "fixed" // hand-set weights: deterministic small-data tests
	for _, m := range mutate {
		m(&cfg)
	}
	r, err := New(cfg, slog.New(slog.DiscardHandler), WithClock(func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fixtureCustomers() {
		r.ApplyCustomer(c.ID, &c)
	}
	return r
}

func mention(source, sourceID string, kind record.Kind, a record.Author) *record.EnrichedMention {
	m := record.Mention{Source: source, SourceID: sourceID, Kind: kind, Author: a, Text: "hello",
		CreatedAt: time.Date(2026, 4, 30, 10, 0, 0, 0, time.UTC)}
	if err := m.Normalize(); err != nil {
		panic(err)
	}
	return &record.EnrichedMention{Mention: m}
}

func TestExactKeysMatch(t *testing.T) {
	r := newTestResolver(t)
	cases := []struct {
		name   string
		author record.Author
		want   string
		key    string
	}{
		{"gmail dots and tag", record.Author{Email: "J.A.N.Kowalski+shop@googlemail.com"}, "C1", "email:jankowalski@gmail.com"},
		{"national phone", record.Author{Phone: "601-234-567", Country: "PL"}, "C1", "phone:+48601234567"},
		{"mastodon handle", record.Author{Platform: "mastodon", Handle: "Janis@Mastodon.LV"}, "C3", "handle:mastodon:janis@mastodon.lv"},
		{"mastodon profile URL", record.Author{Platform: "mastodon", ProfileURL: "https://mastodon.lv/@janis"}, "C3", "handle:mastodon:janis@mastodon.lv"},
		{"Ukrainian mobile with 00", record.Author{Phone: "00380501234567"}, "C7", "phone:+380501234567"},
	}
	for _, c := range cases {
		id, _ := resolveOne(r, mention("mastodon", c.name, record.KindMention, c.author))
		if id.Outcome != record.MatchExact || id.CustomerID != c.want || id.Key != c.key {
			t.Errorf("%s: got %s %s key %q (score %.1f), want match %s key %q", c.name, id.Outcome, id.CustomerID, id.Key, id.Score, c.want, c.key)
		}
		if len(id.Evidence) == 0 {
			t.Errorf("%s: a match carries no evidence", c.name)
		}
	}
}

func TestSharedEmailWithAnotherNameIsNotMergedSilently(t *testing.T) {
	r := newTestResolver(t)
	// The family mailbox of C1, used by someone with another given name
	// and birth date: not a silent match.
	p := Person{First: "anna", Last: "kowalska", Emails: []string{"jankowalski@gmail.com"}, DOB: "2001-01-01"}
	d := r.MatchPerson(&p)
	if d.Outcome == record.MatchExact {
		t.Fatalf("shared mailbox with another name matched: %+v", d)
	}
	if d.Outcome != record.MatchPossible || len(d.Candidates) == 0 || d.Candidates[0].CustomerID != "C1" {
		t.Fatalf("want a possible match listing C1, got %+v", d)
	}
}

func TestFuzzyMatchesWithoutIdentifiers(t *testing.T) {
	r := newTestResolver(t)
	n := r.Normalizer()
	cases := []struct {
		name string
		lead record.Customer
		want string
	}{
		{"typo and birth date", record.Customer{FirstName: "Jan", LastName: "Kowlaski", DateOfBirth: "07.03.1985", Address: record.Address{City: "Warszawa"}}, "C1"},
		{"the namesake by postcode", record.Customer{FirstName: "Jan", LastName: "Kowalski", Address: record.Address{PostalCode: "30-001", City: "Krakow"}, DateOfBirth: "1990-11-20"}, "C2"},
		{"swapped names", record.Customer{FirstName: "Nowak", LastName: "Katarzyna", DateOfBirth: "1992-02-14", Address: record.Address{City: "Gdansk"}}, "C5"},
		{"nickname and work email domain", record.Customer{FirstName: "Kasia", LastName: "Nowak", Emails: []string{"k.nowak@acme.pl"}, Address: record.Address{Street: "Polna 12", City: "Gdańsk"}}, "C5"},
		{"Latvian without diacritics", record.Customer{FirstName: "Janis", LastName: "Berzins", DateOfBirth: "1979-06-01", Address: record.Address{City: "Riga"}}, "C3"},
		{"pinyin, family name first", record.Customer{Names: []string{"Wang Wei"}, DateOfBirth: "1988-08-08", Address: record.Address{City: "Shanghai"}}, "C4"},
		{"Cyrillic romanised", record.Customer{FirstName: "Ivan", LastName: "Petrov", DateOfBirth: "1969-12-31", Address: record.Address{PostalCode: "01001"}}, "C7"},
		{"Portuguese particle dropped", record.Customer{FirstName: "Joao", LastName: "Silva", DateOfBirth: "30/09/1975", Address: record.Address{City: "Sao Paulo"}}, "C6"},
	}
	for _, c := range cases {
		p, errs := n.Customer(&c.lead)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.name, errs)
		}
		d := r.MatchPerson(&p)
		if d.Outcome != record.MatchExact || d.CustomerID != c.want {
			t.Errorf("%s: got %s %q score %.1f candidates %+v, want match %s", c.name, d.Outcome, d.CustomerID, d.Score, d.Candidates, c.want)
			continue
		}
		if d.Key != "" {
			t.Errorf("%s: fuzzy match reports exact key %q", c.name, d.Key)
		}
		agreeing := 0
		total := 0.0
		for _, e := range d.Evidence {
			if e.Agrees {
				agreeing++
			}
			total += e.Weight
		}
		if agreeing < 2 || total < r.cfg.UpperThreshold-0.1 || total-d.Score > 0.1 || d.Score-total > 0.1 {
			t.Errorf("%s: evidence %+v does not add up to score %.2f", c.name, d.Evidence, d.Score)
		}
	}
}

func TestPossibleMatchBand(t *testing.T) {
	r := newTestResolver(t)
	// Name and city only: the same name lives in two cities; with the city
	// it points at C1 but is not enough for a match.
	p := Person{First: "jan", Last: "kowalski", City: "warszawa"}
	d := r.MatchPerson(&p)
	if d.Outcome != record.MatchPossible || d.CustomerID != "" {
		t.Fatalf("want possible without a customer id, got %+v", d)
	}
	if d.Score < r.cfg.LowerThreshold || d.Score >= r.cfg.UpperThreshold {
		t.Fatalf("possible score %.2f outside the band [%g, %g)", d.Score, r.cfg.LowerThreshold, r.cfg.UpperThreshold)
	}
	if len(d.Candidates) == 0 || d.Candidates[0].CustomerID != "C1" || len(d.Candidates[0].Evidence) == 0 {
		t.Fatalf("candidates = %+v, want C1 first with evidence", d.Candidates)
	}
	// The same name with another birth date and postcode is nobody.
	p = Person{First: "jan", Last: "kowalski", DOB: "1950-01-01", Postcode: "61001", City: "poznan"}
	if d := r.MatchPerson(&p); d.Outcome != record.MatchNone {
		t.Fatalf("namesake with other birth date and place: got %+v", d)
	}
	// Moving the thresholds moves the decision.
	strict := newTestResolver(t, func(c *Config) { c.UpperThreshold, c.LowerThreshold = 60, 50 })
	p = Person{First: "jan", Last: "kowlaski", DOB: "1985-03-07", City: "warszawa"}
	if d := strict.MatchPerson(&p); d.Outcome != record.MatchNone {
		t.Fatalf("with thresholds 60/50 got %+v", d)
	}
}

func TestAmbiguousLookAlikesAreOnlyPossible(t *testing.T) {
	r := newTestResolver(t)
	// A second Katarzyna Nowak at the same address, born the same day
	// (twins in a CRM, or a duplicate record): never pick one silently.
	twin := record.Customer{ID: "C5b", FirstName: "Katarzyna", LastName: "Nowak",
		Address: record.Address{Street: "ul. Polna 12", City: "Gdańsk", PostalCode: "80-001", Country: "PL"}, DateOfBirth: "1992-02-14"}
	r.ApplyCustomer(twin.ID, &twin)
	p := Person{First: "katarzyna", Last: "nowak", DOB: "1992-02-14", Postcode: "80001"}
	d := r.MatchPerson(&p)
	if d.Outcome != record.MatchPossible || len(d.Candidates) < 2 {
		t.Fatalf("want possible with both twins, got %+v", d)
	}
}

func TestCustomerUpdateAndTombstone(t *testing.T) {
	r := newTestResolver(t)
	if got := r.Customers(); got != 7 {
		t.Fatalf("customers = %d", got)
	}
	// Upsert: C3's email changes; the old one no longer finds anybody.
	c3 := fixtureCustomers()[2]
	c3.Emails = []string{"janis.berzins@example.lv"}
	r.ApplyCustomer(c3.ID, &c3)
	if r.Customers() != 7 {
		t.Fatalf("upsert changed the count to %d", r.Customers())
	}
	p := Person{Emails: []string{"janis@inbox.lv"}}
	if d := r.MatchPerson(&p); d.Outcome == record.MatchExact {
		t.Fatalf("old email still matches: %+v", d)
	}
	p = Person{Emails: []string{"janis.berzins@example.lv"}}
	if d := r.MatchPerson(&p); d.CustomerID != "C3" {
		t.Fatalf("new email: %+v", d)
	}
	// Tombstone: gone from exact and fuzzy matching.
	r.ApplyCustomer("C3", nil)
	if d := r.MatchPerson(&p); d.Outcome != record.MatchNone {
		t.Fatalf("erased customer still found: %+v", d)
	}
	p = Person{First: "janis", Last: "berzins", DOB: "1979-06-01", City: "riga"}
	if d := r.MatchPerson(&p); d.Outcome != record.MatchNone {
		t.Fatalf("erased customer found fuzzily: %+v", d)
	}
	if r.Customers() != 6 {
		t.Fatalf("customers after tombstone = %d", r.Customers())
	}
	r.ApplyCustomer("nobody", nil) // a tombstone for an unknown key is harmless
}

func TestProspectDedupAcrossRecordsOfOnePerson(t *testing.T) {
	r := newTestResolver(t, func(c *Config) {
		c.Prospects.IdealCustomer = []FitRule{{Field: "country", In: []string{"PL"}, Weight: 1}, {Field: "platform", In: []string{"mastodon"}, Weight: 1}}
	})
	buying := func(score float64) []record.Intent { return []record.Intent{{Name: "buying", Score: score}} }

	// A post without buying intent creates nothing.
	em := mention("mastodon", "p0", record.KindMention, record.Author{Platform: "mastodon", Handle: "@ewa@pol.social", Name: "Ewa Zielińska", Followers: 1200})
	if id, pr := resolveOne(r, em); pr != nil || id.ProspectID != "" {
		t.Fatalf("no intent: prospect %+v", pr)
	}
	// Buying intent creates the prospect, keyed by the handle.
	em = mention("mastodon", "p1", record.KindMention, record.Author{Platform: "mastodon", Handle: "@ewa@pol.social", Name: "Ewa Zielińska", Followers: 1200, Country: "PL"})
	em.Analysis.Intents = buying(0.9)
	id, pr := resolveOne(r, em)
	if pr == nil || id.Outcome != record.MatchNone || id.ProspectID != pr.ID || pr.ID != ProspectID("handle:mastodon:ewa@pol.social") {
		t.Fatalf("first buying post: id %+v prospect %+v", id, pr)
	}
	first := pr.ID
	// Many later records of the same person join the same prospect, even
	// without intent; a replay adds nothing twice.
	for i := 2; i <= 30; i++ {
		em := mention("mastodon", fmt.Sprintf("p%d", i), record.KindReply, record.Author{Platform: "mastodon", Handle: "ewa@POL.social", Followers: 1300})
		if i%3 == 0 {
			em.Analysis.Intents = buying(0.7)
		}
		_, pr = resolveOne(r, em)
		if pr == nil || pr.ID != first {
			t.Fatalf("record %d: prospect %+v, want %s", i, pr, first)
		}
	}
	_, pr = resolveOne(r, em) // replay of the last record
	if pr.ID != first || len(pr.Evidence) != r.cfg.Prospects.MaxEvidence {
		t.Fatalf("after 30 records: %d evidence (max %d)", len(pr.Evidence), r.cfg.Prospects.MaxEvidence)
	}
	seen := map[string]bool{}
	for _, e := range pr.Evidence {
		if seen[e.RecordID] {
			t.Fatalf("evidence %s twice", e.RecordID)
		}
		seen[e.RecordID] = true
		if e.Consent == nil || e.Consent.Basis != "legitimate_interest" {
			t.Fatalf("public post without lawful basis: %+v", e.Consent)
		}
	}
	if pr.Followers != 1300 || pr.Country != "PL" || pr.Status != record.ProspectNew {
		t.Fatalf("prospect state: %+v", pr)
	}
	for _, part := range []string{"intent", "reach", "recency", "frequency", "fit"} {
		if _, ok := pr.ScoreParts[part]; !ok {
			t.Fatalf("score parts %v lack %s", pr.ScoreParts, part)
		}
	}
	if pr.ScoreParts["fit"] != 1 || pr.Score <= 0 || pr.Score > 1 {
		t.Fatalf("score %.2f parts %v", pr.Score, pr.ScoreParts)
	}
	if r.prospects.len() != 1 {
		t.Fatalf("%d prospects in the table", r.prospects.len())
	}
}

func TestFormSubmissionCreatesProspectWithConsentAndCandidates(t *testing.T) {
	r := newTestResolver(t)
	em := mention("forms", "f1", record.KindFormSubmission, record.Author{Name: "Jan Kowalski", Email: "jan.k@example.com", City: "Warszawa"})
	em.Consent = &record.Consent{Given: true, Text: "I agree", Version: "v2"}
	id, pr := resolveOne(r, em)
	if pr == nil || pr.Key != "email:jan.k@example.com" || pr.Evidence[0].Consent == nil || !pr.Evidence[0].Consent.Given {
		t.Fatalf("form: %+v", pr)
	}
	// The person may be a customer: a possible match, kept for review on
	// the prospect, never merged.
	if id.Outcome != record.MatchPossible || id.CustomerID != "" || len(pr.Candidates) == 0 {
		t.Fatalf("identity %+v candidates %+v", id, pr.Candidates)
	}
	if pr.ScoreParts["intent"] != 1 {
		t.Fatalf("a form submission is full intent: %v", pr.ScoreParts)
	}
	// A known customer's form goes to the customer, not to prospects.
	em = mention("forms", "f2", record.KindFormSubmission, record.Author{Email: "janis@inbox.lv"})
	if id, pr := resolveOne(r, em); id.CustomerID != "C3" || pr != nil {
		t.Fatalf("customer form: %+v %+v", id, pr)
	}
	// Without any identity key there is nothing to recognise next time.
	em = mention("forms", "f3", record.KindFormSubmission, record.Author{Name: "Anonymous"})
	if _, pr := resolveOne(r, em); pr != nil {
		t.Fatalf("keyless form made a prospect: %+v", pr)
	}
}

func TestProspectTableFromTopicAndTombstone(t *testing.T) {
	r := newTestResolver(t)
	p := &record.Prospect{ID: ProspectID("email:ola@example.com"), Key: "email:ola@example.com", Emails: []string{"Ola@Example.com"},
		Status: record.ProspectQualified, LastSeen: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	r.ApplyProspect(p.ID, p)
	em := mention("forms", "x1", record.KindComment, record.Author{Email: "ola@example.com"})
	_, got := resolveOne(r, em)
	if got == nil || got.ID != p.ID || got.Status != record.ProspectQualified || len(got.Evidence) != 1 {
		t.Fatalf("record did not join the loaded prospect: %+v", got)
	}
	// The stage's own older write echoing back does not roll the state back.
	r.ApplyProspect(p.ID, p)
	if cur, _ := r.prospects.get(p.ID); len(cur.Evidence) != 1 {
		t.Fatalf("echo rolled back the prospect: %+v", cur)
	}
	// Erasure: the tombstone forgets the prospect; a new record without
	// intent creates nothing.
	r.ApplyProspect(p.ID, nil)
	if _, ok := r.prospects.get(p.ID); ok {
		t.Fatal("tombstoned prospect still in the table")
	}
	if _, pr := resolveOne(r, mention("forms", "x2", record.KindComment, record.Author{Email: "ola@example.com"})); pr != nil {
		t.Fatalf("erased person came back without intent: %+v", pr)
	}
}

func TestConcurrentResolveAndApply(t *testing.T) {
	r := newTestResolver(t, func(c *Config) { c.Weights.Estimate = "em"; c.Weights.EMMinPairs = 10; c.Weights.EMEvery = 20 })
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				em := mention("forms", fmt.Sprintf("g%d-%d", g, i), record.KindFormSubmission,
					record.Author{Name: "Anna Nowak", Email: fmt.Sprintf("anna%d@example.com", i%10)})
				id, _ := resolveOne(r, em)
				if id.Outcome == "" {
					t.Error("empty outcome")
					return
				}
				if g == 0 && i%10 == 0 {
					c := record.Customer{ID: fmt.Sprintf("N%d", i), FirstName: "Anna", LastName: "Nowak", Emails: []string{fmt.Sprintf("anna%d@example.com", i%10)}}
					r.ApplyCustomer(c.ID, &c)
				}
			}
		}()
	}
	wg.Wait()
	// Every person was resolved to one prospect per mailbox at most.
	if n := r.prospects.len(); n > 10 {
		t.Fatalf("%d prospects for 10 mailboxes", n)
	}
}

func TestMetricsAreRegistered(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := DefaultConfig()
	r, err := New(cfg, nil, WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	c := fixtureCustomers()[0]
	r.ApplyCustomer(c.ID, &c)
	resolveOne(r, mention("forms", "m1", record.KindFormSubmission, record.Author{Email: "jan.kowalski@gmail.com"}))
	resolveOne(r, mention("forms", "m2", record.KindFormSubmission, record.Author{Email: "new@example.com"}))
	if got := testutil.ToFloat64(r.metrics.decisions.WithLabelValues("match")); got != 1 {
		t.Fatalf("match decisions = %v", got)
	}
	if got := testutil.ToFloat64(r.metrics.prospectEvents.WithLabelValues("created")); got != 1 {
		t.Fatalf("prospects created = %v", got)
	}
	if got := testutil.ToFloat64(r.metrics.customers); got != 1 {
		t.Fatalf("customers gauge = %v", got)
	}
	if _, err := New(cfg, nil, WithRegisterer(reg)); err == nil {
		t.Fatal("registering twice should fail")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c := DefaultConfig()
	c.LowerThreshold = 30
	c.DefaultPhoneRegion = "XX"
	c.Weights.Estimate = "magic"
	c.Weights.Fields = map[string]map[string]MU{"last_name": {"exact": {M: 0.9, U: 0}}, "shoe_size": {"exact": {M: 0.5, U: 0.1}}}
	c.Prospects.IdealCustomer = []FitRule{{Field: "colour", Weight: 1}}
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"lower_threshold", "default_phone_region", "weights.estimate", "last_name.exact", "shoe_size", "colour", "needs in or contains"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := New(c, nil); err == nil {
		t.Fatal("New accepted an invalid config")
	}
}

// resolveOne resolves em and returns the person's prospect (the first
// changed), or nil.
func resolveOne(r *Resolver, em *record.EnrichedMention) (record.Identity, *record.Prospect) {
	id, ps := r.Resolve(em)
	if len(ps) == 0 {
		return id, nil
	}
	return id, ps[0]
}
