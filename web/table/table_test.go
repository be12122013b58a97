package table

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

func newSearches() (*Table[record.SavedSearch, *record.SavedSearch], *Loopback) {
	loop := NewLoopback()
	tb := New[record.SavedSearch]("t.saved-searches", loop, func(s *record.SavedSearch) time.Time { return s.UpdatedAt }, nil)
	loop.Add(tb)
	return tb, loop
}

func TestOlderValueNeverReplacesNewer(t *testing.T) {
	tb, _ := newSearches()
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var changes []string
	tb.OnChange(func(key string, old, cur *record.SavedSearch) {
		switch {
		case cur == nil:
			changes = append(changes, "delete "+key)
		case old == nil:
			changes = append(changes, "new "+cur.Name)
		default:
			changes = append(changes, old.Name+"→"+cur.Name)
		}
	})
	if err := tb.Put(context.Background(), "s1", &record.SavedSearch{ID: "s1", Name: "v2", UpdatedAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	old, _ := record.Encode(&record.SavedSearch{ID: "s1", Name: "v1", UpdatedAt: t0})
	tb.Apply(pipeline.Message{Key: []byte("s1"), Value: old}) // the follower replays an older write
	if v, _ := tb.Get("s1"); v.Name != "v2" {
		t.Fatalf("an older value won: %+v", v)
	}
	tb.Apply(pipeline.Message{Key: []byte("s1"), Value: []byte("{broken")})
	if v, ok := tb.Get("s1"); !ok || v.Name != "v2" {
		t.Fatalf("an undecodable record changed the table: %+v", v)
	}
	if err := tb.Delete(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tb.Get("s1"); ok || tb.Len() != 0 {
		t.Fatal("deleted key still there")
	}
	if len(changes) != 2 || changes[0] != "new v2" || changes[1] != "delete s1" {
		t.Fatalf("changes %v", changes)
	}
}

func TestFailedWriteChangesNothing(t *testing.T) {
	tb, loop := newSearches()
	loop.Fail = errors.New("not enough replicas")
	err := tb.Put(context.Background(), "s1", &record.SavedSearch{ID: "s1"})
	var we *WriteError
	if !errors.As(err, &we) {
		t.Fatalf("error %v is not a WriteError", err)
	}
	if tb.Len() != 0 {
		t.Fatal("an unacknowledged write was applied")
	}
}
