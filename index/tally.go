package index

import (
	"math"
	"time"

	"github.com/earshothq/earshot/record"
)

// Tally is Aggregate kept current one mention at a time. The index stage's
// profile cache adds a person's new mentions to it and takes out the ones
// replaced or dropped, instead of aggregating all of a prolific author's
// mentions again in nearly every batch. Aggregate is a Tally of the
// distinct mentions it is given, so both say the same.
//
// The zero Tally is empty and ready to use. Remove must be given a mention
// that was added (the same fields: a cache keeps its copy for that).
type Tally struct {
	count   int
	times   map[instant]int // CreatedAt → mentions at that instant
	last    instant
	sentSum int64 // sentiment scores times sentimentScale, so the sum is exact in any order
	sentN   int
	sets    [setCount]map[string]int
	aspects map[string]*AspectCount
}

// instant is a time as a map key (seconds and nanoseconds since 1970,
// defined for every time, unlike UnixNano).
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) after(b instant) bool { return a.sec > b.sec || (a.sec == b.sec && a.nsec > b.nsec) }

// sentimentScale is how finely a sentiment score is summed (billionths): a
// sum of integers does not depend on the order of the mentions, which a
// float sum does in its last bits.
const sentimentScale = 1e9

// The keyword sets a Tally counts, in Stats' order.
const (
	setSources = iota
	setLanguages
	setIntents
	setBrands
	setProducts
	setCompetitors
	setChannels
	setCount
)

// Add counts m.
func (t *Tally) Add(m *record.EnrichedMention) { t.apply(m, 1) }

// Remove takes a counted m out again.
func (t *Tally) Remove(m *record.EnrichedMention) { t.apply(m, -1) }

func (t *Tally) apply(m *record.EnrichedMention, d int) {
	t.count += d
	t.countTime(instantOf(m.CreatedAt), d)
	t.add(setSources, m.Source, d)
	if lang := LanguageOf(m); lang != "" {
		t.add(setLanguages, lang, d)
	}
	a := m.Analysis
	if a.Sentiment != nil && a.Sentiment.Label != "" {
		t.sentSum += int64(d) * int64(math.Round(a.Sentiment.Score*sentimentScale))
		t.sentN += d
	}
	for _, in := range a.Intents {
		t.add(setIntents, in.Name, d)
	}
	for _, as := range a.Aspects {
		if name := Keyword(as.Name); name != "" {
			t.countAspect(name, Keyword(as.Sentiment), d)
		}
	}
	if p := a.Preferences; p != nil {
		for _, v := range p.Brands {
			t.add(setBrands, v, d)
		}
		for _, v := range p.Products {
			t.add(setProducts, v, d)
		}
		for _, v := range p.Competitors {
			t.add(setCompetitors, v, d)
		}
		for _, v := range p.Channels {
			t.add(setChannels, v, d)
		}
	}
}

func (t *Tally) countTime(at instant, d int) {
	if t.times == nil {
		t.times = map[instant]int{}
	}
	n := t.times[at] + d
	if n > 0 {
		t.times[at] = n
		if d > 0 && (len(t.times) == 1 || at.after(t.last)) {
			t.last = at
		}
		return
	}
	delete(t.times, at)
	if at == t.last {
		// The newest went: find the next (rare: it is the oldest that a
		// person's cache lets go).
		t.last = instant{}
		first := true
		for x := range t.times {
			if first || x.after(t.last) {
				t.last, first = x, false
			}
		}
	}
}

func (t *Tally) add(set int, v string, d int) {
	v = Keyword(v)
	if v == "" {
		return
	}
	if t.sets[set] == nil {
		t.sets[set] = map[string]int{}
	}
	if n := t.sets[set][v] + d; n > 0 {
		t.sets[set][v] = n
	} else {
		delete(t.sets[set], v)
	}
}

func (t *Tally) countAspect(name, sentiment string, d int) {
	if t.aspects == nil {
		t.aspects = map[string]*AspectCount{}
	}
	ac := t.aspects[name]
	if ac == nil {
		ac = &AspectCount{Name: name}
		t.aspects[name] = ac
	}
	switch sentiment {
	case record.SentimentPositive:
		ac.Positive += d
	case record.SentimentNegative:
		ac.Negative += d
	default:
		ac.Neutral += d
	}
	if ac.Positive <= 0 && ac.Negative <= 0 && ac.Neutral <= 0 {
		delete(t.aspects, name)
	}
}

// Stats is what the counted mentions say (new slices on every call).
func (t *Tally) Stats() Stats {
	st := Stats{MentionCount: t.count}
	if len(t.times) > 0 {
		last := time.Unix(t.last.sec, int64(t.last.nsec)).UTC()
		st.LastSeen = &last
	}
	if t.sentN > 0 {
		avg := float64(t.sentSum) / (float64(t.sentN) * sentimentScale)
		st.AvgSentiment = &avg
	}
	for _, name := range sortedKeys(t.aspects) {
		ac := *t.aspects[name]
		st.Aspects = append(st.Aspects, ac)
		if ac.Positive > 0 {
			st.AspectsPositive = append(st.AspectsPositive, name)
		}
		if ac.Negative > 0 {
			st.AspectsNegative = append(st.AspectsNegative, name)
		}
	}
	st.Sources = sortedKeys(t.sets[setSources])
	st.Languages = sortedKeys(t.sets[setLanguages])
	st.Intents = sortedKeys(t.sets[setIntents])
	st.Brands = sortedKeys(t.sets[setBrands])
	st.Products = sortedKeys(t.sets[setProducts])
	st.Competitors = sortedKeys(t.sets[setCompetitors])
	st.Channels = sortedKeys(t.sets[setChannels])
	return st
}
