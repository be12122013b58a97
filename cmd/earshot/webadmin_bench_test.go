package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// BenchmarkIntegrationWebAdminReview is one look at the identity review
// page (and GET /api/identity/review) over a CRM of 20,000 customers and
// 20,000 prospects, 200 of them open with a candidate each, on the embedded
// broker. Reported: the time of one review and a decision (the first look
// includes reading the tables; later ones only catch up).
//
//	go test -run '^$' -bench WebAdminReview -benchtime 5x ./cmd/earshot
func BenchmarkIntegrationWebAdminReview(b *testing.B) {
	const customers, prospects, open = 20_000, 20_000, 200
	c := pipelinetest.New(b)
	p := c.Kafka.NewProducer("web-review-bench", 0)
	defer p.Close()
	ctx := context.Background()
	topics := c.Kafka.Topics()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var outs []pipeline.Output
	flush := func() {
		if err := p.ProduceSync(ctx, outs...); err != nil {
			b.Fatal(err)
		}
		outs = outs[:0]
	}
	for i := range customers {
		v, err := record.Encode(&record.Customer{ID: fmt.Sprintf("c-%d", i), FirstName: "Jan", LastName: fmt.Sprintf("Kowalski%d", i),
			Emails: []string{fmt.Sprintf("jan%d@example.pl", i)}, Phones: []string{"+48600100200"}, Address: record.Address{Street: "Długa 5", City: "Kraków", PostalCode: "30-001", Country: "PL"}})
		if err != nil {
			b.Fatal(err)
		}
		outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(fmt.Sprintf("c-%d", i)), Value: v})
		if len(outs) == 1000 {
			flush()
		}
	}
	for i := range prospects {
		pr := &record.Prospect{ID: fmt.Sprintf("p-%d", i), Key: fmt.Sprintf("email:lead%d@firma.pl", i), Name: "Lead", Emails: []string{fmt.Sprintf("lead%d@firma.pl", i)},
			Status: record.ProspectNew, FirstSeen: t0, LastSeen: t0.Add(time.Hour)}
		for j := range 6 {
			pr.Evidence = append(pr.Evidence, record.ProspectEvidence{RecordID: fmt.Sprintf("m-%d-%d", i, j), Source: "mastodon", Kind: "post",
				Text: "Ile kosztuje wersja dla firm? Chcę kupić dwa ekspresy do biura.", At: t0})
		}
		if i < open {
			pr.Candidates = []record.Candidate{{CustomerID: fmt.Sprintf("c-%d", i), Score: 12, Evidence: []record.FieldEvidence{{Field: "last_name", Agrees: true, Level: "exact", Weight: 7}}}}
		}
		v, err := record.Encode(pr)
		if err != nil {
			b.Fatal(err)
		}
		outs = append(outs, pipeline.Output{Topic: topics.Prospects(), Key: []byte(pr.ID), Value: v})
		if len(outs) == 1000 {
			flush()
		}
	}
	flush()
	reviews := crm.NewReviews(c.Kafka, topics, time.Minute, nil)
	defer reviews.Close()
	admin := &webAdmin{kafka: c.Kafka, pub: p, norm: identity.NewNormalizer(identity.DefaultConfig()), reviews: reviews}
	var first, rest time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		items, err := admin.Review(ctx)
		if err != nil || len(items) != open-i {
			b.Fatalf("review %d: %d items, %v", i, len(items), err)
		}
		if _, err := admin.Decide(ctx, items[0].ProspectID, items[0].CustomerID, record.VerdictReject, "ola"); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = time.Since(start)
		} else {
			rest += time.Since(start)
		}
	}
	b.ReportMetric(float64(first.Microseconds())/1e3, "first-ms")
	if b.N > 1 {
		b.ReportMetric(float64(rest.Microseconds())/1e3/float64(b.N-1), "later-ms")
	}
}
