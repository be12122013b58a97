// Package lang detects the language of short social texts fast.
//
// lingua-go is accurate but runs ~3,000 tweets/s per core, far below what
// the enrich stage needs. This detector decides in three steps:
//
//  1. Script: count letters per script. A script only one configured
//     language uses (Han → zh, Arabic → ar, Devanagari → hi) decides alone.
//  2. Compact n-grams: for scripts several languages share (Latin,
//     Cyrillic), a naive-Bayes score over character trigrams whose log
//     probabilities were derived from lingua-go's own statistics
//     (internal/gen), stored as one byte per language in a single map.
//  3. Prior: the language the source states (Mastodon's "language", an
//     HTML lang attribute) is added as a prior, so it decides short or
//     ambiguous texts but cannot outvote clear evidence of another language.
//
// Languages configured outside the compact model fall back to lingua-go,
// restricted to the candidates of the text's script. lingua-go's models are
// 137 MB of read-only data, so the fallback is only in binaries built with
// `-tags lingua` (fallback_lingua.go); the default build rejects such a
// configuration with an error naming the tag (fallback_lean.go).
package lang

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// Unknown is the code for a text whose language cannot be told.
const Unknown = "unknown"

// Detection methods.
const (
	MethodSource = "source" // the source's stated language agreed with (or decided) the text
	MethodScript = "script" // the script alone decided
	MethodModel  = "model"  // the n-gram model decided
)

// Result is a detected language.
type Result struct {
	Code       string
	Confidence float64
	Method     string
}

// Options tune the detector.
type Options struct {
	// Languages are the ISO 639-1 codes to choose from.
	Languages []string
	// MinLetters is the letter count under which a text without a stated
	// language is "unknown".
	MinLetters int
	// MinConfidence is the confidence under which the answer is "unknown".
	MinConfidence float64
	// SourcePrior is the prior probability given to the source's stated
	// language (the rest is spread over the other candidates).
	SourcePrior float64
}

// DefaultLanguages is the language set Earshot detects out of the box.
var DefaultLanguages = []string{"en", "pl", "lv", "zh", "pt", "es", "fr", "de", "it", "ar", "hi", "ru", "uk"}

// DefaultOptions returns the options used by default.
func DefaultOptions() Options {
	return Options{
		Languages:     append([]string(nil), DefaultLanguages...),
		MinLetters:    4,
		MinConfidence: 0.5,
		SourcePrior:   0.9,
	}
}

// scriptOfLanguage is the script each supported language is written in.
var scriptOfLanguage = map[string]textnorm.Script{
	"zh": textnorm.ScriptHan, "ja": textnorm.ScriptKana, "ko": textnorm.ScriptHangul,
	"ar": textnorm.ScriptArabic, "fa": textnorm.ScriptArabic, "ur": textnorm.ScriptArabic,
	"hi": textnorm.ScriptDevanagari, "mr": textnorm.ScriptDevanagari, "ne": textnorm.ScriptDevanagari,
	"el": textnorm.ScriptGreek, "he": textnorm.ScriptHebrew, "th": textnorm.ScriptThai,
	"ru": textnorm.ScriptCyrillic, "uk": textnorm.ScriptCyrillic, "bg": textnorm.ScriptCyrillic,
	"be": textnorm.ScriptCyrillic, "sr": textnorm.ScriptCyrillic, "mk": textnorm.ScriptCyrillic,
	"kk": textnorm.ScriptCyrillic, "mn": textnorm.ScriptCyrillic,
}

// ScriptOf returns the script a language code is written in (Latin for
// every code not listed otherwise).
func scriptOf(code string) textnorm.Script {
	if s, ok := scriptOfLanguage[code]; ok {
		return s
	}
	return textnorm.ScriptLatin
}

// group is the configured languages of one script and how to tell them apart.
type group struct {
	codes   []string
	columns []int            // column in the n-gram model per code
	stop    map[string][]int // stopword → indexes into codes
	lingua  fallback         // non-nil when some code is not in the n-gram model
}

// Detector detects languages. It is safe for concurrent use.
type Detector struct {
	opts   Options
	model  *ngramModel
	groups map[textnorm.Script]*group
	known  map[string]bool
}

// New builds a detector for opts.Languages.
func New(opts Options) (*Detector, error) {
	if len(opts.Languages) == 0 {
		return nil, fmt.Errorf("building language detector: no languages configured")
	}
	if opts.SourcePrior < 0 || opts.SourcePrior >= 1 {
		return nil, fmt.Errorf("building language detector: source prior %v is outside [0, 1)", opts.SourcePrior)
	}
	m, err := embeddedModel()
	if err != nil {
		return nil, err
	}
	d := &Detector{opts: opts, model: m, groups: map[textnorm.Script]*group{}, known: map[string]bool{}}
	for _, raw := range opts.Languages {
		code := Base(raw)
		if d.known[code] {
			continue
		}
		if !knownCodes[code] {
			return nil, fmt.Errorf("building language detector: unsupported language %q", raw)
		}
		d.known[code] = true
		s := scriptOf(code)
		g := d.groups[s]
		if g == nil {
			g = &group{}
			d.groups[s] = g
		}
		g.codes = append(g.codes, code)
		g.columns = append(g.columns, m.column(code))
	}
	for _, g := range d.groups {
		g.stop = map[string][]int{}
		for i, c := range g.codes {
			for _, w := range stopwords[c] {
				g.stop[w] = append(g.stop[w], i)
			}
		}
		if len(g.codes) < 2 {
			continue
		}
		var uncovered []string
		for i, c := range g.columns {
			if c < 0 {
				uncovered = append(uncovered, g.codes[i])
			}
		}
		if len(uncovered) > 0 {
			fb, err := newFallback(g.codes, uncovered)
			if err != nil {
				return nil, fmt.Errorf("building language detector: %w", err)
			}
			g.lingua = fb
		}
	}
	return d, nil
}

// Base reduces a BCP 47 tag ("pt-BR", "zh_Hans") to its lower-case language subtag.
func Base(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// Languages returns the configured codes, sorted.
func (d *Detector) Languages() []string {
	out := make([]string, 0, len(d.known))
	for c := range d.known {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Detect returns the language of text. stated is the source's own language
// tag ("" when it gave none).
func (d *Detector) Detect(text, stated string) Result {
	stated = Base(stated)
	if !d.known[stated] {
		stated = ""
	}
	counts, letters := textnorm.CountScripts(text)
	raw := counts
	if letters == 0 {
		if stated != "" {
			return Result{Code: stated, Confidence: 0.5, Method: MethodSource}
		}
		return Result{Code: Unknown, Method: MethodScript}
	}
	// One ideograph carries about as much as a short word: weigh CJK
	// scripts up so "Brewly Mini多少钱？" counts as Chinese.
	letters += 2*(counts[textnorm.ScriptHan]+counts[textnorm.ScriptKana]) + counts[textnorm.ScriptHangul]
	counts[textnorm.ScriptHan] *= 3
	counts[textnorm.ScriptKana] *= 3
	counts[textnorm.ScriptHangul] *= 2
	script, share := counts.Dominant(letters)
	if script == textnorm.ScriptLatin {
		// Latin letters in another script's text are mostly brand names,
		// handles and URLs: a few words of another script win.
		raw := [...]textnorm.Script{textnorm.ScriptHan, textnorm.ScriptKana, textnorm.ScriptHangul, textnorm.ScriptCyrillic, textnorm.ScriptArabic, textnorm.ScriptDevanagari, textnorm.ScriptGreek, textnorm.ScriptHebrew, textnorm.ScriptThai}
		for _, s := range raw {
			if other := float64(counts[s]) / float64(letters); other >= 0.3 && counts[s] >= 6 {
				script, share = s, other
				break
			}
		}
	}
	// A stated language whose own script the text uses wins over Latin
	// brand names and product codes around it: "Brewly Mini vs Nespresso
	// Vertuo 哪个好" stated "zh" is Chinese. Latin itself does not count as
	// consistent evidence, since every script's texts carry Latin names.
	if ss := scriptOf(stated); stated != "" && ss != script && ss != textnorm.ScriptLatin && raw[ss] >= minStatedLetters(ss) {
		script, share = ss, float64(counts[ss])/float64(letters)
	}
	if script == textnorm.ScriptHan && counts[textnorm.ScriptKana] > 0 {
		script = textnorm.ScriptKana // Japanese mixes kanji and kana
	}
	g := d.groups[script]
	if g == nil {
		return Result{Code: Unknown, Confidence: share, Method: MethodScript}
	}
	if len(g.codes) == 1 {
		code := g.codes[0]
		if letters < d.opts.MinLetters && stated != code && script != textnorm.ScriptHan {
			return Result{Code: Unknown, Confidence: share / 2, Method: MethodScript}
		}
		method := MethodScript
		if stated == code {
			method = MethodSource
		}
		return Result{Code: code, Confidence: round3(share), Method: method}
	}
	if stated != "" && scriptOf(stated) != script {
		stated = "" // a stated language in another script is wrong for this text
	}
	var probs [maxGroup]float64
	ok := false
	if g.lingua != nil {
		ok = g.lingua.scores(text, g.codes, probs[:len(g.codes)])
	} else {
		ok = d.ngramScores(g, text, probs[:len(g.codes)])
	}
	if !ok || letters < d.opts.MinLetters {
		if stated != "" {
			return Result{Code: stated, Confidence: d.opts.SourcePrior, Method: MethodSource}
		}
		return Result{Code: Unknown, Method: MethodModel}
	}
	if stated != "" && d.opts.SourcePrior > 0 {
		other := (1 - d.opts.SourcePrior) / float64(len(g.codes)-1)
		var sum float64
		for i, c := range g.codes {
			if c == stated {
				probs[i] *= d.opts.SourcePrior
			} else {
				probs[i] *= other
			}
			sum += probs[i]
		}
		for i := range g.codes {
			probs[i] /= sum
		}
	}
	best := 0
	for i := range g.codes {
		if probs[i] > probs[best] {
			best = i
		}
	}
	conf := probs[best] * share
	code := g.codes[best]
	switch {
	case code == stated:
		return Result{Code: code, Confidence: round3(conf), Method: MethodSource}
	case conf < d.opts.MinConfidence:
		return Result{Code: Unknown, Confidence: round3(conf), Method: MethodModel}
	}
	return Result{Code: code, Confidence: round3(conf), Method: MethodModel}
}

// minStatedLetters is how many letters of a stated language's script a
// text needs before the stated language is taken as consistent with it:
// one ideograph is a word, other scripts need a short word.
func minStatedLetters(s textnorm.Script) int {
	switch s {
	case textnorm.ScriptHan, textnorm.ScriptKana, textnorm.ScriptHangul:
		return 1
	}
	return 3
}

// maxGroup bounds the number of languages sharing one script.
const maxGroup = 64

// maxTrigrams bounds the work on long texts (web pages, reviews): a few
// hundred known trigrams settle the language.
const maxTrigrams = 300

// unseenPenalty is the log probability charged to a language for a trigram
// it never produces although other languages do.
const unseenPenalty = -9.0

// ngramScores fills probs with the posterior of each code of g under the
// compact trigram model (uniform prior). It reports false when the text
// has no known trigram.
func (d *Detector) ngramScores(g *group, text string, probs []float64) bool {
	var scores [maxGroup]float64
	n := 0
	var prev1, prev2 rune
	run := 0
	var word [32]byte
	wlen := 0
	endWord := func() {
		if wlen > 0 && wlen <= len(word) {
			for _, i := range g.stop[string(word[:wlen])] {
				scores[i] += stopwordBonus
			}
		}
		wlen = 0
	}
	for _, r := range text {
		if !unicode.IsLetter(r) {
			run = 0
			endWord()
			continue
		}
		r = unicode.ToLower(r)
		if wlen+utf8.RuneLen(r) <= len(word) {
			wlen += utf8.EncodeRune(word[wlen:], r)
		} else {
			wlen = len(word) + 1 // too long to be a stopword
		}
		run++
		if run >= 3 {
			if row, ok := d.model.index[trigramKey(prev2, prev1, r)]; ok {
				base := int(row) * len(d.model.codes)
				for i, col := range g.columns {
					q := d.model.rows[base+col]
					if q == 0 {
						scores[i] += unseenPenalty
					} else {
						scores[i] -= float64(q) / 20
					}
				}
				n++
				if n >= maxTrigrams {
					break
				}
			}
		}
		prev2, prev1 = prev1, r
	}
	endWord()
	if n == 0 {
		return false
	}
	softmax(scores[:len(g.codes)], probs)
	return true
}

func softmax(scores, probs []float64) {
	maxS := math.Inf(-1)
	for _, s := range scores {
		maxS = math.Max(maxS, s)
	}
	var sum float64
	for i, s := range scores {
		probs[i] = math.Exp(s - maxS)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
