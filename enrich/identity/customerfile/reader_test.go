package customerfile

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/record"
)

func readAll(t *testing.T, path string, cfg Config) ([]Row, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, path, cfg, identity.NewNormalizer(identity.DefaultConfig()))
	if err != nil {
		return nil, err
	}
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

func TestPolishCSVWithSynonymsAndBadRows(t *testing.T) {
	rows, err := readAll(t, "testdata/customers_pl.csv", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("got %d rows, want 8", len(rows))
	}
	good := map[string]record.Customer{}
	bad := map[int]string{}
	for _, r := range rows {
		if r.OK() {
			good[r.Customer.ID] = r.Customer
		} else {
			bad[r.Line] = strings.Join(r.Errors, "; ")
		}
	}
	// Good rows: C001, C002, C008.
	if len(good) != 3 {
		t.Errorf("good rows = %v, want C001, C002, C008; bad: %v", keys(good), bad)
	}
	c1 := good["C001"]
	if c1.FirstName != "Jan" || c1.LastName != "Kowalski" || c1.Address.PostalCode != "00-950" || c1.Address.City != "Warszawa" {
		t.Errorf("C001 = %+v", c1)
	}
	if c1.DateOfBirth != "1985-03-07" || c1.LifetimeValue != 1234.5 || !c1.Consent["marketing"] {
		t.Errorf("C001 dob/ltv/consent = %q %v %v", c1.DateOfBirth, c1.LifetimeValue, c1.Consent)
	}
	if c1.Attributes["Ulubiony sklep"] != "Mokotów" {
		t.Errorf("C001 unmapped column not kept as attribute: %v", c1.Attributes)
	}
	if got := good["C002"].Address.Country; got != "PL" {
		t.Errorf("C002 country = %q, want PL from 'Polska'", got)
	}
	if c8 := good["C008"]; len(c8.Emails) != 2 || c8.DateOfBirth != "1975-05-20" {
		t.Errorf("C008 = %+v", c8)
	}
	// Each bad row is reported at its line with its reasons.
	wants := map[int][]string{
		4: {"anna.nowak@"},
		5: {"has no id"},
		6: {"too few digits", "does not exist", "lifetime_value \"abc\" is not a number", "marketing \"maybe\""},
		7: {"Narnia"},
		8: {"has 2 columns, the header has 12"},
	}
	for line, subs := range wants {
		msg, ok := bad[line]
		if !ok {
			t.Errorf("line %d not reported as bad (bad: %v)", line, bad)
			continue
		}
		for _, s := range subs {
			if !strings.Contains(msg, s) {
				t.Errorf("line %d: %q does not mention %q", line, msg, s)
			}
		}
	}
}

func TestJSONLCustomerShapeAndOtherScripts(t *testing.T) {
	rows, err := readAll(t, "testdata/customers.jsonl", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int]Row{}
	for _, r := range rows {
		byLine[r.Line] = r
	}
	l1 := byLine[1]
	if !l1.OK() || l1.Customer.ID != "L1" || l1.Customer.Address.City != "Rīga" || l1.Customer.Address.Country != "LV" ||
		len(l1.Customer.Handles) != 1 || l1.Customer.Handles[0] != (record.Handle{Platform: "mastodon", Handle: "janis@mastodon.lv"}) ||
		!l1.Customer.Consent["email_marketing"] || l1.Customer.Attributes["tier_note"] != "vip" {
		t.Errorf("line 1 = %+v", l1)
	}
	br := byLine[2].Customer
	if !byLine[2].OK() || br.Names[0] != "João da Silva" || br.Address.Country != "BR" || br.Purchases.Orders != 3 || br.Purchases.Currency != "BRL" || br.Purchases.LastPurchase.IsZero() {
		t.Errorf("line 2 = %+v %v", br, byLine[2].Errors)
	}
	if byLine[3].OK() || !strings.Contains(byLine[3].Errors[0], "not a JSON object") {
		t.Errorf("line 3 = %+v", byLine[3])
	}
	cn := byLine[4].Customer
	if !byLine[4].OK() || cn.FirstName != "伟" || cn.LastName != "王" || cn.Address.Country != "CN" {
		t.Errorf("line 4 = %+v %v", cn, byLine[4].Errors)
	}
	if r := byLine[5]; r.OK() || !strings.Contains(strings.Join(r.Errors, ";"), "bad@@example.com") || !strings.Contains(strings.Join(r.Errors, ";"), "no platform") {
		t.Errorf("line 5 = %+v", r)
	}
}

func TestExplicitMappingAndLeadIDs(t *testing.T) {
	csv := "Contact,Work mail,Org\nJan Kowalski,jan@acme.pl,ACME\n,,\n"
	cfg := DefaultConfig()
	cfg.RequireID = false
	cfg.Mapping = map[string]string{"name": "Contact", "email": "Work mail", "company": "Org"}
	r, err := NewReader(strings.NewReader(csv), "leads.csv", cfg, identity.NewNormalizer(identity.DefaultConfig()))
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || !row.OK() || row.Customer.ID != "line:2" || row.Customer.Names[0] != "Jan Kowalski" || row.Customer.Company != "ACME" {
		t.Fatalf("row = %+v, %v", row, err)
	}
	row, err = r.Next()
	if err != nil || row.OK() || !strings.Contains(row.Errors[0], "nothing") && !strings.Contains(row.Errors[0], "no name") {
		t.Fatalf("empty row = %+v, %v", row, err)
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}

	cfg.Mapping = map[string]string{"email": "Mail"}
	if _, err := NewReader(strings.NewReader(csv), "leads.csv", cfg, identity.NewNormalizer(identity.DefaultConfig())); err == nil || !strings.Contains(err.Error(), `column "Mail" is not in the file`) {
		t.Errorf("missing mapped column: err = %v", err)
	}
	cfg.Mapping = map[string]string{"emial": "Work mail"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "mapping.emial: unknown field") {
		t.Errorf("unknown target: err = %v", err)
	}
}

func TestBrokenQuoteStopsWithLine(t *testing.T) {
	csv := "id,name\n1,Jan\n2,\"Anna\n3,Ewa\n"
	r, err := NewReader(strings.NewReader(csv), "x.csv", DefaultConfig(), identity.NewNormalizer(identity.DefaultConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || !row.OK() {
		t.Fatalf("first row: %+v %v", row, err)
	}
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("want a parse error at line 3, got %v", err)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
