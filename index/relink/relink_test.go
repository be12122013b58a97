package relink_test

import (
	"context"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/relink"
	"github.com/earshothq/earshot/record"
)

func mention(id, source string, a record.Author, ident *record.Identity, at time.Time) *record.EnrichedMention {
	m := &record.EnrichedMention{Mention: record.Mention{ID: id, Source: source, SourceID: id, Kind: record.KindMention, Author: a, Text: "hello " + id, CreatedAt: at}}
	m.Identity = ident
	return m
}

// TestPassRelinksWhatTheIndexHolds: a customer's earlier mentions found by
// email or handle become theirs, a converted prospect's mentions join the
// customer, a merged prospect's follow the survivor; other people's
// mentions and mentions already matched to another customer stay.
func TestPassRelinksWhatTheIndexHolds(t *testing.T) {
	ctx := context.Background()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	keys := identity.NewKeys(identity.DefaultConfig())
	formProspect := identity.ProspectID("email:jan@example.pl")
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	none := func() *record.Identity { return &record.Identity{Outcome: record.MatchNone} }
	ms := []*record.EnrichedMention{
		mention("form", "forms", record.Author{Email: "Jan@Example.pl", Name: "Jan"}, &record.Identity{Outcome: record.MatchNone, ProspectID: formProspect}, t0),
		mention("toot1", "mastodon", record.Author{Handle: "jan@mastodon.social"}, none(), t0.Add(time.Hour)),
		mention("toot2", "mastodon", record.Author{Handle: "@jan@mastodon.social"}, nil, t0.Add(2*time.Hour)),
		mention("other", "mastodon", record.Author{Handle: "ewa@mastodon.social"}, none(), t0.Add(3*time.Hour)),
		mention("someone-else", "forms", record.Author{Email: "jan@example.pl"}, &record.Identity{Outcome: record.MatchExact, CustomerID: "C-other"}, t0.Add(4*time.Hour)),
		mention("p2", "mastodon", record.Author{Handle: "ola@pol.social"}, &record.Identity{Outcome: record.MatchNone, ProspectID: "P2"}, t0.Add(5*time.Hour)),
		mention("p3", "forms", record.Author{Email: "anna@example.com"}, &record.Identity{Outcome: record.MatchNone, ProspectID: "P3"}, t0.Add(6*time.Hour)),
		// Ola's address as her provider lets her write it, and two others.
		mention("ola-review", "reviews", record.Author{Email: "O.L.A.Nowak+shop@GoogleMail.com"}, none(), t0.Add(7*time.Hour)),
		mention("ola-near", "reviews", record.Author{Email: "olanowak1@gmail.com"}, none(), t0.Add(8*time.Hour)),
		mention("ola-outlook", "reviews", record.Author{Email: "ola.nowak@outlook.com"}, none(), t0.Add(9*time.Hour)),
	}
	for _, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	pass, err := relink.New(b, keys)
	if err != nil {
		t.Fatal(err)
	}
	pass.PageSize = 2 // several pages
	jan := &record.Customer{ID: "C-jan", FirstName: "Jan", Emails: []string{"jan@example.pl"},
		Handles: []record.Handle{{Platform: "mastodon", Handle: "@jan@mastodon.social"}}}
	prospects := []*record.Prospect{
		{ID: "P2", Status: record.ProspectMerged, MergedInto: "P1"},
		{ID: "P3", Status: record.ProspectConverted, CustomerID: "C-anna"},
	}
	ola := &record.Customer{ID: "C-ola", FirstName: "Ola", Emails: []string{"Ola.Nowak@gmail.com"}}
	res, err := pass.Run(ctx, []*record.Customer{jan, ola}, prospects)
	if err != nil {
		t.Fatal(err)
	}
	if res.Relinked != 6 {
		t.Errorf("re-linked %d mentions, want 6 (read %d)", res.Relinked, res.Read)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{ // customer, prospect
		"form": {"C-jan", formProspect}, "toot1": {"C-jan", ""}, "toot2": {"C-jan", ""}, "other": {"", ""},
		"someone-else": {"C-other", ""}, "p2": {"", "P1"}, "p3": {"C-anna", "P3"},
		"ola-review": {"C-ola", ""}, "ola-near": {"", ""}, "ola-outlook": {"", ""},
	}
	for id, w := range want {
		m, err := b.GetMention(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got [2]string
		if m.Identity != nil {
			got = [2]string{m.Identity.CustomerID, m.Identity.ProspectID}
		}
		if got != w {
			t.Errorf("%s: customer/prospect %v, want %v", id, got, w)
		}
		if id == "toot1" && (m.Identity.Outcome != record.MatchExact || m.Identity.Key != "handle:mastodon:jan@mastodon.social") {
			t.Errorf("toot1 identity %+v", m.Identity)
		}
		if id == "ola-review" && m.Identity.Key != "email:olanowak@gmail.com" {
			t.Errorf("ola-review was linked by %q; want her normalised e-mail", m.Identity.Key)
		}
	}
	// Searchable under the new links.
	res2, err := b.Search(ctx, &index.SearchRequest{Query: `customer:"C-jan"`, Size: 10})
	if err != nil || res2.Total != 3 {
		t.Fatalf("customer C-jan has %v mentions (%v), want 3", res2, err)
	}
	// A second pass changes nothing.
	if again, err := pass.Run(ctx, []*record.Customer{jan, ola}, prospects); err != nil || again.Relinked != 0 {
		t.Errorf("second pass re-linked %d (%v)", again.Relinked, err)
	}
}
