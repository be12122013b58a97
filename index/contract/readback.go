package contract

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// testMentionsOfPeople: a backend reads people's mentions back for their
// profiles in the order a time-sorted search gives (ties by id), each
// once, a heavy person (more than four times the mentions asked for) only
// to their newest, and with everything a profile counts: the stats from
// the mentions read back equal the stats from the whole records.
func testMentionsOfPeople(ctx context.Context, t *testing.T, b index.Backend) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ms []*record.EnrichedMention
	add := func(id string, at time.Time, customer, prospect string) {
		n := len(ms)
		m := &record.EnrichedMention{Mention: record.Mention{Schema: record.SchemaVersion, ID: id, Source: []string{"mastodon", "web"}[n%2],
			SourceID: id, Text: "Kawa była zimna, dostawa późno " + id, CreatedAt: at, Lang: []string{"pl", ""}[n%2]}}
		m.Analysis = record.Analysis{
			Language:  &record.Language{Code: []string{"pl", "lv", "pt"}[n%3], Confidence: 0.9},
			Sentiment: &record.Sentiment{Label: []string{"negative", "positive", "neutral"}[n%3], Score: []float64{-0.7, 0.6, 0}[n%3], Confidence: 0.8},
			Intents:   []record.Intent{{Name: []string{"complaint", "buying"}[n%2], Score: 0.8, Evidence: []record.Span{{Start: 0, End: 4, Text: "Kawa"}}}},
			Aspects:   []record.Aspect{{Name: []string{"delivery", "Price"}[n%2], Sentiment: "negative", Score: -0.5, Evidence: record.Span{Start: 0, End: 4, Text: "Kawa"}}},
			Preferences: &record.Preferences{Brands: []string{"Acme"}, Products: []string{fmt.Sprintf("p%d", n%3)},
				Competitors: []string{"Globex"}, Channels: []string{"email"}, Features: []string{"taste"}},
		}
		if customer != "" || prospect != "" {
			m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: customer, ProspectID: prospect, Score: 0.9}
		}
		ms = append(ms, m)
	}
	for i := range 30 { // heavy: 30 > 4 × 5
		add(fmt.Sprintf("c1-%02d", i), base.Add(time.Duration(i*7%30)*time.Hour), "C1", "")
	}
	for i := range 4 {
		add(fmt.Sprintf("p1-%d", i), base.Add(time.Duration(i)*time.Minute), "", "P1")
	}
	add("both", base.Add(90*time.Hour), "C2", "P1")
	add("same-time-b", base.Add(-time.Hour), "C2", "")
	add("same-time-a", base.Add(-time.Hour), "C2", "")
	for i := range 10 {
		add(fmt.Sprintf("other-%d", i), base.Add(time.Duration(i)*time.Hour), "C3", "P3")
	}
	load(t, b, ms)
	got, err := b.MentionsOfPeople(ctx, []index.PersonRef{{Kind: index.ProfileCustomer, ID: "C1"},
		{Kind: index.ProfileProspect, ID: "P1"}, {Kind: index.ProfileCustomer, ID: "C2"}, {Kind: index.ProfileCustomer, ID: "nobody"}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	// C1: its newest 5 only; P1, C2: all (the shared mention once).
	sorted := func(q string, size int) []*record.EnrichedMention {
		res := mustSearch(ctx, t, b, index.SearchRequest{Query: q, Sort: index.SortNewest, Size: size})
		out := make([]*record.EnrichedMention, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = h.Mention
		}
		return out
	}
	newestC1 := map[string]bool{}
	for _, m := range sorted(`customer:"C1"`, 5) {
		newestC1[m.ID] = true
	}
	var want []*record.EnrichedMention
	for _, m := range sorted(`customer:"C1" OR prospect:"P1" OR customer:"C2"`, 100) {
		if m.ID[:3] != "c1-" || newestC1[m.ID] {
			want = append(want, m)
		}
	}
	ids := func(ms []*record.EnrichedMention) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.ID
		}
		return out
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
		t.Fatalf("read back\n %v\nwant (as a sorted search orders them)\n %v", ids(got), ids(want))
	}
	if len(got) != 5+4+3 {
		t.Fatalf("read back %d mentions, want 12: %v", len(got), ids(got))
	}
	for _, p := range []struct{ customer, prospect string }{{"C1", ""}, {"", "P1"}, {"C2", ""}} {
		of := func(ms []*record.EnrichedMention) []*record.EnrichedMention {
			var out []*record.EnrichedMention
			for _, m := range ms {
				if m.Identity != nil && ((p.customer != "" && m.Identity.CustomerID == p.customer) || (p.prospect != "" && m.Identity.ProspectID == p.prospect)) {
					out = append(out, m)
				}
			}
			return out
		}
		if g, w := index.Aggregate(of(got)), index.Aggregate(of(want)); !reflect.DeepEqual(g, w) {
			t.Errorf("profile of %v from the mentions read back\n %+v\nfrom the whole records\n %+v", p, g, w)
		}
	}
	if _, err := b.MentionsOfPeople(ctx, []index.PersonRef{{Kind: "author", ID: "x"}}, 5); err == nil {
		t.Fatal("an unknown kind of person was read back without an error")
	}
}
