package stage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

var topics = pipeline.Topics{Prefix: "earshot."}

func newBackend(t *testing.T) *bleve.Backend {
	t.Helper()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func newStage(t *testing.T, b index.Backend) *Stage {
	t.Helper()
	s, err := New(b, topics, DefaultConfig(), nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msg(t *testing.T, topic string, key string, v record.Versioned, off int64) pipeline.Message {
	t.Helper()
	var value []byte
	if v != nil {
		var err error
		if value, err = record.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	return pipeline.Message{Topic: topic, Key: []byte(key), Value: value, Offset: off}
}

func mentionMessages(t *testing.T) []pipeline.Message {
	var out []pipeline.Message
	for i, m := range contract.Mentions() {
		out = append(out, msg(t, topics.Enriched(), m.ID, m, int64(i)))
	}
	return out
}

func total(t *testing.T, b index.Backend, q string) int64 {
	t.Helper()
	res, err := b.Search(context.Background(), &index.SearchRequest{Query: q, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// runUntilSettled plays the pipeline's part: retry the messages with a
// non-permanent error until every one is settled.
func runUntilSettled(t *testing.T, s *Stage, batch []pipeline.Message) (dlq []pipeline.Message, attempts int) {
	t.Helper()
	pending := batch
	for attempts = 1; len(pending) > 0; attempts++ {
		if attempts > 50 {
			t.Fatalf("%d messages never settled", len(pending))
		}
		errs := s.WriteBatch(context.Background(), pending)
		var retry []pipeline.Message
		for i, err := range errs {
			switch {
			case err == nil:
			case pipeline.IsPermanent(err):
				dlq = append(dlq, pending[i])
			default:
				retry = append(retry, pending[i])
			}
		}
		pending = retry
	}
	return dlq, attempts - 1
}

func TestWrongTypedFieldGoesToDLQAndRestIsIndexed(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	batch := mentionMessages(t)
	bad := pipeline.Message{Topic: topics.Enriched(), Offset: 99,
		Value: []byte(`{"schema":1,"id":"bad1","source":"web","text":"entrega","created_at":12,"analysis":{}}`)}
	garbage := pipeline.Message{Topic: topics.Enriched(), Offset: 100, Value: []byte("{not json")}
	batch = append(batch[:3:3], append([]pipeline.Message{bad, garbage}, batch[3:]...)...)
	errs := s.WriteBatch(context.Background(), batch)
	for i, err := range errs {
		isBad := batch[i].Offset >= 99
		if isBad && !pipeline.IsPermanent(err) {
			t.Errorf("message at offset %d: error %v; want a permanent (DLQ) error", batch[i].Offset, err)
		}
		if !isBad && err != nil {
			t.Errorf("message at offset %d: %v; want it indexed", batch[i].Offset, err)
		}
	}
	if n := total(t, b, ""); n != int64(len(contract.Mentions())) {
		t.Fatalf("%d mentions indexed; want %d", n, len(contract.Mentions()))
	}
}

func TestReplayDoesNotDuplicateOrDoubleCount(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	for round := 0; round < 2; round++ {
		if dlq, _ := runUntilSettled(t, s, mentionMessages(t)); len(dlq) > 0 {
			t.Fatalf("round %d: %d messages to the DLQ", round, len(dlq))
		}
	}
	if n := total(t, b, ""); n != int64(len(contract.Mentions())) {
		t.Fatalf("%d mentions after a replay; want %d", n, len(contract.Mentions()))
	}
	p, err := b.GetProfile(context.Background(), "customer:C1")
	if err != nil {
		t.Fatal(err)
	}
	if p.MentionCount != 3 || p.Kind != index.ProfileCustomer || p.Name != "" {
		t.Fatalf("placeholder profile of C1 after a replay: %+v", p)
	}
}

func TestCustomerRecordKeepsStatsAndTombstoneDeletes(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	runUntilSettled(t, s, mentionMessages(t))
	c := &record.Customer{ID: "C1", FirstName: "Maria", LastName: "Silva", Emails: []string{"maria@example.com"}}
	pr := &record.Prospect{ID: "P2", Name: "Anna", Score: 0.9, Status: record.ProspectContacted}
	runUntilSettled(t, s, []pipeline.Message{
		msg(t, topics.Customers(), "C1", c, 1),
		msg(t, topics.Prospects(), "P2", pr, 2),
	})
	got, err := b.GetProfile(context.Background(), "customer:C1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Maria Silva" || got.MentionCount != 3 || len(got.AspectsNegative) == 0 {
		t.Fatalf("customer profile: %+v", got)
	}
	gotP, err := b.GetProfile(context.Background(), "prospect:P2")
	if err != nil {
		t.Fatal(err)
	}
	if gotP.LeadScore != 0.9 || gotP.Status != record.ProspectContacted || gotP.MentionCount != 2 {
		t.Fatalf("prospect profile: %+v", gotP)
	}
	// A later mention keeps the name and updates the counts.
	m := contract.Mentions()[0]
	m.ID, m.SourceID = "pt1-again", "again"
	runUntilSettled(t, s, []pipeline.Message{msg(t, topics.Enriched(), m.ID, m, 3)})
	got, _ = b.GetProfile(context.Background(), "customer:C1")
	if got.Name != "Maria Silva" || got.MentionCount != 4 {
		t.Fatalf("after a new mention: %+v", got)
	}
	dlq, _ := runUntilSettled(t, s, []pipeline.Message{{Topic: topics.Customers(), Key: []byte("C1"), Value: nil}})
	if len(dlq) > 0 {
		t.Fatal("tombstone went to the DLQ")
	}
	if _, err := b.GetProfile(context.Background(), "customer:C1"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("profile after tombstone: %v", err)
	}
}

func TestErasureDeletesPersonEverywhere(t *testing.T) {
	b := newBackend(t)
	s := newStage(t, b)
	runUntilSettled(t, s, mentionMessages(t))
	e := &record.Erasure{ID: "e1", CustomerID: "C2", Emails: []string{"anna@example.com"}}
	dlq, _ := runUntilSettled(t, s, []pipeline.Message{
		msg(t, topics.Erasures(), "e1", e, 1),
		msg(t, topics.Erasures(), "e2", &record.Erasure{ID: "e2"}, 2), // names nobody
	})
	if len(dlq) != 1 || dlq[0].Offset != 2 {
		t.Fatalf("DLQ %v; want only the erasure naming nobody", dlq)
	}
	if n := total(t, b, "customer:C2"); n != 0 {
		t.Fatalf("%d mentions of C2 left", n)
	}
	if n := total(t, b, "author:user_en2"); n != 0 {
		t.Fatalf("mention by the erased e-mail left")
	}
	if _, err := b.GetProfile(context.Background(), "customer:C2"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("erased profile: %v", err)
	}
}

// flaky fails every call while down is positive, like a backend that is
// unreachable for a while.
type flaky struct {
	index.Backend
	down atomic.Int32
}

var errUnreachable = errors.New("connection refused")

func (f *flaky) fail() bool { return f.down.Add(-1) >= 0 }

func (f *flaky) UpsertMentions(ctx context.Context, ms []*record.EnrichedMention) []error {
	if f.fail() {
		errs := make([]error, len(ms))
		for i := range errs {
			errs[i] = fmt.Errorf("sending bulk request: %w", errUnreachable)
		}
		return errs
	}
	return f.Backend.UpsertMentions(ctx, ms)
}

func (f *flaky) Refresh(ctx context.Context) error {
	if f.fail() {
		return errUnreachable
	}
	return f.Backend.Refresh(ctx)
}

func TestBackendDownThenBackLosesNothing(t *testing.T) {
	inner := newBackend(t)
	f := &flaky{Backend: inner}
	f.down.Store(5)
	s := newStage(t, f)
	dlq, attempts := runUntilSettled(t, s, mentionMessages(t))
	if len(dlq) > 0 {
		t.Fatalf("%d messages went to the DLQ while the backend was down", len(dlq))
	}
	if attempts < 2 {
		t.Fatalf("settled in %d attempts; the outage was not exercised", attempts)
	}
	if n := total(t, inner, ""); n != int64(len(contract.Mentions())) {
		t.Fatalf("%d mentions after the outage; want %d", n, len(contract.Mentions()))
	}
	p, err := inner.GetProfile(context.Background(), "prospect:P1")
	if err != nil || p.MentionCount != 2 {
		t.Fatalf("profile after the outage: %+v, %v", p, err)
	}
}

// unreadable fails GetProfiles while down is positive.
type unreadable struct {
	index.Backend
	down atomic.Int32
}

func (u *unreadable) GetProfiles(ctx context.Context, ids []string) ([]*index.Profile, error) {
	if u.down.Add(-1) >= 0 {
		return nil, errUnreachable
	}
	return u.Backend.GetProfiles(ctx, ids)
}

// A stored profile that cannot be read is not rebuilt from a placeholder
// (which would drop the customer's name): the mentions of its person stay
// unsettled, the others settle, and the retry keeps the name.
func TestUnreadableProfileIsRetriedNotReplaced(t *testing.T) {
	inner := newBackend(t)
	s := newStage(t, inner)
	runUntilSettled(t, s, mentionMessages(t))
	c := &record.Customer{ID: "C1", FirstName: "Maria", LastName: "Silva"}
	runUntilSettled(t, s, []pipeline.Message{msg(t, topics.Customers(), "C1", c, 1)})
	u := &unreadable{Backend: inner}
	u.down.Store(1)
	s = newStage(t, u)
	again, other := contract.Mentions()[0], contract.Mentions()[0]
	again.ID, again.SourceID = "pt1-again", "again"
	other.ID, other.SourceID, other.Identity = "pt1-nobody", "nobody", nil
	batch := []pipeline.Message{msg(t, topics.Enriched(), again.ID, again, 2), msg(t, topics.Enriched(), other.ID, other, 3)}
	errs := s.WriteBatch(context.Background(), batch)
	if errs[0] == nil || pipeline.IsPermanent(errs[0]) || !errors.Is(errs[0], errUnreachable) {
		t.Fatalf("mention of C1 while its profile is unreadable: %v; want a retryable error", errs[0])
	}
	if errs[1] != nil {
		t.Fatalf("mention of nobody: %v; want it settled", errs[1])
	}
	if p, err := inner.GetProfile(context.Background(), "customer:C1"); err != nil || p.Name != "Maria Silva" || p.MentionCount != 3 {
		t.Fatalf("profile after a failed read: %+v, %v", p, err)
	}
	runUntilSettled(t, s, batch[:1])
	if p, err := inner.GetProfile(context.Background(), "customer:C1"); err != nil || p.Name != "Maria Silva" || p.MentionCount != 4 {
		t.Fatalf("profile after the retry: %+v, %v; want Maria Silva with 4 mentions", p, err)
	}
}

func TestUnknownTopicIsPermanent(t *testing.T) {
	s := newStage(t, newBackend(t))
	errs := s.WriteBatch(context.Background(), []pipeline.Message{{Topic: "elsewhere", Value: []byte("{}")}})
	if !pipeline.IsPermanent(errs[0]) {
		t.Fatalf("error %v; want permanent", errs[0])
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultConfig()
	bad.BatchSize = 0
	bad.MaxProfileMentions = 0
	if err := bad.Validate(); err == nil {
		t.Fatal("invalid config accepted")
	}
}
