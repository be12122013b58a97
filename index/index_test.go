package index

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

func TestFoldMatchesAnalyserFolding(t *testing.T) {
	cases := map[string]string{
		"Piegāde":   "piegade",
		"Zażółć":    "zazolc",
		"ENTREGAS":  "entregas",
		"Straße":    "strasse",
		"快递":        "快递",
		"São Paulo": "sao paulo",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestAggregateCountsOncePerMentionAndSorts(t *testing.T) {
	t1 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(48 * time.Hour)
	a := &record.EnrichedMention{Mention: record.Mention{ID: "a", Source: "mastodon", CreatedAt: t1, Lang: "pt-BR"},
		Analysis: record.Analysis{
			Sentiment:   &record.Sentiment{Label: "negative", Score: -0.8},
			Aspects:     []record.Aspect{{Name: "Delivery", Sentiment: "negative"}, {Name: "price", Sentiment: "positive"}},
			Preferences: &record.Preferences{Brands: []string{"Acme"}, Channels: []string{"email"}},
		}}
	b := &record.EnrichedMention{Mention: record.Mention{ID: "b", Source: "forms", CreatedAt: t2},
		Analysis: record.Analysis{
			Language:  &record.Language{Code: "pl"},
			Sentiment: &record.Sentiment{Label: "positive", Score: 0.4},
			Aspects:   []record.Aspect{{Name: "delivery", Sentiment: "positive"}},
			Intents:   []record.Intent{{Name: "buying"}},
		}}
	st := Aggregate([]*record.EnrichedMention{b, a, a})
	if st.MentionCount != 2 {
		t.Fatalf("MentionCount = %d; want 2 (a duplicate counts once)", st.MentionCount)
	}
	if st.LastSeen == nil || !st.LastSeen.Equal(t2) {
		t.Fatalf("LastSeen = %v; want %v", st.LastSeen, t2)
	}
	if st.AvgSentiment == nil || *st.AvgSentiment > -0.19 || *st.AvgSentiment < -0.21 {
		t.Fatalf("AvgSentiment = %v; want -0.2", st.AvgSentiment)
	}
	if len(st.Aspects) != 2 || st.Aspects[0] != (AspectCount{Name: "delivery", Positive: 1, Negative: 1}) {
		t.Fatalf("Aspects = %+v", st.Aspects)
	}
	if strings.Join(st.Languages, ",") != "pl,pt" || strings.Join(st.Sources, ",") != "forms,mastodon" {
		t.Fatalf("Languages %v Sources %v", st.Languages, st.Sources)
	}
	if strings.Join(st.AspectsNegative, ",") != "delivery" || strings.Join(st.AspectsPositive, ",") != "delivery,price" {
		t.Fatalf("negative %v positive %v", st.AspectsNegative, st.AspectsPositive)
	}
	if strings.Join(st.Brands, ",") != "acme" || strings.Join(st.Channels, ",") != "email" {
		t.Fatalf("brands %v channels %v", st.Brands, st.Channels)
	}
}

func TestCompileValidates(t *testing.T) {
	bad := []SearchRequest{
		{Query: "a AND"},
		{Filters: []string{"colour:red"}},
		{Sort: "popular"},
		{Size: MaxSize + 1},
		{Facets: []string{"mood"}},
		{Histogram: "fortnight"},
		{From: time.Unix(100, 0), To: time.Unix(50, 0)},
		{Cursor: "not base64 !"},
	}
	for _, r := range bad {
		if _, err := r.Compile(); err == nil {
			t.Errorf("Compile(%+v) accepted an invalid request", r)
		}
	}
	c, err := (&SearchRequest{Query: "entrega language:pt"}).Compile()
	if err != nil {
		t.Fatal(err)
	}
	if c.Sort != SortRelevance || c.Size != DefaultSize || len(c.TextTerms) != 1 {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = (&SearchRequest{Query: "language:pt"}).Compile()
	if err != nil || c.Sort != SortNewest {
		t.Fatalf("a query without text should sort newest first: %+v %v", c, err)
	}
}

func TestCursorIsTiedToSort(t *testing.T) {
	cur := EncodeCursor(SortNewest, []string{"2025-01-01T00:00:00Z", "abc"})
	c, err := (&SearchRequest{Sort: SortNewest, Cursor: cur}).Compile()
	if err != nil || strings.Join(c.After, "|") != "2025-01-01T00:00:00Z|abc" {
		t.Fatalf("round trip: %v %v", c, err)
	}
	if _, err := (&SearchRequest{Sort: SortOldest, Cursor: cur}).Compile(); err == nil {
		t.Fatal("a cursor of another sort order was accepted")
	}
}

func TestBucketStart(t *testing.T) {
	ts := time.Date(2025, 5, 15, 13, 45, 0, 0, time.UTC) // a Thursday
	cases := map[string]time.Time{
		IntervalHour:  time.Date(2025, 5, 15, 13, 0, 0, 0, time.UTC),
		IntervalDay:   time.Date(2025, 5, 15, 0, 0, 0, 0, time.UTC),
		IntervalWeek:  time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC),
		IntervalMonth: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	for iv, want := range cases {
		if got := BucketStart(ts, iv); !got.Equal(want) {
			t.Errorf("BucketStart(%s) = %v; want %v", iv, got, want)
		}
	}
	sunday := time.Date(2025, 5, 18, 23, 0, 0, 0, time.UTC)
	if got := BucketStart(sunday, IntervalWeek); !got.Equal(time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Sunday belongs to the week starting Monday, got %v", got)
	}
}

// sentiment:angry once matched nothing silently; a value outside a closed
// set is an error listing the known ones, in the query and in filters.
func TestUnknownValueOfAClosedFieldIsAnError(t *testing.T) {
	for _, r := range []SearchRequest{{Query: "sentiment:angry"}, {Query: "lumio", Filters: []string{"NOT kind:tweet"}}} {
		_, err := r.Compile()
		if err == nil || !strings.Contains(err.Error(), "matches nothing") {
			t.Fatalf("%+v: %v", r, err)
		}
	}
	_, err := (&SearchRequest{Query: "sentiment:angry"}).Compile()
	if !strings.Contains(err.Error(), "negative, neutral, positive") {
		t.Fatalf("known values not listed: %v", err)
	}
	for _, q := range []string{"sentiment:Negative", "sentiment:pos*", "kind:review OR kind:form_submission", "lumio -sentiment:neutral"} {
		if _, err := (&SearchRequest{Query: q}).Compile(); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// The read-back plan: nobody with no mentions, a heavy person alone, the
// others together in groups of at most 50,000 mentions (a person with
// more than that, not heavy, is a group alone).
func TestPlanReadBack(t *testing.T) {
	plan := PlanReadBack([]int{0, 21, 20, 3, 30000, 25000, 60000, 1}, 5)
	if fmt.Sprint(plan.Alone) != "[1 4 5 6]" || fmt.Sprint(plan.Groups) != "[[2 3 7]]" {
		t.Fatalf("newest 5: %+v", plan)
	}
	plan = PlanReadBack([]int{0, 21, 20, 3, 30000, 25000, 60000, 1}, 20000)
	if fmt.Sprint(plan.Alone) != "[]" || fmt.Sprint(plan.Groups) != "[[1 2 3 4] [5] [6] [7]]" {
		t.Fatalf("newest 20,000: %+v", plan)
	}
}
