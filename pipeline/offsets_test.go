package pipeline

import (
	"math/rand/v2"
	"testing"
)

func TestTrackerCommitsOnlyTheSettledPrefix(t *testing.T) {
	tr := newOffsetTracker()
	for _, off := range []int64{10, 11, 13, 14} { // 12 was compacted away
		if !tr.track("raw", 0, off) {
			t.Fatalf("offset %d refused", off)
		}
	}
	tr.settle("raw", 0, 13)
	tr.settle("raw", 0, 14)
	if pts := tr.toCommit(); len(pts) != 0 {
		t.Fatalf("10 and 11 are unsettled, yet commit points %v", pts)
	}
	tr.settle("raw", 0, 10)
	pts := tr.toCommit()
	if len(pts) != 1 || pts[0].next != 11 {
		t.Fatalf("want commit of next=11, got %v", pts)
	}
	tr.markCommitted(pts)
	tr.settle("raw", 0, 11)
	pts = tr.toCommit()
	if len(pts) != 1 || pts[0].next != 15 {
		t.Fatalf("the gap at 12 must not block: want next=15, got %v", pts)
	}
	tr.markCommitted(pts)
	if pts := tr.toCommit(); len(pts) != 0 {
		t.Fatalf("nothing new settled, yet %v", pts)
	}
	if tr.outstanding() != 0 {
		t.Fatalf("outstanding %d", tr.outstanding())
	}
}

func TestTrackerSkipsRedeliveries(t *testing.T) {
	tr := newOffsetTracker()
	tr.track("raw", 1, 5)
	tr.track("raw", 1, 6)
	if tr.track("raw", 1, 6) || tr.track("raw", 1, 5) {
		t.Fatal("an offset in flight was accepted twice")
	}
	tr.settle("raw", 1, 5)
	tr.settle("raw", 1, 6)
	if tr.track("raw", 1, 4) || tr.track("raw", 1, 6) {
		t.Fatal("a settled offset was accepted again")
	}
	if !tr.track("raw", 1, 7) || !tr.track("raw", 2, 0) {
		t.Fatal("new offsets refused")
	}
}

// Whatever the settle order, the commit point never passes an unsettled offset.
func TestTrackerRandomSettleOrder(t *testing.T) {
	for round := range 50 {
		tr := newOffsetTracker()
		offs := rand.Perm(200)
		for i := range 200 {
			tr.track("t", 0, int64(i))
		}
		settled := map[int64]bool{}
		for _, o := range offs {
			tr.settle("t", 0, int64(o))
			settled[int64(o)] = true
			for _, p := range tr.toCommit() {
				for x := int64(0); x < p.next; x++ {
					if !settled[x] {
						t.Fatalf("round %d: commit next=%d passes unsettled %d", round, p.next, x)
					}
				}
				tr.markCommitted([]commitPoint{p})
			}
		}
	}
}
