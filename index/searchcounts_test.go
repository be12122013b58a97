package index

import (
	"reflect"
	"testing"
	"time"
)

func TestSearchCountsAnswerInOneOrder(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	sc := NewSearchCounts([]string{"sentiment", "brand"})
	sc.Total = 9
	sc.Facets["sentiment"]["negative"] += 4
	sc.Facets["sentiment"]["positive"] += 5
	sc.Facets["brand"]["acme"] += 2
	sc.Facets["brand"]["brewly"] += 6
	sc.Facets["brand"]["zeta"] += 1
	sc.Facets["brand"]["gone"] += 0 // erased: no bucket
	sc.AddHist(day(3), "positive", 5)
	sc.AddHist(day(1), "negative", 4)
	sc.AddHist(day(1), "", 1)         // no sentiment
	sc.AddHist(day(2), "negative", 0) // nothing left that day: no bucket

	got := sc.Result(&Compiled{Facets: []string{"sentiment", "brand"}, FacetSize: 2, Interval: IntervalDay})
	if got.Total != 9 || got.Interval != IntervalDay || len(got.Hits) != 0 || got.Hits == nil {
		t.Fatalf("total %d, interval %q, hits %v; want 9, day, an empty list", got.Total, got.Interval, got.Hits)
	}
	wantBrand := []Bucket{{Value: "brewly", Count: 6}, {Value: "acme", Count: 2}}
	if !reflect.DeepEqual(got.Facets["brand"], wantBrand) {
		t.Errorf("brand facet %v, want %v (by count, cut to the facet size)", got.Facets["brand"], wantBrand)
	}
	wantHist := []HistogramBucket{
		{Start: day(1), Count: 5, Sentiment: map[string]int64{"negative": 4, NoSentiment: 1}},
		{Start: day(3), Count: 5, Sentiment: map[string]int64{"positive": 5}},
	}
	if !reflect.DeepEqual(got.Histogram, wantHist) {
		t.Errorf("histogram %+v, want %+v (in time order, empty days left out)", got.Histogram, wantHist)
	}

	plain := sc.Result(&Compiled{})
	if plain.Facets != nil || plain.Histogram != nil {
		t.Errorf("a search asking for neither got facets %v and histogram %v", plain.Facets, plain.Histogram)
	}
}
