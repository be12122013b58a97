package bleve

import (
	"context"
	"reflect"
	"testing"
	"time"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
)

// matchAll reports whether q holds a match-everything clause anywhere.
func matchAll(q bq.Query) bool {
	switch q := q.(type) {
	case *bq.MatchAllQuery:
		return true
	case *bq.BooleanQuery:
		for _, sub := range []bq.Query{q.Must, q.Should, q.MustNot, q.Filter} {
			if sub != nil && matchAll(sub) {
				return true
			}
		}
	case *bq.ConjunctionQuery:
		for _, sub := range q.Conjuncts {
			if matchAll(sub) {
				return true
			}
		}
	case *bq.DisjunctionQuery:
		for _, sub := range q.Disjuncts {
			if matchAll(sub) {
				return true
			}
		}
	}
	return false
}

// A muted author or a "-word" next to anything that must match is excluded
// from those matches, never built as "everything except", which bleve
// walks one document at a time.
func TestNegationsNextToAPositiveClauseReadNoMatchAll(t *testing.T) {
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tr := b.translator()
	for _, r := range []index.SearchRequest{
		{Query: "delivery", Filters: []string{"-author:spam"}},
		{Query: "delivery -late", Filters: []string{"NOT channel:x", "-author:spam"}},
		{Query: "-late", Filters: []string{"language:pl"}},
		{Query: "-late", Filters: []string{"-author:spam", "sentiment:negative -language:en"}},
		{Filters: []string{"-author:spam"}, Sort: index.SortNewest},
	} {
		c, err := r.Compile()
		if err != nil {
			t.Fatal(err)
		}
		// Every page and dashboard has a range.
		c.To = time.Now().UTC()
		c.From = c.To.AddDate(0, 0, -30)
		for _, scored := range []bool{false, c.Sort == index.SortRelevance} {
			q := tr.buildQueryIn(c, scored, timeRangeQuery(c.From, c.To))
			// A relevance-sorted "-late" scores everything that is not late.
			if matchAll(q) && !(scored && r.Query == "-late") {
				t.Errorf("%q %q (scored %v): the query holds a match-all clause", r.Query, r.Filters, scored)
			}
		}
	}
}

// A time-sorted page holding every match is sorted from the decoded
// records; it must equal bleve's sort, ties in time included.
func TestPagesHoldingEveryMatchSortLikeBleve(t *testing.T) {
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ms := rollupCorpus(600, 5)
	for i := 0; i+1 < len(ms); i += 9 { // same instant, other ids
		ms[i+1].CreatedAt = ms[i].CreatedAt
	}
	upsertAll(t, b, ms)
	ctx := context.Background()
	author := ms[7].Author.Handle
	used := 0
	for _, r := range []index.SearchRequest{
		{Query: "author:" + author, Sort: index.SortNewest, Size: index.MaxSize},
		{Query: "author:" + author, Sort: index.SortOldest, Size: index.MaxSize},
		{Filters: []string{"language:pl", "-author:" + author}, Sort: index.SortNewest, Size: 1000},
		{Filters: []string{"-author:nobody"}, Sort: index.SortOldest, Size: 600}, // exactly full: a cursor follows
		{Sort: index.SortNewest, Size: 50},                                       // more matches than the page: bleve sorts
	} {
		c, err := r.Compile()
		if err != nil {
			t.Fatal(err)
		}
		want, err := b.searchSorted(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := b.searchAllByTime(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total > int64(r.Size) {
			if ok {
				t.Errorf("%q %q: answered without bleve's sort although %d matches exceed the page", r.Query, r.Filters, want.Total)
			}
			continue
		}
		if !ok {
			t.Errorf("%q %q: %d matches fit the page, but bleve sorted", r.Query, r.Filters, want.Total)
			continue
		}
		used++
		if want.Total < 2 {
			t.Errorf("%q %q: %d matches; the check would prove little", r.Query, r.Filters, want.Total)
		}
		if got.Total != want.Total || got.Next != want.Next || !reflect.DeepEqual(hitIDs(got), hitIDs(want)) {
			t.Errorf("%q %q %s: differs from bleve's sort\ngot  %d %q %v\nwant %d %q %v", r.Query, r.Filters, c.Sort,
				got.Total, got.Next, hitIDs(got), want.Total, want.Next, hitIDs(want))
		}
	}
	if used < 4 {
		t.Errorf("%d searches answered from the records, want 4", used)
	}
}
