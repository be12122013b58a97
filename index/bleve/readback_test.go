package bleve

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// MentionsOfPeople returns what a time-sorted search for the same people
// returns, in the same order, whichever way it reads them: a heavy person
// (more than unsortedFactor times the mentions asked for) through bleve's
// sort, the rest fetched in index order and sorted here.
func TestMentionsOfPeopleMatchesASortedSearch(t *testing.T) {
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ms []*record.EnrichedMention
	add := func(id string, at time.Time, customer, prospect string) {
		m := &record.EnrichedMention{Mention: record.Mention{Schema: record.SchemaVersion, ID: id, Source: "test", SourceID: id,
			Text: "Kawa była zimna " + id, CreatedAt: at}}
		if customer != "" || prospect != "" {
			m.Identity = &record.Identity{CustomerID: customer, ProspectID: prospect}
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
	for _, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := b.MentionsOfPeople(ctx, []index.PersonRef{{Kind: index.ProfileCustomer, ID: "C1"},
		{Kind: index.ProfileProspect, ID: "P1"}, {Kind: index.ProfileCustomer, ID: "C2"}, {Kind: index.ProfileCustomer, ID: "nobody"}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	// C1: its newest 5 only; P1, C2: all (the shared mention once).
	want := func(q string, size int) []string {
		res, err := b.Search(ctx, &index.SearchRequest{Query: q, Sort: index.SortNewest, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	newestC1 := map[string]bool{}
	for _, id := range want(`customer:"C1"`, 5) {
		newestC1[id] = true
	}
	var wantIDs []string
	for _, id := range want(`customer:"C1" OR prospect:"P1" OR customer:"C2"`, 100) {
		if id[:3] != "c1-" || newestC1[id] {
			wantIDs = append(wantIDs, id)
		}
	}
	var gotIDs []string
	for _, m := range got {
		gotIDs = append(gotIDs, m.ID)
	}
	if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) {
		t.Fatalf("read back\n %v\nwant (as a sorted search orders them)\n %v", gotIDs, wantIDs)
	}
	if len(gotIDs) != 5+4+3 {
		t.Fatalf("read back %d mentions, want 12: %v", len(gotIDs), gotIDs)
	}
	if _, err := b.MentionsOfPeople(ctx, []index.PersonRef{{Kind: "author", ID: "x"}}, 5); err == nil {
		t.Fatal("an unknown kind of person was read back without an error")
	}
}
