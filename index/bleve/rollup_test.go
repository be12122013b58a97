package bleve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
)

// rollupCorpus is a month of generated mentions ending now, so that the
// last days have hourly per-value counts and the rest daily ones.
func rollupCorpus(n int, seed uint64) []*record.EnrichedMention {
	cfg := synth.DefaultConfig()
	cfg.Seed = seed
	cfg.Start = time.Now().UTC().Add(-30 * 24 * time.Hour)
	cfg.Span = 30 * 24 * time.Hour
	cfg.TailWords, cfg.Authors = 500, 300
	return synth.New(cfg).Batch(n)
}

func upsertAll(t *testing.T, b *Backend, ms []*record.EnrichedMention) {
	t.Helper()
	for start := 0; start < len(ms); start += 250 {
		for i, err := range b.UpsertMentions(context.Background(), ms[start:min(start+250, len(ms))]) {
			if err != nil {
				t.Fatalf("upserting %s: %v", ms[start+i].ID, err)
			}
		}
	}
}

// rollupRequests are dashboard searches that the counts answer, with
// ranges that start and end mid-hour.
func rollupRequests(now time.Time, brand string) map[string]index.SearchRequest {
	ragged := func(d time.Duration) time.Time {
		return now.Add(-d).Add(-17*time.Minute - 3*time.Second - 250*time.Millisecond)
	}
	// Every facet the rollups count per value (authors are counted only
	// in the index; TestRollupsLeaveAuthorsToTheIndex).
	all := make([]string, 0, len(index.FacetFields))
	for f, field := range index.FacetFields {
		if f == "sentiment" || isRollupDim[field] {
			all = append(all, f)
		}
	}
	slices.Sort(all)
	return map[string]index.SearchRequest{
		"overview":            {Facets: all, Histogram: index.IntervalMonth, FacetSize: 50},
		"overview-days":       {Facets: index.DefaultFacets, Histogram: index.IntervalDay, Size: 7},
		"week-hourly":         {From: ragged(12 * 24 * time.Hour), To: ragged(5 * 24 * time.Hour), Facets: index.DefaultFacets, Histogram: index.IntervalHour, Sort: index.SortNewest},
		"recent-hours":        {From: ragged(60 * time.Hour), To: ragged(3 * time.Hour), Facets: all, Histogram: index.IntervalHour},
		"last-day-open":       {From: ragged(30 * time.Hour), Facets: index.DefaultFacets, Histogram: index.IntervalHour},
		"brand-sentiment":     {Query: "brand:" + brand, Filters: []string{"sentiment:negative"}, From: ragged(25 * 24 * time.Hour), To: ragged(2 * 24 * time.Hour), Facets: []string{"sentiment"}, Histogram: index.IntervalWeek},
		"brand-recent-hourly": {Query: "brand:" + brand, From: ragged(6 * 24 * time.Hour), To: now.Add(time.Hour), Histogram: index.IntervalHour},
		"sentiments-oldest":   {Filters: []string{"sentiment:(negative OR neutral)"}, From: ragged(20 * 24 * time.Hour), To: ragged(9 * 24 * time.Hour), Sort: index.SortOldest, Histogram: index.IntervalDay, Facets: []string{"language", "aspect", "sentiment"}},
	}
}

// checkRollupsMatchExact runs every request through the counts and by
// counting documents, and wants the same answer.
func checkRollupsMatchExact(t *testing.T, b *Backend, brand string) {
	t.Helper()
	ctx := context.Background()
	for name, req := range rollupRequests(time.Now().UTC(), brand) {
		c, err := req.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := b.planRollup(c)
		if p == nil {
			t.Errorf("%s: not answered from the rollups", name)
			continue
		}
		t.Logf("%s: days %v hours %v exact %v dim %v", name, p.days, p.hours, p.exact, p.dim)
		got, err := b.searchRollup(ctx, c, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := b.searchExact(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want.Total == 0 {
			t.Errorf("%s: matches nothing; the check would prove little", name)
		}
		if got.Total != want.Total {
			t.Errorf("%s: total %d from rollups, %d counted", name, got.Total, want.Total)
		}
		if !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%s: facets differ\nrollups: %v\ncounted: %v", name, got.Facets, want.Facets)
		}
		if !reflect.DeepEqual(got.Histogram, want.Histogram) {
			t.Errorf("%s: histograms differ\nrollups: %v\ncounted: %v", name, got.Histogram, want.Histogram)
		}
		if !reflect.DeepEqual(hitIDs(got), hitIDs(want)) || got.Next != want.Next {
			t.Errorf("%s: hits differ\nrollups: %v %q\ncounted: %v %q", name, hitIDs(got), got.Next, hitIDs(want), want.Next)
		}
		// The next page through the cursor agrees too.
		if want.Next != "" {
			req2 := req
			req2.Cursor = want.Next
			c2, _ := req2.Compile()
			if p2 := b.planRollup(c2); p2 != nil {
				g2, err1 := b.searchRollup(ctx, c2, p2)
				w2, err2 := b.searchExact(ctx, c2)
				if err1 != nil || err2 != nil || !reflect.DeepEqual(hitIDs(g2), hitIDs(w2)) {
					t.Errorf("%s page 2: %v %v %v %v", name, hitIDs(g2), hitIDs(w2), err1, err2)
				}
			}
		}
	}
}

func hitIDs(r *index.SearchResult) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func topBrand(t *testing.T, b *Backend) string {
	t.Helper()
	res, err := b.searchExact(context.Background(), mustCompile(t, &index.SearchRequest{Facets: []string{"brand"}}))
	if err != nil || len(res.Facets["brand"]) == 0 {
		t.Fatalf("no brands in the corpus: %v", err)
	}
	return res.Facets["brand"][0].Value
}

func mustCompile(t *testing.T, r *index.SearchRequest) *index.Compiled {
	t.Helper()
	c, err := r.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRollupsLeaveAuthorsToTheIndex(t *testing.T) {
	b, err := Open(Config{Path: t.TempDir(), RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	upsertAll(t, b, rollupCorpus(500, 7))
	c := mustCompile(t, &index.SearchRequest{Facets: []string{"author", "language"}})
	if p := b.planRollup(c); p != nil {
		t.Fatal("an author facet was planned from the rollups, which do not count authors")
	}
	res, err := b.Search(context.Background(), &index.SearchRequest{Facets: []string{"author"}})
	if err != nil || len(res.Facets["author"]) == 0 {
		t.Fatalf("no top authors: %v", err)
	}
}

func TestRollupsMatchCountingUnderReplayErasureAndRetention(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(Config{Path: dir, RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Close() }()
	ms := rollupCorpus(2000, 7)
	upsertAll(t, b, ms)
	brand := topBrand(t, b)
	t.Run("fresh", func(t *testing.T) { checkRollupsMatchExact(t, b, brand) })

	// Replay: the same records again, in another order and batching, some
	// changed (a corrected sentiment, a new aspect), some twice in a batch.
	rng := rand.New(rand.NewPCG(3, 4))
	replay := slices.Clone(ms[:1000])
	rng.Shuffle(len(replay), func(i, j int) { replay[i], replay[j] = replay[j], replay[i] })
	for i := 0; i < len(replay); i += 7 {
		m := *replay[i]
		a := m.Analysis
		a.Sentiment = &record.Sentiment{Label: "positive", Score: 0.9}
		a.Aspects = append(slices.Clone(a.Aspects), record.Aspect{Name: "packaging", Sentiment: "positive"})
		m.Analysis = a
		replay[i] = &m
	}
	replay = append(replay, replay[:40]...)
	upsertAll(t, b, replay)
	if n, _, _ := b.DocCount(); n != uint64(len(ms)) {
		t.Fatalf("%d documents after the replay; want %d", n, len(ms))
	}
	t.Run("replay", func(t *testing.T) { checkRollupsMatchExact(t, b, brand) })

	// Erasure of a person and a retention cut through the middle of a day.
	var person index.Person
	for _, m := range ms {
		if m.Identity != nil && m.Identity.CustomerID != "" {
			person.CustomerID = m.Identity.CustomerID
			break
		}
	}
	if n, err := b.DeletePerson(context.Background(), person); err != nil || n == 0 {
		t.Fatalf("erasing %s: %d deleted, %v", person.CustomerID, n, err)
	}
	cut := time.Now().UTC().Add(-26*24*time.Hour - 5*time.Hour - 7*time.Minute)
	if n, err := b.DeleteMentionsBefore(context.Background(), cut); err != nil || n == 0 {
		t.Fatalf("retention: %d deleted, %v", n, err)
	}
	t.Run("deletes", func(t *testing.T) { checkRollupsMatchExact(t, b, brand) })

	// Reopened: the saved counts are used as they are.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err = Open(Config{Path: dir, RollupHourlyDays: 7}, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Run("reopened", func(t *testing.T) { checkRollupsMatchExact(t, b, brand) })
}

func TestRollupsRebuiltWhenTheSavedCountsAreBehind(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(Config{Path: dir, RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms := rollupCorpus(800, 11)
	upsertAll(t, b, ms[:400])
	if err := b.closeRollups(); err != nil {
		t.Fatal(err)
	}
	// More batches after the last save, then a crash: the file is behind.
	b.roll.saved = time.Now().Add(time.Hour) // no save before the "crash"
	upsertAll(t, b, ms[400:])
	b.roll = nil // the crash: nothing saved at close
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b, err = Open(Config{Path: dir, RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n := rollupTotal(b); n != int64(len(ms)) {
		t.Fatalf("rollups count %d mentions after the restart; want %d (rebuilt)", n, len(ms))
	}
	checkRollupsMatchExact(t, b, topBrand(t, b))
}

func TestFailedBatchFallsBackToCounting(t *testing.T) {
	b, err := Open(Config{InMemory: true, RollupHourlyDays: 7}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	upsertAll(t, b, rollupCorpus(300, 5))
	if b.planRollup(mustCompile(t, &index.SearchRequest{Facets: []string{"language"}})) == nil {
		t.Fatal("overview not answered from the rollups")
	}
	b.roll.invalidate()
	if b.planRollup(mustCompile(t, &index.SearchRequest{Facets: []string{"language"}})) != nil {
		t.Fatal("stale rollups still used")
	}
	res, err := b.Search(context.Background(), &index.SearchRequest{Facets: []string{"language"}})
	if err != nil || res.Total != 300 {
		t.Fatalf("exact overview: %v, %v", res, err)
	}
}

func TestRollupsNotUsedForTextOrShortRanges(t *testing.T) {
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	upsertAll(t, b, rollupCorpus(300, 5))
	now := time.Now().UTC()
	for name, req := range map[string]index.SearchRequest{
		"text":                    {Query: "delivery", Facets: index.DefaultFacets},
		"prefix":                  {Query: "brand:acm*"},
		"two values":              {Query: "brand:a language:pl"},
		"customer":                {Filters: []string{"customer:C1"}},
		"negation":                {Query: "-sentiment:negative"},
		"short range":             {From: now.Add(-90 * time.Minute), To: now, Facets: index.DefaultFacets},
		"value with other facets": {Query: "language:pl", Facets: []string{"brand"}},
		"relevance":               {Sort: index.SortRelevance},
	} {
		if b.planRollup(mustCompile(t, &req)) != nil {
			t.Errorf("%s: answered from the rollups; want exact counting", name)
		}
	}
}

func rollupTotal(b *Backend) int64 {
	b.roll.mu.RLock()
	defer b.roll.mu.RUnlock()
	var n int64
	for _, c := range b.roll.days {
		for _, v := range c.all {
			n += v
		}
	}
	return n
}

func ExampleBackend_DeleteMentionsBefore() {
	b, _ := Open(Config{InMemory: true}, nil, nil)
	defer b.Close()
	old := &record.EnrichedMention{Mention: record.Mention{ID: "old", Source: "web", Text: "x", CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}}
	recent := &record.EnrichedMention{Mention: record.Mention{ID: "new", Source: "web", Text: "y", CreatedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}}
	b.UpsertMentions(context.Background(), []*record.EnrichedMention{old, recent})
	n, _ := b.DeleteMentionsBefore(context.Background(), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(n, rollupTotal(b))
	// Output: 1 1
}

// TestStoreDictionaryNeverChanges pins the dictionary stored records are
// compressed with: records written with it can only be read with it.
func TestStoreDictionaryNeverChanges(t *testing.T) {
	sum := sha256.Sum256(storeDict)
	if got := hex.EncodeToString(sum[:]); got != storeDictSHA256 {
		t.Fatalf("storedict.jsonl changed (sha256 %s); add a new dictionary with a new id instead", got)
	}
	m := rollupCorpus(1, 3)[0]
	raw, _ := json.Marshal(m)
	packed := packRecord(raw)
	if len(packed) >= len(raw)/2 {
		t.Errorf("packed record is %d bytes of %d; the dictionary does not help", len(packed), len(raw))
	}
	for _, stored := range [][]byte{packed, raw} { // compressed, and plain JSON as older indices hold it
		got, err := unpackRecord(stored)
		if err != nil || string(got) != string(raw) {
			t.Fatalf("unpacking %d bytes: %v; got %q", len(stored), err, got)
		}
	}
	if _, err := unpackRecord([]byte("garbage")); err == nil {
		t.Fatal("garbage unpacked without an error")
	}
}

const storeDictSHA256 = "2c8a6806b14eeb23843095118c966b6b21f53016645d517c66fa0b00e26bba71"
