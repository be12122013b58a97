package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/identity/evaldata"
)

// evaluate generates a labelled set, matches it as `earshot match` does and
// scores the decisions.
func evaluate(t *testing.T, o Options, opts evaldata.Options) evaldata.Report {
	t.Helper()
	dir := t.TempDir()
	ds := evaldata.Generate(opts)
	if err := ds.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := Run(context.Background(), o, filepath.Join(dir, "customers.csv"), filepath.Join(dir, "leads.csv"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Customers != opts.Customers || sum.Inputs != opts.Leads || sum.BadCustomerRows != 0 {
		t.Fatalf("summary %+v", sum)
	}
	rows, err := ReadRows(&out)
	if err != nil {
		t.Fatal(err)
	}
	decisions := map[string]evaldata.Decision{}
	for _, r := range rows {
		d := evaldata.Decision{LeadID: r.ID, Outcome: r.Decision, CustomerID: r.CustomerID}
		for _, c := range r.Candidates {
			d.Candidates = append(d.Candidates, c.CustomerID)
		}
		decisions[r.ID] = d
	}
	rep := evaldata.Evaluate(ds.Labels, decisions)
	var table bytes.Buffer
	_ = rep.Write(&table)
	t.Logf("seed %d, %d customers, %d leads, weights %s:\n%s", opts.Seed, opts.Customers, opts.Leads, o.Identity.Weights.Estimate, table.String())
	if rep.Missing != 0 {
		t.Fatalf("%d leads without a decision", rep.Missing)
	}
	return rep
}

// TestEvaluationQuality is the quality gate of `earshot match` on a
// generated labelled set (typos, swapped fields, missing fields,
// nicknames, transliterations, namesakes, household members and new
// people): precision at least 0.99 and F1 at least 0.97 on leads without
// exact identifiers, at most 1% of household members merged.
// `go run ./bench/identity eval` runs it at larger sizes.
func TestEvaluationQuality(t *testing.T) {
	modes := []string{"em", "fixed"}
	if testing.Short() {
		modes = modes[:1]
	}
	for _, weights := range modes {
		o := DefaultOptions()
		o.Identity.Weights.Estimate = weights
		rep := evaluate(t, o, evaldata.Options{Seed: 11, Customers: 5000, Leads: 1500, Namesakes: 0.03, Households: 0.08})
		if p, f := rep.NoExact.Precision(), rep.NoExact.F1(); p < 0.99 || f < 0.97 {
			t.Errorf("%s weights, without exact identifiers: precision %.4f (want ≥ 0.99), F1 %.4f (want ≥ 0.97)", weights, p, f)
		}
		for _, c := range rep.ByType {
			if evaldata.ExactIdentifier(c.Group) && c.Recall() < 0.99 {
				t.Errorf("%s weights, %s: recall %.4f, want ≥ 0.99", weights, c.Group, c.Recall())
			}
			if c.Group == evaldata.TypeHousehold {
				if rate := float64(c.FP) / float64(c.Leads); c.Leads < 50 || rate > 0.01 {
					t.Errorf("%s weights: %d of %d household members merged into a customer (want ≤ 1%%)", weights, c.FP, c.Leads)
				}
			} else if c.Group == evaldata.TypeSameName || c.Group == evaldata.TypeNewPerson {
				if rate := float64(c.FP) / float64(c.Leads); rate > 0.02 {
					t.Errorf("%s weights, %s: %d of %d matched to a customer", weights, c.Group, c.FP, c.Leads)
				}
			} else if c.Recall() < 0.85 {
				t.Errorf("%s weights, %s: recall %.4f, want ≥ 0.85", weights, c.Group, c.Recall())
			}
		}
	}
}

func TestCSVOutputAndInvalidRows(t *testing.T) {
	dir := t.TempDir()
	customers := filepath.Join(dir, "customers.csv")
	leads := filepath.Join(dir, "leads.jsonl")
	os.WriteFile(customers, []byte("id,first_name,last_name,email,city,date_of_birth\nC1,Jan,Kowalski,jan@example.pl,Warszawa,1985-03-07\nC2,Anna,Nowak,,Kraków,1990-01-01\n,No,Id,,,\n"), 0o600)
	os.WriteFile(leads, []byte(`{"id":"L1","email":"JAN@example.pl"}
{"id":"L2","first_name":"Anna","last_name":"Nowak","city":"Krakow","date_of_birth":"1990-01-01"}
{"id":"L3","first_name":"Anna","last_name":"Nowak","date_of_birth":"31.02.1990","city":"Krakow"}
not json
`), 0o600)
	o := DefaultOptions()
	o.Format = "csv"
	var out bytes.Buffer
	sum, err := Run(context.Background(), o, customers, leads, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Customers != 2 || sum.BadCustomerRows != 1 || sum.BadInputRows != 1 || !strings.Contains(sum.BadRowsReported[0], "customers.csv:4: has no id") {
		t.Fatalf("summary %+v", sum)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || strings.Join(recs[0], ",") != "line,id,decision,customer_id,score,key,evidence,candidates,errors" {
		t.Fatalf("csv: %v", recs)
	}
	if recs[1][1] != "L1" || recs[1][2] != "match" || recs[1][3] != "C1" || recs[1][5] != "email:jan@example.pl" || !strings.Contains(recs[1][6], "email=exact:") {
		t.Errorf("L1: %v", recs[1])
	}
	if recs[2][2] != "match" || recs[2][3] != "C2" {
		t.Errorf("L2: %v", recs[2])
	}
	// An impossible birth date is left out of the lead; its name and city
	// still point at C2, but not strongly enough to merge.
	if recs[3][2] == "invalid" || recs[3][3] == "C1" {
		t.Errorf("L3: %v", recs[3])
	}
	if recs[4][2] != "invalid" || recs[4][0] != "4" || !strings.Contains(recs[4][8], "not a JSON object") {
		t.Errorf("line 4: %v", recs[4])
	}
	if _, err := Run(context.Background(), o, filepath.Join(dir, "missing.csv"), leads, &out); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}
