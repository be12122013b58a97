package bleve

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// dayCacheRequests are dashboard searches the rollups cannot answer (words,
// other filters, top authors), with ranges of whole days and ragged ends.
func dayCacheRequests(now time.Time) map[string]index.SearchRequest {
	today := now.Truncate(24 * time.Hour)
	return map[string]index.SearchRequest{
		"saved-search-month": {Query: "delivery OR entrega OR dostawa OR refund", From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1),
			Facets: []string{"sentiment", "language", "source", "author"}, FacetSize: 8, Histogram: index.IntervalDay, NoHits: true},
		"ragged-week": {Query: "pric* OR late", Filters: []string{"-author:nobody"}, From: now.Add(-9*24*time.Hour - 7*time.Minute), To: now.Add(-2*24*time.Hour + 3*time.Hour),
			Facets: []string{"aspect", "sentiment"}, FacetSize: 5, Histogram: index.IntervalHour, NoHits: true},
		"all-authors": {From: today.AddDate(0, 0, -20), To: today.AddDate(0, 0, -3), Facets: []string{"author", "language"}, FacetSize: 3, Histogram: index.IntervalWeek, NoHits: true},
		"mentions-page": {Filters: []string{"-author:nobody"}, From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1), Size: 20, Sort: index.SortNewest,
			Facets: index.DefaultFacets, Histogram: index.IntervalDay},
		"oldest-page": {Query: "delivery OR late", From: now.Add(-20*24*time.Hour - time.Minute), To: now.Add(-3 * 24 * time.Hour), Size: 7, Sort: index.SortOldest,
			Facets: []string{"language"}},
		"negative-aspects": {Query: "delivery OR price", Filters: []string{"sentiment:negative"}, From: today.AddDate(0, 0, -25), To: today,
			Facets: []string{"aspect"}, FacetSize: 10, NoHits: true},
	}
}

// checkDaysMatchExact answers every request from the day cache and by
// counting, and wants the same; it returns the cache's hits since before.
func checkDaysMatchExact(t *testing.T, b *Backend, step string) uint64 {
	t.Helper()
	ctx := context.Background()
	hits0 := b.days.hits
	for name, req := range dayCacheRequests(time.Now().UTC()) {
		c, err := req.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.planRollup(c) != nil {
			t.Fatalf("%s: answered by the rollups; the test needs a counting search", name)
		}
		got, ok, err := b.searchByDays(ctx, &req, c)
		if !ok || err != nil {
			t.Fatalf("%s %s: not answered by days (%v, %v)", step, name, ok, err)
		}
		want, err := b.searchExact(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want.Total == 0 {
			t.Errorf("%s %s: matches nothing; the check would prove little", step, name)
		}
		if got.Total != want.Total {
			t.Errorf("%s %s: total %d by days, %d counted", step, name, got.Total, want.Total)
		}
		if !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%s %s: facets differ\nby days: %v\ncounted: %v", step, name, got.Facets, want.Facets)
		}
		if !reflect.DeepEqual(got.Histogram, want.Histogram) {
			t.Errorf("%s %s: histograms differ\nby days: %v\ncounted: %v", step, name, got.Histogram, want.Histogram)
		}
		if !reflect.DeepEqual(hitIDs(got), hitIDs(want)) || got.Next != want.Next {
			t.Errorf("%s %s: hits differ\nby days: %v %q\ncounted: %v %q", step, name, hitIDs(got), got.Next, hitIDs(want), want.Next)
		}
		if req.Size > 0 && len(want.Hits) != req.Size {
			t.Errorf("%s %s: %d hits, want a full page", step, name, len(want.Hits))
		}
	}
	return b.days.hits - hits0
}

func TestDayCacheEqualsCountingAfterEveryKindOfWrite(t *testing.T) {
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	ms := rollupCorpus(2000, 11)
	upsertAll(t, b, ms)

	if hits := checkDaysMatchExact(t, b, "cold"); hits != 0 {
		t.Errorf("cold: %d cache hits before anything was counted", hits)
	}
	if hits := checkDaysMatchExact(t, b, "warm"); hits < 40 {
		t.Errorf("warm: %d cache hits; the second round should read its whole days from the cache", hits)
	}

	// New mentions only (a live stream, late arrivals): the days they land
	// in are brought up to date by counting them, not recounted.
	var fresh []*record.EnrichedMention
	for i := 1000; i < 2000; i += 37 {
		m := *ms[i]
		m.ID = fmt.Sprintf("fresh-%d", i)
		fresh = append(fresh, &m)
	}
	upsertAll(t, b, fresh)
	miss0 := b.days.miss
	checkDaysMatchExact(t, b, "after new mentions")
	if miss := b.days.miss - miss0; miss != 0 {
		t.Errorf("after new mentions: %d days counted again; adding documents should keep them", miss)
	}

	// Corrections: an old mention gets another sentiment, another is
	// marked irrelevant (out of search).
	to := record.SentimentPositive
	if ms[300].Analysis.Sentiment != nil && ms[300].Analysis.Sentiment.Label == to {
		to = record.SentimentNegative
	}
	for _, c := range []*record.Correction{{MentionID: ms[300].ID, Field: record.CorrectSentiment, Value: to},
		{MentionID: ms[400].ID, Field: record.CorrectRelevance, Value: "irrelevant"}} {
		if _, err := b.ApplyCorrection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	checkDaysMatchExact(t, b, "after corrections")

	// A late mention of an old day, and a replay of one already there.
	late := *ms[500]
	late.ID = "late-one"
	late.CreatedAt = ms[800].CreatedAt
	upsertAll(t, b, []*record.EnrichedMention{&late, ms[900]})
	checkDaysMatchExact(t, b, "after a late write")

	// Deletion at the source, then retention.
	for _, err := range b.DeleteMentions(ctx, []string{ms[100].ID, ms[1200].ID, ms[1500].ID}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkDaysMatchExact(t, b, "after deletions")
	if _, err := b.DeleteMentionsBefore(ctx, time.Now().UTC().Add(-22*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkDaysMatchExact(t, b, "after retention")

	// A commit whose outcome is unknown leaves nothing trusted.
	b.days.doubt()
	if hits := checkDaysMatchExact(t, b, "after doubt"); hits != 0 {
		t.Errorf("after doubt: %d cache hits", hits)
	}
}

func TestDayCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newDayCache(10)
	e := func(n int) map[int64]*dayCounts {
		d := newDayCounts()
		for i := range n {
			d.hist[string(rune('a'+i))] = 1
		}
		return map[int64]*dayCounts{0: d}
	}
	c.store(0, "a", nil, e(4)) // 5 entries
	c.store(0, "b", nil, e(3)) // 4
	c.lookup("a", []int64{0})
	c.store(0, "c", nil, e(3)) // over 10: b goes, a was used later
	if _, ok := c.searches["b"]; ok {
		t.Error("b stayed although it was used least recently")
	}
	if _, ok := c.searches["a"]; !ok || c.entries != 9 {
		t.Errorf("a evicted or entries %d, want 9", c.entries)
	}
}
