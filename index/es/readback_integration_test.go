package es

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// The read-back pages with search_after: in pages of two it reads the same
// mentions, in the same order, as in one page, for a heavy person read
// alone and for the others read together.
func TestIntegrationReadBackPagesThroughEveryMention(t *testing.T) {
	b := newRealBackend(t)
	ctx := context.Background()
	base := time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC)
	var ms []*record.EnrichedMention
	for i := range 23 {
		who := &record.Identity{CustomerID: "C1"}
		switch {
		case i%3 == 1:
			who = &record.Identity{ProspectID: "P1"}
		case i%3 == 2 && i < 12:
			who = &record.Identity{CustomerID: "C2"}
		}
		ms = append(ms, &record.EnrichedMention{Mention: record.Mention{Schema: record.SchemaVersion, ID: fmt.Sprintf("m%02d", i),
			Source: "test", SourceID: fmt.Sprint(i), Text: "kawa", CreatedAt: base.Add(time.Duration(i%5) * 24 * time.Hour)}, Identity: who})
	}
	mustLoad(t, b, ms)
	people := []index.PersonRef{{Kind: index.ProfileCustomer, ID: "C1"}, {Kind: index.ProfileProspect, ID: "P1"}, {Kind: index.ProfileCustomer, ID: "C2"}}
	read := func(newest int) (string, int) {
		got, err := b.MentionsOfPeople(ctx, people, newest)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(got))
		for i, m := range got {
			ids[i] = m.ID
		}
		return fmt.Sprint(ids), len(ids)
	}
	// C1 has 11 mentions, P1 8, C2 4: asked for the newest 2, C1 is read
	// alone (11 > 4 × 2) and the others whole: 14; asked for 100, all 23.
	for newest, want := range map[int]int{2: 14, 100: 23} {
		whole, n := read(newest)
		if n != want {
			t.Errorf("newest %d: read %d mentions back, want %d: %s", newest, n, want, whole)
		}
		saved := readBackPage
		readBackPage = 2
		paged, _ := read(newest)
		readBackPage = saved
		if paged != whole {
			t.Errorf("newest %d: in pages of two\n %s\nin one page\n %s", newest, paged, whole)
		}
	}
}
