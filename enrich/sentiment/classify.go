// Package sentiment classifies short multilingual texts as negative,
// neutral or positive with a model Earshot trains itself (see Train and
// `earshot train sentiment`). The shipped model is embedded in the binary.
//
// Two heads share one feature extractor. The full head (hashed word and
// character n-grams plus lexicon features) serves the languages the model
// was trained on. The lexical head uses only language-independent
// features — counts of positive, negative and negated lexicon words and
// emoji — so its weights learned on the training languages apply to any
// language with a lexicon (Polish, Latvian, Chinese, Russian, Ukrainian),
// where n-gram weights would only be noise.
package sentiment

import (
	"math"
	"slices"
	"sync"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// Head names which part of the model decided.
const (
	HeadFull    = "full"
	HeadLexical = "lexical"
)

// Result is a sentiment decision.
type Result struct {
	Label string
	// Score is P(positive) − P(negative), in [−1, 1].
	Score float64
	// Confidence is the probability of Label.
	Confidence float64
	Probs      [numClasses]float64
	Head       string
	Signals    Signals
}

// Classifier applies a model. It is safe for concurrent use.
type Classifier struct {
	m    *Model
	ext  extractor
	pool sync.Pool
}

// NewClassifier prepares m for classification.
func NewClassifier(m *Model) (*Classifier, error) {
	lex, err := loadLexicons()
	if err != nil {
		return nil, err
	}
	c := &Classifier{m: m, ext: extractor{lex: lex, mask: 1<<m.bits - 1, feat: m.feat}}
	c.pool.New = func() any { return &scratch{} }
	return c, nil
}

// Model returns the classifier's model.
func (c *Classifier) Model() *Model { return c.m }

// Classify scores text (cleaned with textnorm.Clean) written in language
// code (ISO 639-1, or "" / "unknown"). Languages the model was trained on
// use the full head, every other language the lexical head.
func (c *Classifier) Classify(text, code string) Result {
	return c.classify(text, nil, code, !slices.Contains(c.m.languages, code))
}

// ClassifyTokens is Classify for a text already tokenized with
// textnorm.Tokenize; toks may be a run of the text's tokens (a clause),
// so a caller scores clauses without tokenizing again.
func (c *Classifier) ClassifyTokens(text string, toks []textnorm.Token, code string) Result {
	return c.classify(text, nonNil(toks), code, !slices.Contains(c.m.languages, code))
}

// LexicalHead scores tokens with the lexical head whatever the language:
// cheap, and enough when the lexicon has something to say.
func (c *Classifier) LexicalHead(text string, toks []textnorm.Token, code string) Result {
	return c.classify(text, nonNil(toks), code, true)
}

func nonNil(toks []textnorm.Token) []textnorm.Token {
	if toks == nil {
		return []textnorm.Token{}
	}
	return toks
}

func (c *Classifier) classify(text string, toks []textnorm.Token, code string, lexicalOnly bool) Result {
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	sig := c.ext.extract(text, toks, code, lexicalOnly, sc)
	var z [numClasses]float64
	head := HeadFull
	if lexicalOnly {
		head = HeadLexical
		for k := range z {
			z[k] = float64(c.m.lexicalBias[k])
		}
		for i, idx := range sc.v.idx {
			if w, ok := c.m.lexical[idx]; ok {
				for k := range z {
					z[k] += float64(w[k] * sc.v.val[i])
				}
			}
		}
	} else {
		// The weights of one bucket are adjacent; local sums stay in
		// registers while the loads (the cost: cache misses) overlap.
		full, vals := c.m.full, sc.v.val[:len(sc.v.idx)]
		var a0, a1, a2 float32
		for i, idx := range sc.v.idx {
			base := int(idx) * numClasses
			w := full[base : base+numClasses : base+numClasses]
			x := vals[i]
			a0 += float32(w[0]) * x
			a1 += float32(w[1]) * x
			a2 += float32(w[2]) * x
		}
		acc := [numClasses]float32{a0, a1, a2}
		for k := range z {
			z[k] = float64(acc[k]*c.m.fullScale + c.m.fullBias[k])
		}
	}
	p := softmax(z)
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	score := round3(p[classPositive] - p[classNegative])
	if best == classNeutral && LabelOf(score) != ClassNames[classNeutral] {
		// Never neutral with a score outside the neutral band: the rule
		// aspects are labelled by, so a text and its aspects agree.
		best = classNegative
		if score > 0 {
			best = classPositive
		}
	}
	return Result{
		Label:      ClassNames[best],
		Score:      score,
		Confidence: round3(p[best]),
		Probs:      p,
		Head:       head,
		Signals:    sig,
	}
}

// NeutralBand bounds the scores a neutral label may have: a score of at
// least NeutralBand is positive, of at most −NeutralBand negative. Aspects
// are labelled by it; a text's label is its most probable class, but never
// neutral outside the band (measured: val 60.3 → 60.1, feedback development
// set unchanged at 85.3–85.4, against 0.25: 60.6 and 84.8).
const NeutralBand = 0.3

// LabelOf is the label of a score: positive from NeutralBand, negative
// from −NeutralBand, neutral between.
func LabelOf(score float64) string {
	switch {
	case score >= NeutralBand:
		return ClassNames[classPositive]
	case score <= -NeutralBand:
		return ClassNames[classNegative]
	}
	return ClassNames[classNeutral]
}

func softmax(z [numClasses]float64) [numClasses]float64 {
	m := math.Max(z[0], math.Max(z[1], z[2]))
	var p [numClasses]float64
	var s float64
	for k := range z {
		p[k] = math.Exp(z[k] - m)
		s += p[k]
	}
	for k := range p {
		p[k] /= s
	}
	return p
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// LexiconLanguage picks the language whose lexicon and head apply to a
// text. The language the source states wins when trustStated is set (a
// source that tags romanised Hindi as "hi" knows better than the script),
// otherwise the detected one; the other fills in for "unknown".
func LexiconLanguage(detected, stated string, trustStated bool) string {
	if stated != "" && (trustStated || detected == "" || detected == "unknown") {
		return stated
	}
	if detected == "unknown" {
		return ""
	}
	return detected
}
