package contract

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// testMentionsOf: a backend that can re-link reads exactly the mentions
// linked to the prospects or written from the e-mails or handles given,
// each once, in pages of the size asked.
func testMentionsOf(ctx context.Context, t *testing.T, b index.Backend) {
	rl, ok := b.(index.Relinker)
	if !ok {
		t.Fatal("the backend cannot re-link mentions (index.Relinker)")
	}
	load(t, b, Mentions())
	var want []string
	for _, m := range Mentions() {
		if m.Identity != nil && m.Identity.ProspectID == "P1" || m.Author.Email == "jan@example.pl" || m.Author.Handle == "user_lv1" {
			want = append(want, m.ID)
		}
	}
	if len(want) < 4 {
		t.Fatalf("fixture: only %d mentions to find", len(want))
	}
	var got []string
	pages := 0
	err := rl.MentionsOf(ctx, index.Identifiers{ProspectIDs: []string{"P1"}, Emails: []string{"JAN@example.pl"}, Authors: []string{"USER_LV1"}}, 2,
		func(ms []*record.EnrichedMention) error {
			pages++
			if len(ms) > 2 {
				t.Errorf("page of %d, asked for 2", len(ms))
			}
			for _, m := range ms {
				got = append(got, m.ID)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || pages < 2 {
		t.Fatalf("MentionsOf read %v in %d pages; want %v", got, pages, want)
	}
	// Spellings of one address, found by a pattern (identity's shape: a
	// provider's dots, +tags and domain alias); near misses are not.
	var spelled []*record.EnrichedMention
	for i, email := range []string{"O.L.A.Nowak+shop@GoogleMail.com", "olanowak@gmail.com", "olanowak1@gmail.com", "xolanowak@gmail.com", "ola.nowak@outlook.com"} {
		m := *Mentions()[0]
		m.ID, m.SourceID, m.Identity = fmt.Sprintf("spelled-%d", i), fmt.Sprintf("spelled-%d", i), nil
		m.Author = record.Author{Email: email}
		spelled = append(spelled, &m)
	}
	load(t, b, spelled)
	got = nil
	olaGmail := `\.*o\.*l\.*a\.*n\.*o\.*w\.*a\.*k\.*(\+[!-?A-~]*)?\@(gmail\.com|googlemail\.com)`
	if err := rl.MentionsOf(ctx, index.Identifiers{EmailPatterns: []string{olaGmail}}, 10, func(ms []*record.EnrichedMention) error {
		for _, m := range ms {
			got = append(got, m.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"spelled-0", "spelled-1"}; !slices.Equal(got, want) {
		t.Errorf("MentionsOf by the pattern of one address read %v; want %v", got, want)
	}
	if err := rl.MentionsOf(ctx, index.Identifiers{}, 10, func([]*record.EnrichedMention) error {
		t.Fatal("nothing named, something read")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
