package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// One person, one profile, end to end on the embedded broker: a form from
// jan@example.pl creates a prospect; importing Jan as a customer converts
// it (one profile, the form in its history) and re-links his earlier
// Mastodon posts found by handle; a later post with his handle and a
// second email merges the second email's prospect into him.
func TestIntegrationOnePersonOneProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	h := startRunWithContactForm(t)
	dir, api, logs, kafkaAddr := h.dir, h.api, h.logs, h.kafkaAddr
	client := signIn(t, api, adminPassword(t, logs))
	adminCfg := filepath.Join(dir, "admin.yaml")
	if err := os.WriteFile(adminCfg, []byte(fmt.Sprintf("kafka:\n  brokers: [%s]\n  embedded: {enabled: false}\n", kafkaAddr)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	k := pipeline.NewKafka(pipeline.DefaultConfig(), []string{kafkaAddr}, slog.New(slog.DiscardHandler), nil)
	defer k.Close()
	prod := k.NewProducer("test", 0)
	defer prod.Close()
	toot := func(id, text string, author record.Author, at time.Time) {
		t.Helper()
		m := record.Mention{Source: "mastodon", SourceID: id, Kind: record.KindMention, Author: author, Text: text, CreatedAt: at, FetchedAt: at}
		if err := m.Normalize(); err != nil {
			t.Fatal(err)
		}
		v, err := record.Encode(&m)
		if err != nil {
			t.Fatal(err)
		}
		if err := prod.ProduceSync(ctx, pipeline.Output{Topic: k.Topics().Raw(), Key: []byte(m.AuthorKey()), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	form := func(email, message string) {
		t.Helper()
		body := fmt.Sprintf(`{"email":%q,"name":"Jan Zieliński","message":%q}`, email, message)
		r, err := http.Post(api+"/f/contact", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			t.Fatalf("form post answered %d", r.StatusCode)
		}
	}
	count := func(q string) int {
		var found struct {
			Total int `json:"total"`
		}
		if !getJSON(client, api+"/api/search?q="+q, &found) {
			return -1
		}
		return found.Total
	}
	type profile struct {
		Status       string `json:"status"`
		MentionCount int    `json:"mention_count"`
		Prospect     *struct {
			CustomerID   string `json:"customer_id"`
			ClosedReason string `json:"closed_reason"`
			MergedInto   string `json:"merged_into"`
		} `json:"prospect"`
	}
	profileOf := func(id string) (profile, bool) {
		var p profile
		ok := getJSON(client, api+"/api/profiles/"+id, &p)
		return p, ok
	}

	// Earlier posts by his Mastodon handle: nobody known yet.
	t0 := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	toot("t1", "Ktoś poleci ekspres do kawy?", record.Author{Handle: "janz@mastodon.social", Name: "Jan Z."}, t0)
	toot("t2", "Kawa z nowego młynka smakuje świetnie", record.Author{Handle: "@janz@mastodon.social"}, t0.Add(time.Hour))
	// The form: a prospect.
	form("jan@example.pl", "Proszę o ofertę na ekspres dla biura.")
	prospectID := identity.ProspectID("email:jan@example.pl")
	waitFor(t, "the form's prospect", 60*time.Second, logs, func() bool {
		p, ok := profileOf("prospect:" + prospectID)
		return ok && p.MentionCount == 1 && count("author:janz@mastodon.social") == 1
	})
	if n := count("customer:c-jan"); n > 0 {
		t.Fatalf("%d mentions linked to a customer not yet imported", n)
	}

	// Jan becomes a customer, with his email and handle.
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("id,first_name,last_name,email,mastodon\nc-jan,Jan,Zieliński,jan@example.pl,@janz@mastodon.social\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "customers", "import", csv, "-c", adminCfg); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	waitFor(t, "one profile: the customer with the form and his earlier posts", 90*time.Second, logs, func() bool {
		c, ok := profileOf("customer:c-jan")
		return ok && c.MentionCount == 3
	})
	if n := count(`customer:c-jan`); n != 3 {
		t.Fatalf("customer c-jan has %d mentions, want the form and two posts", n)
	}
	waitFor(t, "the prospect closed as became_customer", 60*time.Second, logs, func() bool {
		p, ok := profileOf("prospect:" + prospectID)
		return ok && p.Status == record.ProspectConverted && p.Prospect != nil && p.Prospect.CustomerID == "c-jan" &&
			p.Prospect.ClosedReason == record.ClosedBecameCustomer
	})

	// A second address, then a post with his handle and that address.
	form("jan.z@firma.pl", "Zamówimy trzy ekspresy, proszę o kontakt.")
	second := identity.ProspectID("email:jan.z@firma.pl")
	// The profile carries the prospect's record once it is written (the
	// enrich stage holds prospect records back for up to a second).
	waitFor(t, "the second address's prospect", 60*time.Second, logs, func() bool {
		p, ok := profileOf("prospect:" + second)
		return ok && p.MentionCount == 1 && p.Prospect != nil
	})
	// Same name as the customer, another address: listed for review.
	code, out, errOut := runCLI(t, "identity", "review", "--json", "-c", adminCfg)
	var items []struct {
		ProspectID string `json:"prospect_id"`
		CustomerID string `json:"customer_id"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &items) != nil {
		t.Fatalf("identity review: exit %d\n%s%s", code, out, errOut)
	}
	if !slices.ContainsFunc(items, func(it struct {
		ProspectID string `json:"prospect_id"`
		CustomerID string `json:"customer_id"`
	}) bool {
		return it.ProspectID == second && it.CustomerID == "c-jan"
	}) {
		t.Errorf("the namesake's possible match is not listed for review: %s", out)
	}
	// The web app lists it too, from the tables it follows: the API and
	// the sales page.
	waitFor(t, "the possible match in the web app's review", 30*time.Second, logs, func() bool {
		var web []struct {
			ProspectID string `json:"prospect_id"`
			CustomerID string `json:"customer_id"`
		}
		return getJSON(client, api+"/api/identity/review", &web) && slices.ContainsFunc(web, func(it struct {
			ProspectID string `json:"prospect_id"`
			CustomerID string `json:"customer_id"`
		}) bool {
			return it.ProspectID == second && it.CustomerID == "c-jan"
		})
	})
	if r, err := client.Get(api + "/matches"); err != nil {
		t.Error(err)
	} else {
		page, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-prospect="`+second+`" data-customer="c-jan"`) {
			t.Errorf("the review page = %d without the pair", r.StatusCode)
		}
	}
	toot("t3", "Ekspresy zamówione", record.Author{Handle: "janz@mastodon.social", Email: "jan.z@firma.pl"}, time.Now().UTC())
	waitFor(t, "the second prospect merged into the customer", 90*time.Second, logs, func() bool {
		p, ok := profileOf("prospect:" + second)
		c, cok := profileOf("customer:c-jan")
		return ok && cok && p.Status == record.ProspectConverted && p.Prospect != nil && p.Prospect.CustomerID == "c-jan" && c.MentionCount == 5
	})
}
