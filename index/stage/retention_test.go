package stage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

const retentionDay = 24 * time.Hour

// TestRetentionOnTheEmbeddedIndex: the retention test on the
// embedded index (on disk, with its rollups).
func TestRetentionOnTheEmbeddedIndex(t *testing.T) {
	b, err := bleve.Open(bleve.Config{Path: t.TempDir(), RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	testRetention(t, b)
}

// TestIntegrationRetentionOnElasticsearch: the same on a real node
// (EARSHOT_TEST_ES), with its rollups recounted after the sweep so the
// long-range searches read clean days.
func TestIntegrationRetentionOnElasticsearch(t *testing.T) {
	b := realES(t, "earshot-test-ret", "the retention test ran on the embedded index only")
	testRetention(t, b)
}

// testRetention indexes 1,200 mentions over 500 days, then sweeps with a
// retention of 13 months: the mentions created before the cut leave
// search, counts, facets, histograms (also the long-range ones the
// rollups answer) and their people's profile counts; every younger one
// stays. A mention that arrives already expired is not indexed; a second
// sweep finds nothing.
func testRetention(t *testing.T, b index.Backend) {
	ctx := context.Background()
	now := time.Now().UTC()
	cfg := synth.DefaultConfig()
	cfg.Seed = 15
	cfg.Start, cfg.Span = now.Add(-500*retentionDay), 500*retentionDay-time.Hour
	cfg.TailWords, cfg.Authors = 500, 150
	ms := synth.New(cfg).Batch(1200)

	s, err := New(b, topics, DefaultConfig(), nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	var batch []pipeline.Message
	for i, m := range ms {
		batch = append(batch, msg(t, topics.Enriched(), m.ID, m, int64(i)))
	}
	if dlq, _ := runUntilSettled(t, s, batch); len(dlq) > 0 {
		t.Fatalf("%d mentions dead-lettered", len(dlq))
	}

	age := 13 * 30 * retentionDay
	cut := now.Add(-age)
	var kept, gone []*record.EnrichedMention
	sentiments := map[string]int64{}
	// A person with mentions on both sides of the cut, whose profile count
	// must drop to the younger ones.
	perPerson := map[personKey][2]int{}
	for _, m := range ms {
		young := !m.CreatedAt.Before(cut)
		if young {
			kept = append(kept, m)
			if m.Analysis.Sentiment != nil {
				sentiments[m.Analysis.Sentiment.Label]++
			}
		} else {
			gone = append(gone, m)
		}
		for _, p := range personsOf(m) {
			c := perPerson[p]
			if young {
				c[0]++
			} else {
				c[1]++
			}
			perPerson[p] = c
		}
	}
	var mixed personKey
	for p, c := range perPerson {
		if c[0] > 0 && c[1] > 0 && (mixed.id == "" || c[1] > perPerson[mixed][1]) {
			mixed = p
		}
	}
	if len(gone) < 200 || len(kept) < 800 || mixed.id == "" {
		t.Fatalf("corpus: %d to expire, %d to keep, mixed person %q: the test would prove little", len(gone), len(kept), mixed.id)
	}
	before, err := b.GetProfile(ctx, index.ProfileID(mixed.kind, mixed.id))
	if err != nil {
		t.Fatal(err)
	}
	if want := perPerson[mixed][0] + perPerson[mixed][1]; before.MentionCount != want {
		t.Fatalf("profile %s counts %d mentions before the sweep, want %d", mixed.id, before.MentionCount, want)
	}

	s.SetMentionRetention(age)
	out, err := s.ExpireMentions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if out.Deleted != len(gone) {
		t.Errorf("the sweep deleted %d mentions, want %d", out.Deleted, len(gone))
	}
	if r, ok := b.(interface {
		RecountRollups(context.Context) (int, error)
	}); ok {
		if _, err := r.RecountRollups(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	search := func(req index.SearchRequest) *index.SearchResult {
		t.Helper()
		res, err := b.Search(ctx, &req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if got := search(index.SearchRequest{Size: 1}).Total; got != int64(len(kept)) {
		t.Errorf("search finds %d mentions, want the %d younger than the cut", got, len(kept))
	}
	if got := search(index.SearchRequest{To: cut, Size: 1}).Total; got != 0 {
		t.Errorf("%d mentions older than the cut are still found", got)
	}
	if got := search(index.SearchRequest{From: cut, Size: 1}).Total; got != int64(len(kept)) {
		t.Errorf("%d mentions younger than the cut found, want %d", got, len(kept))
	}
	for _, m := range gone[:5] {
		if _, err := b.GetMention(ctx, m.ID); !errors.Is(err, index.ErrNotFound) {
			t.Errorf("expired mention %s: %v", m.ID, err)
		}
	}
	for _, m := range kept[:5] {
		if _, err := b.GetMention(ctx, m.ID); err != nil {
			t.Errorf("kept mention %s: %v", m.ID, err)
		}
	}
	// The dashboards' long-range shapes: all time by month and the last
	// year by day, with facets; the rollups answer these.
	for name, req := range map[string]index.SearchRequest{
		"all-time-monthly": {Facets: index.DefaultFacets, Histogram: index.IntervalMonth, FacetSize: 50},
		"year-daily":       {From: now.Add(-500 * retentionDay), To: now, Facets: index.DefaultFacets, Histogram: index.IntervalDay, FacetSize: 50},
	} {
		res := search(req)
		if res.Total != int64(len(kept)) {
			t.Errorf("%s: total %d, want %d", name, res.Total, len(kept))
		}
		var sum int64
		for _, bk := range res.Histogram {
			sum += bk.Count
			if bk.Count > 0 && bk.Start.Before(cut.AddDate(0, -1, 0)) {
				t.Errorf("%s: %d mentions in the bucket of %s, before the cut %s", name, bk.Count, bk.Start.Format(time.DateOnly), cut.Format(time.DateOnly))
			}
		}
		if sum != int64(len(kept)) {
			t.Errorf("%s: the histogram counts %d, want %d", name, sum, len(kept))
		}
		got := map[string]int64{}
		for _, bk := range res.Facets["sentiment"] {
			got[bk.Value] = bk.Count
		}
		for label, n := range sentiments {
			if got[label] != n {
				t.Errorf("%s: sentiment %s counts %d, want %d", name, label, got[label], n)
			}
		}
	}
	after, err := b.GetProfile(ctx, index.ProfileID(mixed.kind, mixed.id))
	if err != nil {
		t.Fatal(err)
	}
	if after.MentionCount != perPerson[mixed][0] {
		t.Errorf("profile %s counts %d mentions after the sweep, want the %d younger ones", mixed.id, after.MentionCount, perPerson[mixed][0])
	}

	// Arriving expired (a replay, a backfill): not indexed; a young one is.
	old, young := *gone[0], *kept[0]
	old.ID, young.ID = "late-old", "late-young"
	if dlq, _ := runUntilSettled(t, s, []pipeline.Message{msg(t, topics.Enriched(), old.ID, &old, 9001), msg(t, topics.Enriched(), young.ID, &young, 9002)}); len(dlq) > 0 {
		t.Fatal("dead-lettered")
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetMention(ctx, old.ID); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("an expired mention arriving late was indexed: %v", err)
	}
	if _, err := b.GetMention(ctx, young.ID); err != nil {
		t.Errorf("a young mention arriving late: %v", err)
	}
	// A second sweep (another index stage) finds nothing left.
	if again, err := s.ExpireMentions(ctx); err != nil || again.Deleted != 0 {
		t.Errorf("second sweep: %d deleted, %v", again.Deleted, err)
	}
}
