package contract

import (
	"context"
	"errors"
	"testing"

	"github.com/earshothq/earshot/index"
)

// testDeleteMentions deletes two mentions by id (one just written, not yet
// refreshed) and an unknown id: only those two leave the search.
func testDeleteMentions(ctx context.Context, t *testing.T, b index.Backend) {
	ms := Mentions()
	load(t, b, ms[:len(ms)-1])
	last := ms[len(ms)-1]
	for _, err := range b.UpsertMentions(ctx, ms[len(ms)-1:]) {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{ms[0].ID, last.ID, "no-such-mention"}
	for i, err := range b.DeleteMentions(ctx, ids) {
		if err != nil {
			t.Fatalf("deleting %s: %v", ids[i], err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if _, err := b.GetMention(ctx, id); !errors.Is(err, index.ErrNotFound) {
			t.Fatalf("mention %s after its deletion: %v", id, err)
		}
	}
	res := mustSearch(ctx, t, b, index.SearchRequest{Size: 100})
	if res.Total != int64(len(ms)-2) {
		t.Fatalf("%d mentions left after deleting 2 of %d", res.Total, len(ms))
	}
	if _, err := b.GetMention(ctx, ms[1].ID); err != nil {
		t.Fatalf("an untouched mention: %v", err)
	}
}
