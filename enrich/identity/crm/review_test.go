package crm_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationReviewAndDecisions: possible matches are listed for
// review; a person's decisions are written to the compacted topic,
// remembered (a decided pair is not listed again), and applied by the
// enrich side: a confirmation converts the prospect into the customer, a
// rejection keeps the customer off the prospect's candidates.
func TestIntegrationReviewAndDecisions(t *testing.T) {
	cl := pipelinetest.New(t)
	k := cl.Kafka
	topics := k.Topics()
	prod := k.NewProducer("review-test", 100)
	defer prod.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := crm.Upsert(ctx, prod, topics, customers(), now); err != nil {
		t.Fatal(err)
	}
	ps := []record.Prospect{
		{Schema: 1, ID: "P1", Key: "email:jk@firma.pl", Name: "Jan Kowalski", Emails: []string{"jk@firma.pl"}, Status: record.ProspectNew, LastSeen: now,
			Candidates: []record.Candidate{{CustomerID: "C1", Score: 14.5}, {CustomerID: "C2", Score: 9}}},
		{Schema: 1, ID: "P2", Key: "email:x@y.pl", Emails: []string{"x@y.pl"}, Status: record.ProspectConverted, CustomerID: "C2",
			Candidates: []record.Candidate{{CustomerID: "C2", Score: 12}}},
	}
	for i := range ps {
		v, _ := record.Encode(&ps[i])
		if err := prod.ProduceSync(ctx, pipeline.Output{Topic: topics.Prospects(), Key: []byte(ps[i].ID), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := crm.LoadSnapshot(ctx, k, topics)
	if err != nil {
		t.Fatal(err)
	}
	decisions, err := crm.LoadDecisions(ctx, k, topics)
	if err != nil || len(decisions) != 0 {
		t.Fatalf("decisions at start: %v %v", decisions, err)
	}
	items := crm.Review(snap, decisions)
	if len(items) != 2 || items[0].CustomerID != "C1" || items[1].CustomerID != "C2" || items[0].ProspectID != "P1" || items[0].CustomerName != "Jan Kowalski" {
		t.Fatalf("review list %+v", items)
	}
	// Bad decisions name their problem and write nothing.
	for _, d := range []record.MatchDecision{
		{ProspectID: "P1", CustomerID: "C1", Verdict: "maybe", By: "ana"},
		{ProspectID: "P404", CustomerID: "C1", Verdict: record.VerdictConfirm, By: "ana"},
		{ProspectID: "P1", CustomerID: "C404", Verdict: record.VerdictConfirm, By: "ana"},
		{ProspectID: "P1", CustomerID: "C1", Verdict: record.VerdictConfirm},
	} {
		if _, err := crm.Decide(ctx, prod, topics, snap, d); err == nil {
			t.Errorf("decision %+v accepted", d)
		}
	}
	// The enrich side follows the decisions.
	r, err := identity.New(identity.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enrich.LoadTables(ctx, k, r, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if _, err := crm.Decide(ctx, prod, topics, snap, record.MatchDecision{ProspectID: "P1", CustomerID: "C2", Verdict: record.VerdictReject, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	if got := r.ApplyDecision(record.MatchDecisionID("P1", "C2"), &record.MatchDecision{ProspectID: "P1", CustomerID: "C2", Verdict: record.VerdictReject}); len(got) != 0 {
		t.Fatalf("a rejection converted %+v", got)
	}
	if p, _ := r.Prospect("P1"); slices.ContainsFunc(p.Candidates, func(c record.Candidate) bool { return c.CustomerID == "C2" }) {
		t.Errorf("rejected customer still a candidate: %+v", p.Candidates)
	}
	decisions, err = crm.LoadDecisions(ctx, k, topics)
	if err != nil || len(decisions) != 1 {
		t.Fatalf("decisions after one: %v %v", decisions, err)
	}
	if items := crm.Review(snap, decisions); len(items) != 1 || items[0].CustomerID != "C1" {
		t.Fatalf("review after rejecting C2: %+v", items)
	}
	d, err := crm.Decide(ctx, prod, topics, snap, record.MatchDecision{ProspectID: "P1", CustomerID: "C1", Verdict: record.VerdictConfirm, By: "ana"})
	if err != nil || d.ID != record.MatchDecisionID("P1", "C1") || d.At.IsZero() {
		t.Fatalf("confirm: %+v %v", d, err)
	}
	conv := r.ApplyDecision(d.ID, &d)
	if len(conv) != 1 || conv[0].ID != "P1" || conv[0].CustomerID != "C1" || conv[0].Status != record.ProspectConverted || conv[0].ClosedReason != record.ClosedBecameCustomer {
		t.Fatalf("confirmation converted %+v", conv)
	}
	decisions, _ = crm.LoadDecisions(ctx, k, topics)
	if items := crm.Review(snap, decisions); len(items) != 0 {
		t.Fatalf("review after deciding everything: %+v", items)
	}
}
