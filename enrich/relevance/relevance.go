// Package relevance decides whether a mention is about the brand, before
// alerts and counts see it. It learns per brand from people's corrections
// ("irrelevant" ones, and every other correction as evidence that the
// mention was relevant) and honours muted authors and sites. Every decision
// says why: the mute, or the words that tipped it and how many corrections
// they were learned from.
//
// The learner is a naive-Bayes model over the words of the corrected texts,
// updated as each correction arrives (and undone when a correction is
// replaced or deleted), so a correction takes effect at once and the same
// corrections always give the same filter.
package relevance

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// Config tunes the filter.
type Config struct {
	// Threshold is the probability of irrelevance from which a mention is
	// filtered out.
	Threshold float64 `yaml:"threshold"`
	// MinIrrelevant is how many "irrelevant" corrections a brand needs
	// before its learned filter decides anything.
	MinIrrelevant int `yaml:"min_irrelevant"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.8, MinIrrelevant: 3} }

// Validate reports every problem of c.
func (c Config) Validate() error {
	var errs []error
	if c.Threshold <= 0.5 || c.Threshold > 1 {
		errs = append(errs, confx.Keyf("relevance.threshold", "%v outside (0.5, 1]", c.Threshold))
	}
	if c.MinIrrelevant < 1 {
		errs = append(errs, confx.Keyf("relevance.min_irrelevant", "%d, want at least 1", c.MinIrrelevant))
	}
	return errors.Join(errs...)
}

// Classes of the learner.
const (
	relevant = iota
	irrelevant
)

// Filter is the per-brand relevance filter. It is safe for concurrent use.
type Filter struct {
	cfg Config
	// brandsOf names the brands a text mentions (the taxonomy's).
	brandsOf func(text string) []string

	mu       sync.RWMutex
	models   map[string]*model      // by brand; "" for texts naming none
	examples map[string]example     // by correction id, to undo
	verdicts map[string]int         // mention id → class a person gave it
	mutes    map[string]record.Mute // by id
	muted    map[string]string      // kind\x00value (lower case) → reason
}

type example struct {
	mention string
	brands  []string
	class   int
	words   []string
}

type model struct {
	docs  [2]int
	count [2]map[string]int
	total [2]int
}

func newModel() *model {
	return &model{count: [2]map[string]int{{}, {}}}
}

// New returns an empty filter; brandsOf finds a text's brands (nil: every
// text is of the brand "").
func New(cfg Config, brandsOf func(text string) []string) (*Filter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if brandsOf == nil {
		brandsOf = func(string) []string { return nil }
	}
	return &Filter{cfg: cfg, brandsOf: brandsOf, models: map[string]*model{}, examples: map[string]example{},
		verdicts: map[string]int{}, mutes: map[string]record.Mute{}, muted: map[string]string{}}, nil
}

// ApplyCorrection learns from a correction (nil removes the one with that
// id). A relevance correction teaches its class; any other correction says
// the mention was relevant enough to correct.
func (f *Filter) ApplyCorrection(id string, c *record.Correction) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.examples[id]; ok {
		f.learn(old, -1)
		delete(f.examples, id)
		if f.verdicts[old.mention] == old.class {
			delete(f.verdicts, old.mention)
		}
	}
	if c == nil || strings.TrimSpace(c.Text) == "" {
		return
	}
	class := relevant
	if c.Field == record.CorrectRelevance && c.Value == "irrelevant" {
		class = irrelevant
	}
	ex := example{mention: c.MentionID, brands: f.brandsOf(c.Text), class: class, words: words(c.Text)}
	f.examples[id] = ex
	f.learn(ex, 1)
	if c.MentionID != "" && (c.Field == record.CorrectRelevance || f.verdicts[c.MentionID] != irrelevant) {
		f.verdicts[c.MentionID] = class
	}
}

func (f *Filter) learn(ex example, sign int) {
	brands := ex.brands
	if len(brands) == 0 {
		brands = []string{""}
	}
	for _, b := range brands {
		m := f.models[b]
		if m == nil {
			m = newModel()
			f.models[b] = m
		}
		m.docs[ex.class] += sign
		for _, w := range ex.words {
			m.count[ex.class][w] += sign
			m.total[ex.class] += sign
			if m.count[ex.class][w] == 0 {
				delete(m.count[ex.class], w)
			}
		}
	}
}

// ApplyMute adds a mute (nil removes the one with that id). An author
// mute names the author as search shows them (handle or name) or by author
// key; a site mute names a channel (a crawled site, a Mastodon server) or
// a host, whose subdomains it mutes too.
func (f *Filter) ApplyMute(id string, m *record.Mute) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.mutes[id]; ok {
		delete(f.muted, muteKey(old.Kind, old.Value))
		delete(f.mutes, id)
	}
	if m == nil || strings.TrimSpace(m.Value) == "" {
		return
	}
	f.mutes[id] = *m
	reason := fmt.Sprintf("%s %s muted", m.Kind, m.Value)
	if m.By != "" {
		reason += " by " + m.By
	}
	if m.Reason != "" {
		reason += " (" + m.Reason + ")"
	}
	f.muted[muteKey(m.Kind, m.Value)] = reason
}

func muteKey(kind, value string) string {
	value = strings.ToLower(strings.TrimSpace(value))
	if kind == record.MuteSite {
		value = strings.TrimPrefix(value, "www.")
	}
	return kind + "\x00" + value
}

// Empty reports whether the filter has nothing to go on yet (no
// corrections, no mutes): then Decide always says nothing.
func (f *Filter) Empty() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.verdicts) == 0 && len(f.muted) == 0 && len(f.models) == 0
}

// Decide judges a mention whose analysis found brands (the filter finds
// them itself when nil). It returns nil when the filter has nothing to
// say: no mute applies and no learned filter for its brands exists.
func (f *Filter) Decide(m *record.Mention, text string, brands []string) *record.Relevance {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if len(f.verdicts) == 0 && len(f.muted) == 0 && len(f.models) == 0 {
		return nil // nothing learned or muted yet: the common case costs nothing
	}
	if brands == nil {
		brands = f.brandsOf(text)
	}
	if c, ok := f.verdicts[m.ID]; ok && m.ID != "" {
		return &record.Relevance{Irrelevant: c == irrelevant, Score: float64(c),
			Reasons: []string{"a person corrected this mention as " + [2]string{"relevant", "irrelevant"}[c]}}
	}
	if len(f.muted) > 0 {
		h := m.Author.Handle
		for _, v := range []string{h, strings.TrimPrefix(h, "@"), m.Author.Name, m.AuthorKey()} {
			if r := f.muted[muteKey(record.MuteAuthor, v)]; r != "" && v != "" {
				return &record.Relevance{Irrelevant: true, Score: 1, Reasons: []string{r}}
			}
		}
		for _, v := range append([]string{m.Channel}, hosts(m.URL)...) {
			if r := f.muted[muteKey(record.MuteSite, v)]; r != "" && v != "" {
				return &record.Relevance{Irrelevant: true, Score: 1, Reasons: []string{r}}
			}
		}
	}
	keys := brands
	if len(keys) == 0 {
		keys = []string{""}
	}
	var ws []string // tokenized only when a learned filter applies
	var best *record.Relevance
	for _, b := range keys {
		mod := f.models[b]
		if mod == nil || mod.docs[irrelevant] < f.cfg.MinIrrelevant || mod.docs[relevant] < 1 {
			continue
		}
		if ws == nil {
			ws = words(text)
		}
		d := mod.decide(ws, b, f.cfg.Threshold)
		// A mention is about the brand if it is relevant for any brand it names.
		if best == nil || d.Score < best.Score {
			best = d
		}
	}
	return best
}

// hosts are a URL's host and its parent domains ("a.b.example.com" →
// itself, "b.example.com", "example.com"), so muting a site mutes its
// subdomains.
func hosts(raw string) []string {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	h := strings.ToLower(strings.TrimPrefix(u.Hostname(), "www."))
	var out []string
	for {
		out = append(out, h)
		i := strings.IndexByte(h, '.')
		if i < 0 || strings.Count(h, ".") < 2 {
			return out
		}
		h = h[i+1:]
	}
}

// decide scores words with the brand's model: the log-odds of the class
// priors plus, for every distinct word the model has seen, the log ratio
// of its smoothed frequencies. The reasons name the words that pushed most.
func (m *model) decide(ws []string, brand string, threshold float64) *record.Relevance {
	vocab := map[string]bool{}
	for c := range m.count {
		for w := range m.count[c] {
			vocab[w] = true
		}
	}
	v := float64(len(vocab) + 1)
	logit := math.Log(float64(m.docs[irrelevant]+1) / float64(m.docs[relevant]+1))
	type push struct {
		word string
		by   float64
	}
	var pushes []push
	seen := map[string]bool{}
	for _, w := range ws {
		if seen[w] || !vocab[w] {
			continue
		}
		seen[w] = true
		pi := (float64(m.count[irrelevant][w]) + 1) / (float64(m.total[irrelevant]) + v)
		pr := (float64(m.count[relevant][w]) + 1) / (float64(m.total[relevant]) + v)
		by := math.Log(pi / pr)
		logit += by
		pushes = append(pushes, push{w, by})
	}
	p := 1 / (1 + math.Exp(-logit))
	irr := p >= threshold
	sort.Slice(pushes, func(i, j int) bool {
		if irr {
			return pushes[i].by > pushes[j].by
		}
		return pushes[i].by < pushes[j].by
	})
	var named []string
	for _, ps := range pushes {
		if len(named) == 3 || (irr && ps.by <= 0) || (!irr && ps.by >= 0) {
			break
		}
		named = append(named, fmt.Sprintf("%q (%+.1f)", ps.word, ps.by))
	}
	who := "mentions naming no brand"
	if brand != "" {
		who = "brand " + brand
	}
	verdict := "relevant"
	if irr {
		verdict = "irrelevant"
	}
	reason := fmt.Sprintf("%s for %s: P(irrelevant) %.2f (threshold %.2f), learned from %d irrelevant and %d relevant corrections",
		verdict, who, p, threshold, m.docs[irrelevant], m.docs[relevant])
	if len(named) > 0 {
		reason += "; words " + strings.Join(named, ", ")
	}
	return &record.Relevance{Irrelevant: irr, Score: math.Round(p*1000) / 1000, Reasons: []string{reason}}
}

// words are a text's distinct lower-case words (Chinese: ideographs and
// ideograph pairs), the features of the learner.
func words(text string) []string {
	toks := textnorm.Tokenize(textnorm.Clean(text), nil)
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for i, t := range toks {
		switch t.Kind {
		case textnorm.Word, textnorm.Hashtag:
			if len(t.Text) > 1 {
				add(t.Text)
			}
		case textnorm.Han:
			add(t.Text)
			if i+1 < len(toks) && toks[i+1].Kind == textnorm.Han && toks[i+1].Start == t.End {
				add(t.Text + toks[i+1].Text)
			}
		}
	}
	return out
}
