package stage

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// TestProfileCacheGivesTheProfilesOfReadBack runs the same messages
// through a stage that rebuilds profiles from its cache and one that reads
// every person back, and compares the profiles after each step: new
// mentions, a replay, a mention moving to another person, a deletion at
// the source, an erasure, and a person past MaxProfileMentions.
func TestProfileCacheGivesTheProfilesOfReadBack(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cfg := DefaultConfig()
	cfg.MaxProfileMentions = 30
	stages := make([]*Stage, 2)
	backends := make([]index.Backend, 2)
	for i := range stages {
		backends[i] = newBackend(t)
		s, err := New(backends[i], topics, cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		stages[i] = s
	}
	cached := stages[0]
	cached.SetProfileCache(1000, time.Hour)
	cached.cache.minMentions = 2
	sentiments := []string{record.SentimentPositive, record.SentimentNegative, record.SentimentNeutral}
	post := func(n int, customer, prospect string) *record.EnrichedMention {
		m := postOf("", fmt.Sprintf("kettle number %d", n), customer, t0.Add(time.Duration(n)*time.Minute))
		m.Mention.ID, m.SourceID = fmt.Sprintf("m%03d", n), fmt.Sprintf("https://m.example/%d", n)
		m.Identity.ProspectID = prospect
		if customer == "" {
			m.Identity.CustomerID = ""
		}
		m.Analysis = record.Analysis{
			Language:  &record.Language{Code: []string{"en", "pl", "lv"}[n%3]},
			Sentiment: &record.Sentiment{Label: sentiments[n%3], Score: float64(n%7) / 7},
			Aspects:   []record.Aspect{{Name: []string{"price", "delivery"}[n%2], Sentiment: sentiments[(n/2)%3]}},
			Intents:   []record.Intent{{Name: []string{"buying", "complaint"}[n%2]}},
		}
		return m
	}
	off := int64(0)
	send := func(step string, ms ...*record.EnrichedMention) {
		t.Helper()
		var batch []pipeline.Message
		for _, m := range ms {
			batch = append(batch, msg(t, topics.Enriched(), m.ID, m, off))
			off++
		}
		for i, s := range stages {
			if dlq, _ := runUntilSettled(t, s, batch); len(dlq) > 0 {
				t.Fatalf("%s: stage %d dead-lettered %d", step, i, len(dlq))
			}
		}
	}
	compare := func(step string, want map[string]int) {
		t.Helper()
		for id, n := range want {
			var ps [2]*index.Profile
			for i, b := range backends {
				p, err := b.GetProfile(context.Background(), id)
				if err != nil {
					t.Fatalf("%s: profile %s on backend %d: %v", step, id, i, err)
				}
				p.UpdatedAt = time.Time{}
				ps[i] = p
			}
			if !reflect.DeepEqual(ps[0], ps[1]) {
				t.Fatalf("%s: profile %s from the cache\n%+v\nread back\n%+v", step, id, ps[0], ps[1])
			}
			if ps[0].MentionCount != n {
				t.Fatalf("%s: profile %s counts %d mentions, want %d", step, id, ps[0].MentionCount, n)
			}
		}
	}
	var first []*record.EnrichedMention
	for n := range 20 {
		first = append(first, post(n, "C1", []string{"", "P1"}[n%2]))
	}
	send("first batch", first...)
	if cached.cache.people[personKey{index.ProfileCustomer, "C1"}] == nil {
		t.Fatal("C1 (20 mentions) is not cached after the first batch")
	}
	compare("first batch", map[string]int{"customer:C1": 20, "prospect:P1": 10})

	var second []*record.EnrichedMention
	for n := 20; n < 30; n++ {
		second = append(second, post(n, "C1", ""))
	}
	send("second batch", second...)
	compare("second batch", map[string]int{"customer:C1": 30, "prospect:P1": 10})

	send("replay", append(first[:5:5], second[:5]...)...)
	compare("replay", map[string]int{"customer:C1": 30, "prospect:P1": 10})

	// m003 now belongs to C2 (and still P1). C1's profile is not rebuilt
	// by this batch (it names no C1), but C1 leaves the cache.
	moved := post(3, "C2", "P1")
	send("moved", moved, post(31, "C2", ""))
	compare("moved", map[string]int{"customer:C1": 30, "customer:C2": 2, "prospect:P1": 10})
	if cached.cache.people[personKey{index.ProfileCustomer, "C1"}] != nil {
		t.Fatal("C1 is still cached after one of its mentions moved to C2")
	}

	del := deletionOf(t, "7", t0.Add(time.Hour))
	del.Mention.ID = "m007"
	send("deleted", del, post(32, "C1", "P1"))
	compare("deleted", map[string]int{"customer:C1": 29, "prospect:P1": 10})

	var many []*record.EnrichedMention
	for n := 40; n < 60; n++ {
		many = append(many, post(n, "C1", ""))
	}
	send("past the limit", many...)
	compare("past the limit", map[string]int{"customer:C1": 30, "prospect:P1": 10})

	// The web app applies people's corrections to the index itself and
	// the stage hears of them from the corrections topic: a corrected
	// sentiment, a mention marked irrelevant, and that undone. P1 (10
	// mentions) follows in the cache without a read-back; C1, cached at
	// its limit of 30, is read back after losing one (older ones count).
	corrections := map[string][]*record.Correction{}
	for _, s := range stages {
		s.SetCorrections(func(id string) []*record.Correction { return corrections[id] })
	}
	p1 := personKey{index.ProfileProspect, "P1"}
	p1Cached := cached.cache.people[p1]
	if p1Cached == nil {
		t.Fatal("P1 is not cached before the corrections")
	}
	web := func(step string, c *record.Correction, original *record.EnrichedMention) {
		t.Helper()
		corrections[c.MentionID] = []*record.Correction{c}
		for i, b := range backends {
			var err error
			if original != nil {
				err = b.(index.Corrector).RestoreMention(context.Background(), original)
			} else {
				_, err = b.(index.Corrector).ApplyCorrection(context.Background(), c)
			}
			if err != nil {
				t.Fatalf("%s: backend %d: %v", step, i, err)
			}
			stages[i].NoteCorrection(c.MentionID)
		}
	}
	web("sentiment corrected", &record.Correction{MentionID: "m005", Field: record.CorrectSentiment, Value: record.SentimentPositive}, nil)
	hidden, err := backends[0].GetMention(context.Background(), "m009")
	if err != nil {
		t.Fatal(err)
	}
	web("marked irrelevant", &record.Correction{MentionID: "m009", Field: record.CorrectRelevance, Value: "irrelevant"}, nil)
	web("marked irrelevant", &record.Correction{MentionID: "m050", Field: record.CorrectRelevance, Value: "irrelevant"}, nil)
	send("corrected", post(63, "C1", "P1"))
	compare("corrected", map[string]int{"customer:C1": 30, "prospect:P1": 10})
	if cached.cache.people[p1] != p1Cached {
		t.Fatal("P1 was read back after the corrections; the cache should have followed them")
	}
	web("undone", &record.Correction{MentionID: "m009", Field: record.CorrectRelevance, Value: "relevant"}, hidden)
	send("undone", post(64, "C1", "P1"))
	compare("undone", map[string]int{"customer:C1": 30, "prospect:P1": 12})
	if cached.cache.people[p1] != p1Cached {
		t.Fatal("P1 was read back after a correction was undone; the cache should have put the mention back")
	}

	erasure := &record.Erasure{ID: "e1", CustomerID: "C2"}
	for i, s := range stages {
		if errs := s.WriteBatch(context.Background(), []pipeline.Message{msg(t, topics.Erasures(), "e1", erasure, off)}); errs[0] != nil {
			t.Fatalf("erasure on stage %d: %v", i, errs[0])
		}
	}
	off++
	if len(cached.cache.people) != 0 {
		t.Fatalf("%d people still cached after an erasure", len(cached.cache.people))
	}
	send("after the erasure", post(61, "C1", "P1"), post(62, "C1", "P1"))
	compare("after the erasure", map[string]int{"customer:C1": 30, "prospect:P1": 13})
}

func TestProfileCacheEvictsTheLeastRecentlyUsedAndExpires(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	c := newProfileCache(5, 100, time.Minute, func() time.Time { return now })
	c.minMentions = 2
	ms := func(prefix string, n int) []*record.EnrichedMention {
		var out []*record.EnrichedMention
		for i := range n {
			out = append(out, &record.EnrichedMention{Mention: record.Mention{ID: fmt.Sprintf("%s%d", prefix, i)}})
		}
		return out
	}
	a, b := personKey{index.ProfileCustomer, "A"}, personKey{index.ProfileCustomer, "B"}
	c.load(a, ms("a", 3))
	c.load(personKey{index.ProfileCustomer, "small"}, ms("s", 1))
	if _, ok := c.stats(personKey{index.ProfileCustomer, "small"}); ok {
		t.Fatal("a person under minMentions was cached")
	}
	c.load(b, ms("b", 3)) // 6 > 5: A, used least recently, goes (down to 4)
	if _, ok := c.stats(a); ok || c.held != 3 {
		t.Fatalf("A still cached, or %d held (want 3)", c.held)
	}
	if got, ok := c.stats(b); !ok || got.MentionCount != 3 {
		t.Fatalf("B: %d mentions, cached %v", got.MentionCount, ok)
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.stats(b); ok || c.held != 0 || len(c.owners) != 0 {
		t.Fatalf("B served after its ttl, or %d held and %d owners left", c.held, len(c.owners))
	}
}

// A person cached at their limit of newest mentions is read back once one
// leaves the index (an older mention of theirs counts then); below the
// limit the cache drops the mention and keeps the person.
func TestProfileCacheReadsBackAPersonAtTheLimitAfterARemoval(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	c := newProfileCache(100, 3, time.Hour, func() time.Time { return now })
	c.minMentions = 2
	mention := func(id string) *record.EnrichedMention {
		return &record.EnrichedMention{Mention: record.Mention{ID: id}}
	}
	full, part := personKey{index.ProfileCustomer, "full"}, personKey{index.ProfileCustomer, "part"}
	c.load(full, []*record.EnrichedMention{mention("f1"), mention("f2"), mention("f3")})
	c.load(part, []*record.EnrichedMention{mention("p1"), mention("p2")})
	c.removed("f2")
	c.removed("p2")
	if _, ok := c.stats(full); ok {
		t.Fatal("a person cached at the limit stayed cached after losing a mention")
	}
	if got, ok := c.stats(part); !ok || got.MentionCount != 1 {
		t.Fatalf("the person under the limit: cached %v with %d mentions, want 1", ok, got.MentionCount)
	}
	if c.held != 1 || len(c.owners) != 1 {
		t.Fatalf("%d mentions held and %d owners left, want 1 and 1", c.held, len(c.owners))
	}
}
