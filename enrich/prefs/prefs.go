// Package prefs extracts the searchable preferences of a text from a
// configurable taxonomy (configs/taxonomy.yaml): the brand, products,
// features and competitors mentioned, the aspects (price, delivery, ...)
// with the polarity of the clause they appear in, the contact channels a
// person asks for and their stated needs.
package prefs

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/enrich/textnorm"
)

//go:embed taxonomy.yaml
var defaultTaxonomy []byte

// DefaultTaxonomy returns the embedded copy of configs/taxonomy.yaml.
func DefaultTaxonomy() []byte { return append([]byte(nil), defaultTaxonomy...) }

// Entry is a named thing with the terms that mention it.
type Entry struct {
	Name  string   `yaml:"name"`
	Terms []string `yaml:"terms"`
	// Phrases (channels only) state the preference on their own ("call me").
	Phrases []string `yaml:"phrases"`
}

// Taxonomy is the YAML layout of the taxonomy file.
type Taxonomy struct {
	Brand       Entry    `yaml:"brand"`
	Products    []Entry  `yaml:"products"`
	Features    []Entry  `yaml:"features"`
	Competitors []Entry  `yaml:"competitors"`
	Aspects     []Entry  `yaml:"aspects"`
	Channels    []Entry  `yaml:"channels"`
	ContactCues []string `yaml:"contact_cues"`
	Needs       []Entry  `yaml:"needs"`
	NeedCues    []string `yaml:"need_cues"`
}

// ParseTaxonomy decodes a taxonomy strictly (unknown keys are errors).
func ParseTaxonomy(data []byte, name string) (*Taxonomy, error) {
	var t Taxonomy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decoding taxonomy %s: %w", name, err)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", name, err)
	}
	return &t, nil
}

// LoadTaxonomy reads a taxonomy file; an empty path means the embedded one.
func LoadTaxonomy(path string) (*Taxonomy, error) {
	if path == "" {
		return ParseTaxonomy(defaultTaxonomy, "(embedded)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading taxonomy: %w", err)
	}
	return ParseTaxonomy(data, path)
}

// Validate checks that every entry has a name and terms.
func (t *Taxonomy) Validate() error {
	if t.Brand.Name == "" || len(t.Brand.Terms) == 0 {
		return fmt.Errorf("brand needs a name and terms")
	}
	groups := map[string][]Entry{"products": t.Products, "features": t.Features, "competitors": t.Competitors, "aspects": t.Aspects, "channels": t.Channels, "needs": t.Needs}
	for g, es := range groups {
		seen := map[string]bool{}
		for i, e := range es {
			if e.Name == "" {
				return fmt.Errorf("%s[%d]: missing name", g, i)
			}
			if seen[e.Name] {
				return fmt.Errorf("%s: duplicate name %q", g, e.Name)
			}
			seen[e.Name] = true
			if len(e.Terms)+len(e.Phrases) == 0 {
				return fmt.Errorf("%s %q: no terms", g, e.Name)
			}
			for _, term := range append(append([]string(nil), e.Terms...), e.Phrases...) {
				if strings.TrimSpace(strings.Trim(term, "*")) == "" {
					return fmt.Errorf("%s %q: empty term", g, e.Name)
				}
			}
		}
	}
	if len(t.Channels) > 0 && len(t.ContactCues) == 0 {
		return fmt.Errorf("channels need contact_cues")
	}
	if len(t.Needs) > 0 && len(t.NeedCues) == 0 {
		return fmt.Errorf("needs need need_cues")
	}
	return nil
}

// Kinds of taxonomy hits.
const (
	kindBrand = iota
	kindProduct
	kindFeature
	kindCompetitor
	kindAspect
	kindChannel
	kindChannelPhrase
	kindContactCue
	kindNeed
	kindNeedCue
)

// ClauseScorer gives the polarity of a clause: a label (negative, neutral,
// positive) and a score in [-1, 1]. text is the whole text, toks the
// clause's tokens (their offsets point into text).
type ClauseScorer func(text string, toks []textnorm.Token) (label string, score float64)

// Aspect is an aspect found in a clause, with the clause's polarity.
type Aspect struct {
	Name      string
	Sentiment string
	Score     float64
	Start     int
	End       int
	Text      string
}

// Result is what a text says about the taxonomy.
type Result struct {
	Brands, Products, Features, Competitors, Channels, Needs []string
	// UncuedNeeds are needs named in clauses without a need cue; a caller
	// that knows the text asks to buy something may count them as needs.
	UncuedNeeds []string
	// Aspects holds one entry per aspect: the clause that speaks of it
	// most strongly.
	Aspects []Aspect
}

// Vocabulary returns word classes for intent phrases: "brand" (the brand
// and product names), "competitor", "product" (brand, products and the
// product aspect's words such as "machine") and "price".
func (t *Taxonomy) Vocabulary() map[string][]string {
	v := map[string][]string{}
	// One-word names also match inflected ("Philipsa", "Brewlyho").
	stem := func(name string) []string {
		if strings.ContainsAny(name, " '") {
			return []string{name}
		}
		return []string{name, strings.ToLower(name) + "*"}
	}
	v["brand"] = append(stem(t.Brand.Name), t.Brand.Terms...)
	for _, c := range t.Competitors {
		v["competitor"] = append(append(v["competitor"], stem(c.Name)...), c.Terms...)
	}
	for _, f := range t.Features {
		v["feature"] = append(append(v["feature"], f.Name), f.Terms...)
	}
	v["product"] = append([]string(nil), v["brand"]...)
	for _, p := range t.Products {
		v["product"] = append(append(v["product"], p.Name), p.Terms...)
	}
	for _, a := range t.Aspects {
		switch a.Name {
		case "product":
			v["product"] = append(v["product"], a.Terms...)
		case "price":
			v["price"] = append(v["price"], a.Terms...)
		}
	}
	return v
}

// Empty reports whether nothing was found.
func (r *Result) Empty() bool {
	return len(r.Brands)+len(r.Products)+len(r.Features)+len(r.Competitors)+len(r.Channels)+len(r.Needs)+len(r.Aspects) == 0
}

// Extractor matches a taxonomy against texts. It is safe for concurrent use.
type Extractor struct {
	terms *termSet
}

// New compiles t.
func New(t *Taxonomy) (*Extractor, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	ts := newTermSet()
	add := func(kind int, name string, terms []string) {
		for _, term := range terms {
			ts.add(term, kind, name)
		}
	}
	add(kindBrand, t.Brand.Name, t.Brand.Terms)
	for _, e := range t.Products {
		add(kindProduct, e.Name, e.Terms)
	}
	for _, e := range t.Features {
		add(kindFeature, e.Name, e.Terms)
	}
	for _, e := range t.Competitors {
		add(kindCompetitor, e.Name, e.Terms)
	}
	for _, e := range t.Aspects {
		add(kindAspect, e.Name, e.Terms)
	}
	for _, e := range t.Channels {
		add(kindChannel, e.Name, e.Terms)
		add(kindChannelPhrase, e.Name, e.Phrases)
	}
	add(kindContactCue, "", t.ContactCues)
	for _, e := range t.Needs {
		add(kindNeed, e.Name, e.Terms)
	}
	add(kindNeedCue, "", t.NeedCues)
	return &Extractor{terms: ts}, nil
}

// Extract finds the taxonomy in text (toks = textnorm.Tokenize(text)).
// score gives each clause holding an aspect its polarity; nil leaves
// aspects neutral.
func (x *Extractor) Extract(text string, toks []textnorm.Token, score ClauseScorer) Result {
	var res Result
	var clauses [16]textnorm.Clause
	cls := textnorm.Clauses(text, toks, clauses[:0])
	var hits [32]hit
	for _, c := range cls {
		hs := x.terms.find(toks, c.From, c.To, hits[:0])
		if len(hs) == 0 {
			continue
		}
		var contact, needCue bool
		for _, h := range hs {
			contact = contact || h.kind == kindContactCue
			needCue = needCue || h.kind == kindNeedCue
		}
		clauseText := text[c.Start:c.End]
		scored := false
		var label string
		var sc float64
		for _, h := range hs {
			switch h.kind {
			case kindBrand:
				res.Brands = addName(res.Brands, h.name)
			case kindProduct:
				res.Products = addName(res.Products, h.name)
			case kindFeature:
				res.Features = addName(res.Features, h.name)
			case kindCompetitor:
				res.Competitors = addName(res.Competitors, h.name)
			case kindChannelPhrase:
				res.Channels = addName(res.Channels, h.name)
			case kindChannel:
				if contact {
					res.Channels = addName(res.Channels, h.name)
				}
			case kindNeed:
				if needCue {
					res.Needs = addName(res.Needs, h.name)
				} else {
					res.UncuedNeeds = addName(res.UncuedNeeds, h.name)
				}
			case kindAspect:
				if toks[h.at].Text == "support" && !supportNoun(toks, h.at, c.From, c.To) {
					continue // "does the One support oat milk?" is no customer service
				}
				if !scored {
					label, sc = "neutral", 0
					if score != nil {
						label, sc = score(text, toks[c.From:c.To])
					}
					scored = true
				}
				a := Aspect{Name: h.name, Sentiment: label, Score: sc, Start: c.Start, End: c.End, Text: clauseText}
				res.Aspects = mergeAspect(res.Aspects, a)
			}
		}
	}
	for _, l := range []*[]string{&res.Brands, &res.Products, &res.Features, &res.Competitors, &res.Channels, &res.Needs, &res.UncuedNeeds} {
		sort.Strings(*l)
	}
	return res
}

// mergeAspect adds a, or replaces the entry of the same name when a's
// clause is more opinionated (|score| larger, a polar label beating neutral).
func mergeAspect(as []Aspect, a Aspect) []Aspect {
	for i, b := range as {
		if b.Name != a.Name {
			continue
		}
		if strength(a) > strength(b) {
			as[i] = a
		}
		return as
	}
	return append(as, a)
}

func strength(a Aspect) float64 {
	s := a.Score
	if s < 0 {
		s = -s
	}
	if a.Sentiment != "neutral" {
		s++
	}
	return s
}

func addName(list []string, name string) []string {
	for _, n := range list {
		if n == name {
			return list
		}
	}
	return append(list, name)
}

// Words around English "support" that make it customer service (a noun)
// rather than the verb ("does the One support oat milk?").
var (
	supportBefore = map[string]bool{
		"customer": true, "tech": true, "technical": true, "the": true, "your": true, "their": true, "our": true,
		"my": true, "great": true, "good": true, "bad": true, "poor": true, "terrible": true, "awful": true,
		"excellent": true, "amazing": true, "helpful": true, "no": true, "live": true, "phone": true, "email": true,
		"chat": true, "product": true, "after-sales": true, "brewly": true, "slow": true, "fast": true, "quick": true,
		"useless": true, "friendly": true, "contact": true, "with": true, "from": true, "called": true, "call": true,
		"contacted": true, "emailed": true,
	}
	supportAfter = map[string]bool{
		"team": true, "agent": true, "agents": true, "staff": true, "line": true, "ticket": true, "desk": true,
		"service": true, "center": true, "centre": true, "person": true, "rep": true, "was": true, "is": true,
		"were": true, "has": true, "have": true, "sucks": true, "never": true, "took": true, "replied": true,
		"answered": true, "said": true, "told": true, "helped": true, "hours": true, "chat": true, "email": true,
	}
)

// supportNoun reports whether "support" at toks[i] (in the clause
// [from, to)) is customer service: a noun context on either side, or
// the clause holds nothing else.
func supportNoun(toks []textnorm.Token, i, from, to int) bool {
	if i > from && supportBefore[toks[i-1].Text] {
		return true
	}
	if i+1 < to && supportAfter[toks[i+1].Text] {
		return true
	}
	return i == from && (i+1 >= to || toks[i+1].Kind == textnorm.Punct)
}
