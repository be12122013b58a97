package es

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
)

// rollupCorpus is a month and a half of generated mentions ending now, so
// it spans two or three monthly indices.
func rollupCorpus(n int, seed uint64) []*record.EnrichedMention {
	cfg := synth.DefaultConfig()
	cfg.Seed = seed
	cfg.Start = time.Now().UTC().Add(-45 * 24 * time.Hour)
	cfg.Span = 45 * 24 * time.Hour
	cfg.TailWords, cfg.Authors = 500, 300
	return synth.New(cfg).Batch(n)
}

// rollupRequests are dashboard searches the rollups answer, with ranges
// that start and end mid-hour, open ends, and each histogram interval.
func rollupRequests(now time.Time, brand string) map[string]index.SearchRequest {
	ragged := func(d time.Duration) time.Time {
		return now.Add(-d).Add(-17*time.Minute - 3*time.Second - 250*time.Millisecond)
	}
	var all []string
	for f, field := range index.FacetFields {
		if f == "sentiment" || isRollupDim[field] {
			all = append(all, f)
		}
	}
	slices.Sort(all)
	return map[string]index.SearchRequest{
		"overview":          {Facets: all, Histogram: index.IntervalMonth, FacetSize: 50},
		"overview-days":     {Facets: index.DefaultFacets, Histogram: index.IntervalDay, Size: 7},
		"weeks-hourly":      {From: ragged(30 * 24 * time.Hour), To: ragged(5 * 24 * time.Hour), Facets: index.DefaultFacets, Histogram: index.IntervalHour, Sort: index.SortNewest, Size: 5},
		"last-days-open":    {From: ragged(80 * time.Hour), Facets: index.DefaultFacets, Histogram: index.IntervalHour},
		"brand-sentiment":   {Query: "brand:" + brand, Filters: []string{"sentiment:negative"}, From: ragged(40 * 24 * time.Hour), To: ragged(2 * 24 * time.Hour), Facets: []string{"sentiment"}, Histogram: index.IntervalWeek, Size: 3},
		"brand-share":       {Query: "brand:" + brand, Facets: []string{"sentiment"}, Histogram: index.IntervalDay},
		"sentiments-oldest": {Filters: []string{"sentiment:(negative OR neutral)"}, From: ragged(20 * 24 * time.Hour), To: ragged(9 * 24 * time.Hour), Sort: index.SortOldest, Histogram: index.IntervalDay, Facets: []string{"language", "aspect", "sentiment"}, Size: 4},
	}
}

// checkRollupsMatchExact runs every request through the rollups and by
// aggregating the mentions, and wants the same answer. It returns how many
// whole days the rollups answered (dirty days are aggregated).
func checkRollupsMatchExact(t *testing.T, b, exact *Backend, brand string) (clean int) {
	t.Helper()
	ctx := context.Background()
	tp, err := b.textPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range rollupRequests(time.Now().UTC(), brand) {
		c, err := req.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := b.planRollup(ctx, c)
		if err != nil || p == nil {
			t.Errorf("%s: not answered from the rollups (%v)", name, err)
			continue
		}
		clean += len(p.days)
		got, err := b.searchRollup(ctx, c, tp, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := exact.Search(ctx, &req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want.Total == 0 {
			t.Errorf("%s: matches nothing; the check would prove little", name)
		}
		if got.Total != want.Total {
			t.Errorf("%s: total %d from rollups, %d aggregated", name, got.Total, want.Total)
		}
		if !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%s: facets differ\nrollups:    %v\naggregated: %v", name, got.Facets, want.Facets)
		}
		if !reflect.DeepEqual(got.Histogram, want.Histogram) {
			t.Errorf("%s: histograms differ\nrollups:    %v\naggregated: %v", name, got.Histogram, want.Histogram)
		}
		if !reflect.DeepEqual(hitIDs(got), hitIDs(want)) || got.Next != want.Next {
			t.Errorf("%s: hits differ\nrollups:    %v %q\naggregated: %v %q", name, hitIDs(got), got.Next, hitIDs(want), want.Next)
		}
		if want.Next != "" {
			req2 := req
			req2.Cursor = want.Next
			g2, err1 := b.Search(ctx, &req2)
			w2, err2 := exact.Search(ctx, &req2)
			if err1 != nil || err2 != nil || !reflect.DeepEqual(hitIDs(g2), hitIDs(w2)) || g2.Total != w2.Total {
				t.Errorf("%s page 2: %v %v %v %v", name, hitIDs(g2), hitIDs(w2), err1, err2)
			}
		}
	}
	return clean
}

func hitIDs(r *index.SearchResult) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func recount(t *testing.T, b *Backend) int {
	t.Helper()
	n, err := b.RecountRollups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIntegrationRollupsMatchAggregationUnderReplayErasureAndRetention(t *testing.T) {
	cfg := realConfig(t)
	cfg.RollupInterval = time.Hour // recounts only when the test asks
	ctx := context.Background()

	// Mentions indexed before the rollups existed are counted too.
	ms := rollupCorpus(3000, 7)
	b := openReal(t, cfg)
	b.exactOnly = true
	mustLoad(t, b, ms[:1000])
	b.do(ctx, deleteIndex(b.rollupIndex()), nil)
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if n := recount(t, b); n < 30 {
		t.Fatalf("%d days counted from mentions indexed before the rollups; want the 40-odd days they span", n)
	}
	mustLoad(t, b, ms[1000:])
	exact, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	exact.exactOnly = true
	defer exact.Close()

	res, err := exact.Search(ctx, &index.SearchRequest{Facets: []string{"brand"}})
	if err != nil || len(res.Facets["brand"]) == 0 {
		t.Fatalf("no brands in the corpus: %v", err)
	}
	brand := res.Facets["brand"][0].Value

	t.Run("dirty", func(t *testing.T) { checkRollupsMatchExact(t, b, exact, brand) })
	recount(t, b)
	t.Run("counted", func(t *testing.T) {
		if clean := checkRollupsMatchExact(t, b, exact, brand); clean == 0 {
			t.Error("no day was read from the rollups")
		}
	})

	// Replay: the same records again, in another order and batching, some
	// changed (a corrected sentiment, a new aspect), some twice in a batch.
	rng := rand.New(rand.NewPCG(3, 4))
	replay := slices.Clone(ms[:1500])
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
	for lo := 0; lo < len(replay); lo += 400 {
		mustLoad(t, b, replay[lo:min(lo+400, len(replay))])
	}
	if n := exactTotal(t, exact); n != int64(len(ms)) {
		t.Fatalf("%d mentions after the replay; want %d", n, len(ms))
	}
	t.Run("replayed-dirty", func(t *testing.T) { checkRollupsMatchExact(t, b, exact, brand) })
	if n := recount(t, b); n == 0 {
		t.Fatal("the replay marked no day for a recount")
	}
	t.Run("replayed", func(t *testing.T) {
		if clean := checkRollupsMatchExact(t, b, exact, brand); clean == 0 {
			t.Error("no day was read from the rollups")
		}
	})

	// Erasure of a person, and a retention cut of the oldest month.
	var person index.Person
	for _, m := range ms {
		if m.Identity != nil && m.Identity.CustomerID != "" {
			person.CustomerID = m.Identity.CustomerID
			break
		}
	}
	if n, err := b.DeletePerson(ctx, person); err != nil || n == 0 {
		t.Fatalf("erasing %s: %d deleted, %v", person.CustomerID, n, err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("erased-dirty", func(t *testing.T) { checkRollupsMatchExact(t, b, exact, brand) })
	if n := recount(t, b); n == 0 {
		t.Fatal("the erasure marked no day for a recount")
	}
	t.Run("erased", func(t *testing.T) { checkRollupsMatchExact(t, b, exact, brand) })

	dropped, err := b.DropMentionsBefore(ctx, time.Now().UTC().AddDate(0, 0, -20))
	if err != nil || len(dropped) == 0 {
		t.Fatalf("retention dropped %v: %v", dropped, err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("retention", func(t *testing.T) {
		if clean := checkRollupsMatchExact(t, b, exact, brand); clean == 0 {
			t.Error("no day was read from the rollups")
		}
	})
}

// TestIntegrationRollupRecountYieldsToANewMark: a day marked while it is
// being counted stays dirty, so a write that raced the recount is never
// lost from the counts.
func TestIntegrationRollupRecountYieldsToANewMark(t *testing.T) {
	cfg := realConfig(t)
	cfg.RollupInterval = time.Hour
	b := openReal(t, cfg)
	ctx := context.Background()
	ms := rollupCorpus(200, 9)
	mustLoad(t, b, ms)
	day := floorDay(ms[0].CreatedAt.Unix())
	recount(t, b)
	days, err := b.readDays(ctx, day, day+daySeconds)
	if err != nil || len(days) != 1 || days[0].Dirty {
		t.Fatalf("day after a recount: %+v %v", days, err)
	}
	// A conditional write with the sequence number from before a mark is
	// refused, and the mark stays.
	var doc struct {
		SeqNo int `json:"_seq_no"`
		Term  int `json:"_primary_term"`
	}
	if err := b.do(ctx, getDoc(b.rollupIndex(), dayID(day)), &doc); err != nil {
		t.Fatal(err)
	}
	if err := b.markDirty(ctx, []int64{day}); err != nil {
		t.Fatal(err)
	}
	err = b.do(ctx, indexIf(b.rollupIndex(), dayID(day), doc.SeqNo, doc.Term, rollupDoc{Day: day}), nil)
	if ee, ok := err.(*esError); !ok || ee.Status != 409 {
		t.Fatalf("a stale recount wrote over a new mark: %v", err)
	}
	if days, _ := b.readDays(ctx, day, day+daySeconds); len(days) != 1 || !days[0].Dirty {
		t.Fatalf("the new mark was lost: %+v", days)
	}
}

func deleteIndex(name string) esapi.IndicesDeleteRequest {
	return esapi.IndicesDeleteRequest{Index: []string{name}}
}

func getDoc(index, id string) esapi.GetRequest { return esapi.GetRequest{Index: index, DocumentID: id} }

func indexIf(index, id string, seq, term int, doc any) esapi.IndexRequest {
	return esapi.IndexRequest{Index: index, DocumentID: id, IfSeqNo: &seq, IfPrimaryTerm: &term, Body: body(doc)}
}

func exactTotal(t *testing.T, b *Backend) int64 {
	t.Helper()
	res, err := b.Search(context.Background(), &index.SearchRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// The rollup index is never refreshed on a timer (marks come after every
// write; the days are read in real time and its searches refresh first),
// including one made before by an earlier version with the default.
func TestIntegrationRollupIndexRefreshesOnlyWhenAsked(t *testing.T) {
	cfg := realConfig(t)
	cfg.RollupInterval = time.Hour
	b := openReal(t, cfg)
	ctx := context.Background()
	refresh := func() string {
		t.Helper()
		var res map[string]struct {
			Settings struct {
				Index struct {
					RefreshInterval string `json:"refresh_interval"`
				} `json:"index"`
			} `json:"settings"`
		}
		if err := b.do(ctx, esapi.IndicesGetSettingsRequest{Index: []string{b.rollupIndex()}}, &res); err != nil {
			t.Fatal(err)
		}
		return res[b.rollupIndex()].Settings.Index.RefreshInterval
	}
	if got := refresh(); got != "-1" {
		t.Fatalf("a new rollup index refreshes every %q; want -1", got)
	}
	if err := b.do(ctx, esapi.IndicesPutSettingsRequest{Index: []string{b.rollupIndex()},
		Body: body(obj{"index": obj{"refresh_interval": "1s"}})}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if got := refresh(); got != "-1" {
		t.Fatalf("an existing rollup index still refreshes every %q; want -1", got)
	}
	// A counted day that no refresh has shown yet is still dropped with
	// its month.
	ms := rollupCorpus(300, 13)
	mustLoad(t, b, ms)
	recount(t, b)
	old := ms[0].CreatedAt
	for _, m := range ms {
		if m.CreatedAt.Before(old) {
			old = m.CreatedAt
		}
	}
	day := floorDay(old.Unix())
	// A day marked after the last refresh of the rollup index.
	ghost := floorDay(old.AddDate(0, -1, 0).Unix())
	if err := b.markDirty(ctx, []int64{ghost}); err != nil {
		t.Fatal(err)
	}
	cut := time.Date(old.Year(), old.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	if _, err := b.DropMentionsBefore(ctx, cut); err != nil {
		t.Fatal(err)
	}
	for _, d := range []int64{day, ghost} {
		if days, err := b.readDays(ctx, d, d+daySeconds); err != nil || len(days) != 0 {
			t.Fatalf("the rollup day %s of a dropped month is still there: %+v %v", dayID(d), days, err)
		}
	}
}
