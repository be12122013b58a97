package stage

import (
	"context"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

func postOf(id, text, customer string, fetched time.Time) *record.EnrichedMention {
	return &record.EnrichedMention{
		Mention: record.Mention{Schema: record.SchemaVersion, ID: id, Source: "mastodon", SourceID: "https://m.example/" + id,
			Kind: record.KindMention, Text: text, Author: record.Author{Platform: "mastodon", Handle: "ana@m.example"},
			CreatedAt: fetched.Add(-time.Minute), FetchedAt: fetched},
		Identity:   &record.Identity{Outcome: record.MatchExact, CustomerID: customer},
		EnrichedAt: fetched,
	}
}

func deletionOf(t *testing.T, id string, at time.Time) *record.EnrichedMention {
	t.Helper()
	d, err := record.NewDeletion("mastodon", "https://m.example/"+id, "m.example",
		record.Author{Platform: "mastodon", Handle: "ana@m.example"}, record.DeletedAtSource, at)
	if err != nil {
		t.Fatal(err)
	}
	return &record.EnrichedMention{Mention: *d, EnrichedAt: at}
}

func TestDeletionRemovesAnIndexedMentionAndRecountsItsProfile(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	keep := postOf("", "keepsake kettles are lovely", "C1", t0)
	gone := postOf("", "vanishingword kettles leak", "C1", t0)
	keep.Mention.ID, gone.Mention.ID = record.RecordID("mastodon", "https://m.example/keep"), record.RecordID("mastodon", "https://m.example/gone")
	keep.SourceID, gone.SourceID = "https://m.example/keep", "https://m.example/gone"
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{
		msg(t, topics.Enriched(), "customer:C1", keep, 0), msg(t, topics.Enriched(), "customer:C1", gone, 1),
	}); len(dlq) > 0 {
		t.Fatalf("dead letters: %v", dlq)
	}
	if n := total(t, b, "vanishingword"); n != 1 {
		t.Fatalf("before the deletion: %d hits, want 1", n)
	}
	del := deletionOf(t, "gone", t0.Add(time.Hour))
	if del.ID != gone.ID {
		t.Fatalf("deletion id %s is not the post's %s", del.ID, gone.ID)
	}
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{msg(t, topics.Enriched(), "handle:mastodon:ana@m.example", del, 2)}); len(dlq) > 0 {
		t.Fatalf("dead letters: %v", dlq)
	}
	if n := total(t, b, "vanishingword"); n != 0 {
		t.Fatalf("after the deletion: %d hits, want 0", n)
	}
	if n := total(t, b, "keepsake"); n != 1 {
		t.Fatalf("the other post: %d hits, want 1", n)
	}
	if _, err := b.GetMention(context.Background(), gone.ID); err == nil {
		t.Fatal("the deleted mention is still readable")
	}
	p, err := b.GetProfile(context.Background(), index.ProfileID(index.ProfileCustomer, "C1"))
	if err != nil {
		t.Fatal(err)
	}
	if p.MentionCount != 1 {
		t.Fatalf("profile counts %d mentions after the deletion, want 1", p.MentionCount)
	}

	// A copy of the deleted post read late (another partition) stays out;
	// a deletion of an unknown id is no error.
	late := msg(t, topics.Enriched(), "customer:C1", gone, 3)
	unknown := msg(t, topics.Enriched(), "x", deletionOf(t, "never-seen", t0.Add(time.Hour)), 4)
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{late, unknown}); len(dlq) > 0 {
		t.Fatalf("dead letters: %v", dlq)
	}
	if n := total(t, b, "vanishingword"); n != 0 {
		t.Fatalf("a late copy of the deleted post came back: %d hits", n)
	}
}

func TestDeletionInTheSameBatchAsItsPost(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	post := postOf("", "ephemeralword spotted", "C2", t0)
	post.SourceID = "https://m.example/eph"
	post.Mention.ID = record.RecordID("mastodon", post.SourceID)
	errs := s.WriteBatch(context.Background(), []pipeline.Message{
		msg(t, topics.Enriched(), "customer:C2", post, 0),
		msg(t, topics.Enriched(), "handle:mastodon:ana@m.example", deletionOf(t, "eph", t0.Add(time.Minute)), 1),
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if n := total(t, b, "ephemeralword"); n != 0 {
		t.Fatalf("%d hits for a post deleted in the same batch, want 0", n)
	}
}
