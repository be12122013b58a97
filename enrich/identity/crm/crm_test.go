package crm_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func customers() []record.Customer {
	return []record.Customer{
		{ID: "C1", FirstName: "Jan", LastName: "Kowalski", Emails: []string{"Jan.Kowalski@gmail.com"}, Phones: []string{"+48 601 234 567"}},
		{ID: "C2", FirstName: "Anna", LastName: "Nowak", Emails: []string{"anna@example.pl"}},
		{ID: "C3", FirstName: "Ewa", LastName: "Kowalska", Emails: []string{"jankowalski@gmail.com"}}, // the same Gmail mailbox
	}
}

func TestPlanErasure(t *testing.T) {
	norm := identity.NewNormalizer(identity.DefaultConfig())
	snap := &crm.Snapshot{Customers: map[string]record.Customer{}, Prospects: map[string]record.Prospect{}}
	for _, c := range customers() {
		snap.Customers[c.ID] = c
	}
	pByPhone := record.Prospect{ID: "P1", Key: "phone:+48601234567", Phones: []string{"601 234 567"}, Emails: []string{"jk.private@example.com"}}
	pOther := record.Prospect{ID: "P2", Key: "email:x@example.com", Emails: []string{"x@example.com"}}
	snap.Prospects["P1"], snap.Prospects["P2"] = pByPhone, pOther

	// By id: the customer and the prospect sharing its phone.
	plan, err := crm.PlanErasure(snap, "C1", norm, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Customers, []string{"C1"}) || !slices.Equal(plan.Prospects, []string{"P1"}) || len(plan.Erasures) != 1 {
		t.Fatalf("plan by id: %+v", plan)
	}
	e := plan.Erasures[0]
	if e.CustomerID != "C1" || !slices.Equal(e.ProspectIDs, []string{"P1"}) || !slices.Contains(e.Emails, "jan.kowalski@gmail.com") || !slices.Contains(e.Emails, "jk.private@example.com") {
		t.Fatalf("erasure: %+v", e)
	}
	// By email, written another way: both customers using that mailbox.
	plan, err = crm.PlanErasure(snap, "JANKOWALSKI+x@googlemail.com", norm, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Customers, []string{"C1", "C3"}) || len(plan.Erasures) != 2 || !slices.Contains(plan.Prospects, "P1") {
		t.Fatalf("plan by email: %+v", plan)
	}
	// An address nobody has: nobody found, an empty plan (nothing to write).
	plan, err = crm.PlanErasure(snap, "stranger@example.org", norm, now)
	if !errors.Is(err, crm.ErrNobodyFound) || len(plan.Customers)+len(plan.Prospects)+len(plan.Erasures) != 0 || !strings.Contains(err.Error(), "stranger@example.org") {
		t.Fatalf("unknown address: %+v %v", plan, err)
	}
	// A prospect id.
	if plan, err = crm.PlanErasure(snap, "P2", norm, now); err != nil || !slices.Equal(plan.Prospects, []string{"P2"}) {
		t.Fatalf("prospect id: %+v %v", plan, err)
	}
	// Unknown ids and bad addresses are errors naming the problem.
	if _, err := crm.PlanErasure(snap, "C404", norm, now); !errors.Is(err, crm.ErrNobodyFound) || !strings.Contains(err.Error(), `"C404"`) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := crm.PlanErasure(snap, "bad@", norm, now); err == nil {
		t.Fatal("bad address accepted")
	}
}

type failingPublisher struct{ calls int }

func (f *failingPublisher) ProduceSync(context.Context, ...pipeline.Output) error {
	f.calls++
	return errors.New("broker down")
}

func TestImportReportsBadRowsAndStopsOnWriteFailure(t *testing.T) {
	norm := identity.NewNormalizer(identity.DefaultConfig())
	csv := "id,name,email\nA1,Jan Kowalski,jan@example.pl\nA2,Anna,not-an-email\nA3,Ewa,ewa@example.pl\n"
	r, err := customerfile.NewReader(strings.NewReader(csv), "c.csv", customerfile.DefaultConfig(), norm)
	if err != nil {
		t.Fatal(err)
	}
	var bad []int
	pub := &failingPublisher{}
	rep, err := crm.Import(context.Background(), r, pub, pipeline.Topics{Prefix: "t."}, crm.ImportOptions{BatchSize: 1, BadRow: func(line int, _ []string) { bad = append(bad, line) }})
	if err == nil || !strings.Contains(err.Error(), "broker down") || rep.Imported != 0 || pub.calls != 1 {
		t.Fatalf("import into a failing broker: %+v %v", rep, err)
	}
	// A dry run validates everything and writes nothing.
	r, _ = customerfile.NewReader(strings.NewReader(csv), "c.csv", customerfile.DefaultConfig(), norm)
	rep, err = crm.Import(context.Background(), r, pub, pipeline.Topics{}, crm.ImportOptions{DryRun: true, BadRow: func(line int, _ []string) { bad = append(bad, line) }})
	if err != nil || rep.Rows != 3 || rep.Bad != 1 || rep.Imported != 2 || rep.LastLine != 4 || pub.calls != 1 {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if !slices.Contains(bad, 3) {
		t.Fatalf("bad lines = %v, want line 3", bad)
	}
}

// TestIntegrationErasureThroughTheTopics imports customers, lets the enrich
// side build its tables and create a prospect, forgets the person, and
// checks every topic and the resolver: tombstones applied, the prospect
// gone, and the deletion request in the erasures topic for the index stage.
func TestIntegrationErasureThroughTheTopics(t *testing.T) {
	cl := pipelinetest.New(t)
	k := cl.Kafka
	topics := k.Topics()
	prod := k.NewProducer("crm-test", 100)
	defer prod.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A form by Jan before he became a customer: a prospect, in its topic.
	cfg := identity.DefaultConfig()
	early, err := identity.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	form := record.Mention{Source: "forms", SourceID: "f1", Kind: record.KindFormSubmission, Text: "price list please",
		Author: record.Author{Name: "Jan Kowalski", Email: "jan.kowalski@gmail.com", Phone: "+48 601 234 567"}, CreatedAt: now}
	if err := form.Normalize(); err != nil {
		t.Fatal(err)
	}
	_, prospects := early.Resolve(&record.EnrichedMention{Mention: form})
	if len(prospects) != 1 {
		t.Fatalf("the form created %d prospects, want 1", len(prospects))
	}
	prospect := prospects[0]
	pv, _ := record.Encode(prospect)
	if err := prod.ProduceSync(ctx, pipeline.Output{Topic: topics.Prospects(), Key: []byte(prospect.ID), Value: pv}); err != nil {
		t.Fatal(err)
	}
	if err := crm.Upsert(ctx, prod, topics, customers(), now); err != nil {
		t.Fatal(err)
	}

	// The enrich side: a resolver following both tables.
	r, err := identity.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enrich.LoadTables(ctx, k, r, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	jan := identity.Person{Emails: []string{"jankowalski@gmail.com"}, First: "jan", Last: "kowalski"}
	if d := r.MatchPerson(&jan); d.Outcome != record.MatchExact || d.CustomerID != "C1" {
		t.Fatalf("before: %+v", d)
	}
	if _, ok := r.Prospect(prospect.ID); !ok {
		t.Fatal("before: prospect not loaded")
	}

	snap, err := crm.LoadSnapshot(ctx, k, topics)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := crm.PlanErasure(snap, "C1", r.Normalizer(), now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(plan.Prospects, prospect.ID) {
		t.Fatalf("plan misses the prospect: %+v", plan)
	}
	if err := crm.Forget(ctx, prod, topics, plan); err != nil {
		t.Fatal(err)
	}

	// The running resolver sees the tombstones.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, hasProspect := r.Prospect(prospect.ID)
		d := r.MatchPerson(&identity.Person{Emails: []string{"jan.kowalski@gmail.com"}, First: "jan", Last: "kowalski"})
		if !hasProspect && d.CustomerID != "C1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resolver still knows the person: prospect %v, decision %+v", hasProspect, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The index stage's request is in the erasures topic.
	msgs := cl.ReadN(t, topics.Erasures(), 1, 20*time.Second)
	var e record.Erasure
	if err := record.Decode(msgs[0].Value, &e); err != nil {
		t.Fatal(err)
	}
	if e.CustomerID != "C1" || !slices.Contains(e.ProspectIDs, prospect.ID) || !slices.Contains(e.Emails, "jan.kowalski@gmail.com") {
		t.Fatalf("erasure request: %+v", e)
	}
	// A fresh read of the tables no longer has the person; others remain.
	snap, err = crm.LoadSnapshot(ctx, k, topics)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Customers["C1"]; ok {
		t.Fatal("C1 still in the customers topic")
	}
	if _, ok := snap.Prospects[prospect.ID]; ok {
		t.Fatal("prospect still in the prospects topic")
	}
	if _, ok := snap.Customers["C2"]; !ok {
		t.Fatal("C2 was erased too")
	}
}
