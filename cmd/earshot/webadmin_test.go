package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
)

// The web app's import and erasure run the CLI's code against the topics.
func TestIntegrationWebAdminImportAndErase(t *testing.T) {
	c := pipelinetest.New(t)
	p := c.Kafka.NewProducer("web-admin-test", 0)
	defer p.Close()
	admin := &webAdmin{kafka: c.Kafka, pub: p, norm: identity.NewNormalizer(identity.DefaultConfig())}
	ctx := context.Background()
	var seen []web.ImportStatus
	file := "id,first_name,email\nc-1,Zofia,zofia@example.pl\nc-2,Jan,not-an-address\nc-3,Ana,ana@example.pt\n"
	st, err := admin.Import(ctx, strings.NewReader(file), "crm.csv", func(s web.ImportStatus) { seen = append(seen, s) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 3 || st.Imported != 2 || st.Bad != 1 || len(st.BadRows) != 1 || st.BadRows[0].Line != 3 {
		t.Fatalf("import: %+v", st)
	}
	got := c.ReadN(t, c.Kafka.Topics().Customers(), 2, 20*time.Second)
	if len(got) != 2 {
		t.Fatalf("%d customers in the topic", len(got))
	}
	var cu record.Customer
	if err := record.Decode(got[0].Value, &cu); err != nil || (cu.ID != "c-1" && cu.ID != "c-3") {
		t.Fatalf("customer record %+v %v", cu, err)
	}
	if _, err := admin.Import(ctx, strings.NewReader("\x00\x01"), "x.parquet", func(web.ImportStatus) {}); err == nil {
		t.Fatal("an unknown format was imported")
	}

	rep, err := admin.Erase(ctx, "zofia@example.pl", true)
	if err != nil || len(rep.Customers) != 1 || rep.Customers[0] != "c-1" || len(rep.Requests) != 0 {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	rep, err = admin.Erase(ctx, "c-1", false)
	if err != nil || len(rep.Requests) != 1 {
		t.Fatalf("erasure: %+v %v", rep, err)
	}
	if reqs := c.ReadN(t, c.Kafka.Topics().Erasures(), 1, 20*time.Second); len(reqs) != 1 || string(reqs[0].Key) != rep.Requests[0] {
		t.Fatalf("erasure requests: %+v", reqs)
	}
	if _, err := admin.Erase(ctx, "stranger@example.com", false); !errors.Is(err, web.ErrNobodyFound) {
		t.Fatalf("stranger: %v", err)
	}
}

// The web app's review of possible matches reads the tables as `earshot
// identity review` does, and a decision is written and then remembered.
func TestIntegrationWebAdminMatchReview(t *testing.T) {
	c := pipelinetest.New(t)
	p := c.Kafka.NewProducer("web-review-test", 0)
	defer p.Close()
	reviews := crm.NewReviews(c.Kafka, c.Kafka.Topics(), time.Minute, nil)
	defer reviews.Close()
	admin := &webAdmin{kafka: c.Kafka, pub: p, norm: identity.NewNormalizer(identity.DefaultConfig()), reviews: reviews}
	ctx := context.Background()
	topics := c.Kafka.Topics()
	cust, err := record.Encode(&record.Customer{ID: "c-3", FirstName: "Jan", LastName: "Kowalski", Emails: []string{"jan@example.pl"}})
	if err != nil {
		t.Fatal(err)
	}
	prosp, err := record.Encode(&record.Prospect{ID: "p-7", Key: "email:j.k@example.com", Name: "J. Kowalski", Emails: []string{"j.k@example.com"},
		Status: record.ProspectNew, Candidates: []record.Candidate{{CustomerID: "c-3", Score: 11, Evidence: []record.FieldEvidence{{Field: "date_of_birth", Level: "exact"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c.Produce(t, pipeline.Output{Topic: topics.Customers(), Key: []byte("c-3"), Value: cust},
		pipeline.Output{Topic: topics.Prospects(), Key: []byte("p-7"), Value: prosp})

	items, err := admin.Review(ctx)
	if err != nil || len(items) != 1 || items[0].ProspectID != "p-7" || items[0].CustomerName != "Jan Kowalski" || items[0].Evidence[0].Field != "date_of_birth" {
		t.Fatalf("review: %+v %v", items, err)
	}
	if _, err := admin.Decide(ctx, "p-404", "c-3", record.VerdictReject, "ola"); !errors.Is(err, web.ErrNoSuchMatch) {
		t.Fatalf("unknown prospect: %v", err)
	}
	d, err := admin.Decide(ctx, "p-7", "c-3", record.VerdictReject, "ola")
	if err != nil || d.ID == "" || d.By != "ola" {
		t.Fatalf("reject: %+v %v", d, err)
	}
	if items, err := admin.Review(ctx); err != nil || len(items) != 0 {
		t.Fatalf("after the rejection: %+v %v", items, err)
	}
	// The review follows the tables: a customer and a prospect written
	// after the first look are in the next one, named.
	cust2, _ := record.Encode(&record.Customer{ID: "c-4", FirstName: "Ana", LastName: "Silva"})
	prosp2, _ := record.Encode(&record.Prospect{ID: "p-8", Key: "email:ana@x.pt", Name: "Ana S.", Status: record.ProspectNew,
		Candidates: []record.Candidate{{CustomerID: "c-4", Score: 10}}})
	c.Produce(t, pipeline.Output{Topic: topics.Customers(), Key: []byte("c-4"), Value: cust2},
		pipeline.Output{Topic: topics.Prospects(), Key: []byte("p-8"), Value: prosp2})
	if items, err := admin.Review(ctx); err != nil || len(items) != 1 || items[0].ProspectID != "p-8" || items[0].CustomerName != "Ana Silva" {
		t.Fatalf("after a new prospect: %+v %v", items, err)
	}
	// Converted, it leaves the review.
	prosp2, _ = record.Encode(&record.Prospect{ID: "p-8", Key: "email:ana@x.pt", Name: "Ana S.", Status: record.ProspectConverted, CustomerID: "c-4",
		Candidates: []record.Candidate{{CustomerID: "c-4", Score: 10}}})
	c.Produce(t, pipeline.Output{Topic: topics.Prospects(), Key: []byte("p-8"), Value: prosp2})
	if items, err := admin.Review(ctx); err != nil || len(items) != 0 {
		t.Fatalf("after the conversion: %+v %v", items, err)
	}
}

// An erasure from the web app also takes the person's posts under another
// spelling of their e-mail (Gmail dots, a +tag, googlemail.com) that the
// index holds but no customer record names: their address is in the
// request, their data key is deleted and their sealed record cannot be
// opened any more. Someone else's near spelling stays.
func TestIntegrationWebAdminEraseTakesOtherSpellingsOfTheEmail(t *testing.T) {
	c := pipelinetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kr, err := privacy.NewKeyring("webadmin-test-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kafka.EnableSealing(ctx, kr); err != nil {
		t.Fatal(err)
	}
	p := c.Kafka.NewProducer("web-admin-spellings", 0)
	defer p.Close()
	idx, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	norm := identity.NewNormalizer(identity.DefaultConfig())
	admin := &webAdmin{kafka: c.Kafka, pub: p, norm: norm, search: idx}
	if _, err := admin.Import(ctx, strings.NewReader("id,first_name,email\nc-ola,Ola,Ola.Nowak@gmail.com\n"), "crm.csv", func(web.ImportStatus) {}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var ms []*record.EnrichedMention
	raw := c.Kafka.NewRawPublisher(p)
	for i, email := range []string{"O.L.A.Nowak+shop@GoogleMail.com", "olanowak1@gmail.com"} {
		m := &record.EnrichedMention{Mention: record.Mention{ID: fmt.Sprintf("m%d", i), Source: "reviews", SourceID: fmt.Sprint(i), Kind: record.KindMention,
			Author: record.Author{Email: email}, Text: "kawa", CreatedAt: at, FetchedAt: at}}
		done := make(chan error, 1)
		if err := raw.Publish(ctx, &m.Mention, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	for _, err := range idx.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	olaSubject := kr.Subject("email:o.l.a.nowak+shop@googlemail.com")
	if len(kr.Serials(olaSubject)) == 0 {
		t.Fatal("fixture: the post was not sealed under its own key")
	}
	// Right of access: her export has the post under the other spelling.
	export, err := exportPerson(ctx, c.Kafka, idx, norm, "ola.nowak@gmail.com")
	if err != nil || len(export.Mentions) != 1 || export.Mentions[0].ID != "m0" {
		t.Fatalf("export: %+v %v", export, err)
	}
	rep, err := admin.Erase(ctx, "ola.nowak@gmail.com", true)
	if err != nil || !slices.Contains(rep.Emails, "o.l.a.nowak+shop@googlemail.com") || slices.Contains(rep.Emails, "olanowak1@gmail.com") {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if _, err := admin.Erase(ctx, "ola.nowak@gmail.com", false); err != nil {
		t.Fatal(err)
	}
	reqs := c.ReadN(t, c.Kafka.Topics().Erasures(), 1, 20*time.Second)
	var e record.Erasure
	if err := record.Decode(reqs[0].Value, &e); err != nil || !slices.Contains(e.Subjects, olaSubject) || slices.Contains(e.Subjects, kr.Subject("email:olanowak1@gmail.com")) {
		t.Fatalf("the erasure request's subjects %v (%v) miss her other spelling, or name someone else", e.Subjects, err)
	}
	waitFor(t, "her post's key to be deleted", 20*time.Second, nil, func() bool {
		_ = kr.CatchUp()
		return len(kr.Serials(olaSubject)) == 0
	})
	if len(kr.Serials(kr.Subject("email:olanowak1@gmail.com"))) == 0 {
		t.Error("someone else's key went with her")
	}
}
