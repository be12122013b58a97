package bleve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// TestTimeRangeMatchesBruteForce checks the bucketed range query against a
// plain comparison, for ranges whose ends fall on and around hour, day,
// month and year boundaries, open or closed.
func TestTimeRangeMatchesBruteForce(t *testing.T) {
	be := newTestBackend(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2024, 12, 30, 22, 0, 0, 0, time.UTC)
	// Instants near interesting boundaries, plus random ones over 80 days.
	var times []time.Time
	for _, b := range []time.Time{base, base.Add(2 * time.Hour), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)} {
		for _, d := range []time.Duration{-time.Hour, -time.Second, -time.Nanosecond, 0, time.Nanosecond, time.Second, 59 * time.Minute} {
			times = append(times, b.Add(d))
		}
	}
	for range 300 {
		times = append(times, base.Add(time.Duration(rng.Int64N(int64(80*24*time.Hour)))))
	}
	ms := make([]*record.EnrichedMention, len(times))
	for i, ts := range times {
		ms[i] = &record.EnrichedMention{Mention: record.Mention{ID: fmt.Sprintf("t%03d", i), Source: "web", Kind: record.KindMention,
			Text: "x", CreatedAt: ts}}
	}
	for _, err := range be.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	ends := append([]time.Time{{}}, times[:28]...) // zero = open
	for range 200 {
		ends = append(ends, base.Add(time.Duration(rng.Int64N(int64(82*24*time.Hour)))-24*time.Hour))
	}
	checked := 0
	for _, from := range ends {
		for k := 0; k < 2; k++ {
			to := ends[rng.IntN(len(ends))]
			if !from.IsZero() && !to.IsZero() && !to.After(from) {
				continue
			}
			if from.IsZero() && to.IsZero() {
				continue
			}
			var want []string
			for i, ts := range times {
				if (from.IsZero() || !ts.Before(from)) && (to.IsZero() || ts.Before(to)) {
					want = append(want, ms[i].ID)
				}
			}
			res, err := be.Search(ctx, &index.SearchRequest{From: from, To: to, Size: index.MaxSize, Sort: index.SortOldest})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(res.Hits))
			for i, h := range res.Hits {
				got[i] = h.ID
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || res.Total != int64(len(want)) {
				t.Fatalf("range [%s, %s): %d hits (total %d); want %d", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), len(got), res.Total, len(want))
			}
			checked++
		}
	}
	if checked < 200 {
		t.Fatalf("only %d ranges checked", checked)
	}
}

func TestTimeKeySortsLikeTime(t *testing.T) {
	ts := []time.Time{
		time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 3, 9, 0, 0, 1, time.UTC),
		time.Date(2025, 3, 3, 10, 0, 0, 0, time.FixedZone("CET", 3600)), // 09:00 UTC, +1ns later than none: equal to the first 2025 one
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
	}
	for i := 1; i < len(ts); i++ {
		a, b := timeKey(ts[i-1]), timeKey(ts[i])
		if c := ts[i-1].Compare(ts[i]); c != compareStrings(a, b) {
			t.Errorf("keys %q and %q compare %d; times compare %d", a, b, compareStrings(a, b), c)
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
