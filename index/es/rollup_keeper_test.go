package es

import (
	"slices"
	"testing"
)

func skippedDays(skip []dirtyDay) []int64 {
	var days []int64
	for _, d := range skip {
		days = append(days, d.day)
	}
	slices.Sort(days)
	return days
}

// The keeper counts a day once it was not marked since the previous
// round, and a day marked every round after keeperPatience rounds.
func TestKeeperCountsSettledDaysAndEventuallyBusyOnes(t *testing.T) {
	s := &settledDays{seen: map[int64]dirtySeen{}}
	// Round 1: both days are new: nothing is counted yet.
	if got := skippedDays(s.pick([]dirtyDay{{day: 1, seq: 10}, {day: 2, seq: 20}})); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("round 1 skipped %v, want [1 2]", got)
	}
	// Round 2: day 1 was not marked again (same seq): counted; day 2 was.
	if got := skippedDays(s.pick([]dirtyDay{{day: 1, seq: 10}, {day: 2, seq: 21}})); !slices.Equal(got, []int64{2}) {
		t.Fatalf("round 2 skipped %v, want [2]", got)
	}
	// Day 2 keeps being marked: it is skipped until it has waited
	// keeperPatience rounds in all, then counted.
	seq := int64(22)
	for round := 3; round <= keeperPatience; round++ {
		if got := skippedDays(s.pick([]dirtyDay{{day: 2, seq: seq}})); !slices.Equal(got, []int64{2}) {
			t.Fatalf("round %d skipped %v, want [2]", round, got)
		}
		seq++
	}
	if got := s.pick([]dirtyDay{{day: 2, seq: seq}}); len(got) != 0 {
		t.Fatalf("round %d skipped %v: a busy day must be counted after %d rounds", keeperPatience+1, skippedDays(got), keeperPatience)
	}
	// A day that is clean (absent) and dirty again starts over.
	if got := skippedDays(s.pick([]dirtyDay{{day: 1, seq: 30}})); !slices.Equal(got, []int64{1}) {
		t.Fatalf("a day dirty again skipped %v, want [1]", got)
	}
}
