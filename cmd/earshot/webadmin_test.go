package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
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
