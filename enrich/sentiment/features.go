package sentiment

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

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
	seedPlain  uint32 = 0x5bd1e995 // the register copy (Features.Register)
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
	// Compose adds composition features: the lexicon polarity of the part
	// after the last contrastive conjunction ("good machine, but it
	// leaks"), which usually carries the writer's verdict.
	Compose bool
	// Routine adds the routine features: how many cues of a routine or
	// scheduled fact a text has (lexicon terms written "= term": every six
	// weeks, booked for Thursday, will call when; a clock time), and
	// whether it has them with no opinion word. Such facts are neutral,
	// while the time words in them also fill delay complaints.
	Routine bool
	// LangMeta adds a copy of the meta features and of the constant per
	// language: what a lexicon count or "no opinion word" says may differ
	// between tweets in one language and written feedback in another
	// (an implicit complaint has no opinion word; a tweet without one is
	// mostly neutral), and the shared copy alone forces one reading on all.
	LangMeta bool
	// Gone makes a word of disappearing (lexicon "~ term") undo the last
	// complaint of its clause ("the coffee stain vanished": a negated
	// complaint, good news); with none before it, it is a complaint ("the
	// parcel vanished"), as it is without Gone.
	Gone bool
	// ArNorm folds Arabic spelling variants in the n-gram words: tatweel
	// and short-vowel marks go, alef with hamza or madda is alef, alef
	// maksura is yeh, teh marbuta is heh (tweets write them either way).
	ArNorm bool
	// HashSplit adds the parts of a word joined by underscores (hashtags:
	// #أحقر_الناس, #buen_dia) as words of their own.
	HashSplit bool
	// Clitics finds a lexicon term behind a proclitic (Arabic و, ب, ال:
	// "والفساد" is "الفساد", "بالتوفيق" "التوفيق").
	Clitics bool
	// Register adds, to a text with no social marker (socialMarker: no
	// @user, #tag, link or RT), a second copy of its word and bigram
	// features, conjoined with its language and hashed apart. Tweets and
	// written feedback read the same words differently (a plain fact is
	// mostly neutral in a tweet and often a complaint in a review), and in
	// Portuguese the tweets won every shared weight: each UMSAB pt tweet
	// carries a marker, almost no written text does. The copy lets written
	// text learn its own reading without moving the tweets' weights, and
	// it is decided from the text alone, in training and at inference.
	// Models without the flag (all before the tenth round) extract what
	// they always did.
	Register bool
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
	metaTailPos // composition (Features.Compose): polarity after "but"
	metaTailNeg
	metaRoutine     // routine features (Features.Routine): routine cues
	metaRoutineOnly // routine cues and no opinion word
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
const negationScope = 4

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
	sc.norm = append(sc.norm[:0], ' ')
	sc.words = sc.words[:0]
	sc.neg = sc.neg[:0]
	w := tokenWalk{text: text, toks: toks, lx: lx, emo: e.lex["emoji"], sc: sc, lastHan: -10, compose: e.feat.Compose, routine: e.feat.Routine, gone: e.feat.Gone, lastNeg: -1, arNorm: e.feat.ArNorm, hashSplit: e.feat.HashSplit, clitics: e.feat.Clitics}
	for i := 0; i < len(toks); i++ {
		switch toks[i].Kind {
		case textnorm.Word, textnorm.Hashtag:
			i = w.word(i)
		case textnorm.Han:
			i = w.han(i)
		case textnorm.Mention:
			w.emit("@user", false)
			sc.norm = append(sc.norm, '@', ' ')
		case textnorm.URL:
			w.emit("url", false)
		case textnorm.Emoji:
			switch pol, _ := w.emo.word(toks, i); pol {
			case polPositive:
				w.sig.EmoPos++
				w.tail.EmoPos++
			case polNegative:
				w.sig.EmoNeg++
				w.tail.EmoNeg++
			}
			w.emit(toks[i].Text, false)
		case textnorm.Punct:
			w.punct(toks[i].Text)
		}
	}
	meta := w.metaFeatures()
	if !lexicalOnly {
		e.ngrams(sc, code, e.feat.Register && !socialMarker(text))
	}
	for k, x := range meta {
		if x != 0 {
			sc.v.add((seedMeta+uint32(k)*2654435761)&e.mask, x)
		}
	}
	sc.v.add(seedMeta&e.mask, 1) // bias-like constant shared by all texts
	if e.feat.LangMeta && !lexicalOnly && code != "" {
		ls := hashString(seedMeta^seedLang, code)
		for k, x := range meta {
			if x != 0 {
				sc.v.add((ls+uint32(k)*2654435761)&e.mask, x)
			}
		}
		sc.v.add((ls^0x9e3779b9)&e.mask, 1) // the constant of this language
	}
	return w.sig
}

// tokenWalk is one pass of extract over the tokens: the lexicon counts, the
// negation scope, and the words and normalized text the n-grams are built from.
type tokenWalk struct {
	text    string
	toks    []textnorm.Token
	lx, emo *lexicon
	sc      *scratch
	sig     Signals
	meta    [numMeta]float32
	scope   int // words a negator still reaches
	lastHan int // index of the last Han token, to space runs apart
	caps    int // all-caps words
	// compose (Features.Compose) tracks the signals after the last
	// contrastive conjunction in tail.
	compose, contrast bool
	tail              Signals
	// routine (Features.Routine) counts routine cues in cues.
	routine bool
	cues    int
	// gone (Features.Gone): lastNeg is the word index of the clause's last
	// complaint not negated (-1 for none), negInTail whether it was counted
	// in tail too.
	gone      bool
	lastNeg   int
	negInTail bool
	// carrier: a complaint that carries a negation (lexicon "/ term") is
	// pending while its scope lasts; carrierInTail whether it was counted
	// in tail too.
	carrier, carrierInTail bool
	// arNorm, hashSplit and clitics: Features.ArNorm, HashSplit and
	// Clitics.
	arNorm, hashSplit, clitics bool
}

// emit appends one word for the n-grams.
func (w *tokenWalk) emit(word string, negated bool) {
	w.sc.words = append(w.sc.words, word)
	w.sc.neg = append(w.sc.neg, negated)
}

// count adds a lexicon hit of polarity pol to the signals.
func (w *tokenWalk) count(pol int8, negated bool) {
	w.sig.count(pol, negated)
	w.tail.count(pol, negated)
}

// count adds one lexicon word of polarity pol (negated or not).
func (s *Signals) count(pol int8, negated bool) {
	switch pol {
	case polPositive:
		if negated {
			s.NegatedPos++
		} else {
			s.Pos++
		}
	case polNegative:
		if negated {
			s.NegatedNeg++
		} else {
			s.Neg++
		}
	}
}

// contrastAt starts a new tail when a contrastive conjunction opens a
// clause at token i ("ale", "bet", "mas", 但是).
func (w *tokenWalk) contrastAt(i int) {
	t := w.toks[i]
	if !w.compose || i == 0 {
		return
	}
	if (t.Kind == textnorm.Word && textnorm.IsContrastive(t.Text)) || (t.Kind == textnorm.Han && textnorm.IsHanContrastiveAt(w.text, t.Start)) {
		w.contrast, w.tail = true, Signals{}
		w.negInTail, w.carrierInTail = false, false
	}
}

// word handles the word or hashtag at i (and the rest of a multi-word
// lexicon term) and returns the index of the last token it consumed.
func (w *tokenWalk) word(i int) int {
	t, sc := w.toks[i], w.sc
	word, long := squash(t.Text)
	if long {
		w.meta[metaElongated] = 1
	}
	spelt := word // as written: the lexicons list Arabic terms unfolded
	if w.arNorm {
		word = foldArabic(word)
	}
	if t.Kind == textnorm.Word && t.End-t.Start >= 3 && isUpper(w.text[t.Start:t.End]) {
		w.caps++
	}
	negated := w.scope > 0
	if w.scope > 0 {
		w.scope--
	}
	w.contrastAt(i)
	pol, span := w.lx.word(w.toks, i)
	if (pol == polPositive || pol == polNegative) && w.carrier && negated {
		w.dropCarrier() // "nikt nie narzekał": the carrier only negates
	}
	if w.scope == 0 {
		w.carrier = false
	}
	if pol == polCarrier {
		pol, w.scope = polNegative, negationScope
		w.carrier, w.carrierInTail = true, true
	}
	if pol == polGone {
		pol = w.goneWord()
	}
	if pol == polRoutine {
		if w.routine {
			w.cues++
		}
		pol = 0
	} else if w.routine && isClockAt(w.toks, i) {
		w.cues++
	}
	if pol == 0 && w.clitics {
		pol = w.lx.cliticWord(spelt)
	}
	if pol == polNegator {
		w.scope = negationScope
	}
	if pol == 0 {
		// "nečīkst", "nesalaboja": the prefix negates the listed word. A
		// negator before it agrees rather than cancels (Latvian negative
		// concord: "nekas netek", nothing leaks).
		if p := w.lx.prefixNegated(word); p != 0 {
			pol, negated = p, true
		}
	}
	w.count(pol, negated)
	if pol == 0 && strings.HasSuffix(word, "n't") {
		w.scope = negationScope
	}
	w.noteNeg(pol, negated)
	w.emit(word, negated)
	if w.hashSplit && strings.IndexByte(word, '_') > 0 {
		for _, part := range strings.Split(word, "_") {
			if part != "" {
				w.emit(part, negated)
			}
		}
	}
	sc.norm = appendRunes(sc.norm, word)
	sc.norm = append(sc.norm, ' ')
	for k := 1; k < span && i+1 < len(w.toks); k++ {
		i++
		w2, _ := squash(w.toks[i].Text)
		w.emit(w2, negated)
		sc.norm = appendRunes(sc.norm, w2)
		sc.norm = append(sc.norm, ' ')
	}
	return i
}

// han handles the Han token at i: a lexicon term starting there is taken
// whole (so "不推荐" counts once); it returns the last token consumed.
func (w *tokenWalk) han(i int) int {
	t, sc := w.toks[i], w.sc
	if w.lastHan != i-1 && len(sc.norm) > 0 && sc.norm[len(sc.norm)-1] != ' ' {
		sc.norm = append(sc.norm, ' ')
	}
	w.lastHan = i
	w.contrastAt(i)
	if w.routine && i > 0 && isHanClock(t.Text) && w.toks[i-1].Kind == textnorm.Word && isDigits(w.toks[i-1].Text) {
		w.cues++ // 3点, 14号: a time or a date
	}
	if pol, n := w.lx.hanAt(w.text, t.Start); pol != 0 {
		negated := w.scope > 0
		if pol == polCarrier {
			pol = polNegative // a Chinese term negates with its own negators (不, 没)
		}
		if pol == polGone {
			pol = w.goneWord()
		}
		switch pol {
		case 0: // a word of disappearing that undid a complaint
		case polRoutine:
			if w.routine {
				w.cues++
			}
		case polNegator:
			w.scope = 2
		default:
			w.count(pol, negated)
			w.noteNeg(pol, negated)
			w.scope = 0
		}
		j := i
		for j+1 < len(w.toks) && w.toks[j+1].Start < t.Start+n {
			j++
		}
		term := w.text[t.Start:w.toks[j].End]
		sc.norm = appendRunes(sc.norm, term)
		w.emit(term, negated)
		return j
	}
	if w.scope > 0 {
		w.scope--
	}
	sc.norm = appendRunes(sc.norm, t.Text)
	w.emit(t.Text, false)
	return i
}

// punct notes ! and ? and ends the negation scope at a clause break.
func (w *tokenWalk) punct(p string) {
	switch p {
	case "!", "！":
		w.meta[metaExclaim] = 1
	case "?", "？":
		w.meta[metaQuestion] = 1
	}
	if textnorm.IsClauseBreak(p) {
		w.scope = 0
		w.lastNeg = -1
		w.carrier = false
		if p == "!" || p == "?" {
			w.emit(p, false)
		}
	}
}

// dropCarrier takes back the complaint a carrier counted ("nikt nie"
// before "narzekał"): it negated the word after it instead.
func (w *tokenWalk) dropCarrier() {
	w.carrier = false
	w.sig.Neg--
	if w.carrierInTail {
		w.tail.Neg--
	}
}

// noteNeg remembers a complaint not negated, for a word of disappearing
// after it (Features.Gone); the word is the next one emitted.
func (w *tokenWalk) noteNeg(pol int8, negated bool) {
	if w.gone && pol == polNegative && !negated {
		w.lastNeg, w.negInTail = len(w.sc.words), true
	}
}

// goneWord handles a word of disappearing and returns the polarity it
// counts with: without Features.Gone or with no complaint before it in the
// clause, a complaint; after one, nothing, and that complaint becomes a
// negated one ("plama zniknęła").
func (w *tokenWalk) goneWord() int8 {
	if !w.gone || w.lastNeg < 0 {
		return polNegative
	}
	w.sig.Neg--
	w.sig.NegatedNeg++
	if w.negInTail {
		w.tail.Neg--
		w.tail.NegatedNeg++
	}
	w.sc.neg[w.lastNeg] = true
	w.lastNeg = -1
	return 0
}

// metaFeatures completes the language-independent features from the counts.
func (w *tokenWalk) metaFeatures() [numMeta]float32 {
	meta := w.meta
	if w.contrast {
		// What follows "but" is the verdict: when it has lexicon evidence,
		// the evidence before it no longer counts ("nice design, but it
		// leaks" is a complaint, "slow delivery, but a great machine" praise).
		switch tp := w.tail.Polarity(); {
		case tp > 0:
			meta[metaTailPos] = 1
			w.sig = w.tail
		case tp < 0:
			meta[metaTailNeg] = 1
			w.sig = w.tail
		}
	}
	sig := w.sig
	if w.caps > 0 {
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
	if w.cues > 0 {
		meta[metaRoutine] = squashCount(w.cues)
		if meta[metaNoLexicon] == 1 {
			meta[metaRoutineOnly] = 1
		}
	}
	return meta
}

// isClockAt reports whether the word at i is a clock time: "19h", "19h30",
// or "19" followed by ":" and digits.
func isClockAt(toks []textnorm.Token, i int) bool {
	w := toks[i].Text
	if w == "" || w[0] < '0' || w[0] > '9' {
		return false
	}
	if h, m, ok := strings.Cut(w, "h"); ok && isDigits(h) && len(h) <= 2 && (m == "" || (isDigits(m) && len(m) == 2)) {
		return true
	}
	return isDigits(w) && len(w) <= 2 && i+2 < len(toks) && toks[i+1].Text == ":" && toks[i+2].Kind == textnorm.Word && len(toks[i+2].Text) == 2 && isDigits(toks[i+2].Text)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isHanClock reports whether a Han character after a number makes it a
// time of day or a day of the month.
func isHanClock(s string) bool {
	switch s {
	case "点", "點", "号", "號":
		return true
	}
	return false
}

func squashCount(n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(math.Log1p(float64(n)))
}

// socialMarker reports whether text carries a mark of social media: a
// mention (@user) or hashtag (# or @ before a letter, digit or _), a link
// (a word starting with http, as the UMSAB tweets write every link, or
// www.), or the word RT. Emoji are not one: written feedback uses them
// too. It reads the whole text, not a clause's tokens, so a clause of a
// tweet is read as a tweet.
func socialMarker(text string) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '@', '#':
			if r, _ := utf8.DecodeRuneInString(text[i+1:]); r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
				return true
			}
		case 'h', 'H':
			if hasPrefixFold(text[i:], "http") && !letterAt(text, i-1) {
				return true
			}
		case 'w', 'W':
			if hasPrefixFold(text[i:], "www.") {
				return true
			}
		case 'R':
			if strings.HasPrefix(text[i:], "RT") && !letterAt(text, i-1) && !letterAt(text, i+2) {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix is lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] && s[i] != prefix[i] {
			return false
		}
	}
	return true
}

// letterAt reports whether text has an ASCII letter or digit at byte i.
func letterAt(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return false
	}
	c := text[i] | 0x20
	return (c >= 'a' && c <= 'z') || (text[i] >= '0' && text[i] <= '9')
}

// ngrams adds word unigrams (negation-marked), word bigrams and character
// n-grams, each block weighted to unit norm (the character block then
// scaled by CharWeight); plain (Features.Register, a text with no social
// marker) adds the register copy of the words and bigrams.
func (e *extractor) ngrams(sc *scratch, code string, plain bool) {
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
		if plain {
			sc.v.add(hashString(seed^langSeed^seedPlain, w)&e.mask, 1)
		}
		if i > 0 {
			b := hashMore(hashString(seedBigram, sc.words[i-1]), w)
			sc.v.add(b&e.mask, 1)
			if plain {
				sc.v.add((b^seedPlain)&e.mask, 1)
			}
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

// foldArabic folds the Arabic spelling variants tweets mix (Features.ArNorm):
// tatweel and short-vowel marks are dropped, alef with hamza or madda
// becomes alef, alef maksura yeh and teh marbuta heh. A word without Arabic
// letters is returned as it is.
func foldArabic(s string) string {
	arabic := false
	for i := 0; i < len(s); i++ {
		if s[i] == 0xD8 || s[i] == 0xD9 {
			arabic = true
			break
		}
	}
	if !arabic {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0x640 || (r >= 0x64B && r <= 0x652) || r == 0x670:
			continue
		case r == 0x622 || r == 0x623 || r == 0x625 || r == 0x671:
			r = 0x627
		case r == 0x649:
			r = 0x64A
		case r == 0x629:
			r = 0x647
		}
		b.WriteRune(r)
	}
	return b.String()
}
