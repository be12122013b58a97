package evaldata

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/earshothq/earshot/record"
	"github.com/nyaruka/phonenumbers"
)

func TestGenerateIsRepeatableAndWellFormed(t *testing.T) {
	o := Options{Seed: 5, Customers: 3000, Leads: 1500, Namesakes: 0.03, Households: 0.08}
	a, b := Generate(o), Generate(o)
	if !reflect.DeepEqual(a.Customers, b.Customers) || !reflect.DeepEqual(a.Leads, b.Leads) || !reflect.DeepEqual(a.Labels, b.Labels) {
		t.Fatal("the same seed gave different data")
	}
	if c := Generate(Options{Seed: 6, Customers: 3000, Leads: 10}); reflect.DeepEqual(c.Customers, a.Customers) {
		t.Fatal("another seed gave the same data")
	}
	ids := map[string]bool{}
	mailboxes := map[string]bool{}
	for _, c := range a.Customers {
		ids[c.ID] = true
		for _, p := range c.Phones {
			num, err := phonenumbers.Parse(p, "")
			if err != nil || !phonenumbers.IsValidNumber(num) {
				t.Errorf("%s: phone %q is not a valid number", c.ID, p)
			}
		}
		for _, e := range c.Emails {
			local, domain, _ := strings.Cut(strings.ToLower(e), "@")
			if domain == "gmail.com" {
				local = strings.ReplaceAll(local, ".", "")
			}
			if mailboxes[local+"@"+domain] {
				t.Errorf("%s: mailbox %s given twice", c.ID, e)
			}
			mailboxes[local+"@"+domain] = true
		}
	}
	types := map[string]int{}
	for i, l := range a.Labels {
		types[l.Type]++
		if l.LeadID != a.Leads[i].ID {
			t.Fatalf("label %d is for %s, lead is %s", i, l.LeadID, a.Leads[i].ID)
		}
		known := l.CustomerID != ""
		if known != (l.Type != TypeSameName && l.Type != TypeNewPerson && l.Type != TypeHousehold) || known && !ids[l.CustomerID] {
			t.Fatalf("label %+v", l)
		}
		// A household member lives at a customer's address under the
		// family's name, with a given name of their own.
		if lead := a.Leads[i]; l.Type == TypeHousehold {
			found := false
			for _, c := range a.Customers {
				if c.Address.Street == lead.Address.Street && c.Address.Street != "" && !strings.EqualFold(c.FirstName, lead.FirstName) &&
					familyStem(c.LastName) == familyStem(lead.LastName) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("household lead %s (%s %s, %s) has no family at its address", lead.ID, lead.FirstName, lead.LastName, lead.Address.Street)
			}
		}
	}
	for _, ts := range typeShares {
		got := float64(types[ts.t]) / float64(len(a.Labels))
		if got < ts.share/2 || got > ts.share*2 {
			t.Errorf("%s: %.3f of leads, configured %.3f", ts.t, got, ts.share)
		}
	}
}

func TestEvaluateCountsAndReport(t *testing.T) {
	labels := []Label{
		{"L1", "C1", TypeTypo}, {"L2", "C2", TypeTypo}, {"L3", "C3", TypeTypo},
		{"L4", "", TypeSameName}, {"L5", "", TypeSameName}, {"L6", "C6", TypeExactEmail},
	}
	dec := map[string]Decision{
		"L1": {Outcome: record.MatchExact, CustomerID: "C1"},
		"L2": {Outcome: record.MatchExact, CustomerID: "C9"}, // wrong customer: FP and FN
		"L3": {Outcome: record.MatchPossible, Candidates: []string{"C3"}},
		"L4": {Outcome: record.MatchExact, CustomerID: "C4"},
		"L5": {Outcome: record.MatchNone},
	}
	rep := Evaluate(labels, dec)
	var typo Counts
	for _, c := range rep.ByType {
		if c.Group == TypeTypo {
			typo = c
		}
	}
	if typo.Group != TypeTypo || typo.TP != 1 || typo.FP != 1 || typo.FN != 2 || typo.Possible != 1 || typo.PossibleRight != 1 {
		t.Fatalf("typo counts %+v", typo)
	}
	if p, r := typo.Precision(), typo.Recall(); p != 0.5 || r != 1.0/3 {
		t.Fatalf("typo precision %v recall %v", p, r)
	}
	if rep.NoExact.Leads != 5 || rep.NoExact.FP != 2 || rep.NoExact.TN != 1 || rep.All.Leads != 6 || rep.Missing != 1 {
		t.Fatalf("pooled %+v %+v missing %d", rep.NoExact, rep.All, rep.Missing)
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf); err != nil || !strings.Contains(buf.String(), "without exact identifiers") || !strings.Contains(buf.String(), "1 labelled leads had no decision") {
		t.Fatalf("report:\n%s", buf.String())
	}
	var lb bytes.Buffer
	if err := WriteLabels(&lb, labels); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLabels(&lb)
	if err != nil || !reflect.DeepEqual(back, labels) {
		t.Fatalf("labels round trip: %v %v", back, err)
	}
}

// familyStem is a family name without its gendered ending.
func familyStem(s string) string {
	r := []rune(strings.ToLower(s))
	return string(r[:min(4, len(r))])
}
