package contract

import (
	"context"
	"errors"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// RunCorrections checks a backend's index.Corrector on the fixtures: a
// corrected sentiment moves the mention between facet buckets, intents are
// added and removed, a mention marked irrelevant leaves searches and
// counts, and restoring it brings it back.
func RunCorrections(t *testing.T, b index.Backend) {
	t.Helper()
	ctx := context.Background()
	cr, ok := b.(index.Corrector)
	if !ok {
		t.Fatalf("%T does not implement index.Corrector", b)
	}
	for _, err := range b.UpsertMentions(ctx, Mentions()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(q string) (total int64, sentiments map[string]int64) {
		t.Helper()
		res, err := b.Search(ctx, &index.SearchRequest{Query: q, Facets: []string{"sentiment"}})
		if err != nil {
			t.Fatal(err)
		}
		sentiments = map[string]int64{}
		for _, bk := range res.Facets["sentiment"] {
			sentiments[bk.Value] = bk.Count
		}
		return res.Total, sentiments
	}
	all, before := count("")

	prev, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "pt1", Field: record.CorrectSentiment, Value: "positive"})
	if err != nil {
		t.Fatal(err)
	}
	if prev.Analysis.Sentiment.Label != "negative" {
		t.Fatalf("the previous mention has sentiment %q", prev.Analysis.Sentiment.Label)
	}
	_, after := count("")
	if after["negative"] != before["negative"]-1 || after["positive"] != before["positive"]+1 {
		t.Fatalf("sentiment facet before %v, after correcting pt1 to positive %v", before, after)
	}
	m, err := b.GetMention(ctx, "pt1")
	if err != nil || m.Analysis.Sentiment.Label != "positive" || m.Text != prev.Text {
		t.Fatalf("stored mention after the correction: %+v %v", m, err)
	}

	if _, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "pt1", Field: record.CorrectIntent, Value: "buying"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := count("intent:buying AND entregas"); n != 1 {
		t.Fatalf("added intent: %d hits", n)
	}
	if _, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "pt1", Field: record.CorrectIntent, Value: "-complaint"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := count("intent:complaint AND entregas"); n != 0 {
		t.Fatalf("removed intent still found: %d hits", n)
	}

	irrelevant, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "pt2", Field: record.CorrectRelevance, Value: "irrelevant"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := count(""); n != all-1 {
		t.Fatalf("after marking pt2 irrelevant: %d mentions, want %d", n, all-1)
	}
	if _, err := b.GetMention(ctx, "pt2"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("an irrelevant mention is still readable: %v", err)
	}
	if err := cr.RestoreMention(ctx, irrelevant); err != nil {
		t.Fatal(err)
	}
	if n, _ := count(""); n != all {
		t.Fatalf("after restoring pt2: %d mentions, want %d", n, all)
	}
	if _, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "nope", Field: record.CorrectSentiment, Value: "positive"}); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("unknown mention: %v", err)
	}
	if _, err := cr.ApplyCorrection(ctx, &record.Correction{MentionID: "pt1", Field: record.CorrectSentiment, Value: "great"}); err == nil {
		t.Fatal("a bad sentiment value was applied")
	}
}
