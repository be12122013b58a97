package stage

import (
	"context"
	"errors"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/record"
)

// A replay of the enriched topic (or an edit at the source) indexes each
// mention as people corrected it: a corrected sentiment stays corrected, an
// irrelevant mention stays out of search, and a correction that no longer
// applies does not keep the mention out.
func TestReplayKeepsPeoplesCorrections(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	ms := contract.Mentions()
	var flip, hide, broken *record.EnrichedMention
	for _, m := range ms {
		switch {
		case flip == nil && m.Analysis.Sentiment != nil && m.Analysis.Sentiment.Label != record.SentimentNegative:
			flip = m
		case hide == nil:
			hide = m
		case broken == nil:
			broken = m
		}
	}
	if flip == nil || hide == nil || broken == nil {
		t.Fatal("the contract corpus lacks the mentions this test needs")
	}
	corrections := map[string][]*record.Correction{
		flip.ID:   {{MentionID: flip.ID, Field: record.CorrectSentiment, Value: record.SentimentNegative}},
		hide.ID:   {{MentionID: hide.ID, Field: record.CorrectRelevance, Value: "irrelevant"}},
		broken.ID: {{MentionID: broken.ID, Field: "colour", Value: "blue"}},
	}
	s.SetCorrections(func(id string) []*record.Correction { return corrections[id] })
	for round := range 2 { // first indexing, then a replay
		if dlq, _ := runUntilSettled(t, s, mentionMessages(t)); len(dlq) > 0 {
			t.Fatalf("round %d: %d messages to the DLQ", round, len(dlq))
		}
		ctx := context.Background()
		got, err := b.GetMention(ctx, flip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Analysis.Sentiment == nil || got.Analysis.Sentiment.Label != record.SentimentNegative {
			t.Fatalf("round %d: corrected mention indexed as %+v", round, got.Analysis.Sentiment)
		}
		if _, err := b.GetMention(ctx, hide.ID); !errors.Is(err, index.ErrNotFound) {
			t.Fatalf("round %d: the irrelevant mention is in search (%v)", round, err)
		}
		if _, err := b.GetMention(ctx, broken.ID); err != nil {
			t.Fatalf("round %d: a mention with a correction that does not apply was not indexed: %v", round, err)
		}
		if n, want := total(t, b, ""), int64(len(ms)-1); n != want {
			t.Fatalf("round %d: %d mentions in search, want %d", round, n, want)
		}
	}
}
