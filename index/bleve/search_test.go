package bleve

import (
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
