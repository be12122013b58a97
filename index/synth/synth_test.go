package synth

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

func TestSameSeedSameCorpus(t *testing.T) {
	a, b := New(Config{Seed: 3, TailWords: 1000}).Batch(200), New(Config{Seed: 3, TailWords: 1000}).Batch(200)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generators with one seed produced different mentions")
	}
	c := New(Config{Seed: 4, TailWords: 1000}).Batch(200)
	if reflect.DeepEqual(a, c) {
		t.Fatal("seeds 3 and 4 produced the same mentions")
	}
}

func TestCorpusShape(t *testing.T) {
	cfg := DefaultConfig()
	g := New(cfg)
	const n = 5000
	langs := map[string]int{}
	words := map[string]bool{}
	for i, m := range g.Batch(n) {
		if m.ID == "" || m.CreatedAt.Before(cfg.Start) || !m.CreatedAt.Before(cfg.Start.Add(cfg.Span)) {
			t.Fatalf("mention %d: id %q created_at %s outside the corpus period", i, m.ID, m.CreatedAt)
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if l := m.Analysis.Language; l != nil {
			langs[l.Code]++
		}
		if s := m.Analysis.Sentiment; s != nil && s.Label == record.SentimentNegative {
			if !slices.ContainsFunc(m.Analysis.Intents, func(in record.Intent) bool { return in.Name == "complaint" }) {
				t.Fatalf("negative mention %s without a complaint intent", m.ID)
			}
			if s.Score >= 0 {
				t.Fatalf("negative mention %s has score %v", m.ID, s.Score)
			}
		}
		if len(m.Text) < 8 {
			t.Fatalf("mention %s text %q is too short", m.ID, m.Text)
		}
		for _, w := range strings.Fields(m.Text) {
			words[strings.ToLower(strings.Trim(w, ",.!?"))] = true
		}
	}
	for _, lx := range lexicons {
		share := float64(langs[lx.code]) / n
		if math.Abs(share-lx.weight) > 0.03 {
			t.Errorf("language %s: %.3f of mentions; want about %.2f", lx.code, share, lx.weight)
		}
	}
	// A realistic corpus has a long tail: thousands of distinct words in a
	// few thousand short texts, not a few hundred repeated.
	if len(words) < 10000 {
		t.Errorf("only %d distinct words in %d mentions", len(words), n)
	}
}

func TestStreamIsInTimeOrder(t *testing.T) {
	cfg := Config{Seed: 2, TailWords: 1000, Count: 2000}
	ms := New(cfg).Batch(2000)
	d := DefaultConfig()
	for i, m := range ms {
		if m.CreatedAt.Before(d.Start) || !m.CreatedAt.Before(d.Start.Add(d.Span)) {
			t.Fatalf("mention %d at %s is outside the period", i, m.CreatedAt)
		}
		if i >= 10 && m.CreatedAt.Before(ms[i-10].CreatedAt.Add(-time.Hour)) {
			t.Fatalf("mention %d at %s is more than an hour before mention %d at %s", i, m.CreatedAt, i-10, ms[i-10].CreatedAt)
		}
	}
	if last := ms[len(ms)-1].CreatedAt; last.Before(d.Start.Add(d.Span - 24*time.Hour)) {
		t.Fatalf("the last of %d mentions is at %s; a stream of Count mentions should end near the period's end", cfg.Count, last)
	}
}
