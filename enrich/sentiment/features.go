package sentiment

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// Feature families are hashed with different seeds so a word and a
// character n-gram with the same bytes do not share a weight.
const (
	seedWord   uint32 = 0x811c9dc5
	seedNeg    uint32 = 0x01000193
	seedBigram uint32 = 0x2545f491
	seedChar   uint32 = 0x9e3779b9
	seedMeta   uint32 = 0x7f4a7c15
	seedLang   uint32 = 0x3c6ef372
)

// Features says which feature families the full head uses. A model file
// records them, so a model is always applied with the features it was
// trained on.
type Features struct {
	// CharMin and CharMax bound the orders of the character n-grams.
	CharMin, CharMax int
	// CharWeight scales the character block against the word block (each
	// block has unit norm before scaling).
	CharWeight float32
}

// legacyFeatures are the features of models written before Features was
// recorded in the file (format ESSM1).
var legacyFeatures = Features{CharMin: 3, CharMax: 5, CharWeight: 1}

func (f Features) validate() error {
	if f.CharMin < 1 || f.CharMax > 8 || f.CharMin > f.CharMax {
		return fmt.Errorf("character n-gram orders %d..%d outside 1..8", f.CharMin, f.CharMax)
	}
	if !(f.CharWeight >= 0 && f.CharWeight <= 10) {
		return fmt.Errorf("character weight %v outside 0..10", f.CharWeight)
	}
	return nil
}

// Meta features: language-independent signals whose weights, learned on
// the training languages, carry over to every other language.
const (
	metaPos = iota
	metaNeg
	metaNegatedPos
	metaNegatedNeg
	metaEmoPos
	metaEmoNeg
	metaExclaim
	metaQuestion
	metaCaps
	metaElongated
	metaNoLexicon
	metaPosMinusNeg
	numMeta
)

// Signals are the lexicon counts of a text; the aspect scorer uses them
// directly for short clauses.
type Signals struct {
	Pos, Neg, NegatedPos, NegatedNeg, EmoPos, EmoNeg int
}

// Polarity is the lexicon's net polarity: positive minus negative evidence.
func (s Signals) Polarity() int {
	return s.Pos + s.NegatedNeg + s.EmoPos - s.Neg - s.NegatedPos - s.EmoNeg
}

// vec is a sparse feature vector.
type vec struct {
	idx []uint32
	val []float32
}

func (v *vec) reset() { v.idx, v.val = v.idx[:0], v.val[:0] }

func (v *vec) add(i uint32, x float32) {
	v.idx = append(v.idx, i)
	v.val = append(v.val, x)
}

// scratch is per-call working memory, pooled by the classifier.
type scratch struct {
	toks  []textnorm.Token
	norm  []rune
	words []string
	neg   []bool
	v     vec
}

// extractor turns text into hashed features.
type extractor struct {
	lex  lexicons
	mask uint32
	feat Features
}

func hashString(seed uint32, s string) uint32 {
	h := seed
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func hashMore(h uint32, s string) uint32 {
	h ^= ' '
	h *= 16777619
	return hashString(h, s)
}

// squash shortens runs of one letter to two ("soooo" → "soo") so that
// elongated spellings share features.
func squash(s string) (string, bool) {
	var prev rune
	run, long := 0, false
	for _, r := range s {
		if r == prev {
			run++
			if run >= 3 {
				long = true
				break
			}
		} else {
			prev, run = r, 1
		}
	}
	if !long {
		return s, false
	}
	var b strings.Builder
	prev, run = 0, 0
	for _, r := range s {
		if r == prev {
			run++
			if run > 2 {
				continue
			}
		} else {
			prev, run = r, 1
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// negationScope is how many words a negator reaches.
const negationScope = 3

// extract fills sc.v with the features of text (already cleaned) in
// language code (a lexicon key; "" for unknown). toks are text's tokens
// (or a run of them); nil tokenizes text. lexicalOnly keeps only the
// language-independent meta features.
func (e *extractor) extract(text string, toks []textnorm.Token, code string, lexicalOnly bool, sc *scratch) Signals {
	sc.v.reset()
	if toks == nil {
		sc.toks = textnorm.Tokenize(text, sc.toks)
		toks = sc.toks
	}
	lx := e.lex[code]
	if lx == nil {
		lx = e.lex["*"]
	}
	emo := e.lex["emoji"]
	var sig Signals
	var meta [numMeta]float32
	sc.norm = append(sc.norm[:0], ' ')
	sc.words = sc.words[:0]
	sc.neg = sc.neg[:0]
	scope := 0
	lastHan := -10
	caps := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.Kind {
		case textnorm.Word, textnorm.Hashtag:
			w, long := squash(t.Text)
			if long {
				meta[metaElongated] = 1
			}
			if t.Kind == textnorm.Word && t.End-t.Start >= 3 && isUpper(text[t.Start:t.End]) {
				caps++
			}
			negated := scope > 0
			if scope > 0 {
				scope--
			}
			pol, span := lx.word(toks, i)
			switch pol {
			case polNegator:
				scope = negationScope
			case polPositive:
				if negated {
					sig.NegatedPos++
				} else {
					sig.Pos++
				}
			case polNegative:
				if negated {
					sig.NegatedNeg++
				} else {
					sig.Neg++
				}
			}
			if pol == 0 && strings.HasSuffix(w, "n't") {
				scope = negationScope
			}
			sc.words = append(sc.words, w)
			sc.neg = append(sc.neg, negated)
			sc.norm = appendRunes(sc.norm, w)
			sc.norm = append(sc.norm, ' ')
			for k := 1; k < span && i+1 < len(toks); k++ {
				i++
				w2, _ := squash(toks[i].Text)
				sc.words = append(sc.words, w2)
				sc.neg = append(sc.neg, negated)
				sc.norm = appendRunes(sc.norm, w2)
				sc.norm = append(sc.norm, ' ')
			}
		case textnorm.Han:
			if lastHan != i-1 && len(sc.norm) > 0 && sc.norm[len(sc.norm)-1] != ' ' {
				sc.norm = append(sc.norm, ' ')
			}
			lastHan = i
			if pol, n := lx.hanAt(text, t.Start); pol != 0 {
				negated := scope > 0
				switch pol {
				case polNegator:
					scope = 2
				case polPositive:
					if negated {
						sig.NegatedPos++
					} else {
						sig.Pos++
					}
				case polNegative:
					if negated {
						sig.NegatedNeg++
					} else {
						sig.Neg++
					}
				}
				if pol != polNegator {
					scope = 0
				}
				// Take the whole term as one word so "不推荐" counts once.
				j := i
				for j+1 < len(toks) && toks[j+1].Start < t.Start+n {
					j++
				}
				term := text[t.Start:toks[j].End]
				sc.norm = appendRunes(sc.norm, term)
				sc.words = append(sc.words, term)
				sc.neg = append(sc.neg, negated)
				i = j
				continue
			}
			if scope > 0 {
				scope--
			}
			sc.norm = appendRunes(sc.norm, t.Text)
			sc.words = append(sc.words, t.Text)
			sc.neg = append(sc.neg, false)
		case textnorm.Mention:
			sc.words = append(sc.words, "@user")
			sc.neg = append(sc.neg, false)
			sc.norm = append(sc.norm, '@', ' ')
		case textnorm.URL:
			sc.words = append(sc.words, "url")
			sc.neg = append(sc.neg, false)
		case textnorm.Emoji:
			switch pol, _ := emo.word(toks, i); pol {
			case polPositive:
				sig.EmoPos++
			case polNegative:
				sig.EmoNeg++
			}
			sc.words = append(sc.words, t.Text)
			sc.neg = append(sc.neg, false)
		case textnorm.Punct:
			switch t.Text {
			case "!", "！":
				meta[metaExclaim] = 1
			case "?", "？":
				meta[metaQuestion] = 1
			}
			if textnorm.IsClauseBreak(t.Text) {
				scope = 0
				if t.Text == "!" || t.Text == "?" {
					sc.words = append(sc.words, t.Text)
					sc.neg = append(sc.neg, false)
				}
			}
		}
	}
	if caps > 0 {
		meta[metaCaps] = 1
	}
	meta[metaPos] = squashCount(sig.Pos)
	meta[metaNeg] = squashCount(sig.Neg)
	meta[metaNegatedPos] = squashCount(sig.NegatedPos)
	meta[metaNegatedNeg] = squashCount(sig.NegatedNeg)
	meta[metaEmoPos] = squashCount(sig.EmoPos)
	meta[metaEmoNeg] = squashCount(sig.EmoNeg)
	if sig.Pos+sig.Neg+sig.NegatedPos+sig.NegatedNeg+sig.EmoPos+sig.EmoNeg == 0 {
		meta[metaNoLexicon] = 1
	}
	p := sig.Polarity()
	meta[metaPosMinusNeg] = float32(max(-3, min(3, p))) / 3

	if !lexicalOnly {
		e.ngrams(sc, code)
	}
	for k, x := range meta {
		if x != 0 {
			sc.v.add((seedMeta+uint32(k)*2654435761)&e.mask, x)
		}
	}
	sc.v.add(seedMeta&e.mask, 1) // bias-like constant shared by all texts
	return sig
}

func squashCount(n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(math.Log1p(float64(n)))
}

// ngrams adds word unigrams (negation-marked), word bigrams and character
// n-grams, each block weighted to unit norm (the character block then
// scaled by CharWeight).
func (e *extractor) ngrams(sc *scratch, code string) {
	langSeed := hashString(seedLang, code)
	start := len(sc.v.idx)
	for i, w := range sc.words {
		seed := seedWord
		if sc.neg[i] {
			seed = seedNeg
		}
		sc.v.add(hashString(seed, w)&e.mask, 1)
		// The same word again, specific to the language: words shared by
		// languages ("no", "come", "cara") may differ in meaning.
		sc.v.add(hashString(seed^langSeed, w)&e.mask, 1)
		if i > 0 {
			sc.v.add(hashMore(hashString(seedBigram, sc.words[i-1]), w)&e.mask, 1)
		}
	}
	words := len(sc.v.idx) - start
	r := sc.norm
	lo, hi := e.feat.CharMin-1, e.feat.CharMax
	for i := range r {
		if r[i] == ' ' && (i+1 >= len(r) || r[i+1] == ' ') {
			continue
		}
		h := seedChar
		for n := 0; n < hi && i+n < len(r); n++ {
			h ^= uint32(r[i+n])
			h *= 16777619
			if n >= lo {
				sc.v.add(h&e.mask, 1)
			}
		}
	}
	chars := len(sc.v.idx) - start - words
	ww := float32(1 / math.Sqrt(float64(max(words, 1))))
	cw := e.feat.CharWeight * float32(1/math.Sqrt(float64(max(chars, 1))))
	for i := start; i < start+words; i++ {
		sc.v.val[i] = ww
	}
	for i := start + words; i < len(sc.v.val); i++ {
		sc.v.val[i] = cw
	}
}

func isUpper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}
