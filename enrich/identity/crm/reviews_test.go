package crm

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// The followed review lists what a snapshot's review lists, keeps up with
// every table (new people, decisions and their removal, settled
// prospects), leaves out a record it cannot read, and stops following
// when nobody looks.
func TestIntegrationReviewsFollowTheTables(t *testing.T) {
	cl := pipelinetest.New(t)
	k := cl.Kafka
	topics := k.Topics()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var outs []pipeline.Output
	for _, c := range []record.Customer{{ID: "C1", FirstName: "Jan", LastName: "Kowalski"}, {ID: "C2", FirstName: "Janina", LastName: "Kowalska"}, {ID: "C3"}} {
		v, _ := record.Encode(&c)
		outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(c.ID), Value: v})
	}
	for _, p := range []record.Prospect{
		{ID: "P1", Key: "email:jk@firma.pl", Name: "Jan K.", Emails: []string{"jk@firma.pl"}, Handles: []record.Handle{{Platform: "mastodon", Handle: "jk@pol.social"}},
			Status: record.ProspectNew, LastSeen: t0, Evidence: []record.ProspectEvidence{{RecordID: "m-1", Text: "Chcę kupić ekspres"}},
			Candidates: []record.Candidate{{CustomerID: "C1", Score: 14.5, Evidence: []record.FieldEvidence{{Field: "last_name", Agrees: true, Level: "exact", Weight: 7}}}, {CustomerID: "C2", Score: 9}}},
		{ID: "P2", Key: "email:x@y.pl", Status: record.ProspectConverted, CustomerID: "C2", Candidates: []record.Candidate{{CustomerID: "C2", Score: 12}}},
		{ID: "P3", Key: "email:z@y.pl", Status: record.ProspectContacted, LastSeen: t0.Add(time.Hour), Candidates: []record.Candidate{{CustomerID: "C3", Score: 9}}},
		{ID: "P4", Key: "email:q@y.pl", Status: record.ProspectNew},
	} {
		v, _ := record.Encode(&p)
		outs = append(outs, pipeline.Output{Topic: topics.Prospects(), Key: []byte(p.ID), Value: v})
	}
	outs = append(outs, pipeline.Output{Topic: topics.Prospects(), Key: []byte("PX"), Value: []byte(`{"schema":1,"id":`)})
	cl.Produce(t, outs...)

	var logs testlog.Buffer
	r := NewReviews(k, topics, 300*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	defer r.Close()
	got, err := r.Review(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := LoadSnapshot(ctx, k, topics)
	if err == nil {
		t.Fatal("the snapshot read the broken prospect without a word")
	}
	if want := Review(snap, nil); !reflect.DeepEqual(got, want) || len(got) != 3 {
		t.Fatalf("followed review\n%+v\nsnapshot review\n%+v", got, want)
	}
	if got[0].ProspectID != "P1" || got[0].CustomerName != "Jan Kowalski" || got[0].Handles[0] != "mastodon:jk@pol.social" || got[1].ProspectID != "P3" {
		t.Errorf("review %+v", got)
	}
	if !strings.Contains(logs.String(), "PX") {
		t.Errorf("the unreadable prospect was not named in the log:\n%s", logs.String())
	}

	pub := k.NewProducer("reviews-test", 0)
	defer pub.Close()
	if _, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P9", CustomerID: "C1", Verdict: record.VerdictReject, By: "ola"}); !errors.Is(err, ErrNoSuchPerson) {
		t.Errorf("a decision on an unknown prospect: %v", err)
	}
	if _, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P4", CustomerID: "C9", Verdict: record.VerdictReject, By: "ola"}); !errors.Is(err, ErrNoSuchPerson) {
		t.Errorf("a decision on an unknown customer: %v", err)
	}
	if _, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P1", CustomerID: "C2", Verdict: "maybe", By: "ola"}); err == nil {
		t.Error("a decision with no verdict was written")
	}
	d, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P1", CustomerID: "C2", Verdict: record.VerdictReject, By: "ola"})
	if err != nil {
		t.Fatal(err)
	}
	if items, err := r.Review(ctx); err != nil || len(items) != 2 || items[0].CustomerID != "C1" || items[1].ProspectID != "P3" {
		t.Fatalf("after the rejection: %+v %v", items, err)
	}
	// The decision removed (a tombstone): the pair is up again.
	cl.Produce(t, pipeline.Output{Topic: topics.MatchDecisions(), Key: []byte(d.ID)})
	if items, err := r.Review(ctx); err != nil || len(items) != 3 {
		t.Fatalf("after the decision's removal: %+v %v", items, err)
	}
	// A prospect settled elsewhere leaves the review, and so does a
	// candidate whose customer was forgotten.
	v, _ := record.Encode(&record.Prospect{ID: "P3", Key: "email:z@y.pl", Status: record.ProspectRejected, Candidates: []record.Candidate{{CustomerID: "C3", Score: 9}}})
	cl.Produce(t, pipeline.Output{Topic: topics.Prospects(), Key: []byte("P3"), Value: v}, pipeline.Output{Topic: topics.Customers(), Key: []byte("C1")})
	items, err := r.Review(ctx)
	if err != nil || len(items) != 1 || items[0].ProspectID != "P1" || items[0].CustomerID != "C2" || items[0].CustomerName != "Janina Kowalska" {
		t.Fatalf("after P3 was rejected and C1 forgotten: %+v %v", items, err)
	}

	// Nobody looks: following stops, and the next look starts it again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		stopped := r.state == nil
		r.mu.Unlock()
		if stopped {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("following did not stop when idle")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if again, err := r.Review(ctx); err != nil || !reflect.DeepEqual(again, items) {
		t.Fatalf("after an idle stop: %+v %v; want %+v", again, err, items)
	}

	// A confirmation the enrich stage could not carry out is refused: of a
	// settled prospect, or of one already confirmed as someone else.
	for _, d := range []record.MatchDecision{{ProspectID: "P2", CustomerID: "C2"}, {ProspectID: "P3", CustomerID: "C3"}} {
		d.Verdict, d.By = record.VerdictConfirm, "ola"
		if _, err := r.Decide(ctx, pub, d); !errors.Is(err, ErrSettled) {
			t.Errorf("confirming settled %s: %v", d.ProspectID, err)
		}
	}
	if _, err := Decide(ctx, pub, topics, snap, record.MatchDecision{ProspectID: "P2", CustomerID: "C2", Verdict: record.VerdictConfirm, By: "ola"}); !errors.Is(err, ErrSettled) {
		t.Errorf("the snapshot's check confirmed converted P2: %v", err)
	}
	for i, want := range []error{nil, nil, ErrSettled} {
		customer := []string{"C2", "C2", "C3"}[i]
		if _, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P1", CustomerID: customer, Verdict: record.VerdictConfirm, By: "ola"}); !errors.Is(err, want) {
			t.Errorf("confirmation %d of P1 as %s: %v, want %v", i+1, customer, err, want)
		}
	}
	if _, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P1", CustomerID: "C3", Verdict: record.VerdictReject, By: "ola"}); err != nil {
		t.Errorf("rejecting another customer for a confirmed prospect: %v", err)
	}
}

// Two sellers confirm one prospect as two customers at the same moment:
// one confirmation is written, the other is refused as settled.
func TestIntegrationReviewsConfirmOnePersonOnce(t *testing.T) {
	cl := pipelinetest.New(t)
	k := cl.Kafka
	topics := k.Topics()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var outs []pipeline.Output
	for _, id := range []string{"C1", "C2"} {
		v, _ := record.Encode(&record.Customer{ID: id})
		outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(id), Value: v})
	}
	v, _ := record.Encode(&record.Prospect{ID: "P1", Key: "email:p@x.pl", Status: record.ProspectNew,
		Candidates: []record.Candidate{{CustomerID: "C1", Score: 12}, {CustomerID: "C2", Score: 11}}})
	cl.Produce(t, append(outs, pipeline.Output{Topic: topics.Prospects(), Key: []byte("P1"), Value: v})...)
	r := NewReviews(k, topics, time.Minute, nil)
	defer r.Close()
	pub := k.NewProducer("reviews-race", 0)
	defer pub.Close()
	errs := make(chan error, 2)
	for _, c := range []string{"C1", "C2"} {
		go func() {
			_, err := r.Decide(ctx, pub, record.MatchDecision{ProspectID: "P1", CustomerID: c, Verdict: record.VerdictConfirm, By: "seller-" + c})
			errs <- err
		}()
	}
	var written, settled int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			written++
		case errors.Is(err, ErrSettled):
			settled++
		default:
			t.Fatal(err)
		}
	}
	if written != 1 || settled != 1 {
		t.Fatalf("%d written, %d refused as settled; want one of each", written, settled)
	}
}
