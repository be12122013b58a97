package progress

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

func numCmp(a, b string) int {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func TestSequenceAdvancesOnlyOverContiguousDonePositions(t *testing.T) {
	s := NewSequence("", numCmp)
	p1, p2, p3 := s.Add("1"), s.Add("2"), s.Add("3")
	if s.Done(p2) || s.Mark() != "" {
		t.Fatalf("mark moved past open position 1: %q", s.Mark())
	}
	if !s.Done(p1) || s.Mark() != "2" {
		t.Fatalf("mark = %q, want 2", s.Mark())
	}
	s.Pass("4") // read after 3, done at once, but 3 is still open
	if s.Mark() != "2" {
		t.Fatalf("mark = %q, want 2 while 3 is open", s.Mark())
	}
	if !s.Done(p3) || s.Mark() != "4" {
		t.Fatalf("mark = %q, want 4", s.Mark())
	}
	if s.Open() != 0 {
		t.Fatalf("open = %d", s.Open())
	}
}

func TestSequenceNeverPassesALowerOpenPositionReadLater(t *testing.T) {
	s := NewSequence("10", numCmp)
	p20 := s.Add("20")
	p15 := s.Add("15") // the source delivered an older status late
	s.Done(p20)
	if s.Mark() != "10" {
		t.Fatalf("mark = %q, want 10: 15 is open", s.Mark())
	}
	s.Done(p15)
	if s.Mark() != "20" {
		t.Fatalf("mark = %q, want 20", s.Mark())
	}
}

func TestRecentForgetsOldestAndRoundTrips(t *testing.T) {
	r := NewRecent(3)
	for _, h := range []uint64{1, 2, 3, 2, 4} {
		r.Add(h)
	}
	if r.Has(1) || !r.Has(2) || !r.Has(3) || !r.Has(4) || r.Len() != 3 {
		t.Fatalf("unexpected contents after eviction: len=%d", r.Len())
	}
	b, _ := r.MarshalBinary()
	r2 := NewRecent(2)
	if err := r2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if r2.Has(2) || !r2.Has(3) || !r2.Has(4) {
		t.Fatal("restored set should keep the newest two (3, 4)")
	}
	if err := r2.UnmarshalBinary([]byte{1, 2, 3}); err == nil {
		t.Fatal("want an error for a truncated encoding")
	}
}

func mention(id string) *record.Mention {
	return &record.Mention{Source: "test", SourceID: id}
}

func TestOutboxBoundsInFlightAndRedeliversFailures(t *testing.T) {
	o := NewOutbox(2, 4, 3)
	defer o.Close()
	ctx := context.Background()
	var mu sync.Mutex
	done := map[string]error{}
	for i := 0; i < 3; i++ {
		id := strconv.Itoa(i)
		if err := o.Put(ctx, &Item{Record: mention(id), Done: func(err error) {
			mu.Lock()
			done[id] = err
			mu.Unlock()
		}}); err != nil {
			t.Fatal(err)
		}
	}
	r0, ack0, err := o.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, ack1, err := o.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	if _, _, err := o.Read(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Read with 2 in flight: err = %v, want deadline exceeded", err)
	}
	cancel()
	if err := ack0(ctx, errors.New("broker down")); err != nil {
		t.Fatal(err)
	}
	again, ack0b, err := o.Read(ctx)
	if err != nil || again != r0 {
		t.Fatalf("want redelivery of %s, got %v, %v", r0.SourceID, again, err)
	}
	if err := ack1(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := ack1(ctx, nil); err == nil {
		t.Fatal("a second ack of the same record must be an error")
	}
	if err := ack0b(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, ack2, err := o.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Give up after three failed attempts.
	for attempt := 1; attempt <= 3; attempt++ {
		if err := ack2(ctx, errors.New("too large")); err != nil {
			t.Fatal(err)
		}
		if attempt < 3 {
			if _, ack2, err = o.Read(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if done["0"] != nil || done["1"] != nil {
		t.Fatalf("records 0 and 1 should be done without error: %v", done)
	}
	if e, ok := done["2"]; !ok || e == nil {
		t.Fatalf("record 2 should be given up with its error, got %v (present %v)", e, ok)
	}
	if o.InFlight() != 0 {
		t.Fatalf("in flight = %d, want 0", o.InFlight())
	}
}

func TestOutboxCloseUnblocksReadAndPut(t *testing.T) {
	o := NewOutbox(1, 0, 0)
	errc := make(chan error, 2)
	go func() { _, _, err := o.Read(context.Background()); errc <- err }()
	go func() { errc <- o.Put(context.Background(), &Item{Record: mention("x")}) }()
	// One of them may meet the other; either way both end once closed.
	time.Sleep(10 * time.Millisecond)
	o.Close()
	for i := 0; i < 2; i++ {
		select {
		case <-errc:
		case <-time.After(5 * time.Second):
			t.Fatal("Read or Put still blocked after Close")
		}
	}
	if _, _, err := o.Read(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
}

type flakyStore struct {
	mu    sync.Mutex
	fail  bool
	saved map[string]string
}

func (f *flakyStore) Load(context.Context, string) ([]byte, error) { return nil, nil }
func (f *flakyStore) Save(_ context.Context, k string, v []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("store unavailable")
	}
	f.saved[k] = string(v)
	return nil
}

func TestSaverRetriesUnsavedCheckpoints(t *testing.T) {
	st := &flakyStore{fail: true, saved: map[string]string{}}
	pending := map[string][]byte{"a": []byte("1")}
	s := NewSaver(st, 0, nil, func() map[string][]byte {
		out := pending
		pending = map[string][]byte{}
		return out
	})
	if err := s.Flush(context.Background()); err == nil {
		t.Fatal("want the store error")
	}
	st.fail = false
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.saved["a"] != "1" {
		t.Fatalf("checkpoint a not saved after retry: %v", st.saved)
	}
}

func TestVersionsRemembersLatestAndForgetsOldest(t *testing.T) {
	v := NewVersions(3)
	v.Put(1, 10)
	v.Put(2, 20)
	v.Put(1, 11) // rewrite: 1 is now the newest
	v.Put(3, 30)
	v.Put(4, 40) // evicts 2, the oldest live write
	if _, ok := v.Get(2); ok {
		t.Fatal("key 2 should be forgotten")
	}
	if c, _ := v.Get(1); c != 11 {
		t.Fatalf("key 1 content = %d, want 11", c)
	}
	b, _ := v.MarshalBinary()
	w := NewVersions(10)
	if err := w.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[uint64]uint64{1: 11, 3: 30, 4: 40} {
		if c, ok := w.Get(k); !ok || c != want {
			t.Fatalf("restored key %d = %d (%v), want %d", k, c, ok, want)
		}
	}
	if w.Len() != 3 {
		t.Fatalf("restored %d keys, want 3", w.Len())
	}
	for i := uint64(0); i < 10000; i++ { // order log stays compact under rewrites
		w.Put(1, i)
	}
	if len(w.order) > 2*w.capacity+64 {
		t.Fatalf("order log grew to %d entries", len(w.order))
	}
}

// A position open for long (a catch-up that keeps failing while a stream
// flows) must not make the sequence grow with every position passed.
func TestSequenceStaysBoundedBehindALongOpenPosition(t *testing.T) {
	s := NewSequence("100", numCmp)
	gap := s.Add("100")
	for i := 101; i <= 100+3*maxHeld; i++ {
		s.Pass(strconv.Itoa(i))
	}
	if s.Mark() != "100" {
		t.Fatalf("mark = %s, want 100 while the gap is open", s.Mark())
	}
	if len(s.held) > maxHeld || s.Open() != 1 {
		t.Fatalf("held %d positions, %d open", len(s.held), s.Open())
	}
	s.Done(gap)
	if want := strconv.Itoa(100 + 3*maxHeld); s.Mark() != want {
		t.Fatalf("mark = %s, want %s", s.Mark(), want)
	}
}

func TestOutboxHandsRejectedItemsOutAsRejectedErrorsThatAck(t *testing.T) {
	o := NewOutbox(1, 4, 0)
	defer o.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var done []error
	rej := &connectors.RejectedError{Position: "video/v1 page 2", Raw: []byte(`{"id":`), Err: errors.New("decoding comment thread: unexpected end")}
	if err := o.Put(ctx, &Item{Rejected: rej, Done: func(err error) { done = append(done, err) }}); err != nil {
		t.Fatal(err)
	}
	if err := o.Put(ctx, &Item{Record: &record.Mention{SourceID: "next"}}); err != nil {
		t.Fatal(err)
	}
	m, ack, err := o.Read(ctx)
	var got *connectors.RejectedError
	if !errors.As(err, &got) || m != nil || ack != nil {
		t.Fatalf("Read = %v, %v; want a *RejectedError", m, err)
	}
	if got.Position != rej.Position || string(got.Raw) != `{"id":` || got.Ack == nil {
		t.Fatalf("rejected = %+v", got)
	}
	// The rejected item holds the only slot until the host acknowledges it.
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	if _, _, err := o.Read(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Read with the slot taken = %v, want a timeout", err)
	}
	stop()
	if err := got.Ack(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0] != nil {
		t.Fatalf("Done calls = %v, want one nil", done)
	}
	if m, _, err := o.Read(ctx); err != nil || m.SourceID != "next" {
		t.Fatalf("Read after the ack = %v, %v", m, err)
	}
}
