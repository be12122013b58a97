package connectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

// scripted is a connector that plays a list of Read results.
type scripted struct {
	mu                sync.Mutex
	steps             []func() (*record.Mention, AckFunc, error)
	connects          int
	failFirstConnects int
	acks              map[string]error
	closed            bool
}

func (s *scripted) Connect(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connects++
	if s.connects <= s.failFirstConnects {
		return errors.New("connection refused")
	}
	return nil
}

func (s *scripted) Read(ctx context.Context) (*record.Mention, AckFunc, error) {
	s.mu.Lock()
	if len(s.steps) == 0 {
		s.mu.Unlock()
		return nil, nil, ErrEndOfInput
	}
	step := s.steps[0]
	s.steps = s.steps[1:]
	s.mu.Unlock()
	return step()
}

func (s *scripted) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *scripted) record(id string) func() (*record.Mention, AckFunc, error) {
	return func() (*record.Mention, AckFunc, error) {
		return &record.Mention{Source: "test", SourceID: id, Text: "x"}, func(_ context.Context, err error) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.acks[id] = err
			return nil
		}, nil
	}
}

// publisher acks asynchronously; ids in fail get an error.
type publisher struct {
	fail     map[string]bool
	tooLarge map[string]bool
	inflight atomic.Int32
	peak     atomic.Int32
	delay    time.Duration
}

func (p *publisher) Publish(_ context.Context, m *record.Mention, done func(error)) error {
	n := p.inflight.Add(1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	go func() {
		time.Sleep(p.delay)
		p.inflight.Add(-1)
		if p.tooLarge[m.SourceID] {
			done(fmt.Errorf("writing to Kafka: %w", record.ErrTooLarge))
			return
		}
		if p.fail[m.SourceID] {
			done(errors.New("broker down"))
			return
		}
		done(nil)
	}()
	return nil
}

type deadLetters struct {
	mu      sync.Mutex
	items   []string
	letters []*record.DeadLetter
}

func (d *deadLetters) DeadLetter(_ context.Context, dl *record.DeadLetter) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.items = append(d.items, dl.Stage+" "+dl.Position+" "+dl.Error)
	d.letters = append(d.letters, dl)
	return nil
}

func TestRunnerAcksAfterPublishAndReconnects(t *testing.T) {
	s := &scripted{acks: map[string]error{}, failFirstConnects: 2}
	rejectedAck := errors.New("not called")
	s.steps = []func() (*record.Mention, AckFunc, error){
		s.record("1"),
		func() (*record.Mention, AckFunc, error) { return nil, nil, ErrNotConnected },
		s.record("2"),
		func() (*record.Mention, AckFunc, error) {
			return nil, nil, &RejectedError{Position: "f.jsonl:3", Raw: []byte("{"), Err: errors.New("malformed JSON"),
				Ack: func(_ context.Context, err error) error { rejectedAck = err; return nil }}
		},
		func() (*record.Mention, AckFunc, error) {
			return &record.Mention{Source: "test"}, func(_ context.Context, err error) error {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.acks["invalid"] = err
				return nil
			}, nil
		},
		s.record("3"),
	}
	pub := &publisher{fail: map[string]bool{"3": true}}
	dl := &deadLetters{}
	r := &Runner{Name: "t", Connector: s, Publisher: pub, DeadLetters: dl, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond}
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.connects != 4 { // 2 refused, 1 ok, 1 after ErrNotConnected
		t.Errorf("connects = %d, want 4", s.connects)
	}
	if s.acks["1"] != nil || s.acks["2"] != nil {
		t.Errorf("published records must be acked with nil: %v", s.acks)
	}
	if s.acks["3"] == nil || s.acks["invalid"] == nil {
		t.Errorf("failed and invalid records must be acked with their error: %v", s.acks)
	}
	if len(dl.items) != 1 || dl.items[0] != "connector:t f.jsonl:3 malformed JSON" || rejectedAck != nil {
		t.Errorf("rejected input must be dead-lettered then acked: %v, ack %v", dl.items, rejectedAck)
	}
	if !s.closed {
		t.Error("connector not closed")
	}
}

func TestRunnerBoundsInFlight(t *testing.T) {
	s := &scripted{acks: map[string]error{}}
	for i := range 200 {
		s.steps = append(s.steps, s.record(fmt.Sprint(i)))
	}
	pub := &publisher{delay: time.Millisecond}
	r := &Runner{Name: "t", Connector: s, Publisher: pub, MaxInFlight: 8}
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := pub.peak.Load(); p > 8 {
		t.Fatalf("%d records in flight, bound is 8", p)
	}
	if len(s.acks) != 200 {
		t.Fatalf("end of input must wait for every ack: %d of 200", len(s.acks))
	}
}

func TestRunnerStopsOnCancelAndWaitsForAcks(t *testing.T) {
	s := &scripted{acks: map[string]error{}}
	block := make(chan struct{})
	s.steps = []func() (*record.Mention, AckFunc, error){s.record("1"), func() (*record.Mention, AckFunc, error) {
		<-block
		return nil, nil, context.Canceled
	}}
	ctx, cancel := context.WithCancel(context.Background())
	pub := &publisher{delay: 50 * time.Millisecond}
	done := make(chan error)
	go func() { done <- (&Runner{Name: "t", Connector: s, Publisher: pub}).Run(ctx) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	close(block)
	if err := <-done; err != nil {
		t.Fatalf("a cancelled run is a clean stop, got %v", err)
	}
	if err, ok := s.acks["1"]; !ok || err != nil {
		t.Fatalf("the record in flight at shutdown must still be acked: %v %v", err, ok)
	}
}

// A record the broker refuses for its size is dead-lettered with its origin
// and acknowledged, so the source moves on; without a DLQ it stays unacked.
func TestRunnerDeadLettersRecordsTooLargeForTheBroker(t *testing.T) {
	for _, withDLQ := range []bool{true, false} {
		s := &scripted{acks: map[string]error{}}
		s.steps = []func() (*record.Mention, AckFunc, error){s.record("1"), s.record("huge"), s.record("3")}
		pub := &publisher{tooLarge: map[string]bool{"huge": true}}
		dl := &deadLetters{}
		r := &Runner{Name: "backfill", Connector: s, Publisher: pub}
		if withDLQ {
			r.DeadLetters = dl
		}
		if err := r.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s.acks["1"] != nil || s.acks["3"] != nil {
			t.Fatalf("the other records must be acked: %v", s.acks)
		}
		if !withDLQ {
			if !errors.Is(s.acks["huge"], record.ErrTooLarge) {
				t.Fatalf("without a DLQ the record must stay unacked: %v", s.acks["huge"])
			}
			continue
		}
		if err, ok := s.acks["huge"]; !ok || err != nil {
			t.Fatalf("the dead-lettered record must be acked: %v %v", err, ok)
		}
		if len(dl.letters) != 1 || dl.letters[0].Stage != "connector:backfill" || dl.letters[0].Position != "test:huge" ||
			!strings.Contains(dl.letters[0].Error, "message limit") || !bytes.Contains(dl.letters[0].Value, []byte(`"source_id":"huge"`)) {
			t.Fatalf("dead letters %v", dl.items)
		}
	}
}
