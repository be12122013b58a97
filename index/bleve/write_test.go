package bleve

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// A batch big enough to be built on several goroutines keeps the order of
// a single pass: errors at their own positions, the last copy of an id the
// one stored, the rollups counting each stored mention once.
func TestABatchBuiltInParallelKeepsItsOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ms []*record.EnrichedMention
	for i := range 500 {
		ms = append(ms, &record.EnrichedMention{Mention: record.Mention{Schema: record.SchemaVersion,
			ID: fmt.Sprintf("m%03d", i), Source: "test", Text: fmt.Sprintf("parcel number %d arrived", i),
			CreatedAt: t0.Add(time.Duration(i) * time.Minute)}})
	}
	ms[470].ID, ms[470].Text = ms[10].ID, "parcel: the second copy of m010" // a later copy, in another chunk
	ms[250].CreatedAt = time.Time{}                                         // invalid, in the middle
	errs := b.UpsertMentions(ctx, ms)
	for i, err := range errs {
		if (err != nil) != (i == 250) {
			t.Errorf("mention %d: error %v", i, err)
		}
	}
	got, err := b.GetMention(ctx, "m010")
	if err != nil || got.Text != "parcel: the second copy of m010" {
		t.Fatalf("m010 reads %+v, %v; want the batch's last copy", got, err)
	}
	res, err := b.Search(ctx, &index.SearchRequest{Query: "parcel", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 500, less the invalid one and the copy of m010 that replaced m470's id.
	if res.Total != 498 {
		t.Errorf("%d mentions found, want 498", res.Total)
	}
	if n := rollupTotal(b); n != 498 {
		t.Errorf("rollups count %d mentions, want 498", n)
	}
}
