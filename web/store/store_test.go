package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/table"
)

func newStore(t *testing.T) (*Store, *table.Loopback) {
	t.Helper()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	for _, err := range b.UpsertMentions(ctx, contract.Mentions()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	p := &index.Profile{ID: index.ProfileID(index.ProfileProspect, "P1"), Kind: index.ProfileProspect, PersonID: "P1", UpdatedAt: time.Now()}
	if err := b.UpsertProfiles(ctx, []*index.Profile{p})[0]; err != nil {
		t.Fatal(err)
	}
	loop := table.NewLoopback()
	s := New(loop, pipeline.Topics{Prefix: "t."}, b, nil)
	loop.Add(s.Tables()...)
	return s, loop
}

// Mute values are attacker-chosen author names: whatever they contain,
// the exclusion clause must compile and hide exactly them.
func TestExclusionsQuoteHostileNames(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, v := range []string{`bob" OR "x`, `back\slash`, "tab\there", "(paren", "NOT", "user_pt1"} {
		if _, err := s.Mute(ctx, "mia", record.MuteAuthor, v, ""); err != nil {
			t.Fatalf("muting %q: %v", v, err)
		}
	}
	if _, err := s.Mute(ctx, "mia", record.MuteSite, "mastodon-main", "spam"); err != nil {
		t.Fatal(err)
	}
	req := &index.SearchRequest{Query: "entregas OR dostawa"}
	s.Hide(req)
	if _, err := req.Compile(); err != nil {
		t.Fatalf("the exclusion clause does not compile: %v\n%s", err, req.Query)
	}
	if !strings.HasPrefix(req.Query, "(entregas OR dostawa) AND NOT author:") || !strings.Contains(req.Query, `NOT channel:"mastodon-main"`) {
		t.Fatalf("query %s", req.Query)
	}
	res, err := s.backend.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.ID == "pt1" || h.Mention.Channel == "mastodon-main" {
			t.Fatalf("muted mention %s found", h.ID)
		}
	}
	if len(s.Mutes()) != 7 {
		t.Fatalf("%d mutes", len(s.Mutes()))
	}
}

func TestStageHistoryAndOrdering(t *testing.T) {
	s, loop := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now }) // a frozen clock: writes must still order
	for _, stage := range []string{record.StageContacted, record.StageQualified, record.StageLost, record.StageQualified} {
		if _, err := s.SetStage(ctx, "sam", "P1", stage); err != nil {
			t.Fatal(err)
		}
	}
	w := s.Work("prospect:P1")
	if w.Stage != record.StageQualified || len(w.History) != 4 || w.History[2].From != record.StageQualified || w.History[2].To != record.StageLost {
		t.Fatalf("work %+v", w)
	}
	writes := loop.Writes
	if _, err := s.SetStage(ctx, "sam", "P1", record.StageQualified); err != nil || loop.Writes != writes {
		t.Fatalf("setting the same stage wrote %d records (%v)", loop.Writes-writes, err)
	}
	if _, err := s.SetStage(ctx, "sam", "P404", record.StageWon); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown prospect: %v", err)
	}
	if _, err := s.SetStage(ctx, "sam", "P1", "sold"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad stage: %v", err)
	}
	if got := s.WorkByStage(record.StageQualified, ""); len(got) != 1 {
		t.Fatalf("by stage: %v", got)
	}
	loop.Fail = errors.New("broker down")
	if _, err := s.AddNote(ctx, "sam", "P1", "call back"); err == nil {
		t.Fatal("a note was taken although Kafka refused it")
	}
	if len(s.Work("P1").Notes) != 0 {
		t.Fatal("an unacknowledged note is visible")
	}
}

// Two people working one prospect at the same moment: every note and the
// stage change land, none overwrites another.
func TestConcurrentProspectChangesAllLand(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const people = 16
	var wg sync.WaitGroup
	errs := make(chan error, people+1)
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.AddNote(ctx, fmt.Sprintf("rep%d", i), "P1", fmt.Sprintf("note %d", i))
			errs <- err
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := s.SetStage(ctx, "sam", "P1", record.StageContacted)
		errs <- err
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	w := s.Work("P1")
	if len(w.Notes) != people || w.Stage != record.StageContacted {
		t.Fatalf("%d of %d notes kept, stage %q: concurrent changes were lost", len(w.Notes), people, w.Stage)
	}
}

// recordingPublisher forwards to a loopback and keeps what was written.
type recordingPublisher struct {
	*table.Loopback
	mu   sync.Mutex
	outs []pipeline.Output
}

func (r *recordingPublisher) ProduceSync(ctx context.Context, outs ...pipeline.Output) error {
	r.mu.Lock()
	r.outs = append(r.outs, outs...)
	r.mu.Unlock()
	return r.Loopback.ProduceSync(ctx, outs...)
}

// A correction quotes its mention's text: it is written for sealing with
// the author's key (Output.Subject, the mention's subject), and when the
// author's key is erased the store drops the correction from memory, so
// the labelled data listed for training no longer holds it.
func TestCorrectionsAreSealedPerAuthorAndForgotten(t *testing.T) {
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	ms := contract.Mentions()[:2]
	ms[0].Subject = "0123456789abcdef0123456789abcdef"
	for _, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	pub := &recordingPublisher{Loopback: table.NewLoopback()}
	s := New(pub, pipeline.Topics{Prefix: "t."}, b, nil)
	pub.Add(s.Tables()...)
	for _, m := range ms {
		if _, err := s.Correct(ctx, "mia", m.ID, record.CorrectSentiment, "negative"); err != nil {
			t.Fatal(err)
		}
	}
	if len(pub.outs) != 2 || pub.outs[0].Subject != ms[0].Subject || pub.outs[1].Subject != "" {
		t.Fatalf("corrections written with subjects %q; want the first mention's subject, then none", []string{pub.outs[0].Subject, pub.outs[1].Subject})
	}
	if c := s.Corrections(ms[0].ID); len(c) != 1 || c[0].Subject != ms[0].Subject || c[0].Text == "" {
		t.Fatalf("correction of the first mention: %+v", c)
	}
	if n := s.ForgetSubject("ffffffffffffffffffffffffffffffff"); n != 0 {
		t.Fatalf("forgetting a stranger dropped %d corrections", n)
	}
	if n := s.ForgetSubject(ms[0].Subject); n != 1 {
		t.Fatalf("forgetting the author dropped %d corrections, want 1", n)
	}
	all := s.Corrections("")
	if len(all) != 1 || all[0].MentionID != ms[1].ID {
		t.Fatalf("corrections after the erasure: %+v; want only the other mention's", all)
	}
}
