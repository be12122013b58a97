package contract

import (
	"context"
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
	if err := rl.MentionsOf(ctx, index.Identifiers{}, 10, func([]*record.EnrichedMention) error {
		t.Fatal("nothing named, something read")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
