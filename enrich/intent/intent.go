// Package intent finds what a text wants — to buy, to complain, to ask, to
// praise, to leave, to get help — from phrase lists per language with
// weights, and reports each intent with a score and the evidence spans.
//
// A phrase is a sequence of words: "word" matches the word, "stem*" any
// word starting with stem, "~" up to three words of anything, "^" the start
// of a clause, "?" a question mark, "{name}" any word of the vocabulary
// class name (the analysis fills "brand" and "competitor" from the
// taxonomy, so "switching to {competitor}" is churn and "switching to
// {brand}" is buying). Chinese phrases are split into
// ideographs. A phrase carries a weight in (0, 1]; an intent's score is
// 1 − Π(1 − w) over its distinct matched phrases. Negative weights are
// suppressors: hard negatives such as "just bought" or "not looking for"
// multiply the score by (1 − |w|). A positive phrase preceded by a negator
// of its language in the same clause ("not interested in a demo") does not
// count.
//
// Phrases only catch the wordings someone wrote down. Rules generalise:
// cue classes per language (a purchase verb, a price word, "looking
// for", a product category, a malfunction, a waiting time, ...) and
// language-independent rules over them, such as "a question that names a
// price and one of our products" or "looking for + a product category in
// one clause". A rule's weight joins the phrase weights of its intent.
// See rules.go.
package intent

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math/bits"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/internal/confx"
)

// Intent names.
const (
	Buying    = "buying"
	Complaint = "complaint"
	Question  = "question"
	Praise    = "praise"
	ChurnRisk = "churn_risk"
	Support   = "support"
)

// Names are all intents, in report order.
var Names = []string{Buying, Complaint, Question, Praise, ChurnRisk, Support}

//go:embed phrases.yaml
var defaultPhrases []byte

// Config selects and tunes the phrase lists.
type Config struct {
	// PhrasesFile replaces the built-in phrase lists (same YAML layout as
	// enrich/intent/phrases.yaml). Empty: built-in.
	PhrasesFile string `yaml:"phrases_file"`
	// Extra phrases added to the lists: intent → language → phrases
	// ("pattern = weight").
	Extra map[string]map[string][]string `yaml:"extra"`
	// Thresholds per intent: the score from which an intent is reported.
	Thresholds map[string]float64 `yaml:"thresholds"`
	// Vocabulary are word classes phrases refer to as {name}.
	Vocabulary map[string][]string `yaml:"vocabulary"`
}

// DefaultThreshold is the score from which an intent is reported unless
// Config.Thresholds says otherwise.
const DefaultThreshold = 0.5

// DefaultConfig returns the built-in lists with default thresholds.
func DefaultConfig() Config {
	return Config{Thresholds: map[string]float64{}}
}

// Validate checks names and ranges.
func (c Config) Validate() error {
	for name, t := range c.Thresholds {
		if !known(name) {
			return confx.Keyf("thresholds."+name, "unknown intent %q (want one of %s)", name, strings.Join(Names, ", "))
		}
		if t <= 0 || t > 1 {
			return confx.Keyf("thresholds."+name, "%s threshold %v outside (0, 1]", name, t)
		}
	}
	if len(c.Vocabulary) > maxVocab {
		return confx.Keyf("vocabulary", "%d classes, at most %d", len(c.Vocabulary), maxVocab)
	}
	for name, langs := range c.Extra {
		if !known(name) {
			return confx.Keyf("extra."+name, "unknown intent %q", name)
		}
		for lang, ps := range langs {
			for _, p := range ps {
				if _, err := parsePattern(lang, p); err != nil {
					return confx.Keyf("extra."+name+"."+lang, "%w", err)
				}
			}
		}
	}
	return nil
}

func known(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// Span is a piece of evidence, in byte offsets of the text.
type Span struct {
	Start, End int
	Text       string
}

// Match is one detected intent.
type Match struct {
	Name     string
	Score    float64
	Evidence []Span
}

// file is the YAML layout of a phrase list.
type file struct {
	Negators map[string][]string            `yaml:"negators"`
	Intents  map[string]map[string][]string `yaml:"intents"`
	// Cues: language ("any" = every language) → class → phrases.
	Cues map[string]map[string][]string `yaml:"cues"`
	// Aliases name a set of classes ("domain: [brand, product, ...]").
	Aliases map[string][]string `yaml:"aliases"`
	// Rules: intent → "class + class & class + !class = weight".
	Rules map[string][]string `yaml:"rules"`
	// Masks: class → the classes its phrases hide where they overlap
	// ("jak najszybciej" is soon, and its "jak" asks no how).
	Masks map[string][]string `yaml:"masks"`
}

// Detector applies phrase lists. It is safe for concurrent use.
type Detector struct {
	thresholds map[string]float64
	// byLang holds the compiled phrases of each language; "any" applies to all.
	byLang   map[string]*phraseSet
	langs    []string // the keys of byLang to use when the language is unknown
	negators map[string]map[string]bool
	vocab    *vocabIndex
	cues     cueBook
	pool     sync.Pool
	ids      int
	version  string
}

// Version identifies the rules: "rules-" and the first 12 hex digits of
// the SHA-256 of the phrase lists, extras, thresholds and vocabulary.
func (d *Detector) Version() string { return d.version }

// New compiles the phrase lists cfg names.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	data := defaultPhrases
	src := "built-in phrases"
	if cfg.PhrasesFile != "" {
		b, err := os.ReadFile(cfg.PhrasesFile)
		if err != nil {
			return nil, fmt.Errorf("reading intent phrases: %w", err)
		}
		data, src = b, cfg.PhrasesFile
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", src, err)
	}
	for name, langs := range cfg.Extra {
		if f.Intents == nil {
			f.Intents = map[string]map[string][]string{}
		}
		if f.Intents[name] == nil {
			f.Intents[name] = map[string][]string{}
		}
		for lang, ps := range langs {
			f.Intents[name][lang] = append(f.Intents[name][lang], ps...)
		}
	}
	d := &Detector{thresholds: map[string]float64{}, byLang: map[string]*phraseSet{}, negators: map[string]map[string]bool{}, vocab: newVocabIndex(cfg.Vocabulary)}
	for _, n := range Names {
		d.thresholds[n] = DefaultThreshold
	}
	for n, t := range cfg.Thresholds {
		d.thresholds[n] = t
	}
	for lang, words := range f.Negators {
		set := map[string]bool{}
		for _, w := range words {
			set[strings.ToLower(w)] = true
		}
		d.negators[lang] = set
	}
	names := make([]string, 0, len(f.Intents))
	for n := range f.Intents {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !known(name) {
			return nil, fmt.Errorf("%s: unknown intent %q", src, name)
		}
		for lang, ps := range f.Intents[name] {
			set := d.byLang[lang]
			if set == nil {
				set = newPhraseSet()
				d.byLang[lang] = set
			}
			for _, raw := range ps {
				p, err := parsePattern(lang, raw)
				if err != nil {
					return nil, fmt.Errorf("%s: %s/%s: %w", src, name, lang, err)
				}
				p.intent = intentIndex(name)
				d.vocab.bind(p)
				p.id = d.nextID()
				set.add(p)
			}
		}
	}
	if err := d.cues.compile(&f, d.vocab, d.byLang, d.nextID); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	// Phrases and cues for every language join each language's set, so
	// one lookup per token finds them all.
	if anySet := d.byLang["any"]; anySet != nil {
		for l, set := range d.byLang {
			if l != "any" {
				set.merge(anySet)
			}
		}
	}
	for l := range d.byLang {
		if l != "any" || len(d.byLang) == 1 {
			d.langs = append(d.langs, l)
		}
	}
	sort.Strings(d.langs)
	d.pool.New = func() any { return new(state) }
	h := sha256.New()
	h.Write(data)
	fmt.Fprint(h, cfg.Extra, d.thresholds, cfg.Vocabulary) // fmt prints maps sorted
	d.version = "rules-" + hex.EncodeToString(h.Sum(nil))[:12]
	return d, nil
}

// nextID numbers phrases and rules, so each counts once per text.
func (d *Detector) nextID() int {
	d.ids++
	return d.ids
}

func intentIndex(name string) int {
	for i, n := range Names {
		if n == name {
			return i
		}
	}
	return -1
}

// Detect returns the intents of text in language lang ("" or "unknown":
// every language's phrases apply). toks must be textnorm.Tokenize(text).
func (d *Detector) Detect(text, lang string, toks []textnorm.Token) []Match {
	ms, _ := d.DetectCues(text, lang, toks)
	return ms
}

// Cues are the cue classes a text holds ("past", "elsewhere", …: the
// classes of phrases.yaml).
type Cues struct {
	mask classSet
	bit  map[string]int
}

// Has reports whether the text holds cue class name.
func (c Cues) Has(name string) bool {
	b, ok := c.bit[name]
	return ok && c.mask.has(b)
}

// DetectCues is Detect that also returns the cue classes the text holds,
// for a caller that weighs other evidence by them.
func (d *Detector) DetectCues(text, lang string, toks []textnorm.Token) ([]Match, Cues) {
	st := d.pool.Get().(*state)
	defer d.pool.Put(st)
	toks = foldHant(toks, &st.hans)
	st.reset(text, toks)
	d.vocab.scan(st)
	sets := st.sets[:0]
	negs := st.negs[:0]
	if lang == "" || lang == "unknown" {
		for _, l := range d.langs {
			sets = append(sets, d.byLang[l])
		}
		for _, n := range d.negators {
			negs = append(negs, n)
		}
	} else {
		if s := d.byLang[lang]; s != nil {
			sets = append(sets, s)
		} else if s := d.byLang["any"]; s != nil {
			sets = append(sets, s)
		}
		if n := d.negators[lang]; n != nil {
			negs = append(negs, n)
		}
	}
	st.sets, st.negs = sets, negs
	d.cues.markBuiltins(st, lang, d.vocab, negs)
	cur := 0
	visit := func(p *pattern) {
		end, ok := p.matchAt(st, cur)
		if !ok {
			return
		}
		if p.cue >= 0 {
			st.mark(cur, end, p.cue)
			if p.cue == d.cues.opens && end < len(toks) && toks[end].Kind == textnorm.Word {
				st.clauseStart[end] = true // "si oui c'est combien": tried at end, after this
			}
			return
		}
		if p.weight > 0 && !p.negated && toks[cur].Kind != textnorm.Punct && negatedBefore(toks, cur, st.clauseStart, negs) {
			return
		}
		st.add(p.intent, p.id, p.weight, Span{Start: toks[cur].Start, End: toks[end-1].End, Text: text[toks[cur].Start:toks[end-1].End]})
	}
	for i := range toks {
		cur = i
		for _, set := range sets {
			set.each(toks[i].Text, st.vstart[i], visit)
		}
	}
	d.cues.markAfterCues(st, lang)
	d.cues.evaluate(st)
	var out []Match
	for k, name := range Names {
		score := st.score(k)
		if score >= d.thresholds[name] {
			out = append(out, Match{Name: name, Score: score, Evidence: st.evidence(k)})
		}
	}
	return out, Cues{mask: st.textMask, bit: d.cues.bit}
}

// negatedBefore reports whether a negator stands in the two words before
// token i within its clause.
func negatedBefore(toks []textnorm.Token, i int, clauseStart []bool, negs []map[string]bool) bool {
	for j, seen := i-1, 0; j >= 0 && seen < 2; j-- {
		if clauseStart[j+1] {
			return false
		}
		if toks[j].Kind == textnorm.Punct {
			continue
		}
		seen++
		for _, n := range negs {
			if n[toks[j].Text] {
				return true
			}
		}
	}
	return false
}

// state is the working memory of one Detect call (pooled).
type state struct {
	text        string
	toks        []textnorm.Token
	clauseStart []bool
	clauseOf    []int32 // clause index of every token
	clauses     []textnorm.Clause
	masks       []classSet // cue classes present, per clause
	textMask    classSet
	try         []uint64 // evaluate's bitmap of rules to try, kept for reuse
	hits        []hit
	vword       []uint64 // vocabulary classes of each token on its own
	vstart      []uint64 // ... and of the phrases starting at it
	vphr        []vocabHit
	sets        []*phraseSet
	negs        []map[string]bool
	matched     [6][]found
	// hans holds the text's tokens with traditional ideographs folded
	// (foldHant), reused from text to text
	hans []textnorm.Token
}

type found struct {
	id     int
	weight float64
	span   Span
}

// greetings are words that open a message without a comma before what it
// asks ("Hiya what would u charge", "hola se puede reservar"): the word
// after one opens a clause for phrase anchors.
var greetings = wordSet("hi", "hiya", "hello", "hey", "heya", "hej", "witam", "cześć", "siema", "sveiki", "labdien", "čau",
	"olá", "ola", "oi", "hola", "buenas", "bonjour", "salut", "coucou", "hallo", "moin", "servus")

// reset prepares st for text: clause starts for phrase anchors, and the
// clause of every token for rules (punctuation belongs to the clause it
// ends, so "?" is in the clause it asks).
func (st *state) reset(text string, toks []textnorm.Token) {
	st.text, st.toks = text, toks
	for k := range st.matched {
		st.matched[k] = st.matched[k][:0]
	}
	st.hits = st.hits[:0]
	st.textMask = classSet{}
	st.clauseStart = append(st.clauseStart[:0], true)
	for i, t := range toks {
		// a clause break (not a decimal comma), or a Spanish opening mark,
		// which opens the clause after it ("¿precio del de la foto?")
		opens := textnorm.BreaksClause(text, toks, i) || t.Kind == textnorm.Punct && (t.Text == "¿" || t.Text == "¡")
		st.clauseStart = append(st.clauseStart, opens)
	}
	if len(toks) > 1 && toks[0].Kind == textnorm.Word && greetings[strings.ToLower(toks[0].Text)] {
		st.clauseStart[1] = true // "Hiya what would u charge": the greeting opens nothing
	}
	st.clauses = textnorm.Clauses(text, toks, st.clauses)
	st.clauseOf = st.clauseOf[:0]
	c := 0
	for i := range toks {
		for c+1 < len(st.clauses) && i >= st.clauses[c+1].From {
			c++
		}
		st.clauseOf = append(st.clauseOf, int32(c))
	}
	n := max(len(st.clauses), 1)
	st.masks = st.masks[:0]
	for range n {
		st.masks = append(st.masks, classSet{})
	}
}

func (st *state) add(intent, id int, weight float64, sp Span) {
	for _, f := range st.matched[intent] {
		if f.id == id {
			return // a phrase or rule counts once
		}
	}
	st.matched[intent] = append(st.matched[intent], found{id, weight, sp})
}

func (st *state) score(k int) float64 {
	miss, damp := 1.0, 1.0
	for _, f := range st.matched[k] {
		if f.weight > 0 {
			miss *= 1 - f.weight
		} else {
			damp *= 1 + f.weight
		}
	}
	v := (1 - miss) * damp
	return float64(int(v*1000+0.5)) / 1000
}

// evidence returns up to three spans of intent k: the strongest phrases
// first, none overlapping a stronger one, in text order.
func (st *state) evidence(k int) []Span {
	fs := append([]found(nil), st.matched[k]...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].weight > fs[j].weight })
	var out []Span
	for _, f := range fs {
		if f.weight <= 0.2 || len(out) == 3 {
			continue // weak context cues ("?", a product name) are not evidence
		}
		overlaps := false
		for _, o := range out {
			overlaps = overlaps || (f.span.Start < o.End && o.Start < f.span.End)
		}
		if !overlaps {
			out = append(out, f.span)
		}
	}
	if len(out) == 0 && len(fs) > 0 && fs[0].weight > 0 {
		out = append(out, fs[0].span)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// element is one step of a pattern.
type element struct {
	text   string
	prefix bool   // stem*
	gap    bool   // ~
	anchor bool   // ^
	end    bool   // $: the clause ends here (twenty-seventh round)
	class  string // {class}
	vbit   int    // the class's vocabulary bit, -1 when no vocabulary fills it
}

type pattern struct {
	raw     string
	elems   []element
	weight  float64
	intent  int
	id      int
	cue     int  // cue class bit for cue patterns, -1 for phrases
	negated bool // the phrase itself contains a negation; skip the negator guard
}

// parsePattern reads "words = weight" (weight 0.6 when omitted).
func parsePattern(lang, raw string) (*pattern, error) {
	text, wtxt, hasW := strings.Cut(raw, "=")
	p := &pattern{raw: raw, weight: 0.6, cue: -1}
	if hasW {
		w, err := strconv.ParseFloat(strings.TrimSpace(wtxt), 64)
		if err != nil || w == 0 || w > 1 || w < -1 {
			return nil, fmt.Errorf("phrase %q: weight must be a number in [-1, 1] other than 0", raw)
		}
		p.weight = w
	}
	for _, word := range strings.Fields(strings.ToLower(text)) {
		switch {
		case word == "~":
			p.elems = append(p.elems, element{gap: true})
		case word == "^":
			p.elems = append(p.elems, element{anchor: true})
		case word == "$":
			p.elems = append(p.elems, element{end: true})
		case strings.HasPrefix(word, "{") && strings.HasSuffix(word, "}") && len(word) > 2:
			p.elems = append(p.elems, element{class: word[1 : len(word)-1], vbit: -1})
		case strings.HasSuffix(word, "*") && len(word) > 1:
			p.elems = append(p.elems, element{text: foldHantString(strings.TrimSuffix(word, "*")), prefix: true})
		default:
			for _, t := range textnorm.Tokenize(word, nil) {
				p.elems = append(p.elems, element{text: foldHantString(t.Text)})
			}
		}
	}
	// A leading anchor is checked at the first word; drop trailing gaps.
	for len(p.elems) > 0 && p.elems[len(p.elems)-1].gap {
		p.elems = p.elems[:len(p.elems)-1]
	}
	first := 0
	if len(p.elems) > 0 && p.elems[0].anchor {
		first = 1
	}
	if len(p.elems) <= first || p.elems[first].gap || p.elems[first].anchor || p.elems[first].end {
		return nil, fmt.Errorf("phrase %q: must start with a word", raw)
	}
	for _, e := range p.elems {
		if isNegationWord(lang, e.text) {
			p.negated = true
		}
	}
	return p, nil
}

// isNegationWord spots phrases that are about negation themselves
// ("not working", "can't log in") so the negator guard leaves them alone.
func isNegationWord(lang, w string) bool {
	switch w {
	case "not", "no", "can't", "cannot", "don't", "doesn't", "won't", "isn't", "nie", "não", "nao", "ne", "pas", "nicht", "kein", "keine", "non", "nav", "nevaru", "nestrādā", "nedarbojas", "不", "没", "无", "未":
		return true
	}
	return false
}

// matchAt tries the pattern at token i of st's text and returns the end
// token (exclusive).
func (p *pattern) matchAt(st *state, i int) (int, bool) {
	elems := p.elems
	if elems[0].anchor {
		if !st.clauseStart[i] {
			return 0, false
		}
		elems = elems[1:]
	}
	return matchFrom(elems, st, i)
}

func matchFrom(elems []element, st *state, i int) (int, bool) {
	if len(elems) == 0 {
		return i, true
	}
	toks := st.toks
	e := elems[0]
	if e.end {
		// the clause ends: at the text's end or a clause break (punctuation
		// tokens are one rune; "?", "！" are breaks): "bono de 10 sesiones
		// cuanto es", "十次卡多少？"
		if i == len(toks) || textnorm.BreaksClause(st.text, toks, i) {
			return matchFrom(elems[1:], st, i)
		}
		return 0, false
	}
	if e.gap {
		for skip := 0; skip <= 3 && i+skip <= len(toks); skip++ {
			if skip > 0 {
				if textnorm.BreaksClause(st.text, toks, i+skip-1) {
					break
				}
			}
			if end, ok := matchFrom(elems[1:], st, i+skip); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i >= len(toks) {
		return 0, false
	}
	if e.class != "" {
		n := st.vocabLen(i, e.vbit)
		if n == 0 {
			return 0, false
		}
		return matchFrom(elems[1:], st, i+n)
	}
	if !e.matches(toks[i].Text) {
		return 0, false
	}
	return matchFrom(elems[1:], st, i+1)
}

func (e element) matches(tok string) bool {
	if e.prefix {
		return strings.HasPrefix(tok, e.text)
	}
	return tok == e.text || (e.text == "?" && tok == "？")
}

// phraseSet indexes patterns by their first word.
type phraseSet struct {
	exact    map[string][]*pattern
	prefixes textnorm.StemIndex[[]*pattern]
	byClass  [maxVocab][]*pattern // patterns starting with a {class}, by vocabulary bit
}

func newPhraseSet() *phraseSet {
	return &phraseSet{exact: map[string][]*pattern{}}
}

func (s *phraseSet) add(p *pattern) {
	e := p.elems[0]
	if e.anchor {
		e = p.elems[1]
	}
	if e.class != "" {
		if e.vbit >= 0 {
			s.byClass[e.vbit] = append(s.byClass[e.vbit], p)
		}
		return // a class no vocabulary fills never matches
	}
	if e.prefix {
		ps, _ := s.prefixes.Get(e.text)
		s.prefixes.Add(e.text, append(ps, p))
		return
	}
	s.exact[e.text] = append(s.exact[e.text], p)
	if e.text == "?" {
		s.exact["？"] = append(s.exact["？"], p)
	}
}

// merge adds every pattern of o.
func (s *phraseSet) merge(o *phraseSet) {
	seen := map[*pattern]bool{}
	visit := func(ps []*pattern) {
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				s.add(p)
			}
		}
	}
	keys := func(m map[string][]*pattern) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, k := range keys(o.exact) {
		visit(o.exact[k])
	}
	o.prefixes.All(func(_ string, ps []*pattern) { visit(ps) })
	for _, ps := range o.byClass {
		visit(ps)
	}
}

// each calls fn for every pattern whose first word can match tok; vbits
// are the vocabulary classes found at tok.
func (s *phraseSet) each(tok string, vbits uint64, fn func(*pattern)) {
	for _, p := range s.exact[tok] {
		fn(p)
	}
	s.prefixes.Each(tok, func(_ string, ps []*pattern) {
		for _, p := range ps {
			fn(p)
		}
	})
	for vbits != 0 {
		b := bits.TrailingZeros64(vbits)
		vbits &^= 1 << b
		for _, p := range s.byClass[b] {
			fn(p)
		}
	}
}

// Threshold returns the score from which intent name is reported.
func (d *Detector) Threshold(name string) float64 { return d.thresholds[name] }
