package index

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

// TestTallyFollowsAggregate adds and removes random mentions (repeated
// times, the newest removed, shared keywords and aspects) and checks after
// every step that the tally says what Aggregate says of the mentions left,
// given in any order.
func TestTallyFollowsAggregate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	mention := func(i int) *record.EnrichedMention {
		m := &record.EnrichedMention{Mention: record.Mention{
			ID: fmt.Sprintf("m%d", i), Source: pick("mastodon", "web", "form"), Lang: pick("pl", "en-GB", ""),
			CreatedAt: t0.Add(time.Duration(r.IntN(20)) * time.Hour),
		}}
		if r.IntN(4) > 0 {
			m.Analysis.Sentiment = &record.Sentiment{Label: pick("positive", "negative", "neutral"), Score: r.Float64()*2 - 1}
		}
		for range r.IntN(3) {
			m.Analysis.Intents = append(m.Analysis.Intents, record.Intent{Name: pick("buying", "complaint", "Buying ")})
			m.Analysis.Aspects = append(m.Analysis.Aspects, record.Aspect{Name: pick("price", "delivery", ""), Sentiment: pick("positive", "negative", "neutral")})
		}
		if r.IntN(2) == 0 {
			m.Analysis.Preferences = &record.Preferences{Brands: []string{pick("Brewly", "brewly", "Kettlex")}, Channels: []string{pick("email", "phone")}}
		}
		return m
	}
	var tally Tally
	held := map[string]*record.EnrichedMention{}
	for step := range 2000 {
		if len(held) > 0 && r.IntN(3) == 0 {
			for id, m := range held { // a random one
				tally.Remove(m)
				delete(held, id)
				break
			}
		} else {
			m := mention(step)
			tally.Add(m)
			held[m.ID] = m
		}
		var ms []*record.EnrichedMention
		for _, m := range held {
			ms = append(ms, m)
		}
		want, got := Aggregate(ms), tally.Stats()
		if !reflect.DeepEqual(got, want) || got.MentionCount != len(held) {
			t.Fatalf("step %d: tally\n%+v\nAggregate\n%+v", step, got, want)
		}
	}
	for _, m := range held {
		tally.Remove(m)
	}
	if st := tally.Stats(); st.MentionCount != 0 || st.LastSeen != nil || st.AvgSentiment != nil || len(st.Aspects) != 0 || len(st.Brands) != 0 {
		t.Fatalf("empty tally says %+v", st)
	}
}

// TestAggregateIgnoresOrder: the mean sentiment is the same bits in any
// order of the mentions (a float sum is not).
func TestAggregateIgnoresOrder(t *testing.T) {
	var ms []*record.EnrichedMention
	for i, s := range []float64{0.1, 0.2, 0.3, -0.7, 1e-3, 0.333333333333, -0.05} {
		ms = append(ms, &record.EnrichedMention{Mention: record.Mention{ID: fmt.Sprint(i)},
			Analysis: record.Analysis{Sentiment: &record.Sentiment{Label: "positive", Score: s}}})
	}
	want := *Aggregate(ms).AvgSentiment
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		if got := *Aggregate(ms).AvgSentiment; got != want {
			t.Fatalf("mean %v in one order, %v in another", got, want)
		}
	}
}
