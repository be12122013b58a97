package stage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// countingBackend counts mention writes and how many mentions each carried.
type countingBackend struct {
	index.Backend
	calls, mentions atomic.Int32
}

func (c *countingBackend) UpsertMentions(ctx context.Context, ms []*record.EnrichedMention) []error {
	c.calls.Add(1)
	c.mentions.Add(int32(len(ms)))
	return c.Backend.UpsertMentions(ctx, ms)
}

func mentionOf(t *testing.T, id, customer string, off int64) pipeline.Message {
	t.Helper()
	m := contract.Mentions()[0]
	m.ID, m.SourceID = id, id
	m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: customer}
	return msg(t, topics.Enriched(), id, m, off)
}

func customerMsg(t *testing.T, id string, off int64) pipeline.Message {
	return msg(t, topics.Customers(), id, &record.Customer{ID: id, FirstName: "Name", LastName: id}, off)
}

func tombstone(id string, off int64) pipeline.Message {
	return pipeline.Message{Topic: topics.Customers(), Key: []byte(id), Offset: off}
}

func TestInterleavedCustomerRecordsKeepMentionsInOneWrite(t *testing.T) {
	b := &countingBackend{Backend: newBackend(t)}
	s := newStage(t, b)
	var batch []pipeline.Message
	for i, m := range mentionMessages(t) {
		batch = append(batch, m, customerMsg(t, "K"+string(rune('A'+i)), int64(100+i)))
	}
	if dlq, _ := runUntilSettled(t, s, batch); len(dlq) > 0 {
		t.Fatalf("%d messages to the DLQ", len(dlq))
	}
	if got := b.calls.Load(); got != 1 {
		t.Fatalf("%d mention writes for one batch; want 1", got)
	}
	if got := b.mentions.Load(); got != int32(len(contract.Mentions())) {
		t.Fatalf("%d mentions written; want %d", got, len(contract.Mentions()))
	}
	if p, err := b.GetProfile(context.Background(), "customer:KB"); err != nil || p.Name != "Name KB" {
		t.Fatalf("customer KB: %+v, %v", p, err)
	}
}

func TestTombstoneThenMentionLeavesPlaceholder(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	runUntilSettled(t, s, []pipeline.Message{customerMsg(t, "T1", 1), mentionOf(t, "m1", "T1", 2)})
	// In one batch: the customer is deleted, then a new mention of theirs
	// arrives. Applied in order, a profile without identity remains.
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{tombstone("T1", 3), mentionOf(t, "m2", "T1", 4)}); len(dlq) > 0 {
		t.Fatal("messages to the DLQ")
	}
	p, err := b.GetProfile(context.Background(), "customer:T1")
	if err != nil {
		t.Fatalf("profile after tombstone then mention: %v", err)
	}
	if p.Name != "" || p.MentionCount != 2 {
		t.Fatalf("profile after tombstone then mention: name %q, %d mentions; want a placeholder with 2", p.Name, p.MentionCount)
	}
}

func TestMentionThenTombstoneDeletesProfile(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	runUntilSettled(t, s, []pipeline.Message{customerMsg(t, "T2", 1), mentionOf(t, "m1", "T2", 2), tombstone("T2", 3)})
	if _, err := b.GetProfile(context.Background(), "customer:T2"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("profile after mention then tombstone: %v; want not found", err)
	}
	if n := total(t, b, "customer:T2"); n != 1 {
		t.Fatalf("%d mentions of T2; want 1 (a tombstone deletes the profile only)", n)
	}
	// A record after the tombstone in the same batch brings it back.
	runUntilSettled(t, s, []pipeline.Message{tombstone("T2", 4), customerMsg(t, "T2", 5)})
	if p, err := b.GetProfile(context.Background(), "customer:T2"); err != nil || p.Name != "Name T2" || p.MentionCount != 1 {
		t.Fatalf("profile after tombstone then record: %+v, %v", p, err)
	}
}

func TestErasureInsideBatchRemovesOnlyWhatCameBefore(t *testing.T) {
	b := &countingBackend{Backend: newBackend(t)}
	s := newStage(t, b)
	e := &record.Erasure{ID: "e1", CustomerID: "E1"}
	batch := []pipeline.Message{
		mentionOf(t, "before1", "E1", 1),
		mentionOf(t, "other", "E2", 2),
		mentionOf(t, "before2", "E1", 3),
		msg(t, topics.Erasures(), "e1", e, 4),
		mentionOf(t, "after", "E1", 5),
	}
	if dlq, _ := runUntilSettled(t, s, batch); len(dlq) > 0 {
		t.Fatal("messages to the DLQ")
	}
	for id, want := range map[string]bool{"before1": false, "before2": false, "after": true, "other": true} {
		_, err := b.GetMention(context.Background(), id)
		if got := err == nil; got != want {
			t.Errorf("mention %s present %v; want %v (err %v)", id, got, want, err)
		}
	}
	if got := b.calls.Load(); got != 2 {
		t.Errorf("%d mention writes; want 2 (one on each side of the erasure)", got)
	}
	p, err := b.GetProfile(context.Background(), "customer:E1")
	if err != nil || p.MentionCount != 1 {
		t.Fatalf("profile of E1 after erasure then a new mention: %+v, %v", p, err)
	}
}

// Two versions of a mention in one batch (an edit right after the post, a
// replay) are written once, as the last one: a backend that writes a batch
// in parallel requests, or retries part of it, could otherwise leave the
// older one in the index. The person the mention left is rebuilt too.
func TestTwoVersionsOfAMentionInABatchWriteTheLast(t *testing.T) {
	b := &countingBackend{Backend: newBackend(t)}
	s := newStage(t, b)
	batch := []pipeline.Message{mentionOf(t, "M1", "C1", 0), mentionOf(t, "M2", "C1", 1), mentionOf(t, "M1", "C2", 2)}
	if dlq, _ := runUntilSettled(t, s, batch); len(dlq) > 0 {
		t.Fatalf("%d messages to the DLQ", len(dlq))
	}
	if got := b.mentions.Load(); got != 2 {
		t.Fatalf("%d mentions written; want 2 (M1 once, as its last version, and M2)", got)
	}
	if got := total(t, b, `customer:"C2"`); got != 1 {
		t.Fatalf("C2 has %d mentions in the index; want 1 (M1's last version)", got)
	}
	if got := total(t, b, `customer:"C1"`); got != 1 {
		t.Fatalf("C1 has %d mentions in the index; want 1 (M2)", got)
	}
	// M3 was C3's; a batch brings it again for C3, then moved to C2.
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{mentionOf(t, "M3", "C3", 3)}); len(dlq) > 0 {
		t.Fatalf("%d messages to the DLQ", len(dlq))
	}
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{mentionOf(t, "M3", "C3", 4), mentionOf(t, "M3", "C2", 5)}); len(dlq) > 0 {
		t.Fatalf("%d messages to the DLQ", len(dlq))
	}
	for id, want := range map[string]int{"customer:C1": 1, "customer:C2": 2, "customer:C3": 0} {
		p, err := b.GetProfile(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if p.MentionCount != want {
			t.Fatalf("%s counts %d mentions; want %d", id, p.MentionCount, want)
		}
	}
}

// A batch big enough to be decoded on several goroutines settles each
// message at its own position: the undecodable ones (a mention and a
// customer record, in different chunks) go to the DLQ alone, and the
// customer records between the mentions still become profiles.
func TestABatchDecodedInParallelSettlesEachMessageInPlace(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	b := newBackend(t)
	s := newStage(t, b)
	var batch []pipeline.Message
	for i := range 400 {
		if i%10 == 9 {
			batch = append(batch, customerMsg(t, fmt.Sprintf("K%03d", i), int64(i)))
			continue
		}
		batch = append(batch, mentionOf(t, fmt.Sprintf("M%03d", i), fmt.Sprintf("K%03d", i/10*10+9), int64(i)))
	}
	batch[77].Value = []byte(`{"id": "M077", "text": `)                   // a mention cut short
	batch[309].Value = []byte(`{"schema": 1, "id": "K309", "emails": 7}`) // a customer that does not decode
	errs := s.WriteBatch(context.Background(), batch)
	for i, err := range errs {
		if bad := i == 77 || i == 309; bad != (err != nil && pipeline.IsPermanent(err)) || !bad && err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if got := total(t, b, "*"); got != 359 {
		t.Errorf("%d mentions indexed, want 359 (360 less the one cut short)", got)
	}
	for id, want := range map[string]int{"customer:K009": 9, "customer:K079": 8, "customer:K399": 9} {
		p, err := b.GetProfile(context.Background(), id)
		if err != nil || p.MentionCount != want || p.Name != "Name "+id[len("customer:"):] {
			t.Errorf("%s: %+v, %v; want %d mentions and its name", id, p, err, want)
		}
	}
	// K309's record did not decode: their mentions make a profile without it.
	if p, err := b.GetProfile(context.Background(), "customer:K309"); err != nil || p.MentionCount != 9 || p.Name == "Name K309" {
		t.Errorf("customer:K309: %+v, %v; want 9 mentions and no name from the record that did not decode", p, err)
	}
}
