package intent

import (
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// Rules generalise beyond listed phrases. A cue class is a set of phrases
// per language that mean one thing ("buy": buy, kupić, nopirkt, 买, ...;
// "seek": looking for, szukam, meklēju, procuro, ...). Besides the classes
// phrases.yaml lists, there are built-in ones: "question" (a question
// mark), "negation" (a negator of the language), "count" (a number in
// digits, see isCount), "you" (a question addressed to the business in the
// second person, see address.go), "provider" (an agent or supplier noun
// after a "seek" cue, see provider.go) and every vocabulary
// class the rules name (brand, product, competitor, feature, price from
// the taxonomy).
//
// A rule is groups joined by "&", each group classes joined by "+":
//
//	seek + domain + !negation = 0.8
//	money & question & domain & !too = 0.75
//
// A group holds when one clause has every class of it ("a|b" is either)
// and none of its "!" classes; a group of only "!" classes holds when the
// whole text has none of them. A rule holds when all its groups do, and
// then adds its weight to its intent like a phrase; negative weights
// suppress. The evidence is the span of the first group's cues.
//
// A mask (phrases.yaml "masks: class: [classes]") lets a phrase that holds
// a cue word without its sense hide it: the hits of the listed classes
// that a hit of the class covers are dropped before the rules are tried
// ("if poss" is askif, and its "if" no hypothetical).

// maxClasses bounds the cue classes (they are bits of a classSet).
const maxClasses = 256

// classSet is a set of cue classes by bit: four words, so 256 classes fit
// and a test is still four ANDs (the twenty-second round's classes passed
// 128, the thirty-ninth's 192).
type classSet [4]uint64

func bitSet(b int) classSet {
	var s classSet
	s[b>>6] = 1 << (b & 63)
	return s
}

func (s *classSet) add(b int) { s[b>>6] |= 1 << (b & 63) }

func (s classSet) has(b int) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s classSet) or(o classSet) classSet {
	return classSet{s[0] | o[0], s[1] | o[1], s[2] | o[2], s[3] | o[3]}
}

// size is how many classes s holds.
func (s classSet) size() int {
	return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) + bits.OnesCount64(s[2]) + bits.OnesCount64(s[3])
}

// meets reports whether s and o share a class.
func (s classSet) meets(o classSet) bool {
	return s[0]&o[0] != 0 || s[1]&o[1] != 0 || s[2]&o[2] != 0 || s[3]&o[3] != 0
}

// Built-in classes.
const (
	classQuestion = "question"
	classNegation = "negation"
	classCount    = "count"
	classYou      = "you"
	classProvider = "provider"
	classKnow     = "know"
	classSeek     = "seek"
	// classQuoted marks a question mark closed by a quotation mark: an ask
	// quoted back ("is this still available?" 😂 it's the moon), not asked
	classQuoted = "quoted"
)

// builtinClasses are the classes the code marks itself; a phrase file may
// not list cues for them.
var builtinClasses = map[string]bool{
	classQuestion: true, classNegation: true, classCount: true, classYou: true, classProvider: true, classQuoted: true,
}

type rule struct {
	raw    string
	intent int
	id     int
	weight float64
	groups []group
}

// group is one clause-level conjunction: every term (a set of class bits,
// any of which will do) present, no bit of neg present.
type group struct {
	terms []classSet
	neg   classSet
}

// cueBook holds the cue classes and rules. Cue patterns live in the
// Detector's phrase sets (pattern.cue is their class bit).
type cueBook struct {
	names []string
	bit   map[string]int
	vocab []vocabClass // vocabulary classes the rules use
	rules []*rule
	// tryFor[bit] marks the rules a text with class bit may meet, alwaysTry
	// those any text may (bitmaps over rules; see indexRules).
	tryFor    [][]uint64
	alwaysTry []uint64
	question  int
	negation  int
	count     int
	you       int
	provider  int
	quoted    int // a question mark a quotation mark closes
	seek      int // the cue class "seek", -1 when no file lists it
	know      int // the cue class "know" (anyone know a…), -1 when none lists it
	// elsewhere is the cue class "elsewhere" (a purchase not of ours),
	// marked on German ticket compounds too; -1 when none lists it
	elsewhere int
	// opens is the cue class "ifso" (if so, si oui, wenn ja): a hit of it
	// opens a clause for anchored phrases after it, as a comma would ("si
	// oui c'est combien"); -1 when none lists it
	opens int
	weak  classSet // classes that are context, not evidence
	masks []mask
}

// mask is a cue class whose hits hide the hits of other classes they
// cover: a phrase that holds a cue word without its sense.
type mask struct {
	by    int
	hides classSet
	// everywhere are the classes hidden in the whole text, not only
	// where the mask's hit covers them (listed with a leading "*": a CV
	// to be written makes "applying for jobs" the buyer's own search)
	everywhere classSet
}

// listedBit is the bit of a cue class a phrase file may not list (a
// built-in rule looks for it), or -1 when none lists it.
func (b *cueBook) listedBit(class string) int {
	if i, ok := b.bit[class]; ok {
		return i
	}
	return -1
}

// vocabClass maps a vocabulary bit to the cue class bit rules know it by.
type vocabClass struct {
	vbit, bit int
}

func (b *cueBook) classBit(name string) int {
	if i, ok := b.bit[name]; ok {
		return i
	}
	b.bit[name] = len(b.names)
	b.names = append(b.names, name)
	return len(b.names) - 1
}

// compile reads the cues, aliases and rules of f.
func (b *cueBook) compile(f *file, vocab *vocabIndex, sets map[string]*phraseSet, nextID func() int) error {
	b.bit = map[string]int{}
	b.question = b.classBit(classQuestion)
	b.negation = b.classBit(classNegation)
	b.count = b.classBit(classCount)
	b.you = b.classBit(classYou)
	b.provider = b.classBit(classProvider)
	b.quoted = b.classBit(classQuoted)
	b.weak = bitSet(b.question).or(bitSet(b.negation))
	langs := make([]string, 0, len(f.Cues))
	for l := range f.Cues {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		classes := make([]string, 0, len(f.Cues[lang]))
		for c := range f.Cues[lang] {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		for _, class := range classes {
			if builtinClasses[class] || vocab.bitOf(class) >= 0 || isVocabName(class) {
				return fmt.Errorf("cues %s/%s: %q is a built-in class", lang, class, class)
			}
			bit := b.classBit(class)
			set := sets[lang]
			if set == nil {
				set = newPhraseSet()
				sets[lang] = set
			}
			for _, raw := range f.Cues[lang][class] {
				p, err := parsePattern(lang, raw)
				if err != nil {
					return fmt.Errorf("cues %s/%s: %w", lang, class, err)
				}
				if strings.Contains(raw, "=") {
					return fmt.Errorf("cues %s/%s: %q: cues take no weight", lang, class, raw)
				}
				p.intent, p.cue = -1, bit
				vocab.bind(p)
				set.add(p)
			}
		}
	}
	if len(b.names) > maxClasses {
		return fmt.Errorf("%d cue classes, at most %d", len(b.names), maxClasses)
	}
	// one bit of a class, refused past maxClasses (the vocabulary classes
	// the rules name are registered after the cues)
	one := func(i int) (classSet, error) {
		if i >= maxClasses {
			return classSet{}, fmt.Errorf("%d cue classes, at most %d", i+1, maxClasses)
		}
		return bitSet(i), nil
	}
	// resolve turns a class or alias name into bits, registering the
	// vocabulary classes the rules use.
	var resolve func(name string, depth int) (classSet, error)
	resolve = func(name string, depth int) (classSet, error) {
		if depth > 4 {
			return classSet{}, fmt.Errorf("alias %q nests too deep", name)
		}
		if members, ok := f.Aliases[name]; ok {
			var bits classSet
			for _, m := range members {
				x, err := resolve(m, depth+1)
				if err != nil {
					return classSet{}, err
				}
				bits = bits.or(x)
			}
			return bits, nil
		}
		if i, ok := b.bit[name]; ok {
			return one(i)
		}
		if vb := vocab.bitOf(name); vb >= 0 {
			i := b.classBit(name)
			b.vocab = append(b.vocab, vocabClass{vbit: vb, bit: i})
			return one(i)
		}
		// A vocabulary class the configuration does not fill (no
		// taxonomy) never matches, like {class} in phrases.
		if isVocabName(name) {
			return one(b.classBit(name))
		}
		return classSet{}, fmt.Errorf("unknown class %q", name)
	}
	b.seek, b.know, b.elsewhere = b.listedBit(classSeek), b.listedBit(classKnow), b.listedBit("elsewhere")
	b.opens = b.listedBit("ifso")
	if err := b.compileMasks(f.Masks); err != nil {
		return err
	}
	intents := make([]string, 0, len(f.Rules))
	for n := range f.Rules {
		intents = append(intents, n)
	}
	sort.Strings(intents)
	for _, name := range intents {
		if !known(name) {
			return fmt.Errorf("rules: unknown intent %q", name)
		}
		for _, raw := range f.Rules[name] {
			r, err := parseRule(raw, resolve)
			if err != nil {
				return fmt.Errorf("rules/%s: %w", name, err)
			}
			r.intent = intentIndex(name)
			r.id = nextID()
			b.rules = append(b.rules, r)
		}
	}
	b.indexRules()
	return nil
}

// compileMasks reads the masks: each class and the classes it hides must
// be classes the cues list.
func (b *cueBook) compileMasks(masks map[string][]string) error {
	names := make([]string, 0, len(masks))
	for n := range masks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		by := b.listedBit(name)
		if by < 0 {
			return fmt.Errorf("masks: %q is no cue class", name)
		}
		m := mask{by: by}
		for _, h := range masks[name] {
			wide := strings.HasPrefix(h, "*")
			h = strings.TrimPrefix(h, "*")
			bit := b.listedBit(h)
			if bit < 0 || builtinClasses[h] || bit == by {
				return fmt.Errorf("masks/%s: %q is no other cue class", name, h)
			}
			m.hides.add(bit)
			if wide {
				m.everywhere.add(bit)
			}
		}
		b.masks = append(b.masks, m)
	}
	return nil
}

// applyMasks drops the hits a mask's hits cover and marks the clauses
// again from the hits left. Texts without a mask's class pay one test.
func (b *cueBook) applyMasks(st *state) {
	changed := false
	for _, m := range b.masks {
		if !st.textMask.has(m.by) || !st.textMask.meets(m.hides) {
			continue
		}
		var covers [][2]int
		for _, h := range st.hits {
			if int(h.bit) == m.by {
				covers = append(covers, [2]int{h.start, h.end})
			}
		}
		kept := st.hits[:0]
		for _, h := range st.hits {
			if m.everywhere.has(int(h.bit)) || m.hides.has(int(h.bit)) && covered(covers, h.start, h.end) {
				changed = true
				continue
			}
			kept = append(kept, h)
		}
		st.hits = kept
	}
	if !changed {
		return
	}
	st.textMask = classSet{}
	for c := range st.masks {
		st.masks[c] = classSet{}
	}
	for _, h := range st.hits {
		st.masks[h.clause].add(int(h.bit))
		st.textMask.add(int(h.bit))
	}
}

func covered(spans [][2]int, start, end int) bool {
	for _, s := range spans {
		if s[0] <= start && end <= s[1] {
			return true
		}
	}
	return false
}

// indexRules lets evaluate try only the rules a text can meet. A rule
// holds only if some clause meets every term of each of its groups, so
// only if the text's classes meet each term; a text meets a few dozen of
// the classes, and most rules key on a class it lacks. Each rule is filed
// under the classes of its narrowest term (rules made only of absent
// classes are always tried); evaluate tries the rules filed under the
// text's classes, in their order in the book.
func (b *cueBook) indexRules() {
	words := (len(b.rules) + 63) / 64
	b.alwaysTry = make([]uint64, words)
	b.tryFor = make([][]uint64, maxClasses)
	for i, r := range b.rules {
		key, ok := r.narrowestTerm()
		if !ok {
			b.alwaysTry[i>>6] |= 1 << (i & 63)
			continue
		}
		for bit := range maxClasses {
			if !key.has(bit) {
				continue
			}
			if b.tryFor[bit] == nil {
				b.tryFor[bit] = make([]uint64, words)
			}
			b.tryFor[bit][i>>6] |= 1 << (i & 63)
		}
	}
}

// narrowestTerm is the term of r with the fewest classes, if r has one.
func (r *rule) narrowestTerm() (classSet, bool) {
	var key classSet
	best := -1
	for _, g := range r.groups {
		for _, t := range g.terms {
			if n := t.size(); best < 0 || n < best {
				key, best = t, n
			}
		}
	}
	return key, best >= 0
}

// isVocabName reports whether name is one of the vocabulary classes the
// analysis fills from the taxonomy.
func isVocabName(name string) bool {
	switch name {
	case "brand", "product", "competitor", "feature", "price":
		return true
	}
	return false
}

// parseRule reads "a + b & c + !d = 0.7" (weight 0.6 when omitted).
func parseRule(raw string, resolve func(string, int) (classSet, error)) (*rule, error) {
	body, wtxt, hasW := strings.Cut(raw, "=")
	r := &rule{raw: raw, weight: 0.6}
	if hasW {
		w, err := strconv.ParseFloat(strings.TrimSpace(wtxt), 64)
		if err != nil || w == 0 || w > 1 || w < -1 {
			return nil, fmt.Errorf("rule %q: weight must be a number in [-1, 1] other than 0", raw)
		}
		r.weight = w
	}
	for _, gtxt := range strings.Split(body, "&") {
		var g group
		for _, term := range strings.Split(gtxt, "+") {
			term = strings.TrimSpace(term)
			neg := strings.HasPrefix(term, "!")
			term = strings.TrimSpace(strings.TrimPrefix(term, "!"))
			if term == "" {
				return nil, fmt.Errorf("rule %q: empty class", raw)
			}
			var bits classSet
			for _, alt := range strings.Split(term, "|") {
				x, err := resolve(strings.TrimSpace(alt), 0)
				if err != nil {
					return nil, fmt.Errorf("rule %q: %w", raw, err)
				}
				bits = bits.or(x)
			}
			if neg {
				g.neg = g.neg.or(bits)
			} else {
				g.terms = append(g.terms, bits)
			}
		}
		r.groups = append(r.groups, g)
	}
	if len(r.groups[0].terms) == 0 {
		return nil, fmt.Errorf("rule %q: the first group needs a class that must be present", raw)
	}
	return r, nil
}

// hit is one cue found in the text.
type hit struct {
	clause     int32
	bit        int16
	start, end int
}

// mark records cue class bit for tokens [i, end).
func (st *state) mark(i, end, bit int) {
	c := st.clauseOf[i]
	st.masks[c].add(bit)
	st.textMask.add(bit)
	st.hits = append(st.hits, hit{clause: c, bit: int16(bit), start: st.toks[i].Start, end: st.toks[end-1].End})
}

// markBuiltins records the built-in classes: question marks (and a
// Chinese 吗 that ends a clause), negators of
// the language, questions addressed to the business ("you", after the
// question marks it needs) and the vocabulary classes rules use. The cue patterns are
// marked by Detect with the phrases.
func (b *cueBook) markBuiltins(st *state, lang string, vocab *vocabIndex, negs []map[string]bool) {
	if len(b.rules) == 0 {
		return
	}
	qbit, nbit := b.question, b.negation
	for i := range st.toks {
		t := &st.toks[i]
		if t.Kind == textnorm.Punct {
			if t.Text == "?" || t.Text == "？" {
				st.mark(i, i+1, qbit)
				if i+1 < len(st.toks) && closesQuote(st.toks[i+1]) {
					st.mark(i, i+2, b.quoted)
				}
			}
			continue
		}
		if t.Kind == textnorm.Han && isANotA(st.toks, i) {
			st.mark(i, i+1, qbit) // 有没有, 是不是, 能不能: a question, not a negation
			continue
		}
		for _, neg := range negs {
			if neg[t.Text] {
				st.mark(i, i+1, nbit)
				break
			}
		}
		if t.Kind == textnorm.Han && t.Text == "吗" && (i+1 == len(st.toks) || st.toks[i+1].Kind == textnorm.Punct || st.toks[i+1].Start > t.End) {
			st.mark(i, i+1, qbit) // 能去吗 without a question mark, or before a space, still asks
		}
		if t.Kind == textnorm.Word && isCount(t.Text) && !isClockTime(st.toks, i) {
			st.mark(i, i+1, b.count)
		}
		if lang == "de" && t.Kind == textnorm.Word && b.elsewhere >= 0 && deTicketCompound(t.Text) {
			st.mark(i, i+1, b.elsewhere) // Deutschlandticket, Monatsfahrkarte: a ticket, as ticket* is
		}
		if st.vstart[i] == 0 {
			continue
		}
		for _, vc := range b.vocab {
			if n := st.vocabLen(i, vc.vbit); n > 0 {
				st.mark(i, i+n, vc.bit)
			}
		}
	}
	markAddress(st, lang, b.you, qbit)
	markOpeners(st, lang, qbit) // after: "you" keeps needing its own marks
}

// closesQuote reports whether t is a quotation mark right after a question
// mark: the question is quoted back, not asked.
func closesQuote(t textnorm.Token) bool {
	if t.Kind != textnorm.Punct {
		return false
	}
	switch t.Text {
	case "\"", "”", "“", "»", "«", "„", "」", "』", "'", "’":
		return true
	}
	return false
}

// Question openers: a clause that opens with a question particle (czy,
// vai, est-ce que) or with a finite verb before its subject (can someone,
// kann man, habt ihr, gibt es) asks a yes/no question without a question
// mark. Only the first word of a clause counts: "vai" inside one is "or".
var (
	openParticles = map[string]map[string]bool{
		"pl": wordSet("czy"),
		"lv": wordSet("vai"),
		"fr": wordSet("est-ce"),
	}
	openVerbs = map[string]map[string]bool{
		"en": wordSet("can", "could", "do", "does", "would", "will", "is", "are"),
		"de": wordSet("kann", "kannst", "könnt", "könnte", "könnten", "können", "habt", "hast", "haben", "gibt", "bietet", "bieten", "macht", "machen", "verkauft", "liefert", "liefern", "nehmt", "seid"),
	}
	// someone asked for by a bare "anyone got …" (English drops the
	// auxiliary: "anyone got a wagon free thursday")
	openAnyone = map[string]map[string]bool{
		"en": wordSet("anyone", "anybody", "any1", "someone", "somebody"),
	}
	openAnyoneVerbs = map[string]map[string]bool{
		"en": wordSet("got", "have", "has"),
	}
	openSubjects = map[string]map[string]bool{
		"en": wordSet("you", "u", "ya", "someone", "somebody", "anyone", "anybody", "i", "we", "it", "there", "they"),
		"de": wordSet("man", "ihr", "ich", "wir", "es", "du", "sie"),
	}
)

// sentenceStart reports whether toks[i] opens a sentence: nothing but
// symbols before it, or a full stop, "!" or "?" ("Für das, was die Mini
// kann, ist sie zu teuer" puts the verb first after a comma and asks
// nothing).
func sentenceStart(toks []textnorm.Token, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch t := toks[j]; {
		case t.Kind == textnorm.Punct && strings.ContainsAny(t.Text, ".!?…;"):
			return true
		case t.Kind == textnorm.Word || t.Kind == textnorm.Han || t.Text == ",":
			return false
		}
	}
	return true
}

// markOpeners marks the question class on the first word of a clause that
// opens a question (see openParticles, openVerbs).
func markOpeners(st *state, lang string, qbit int) {
	parts, verbs, subj := openParticles[lang], openVerbs[lang], openSubjects[lang]
	if parts == nil && verbs == nil && openAnyone[lang] == nil {
		return
	}
	first := true
	for i := range st.toks {
		if st.clauseStart[i] {
			first = true
		}
		t := &st.toks[i]
		if t.Kind != textnorm.Word {
			continue
		}
		if !first {
			continue
		}
		first = false
		w := t.Text // tokens are lower-cased
		switch {
		case parts[w]:
			st.mark(i, i+1, qbit)
		case verbs[w] && sentenceStart(st.toks, i) && i+1 < len(st.toks) && subj[st.toks[i+1].Text]:
			st.mark(i, i+2, qbit)
		case openAnyone[lang][w] && i+1 < len(st.toks) && openAnyoneVerbs[lang][st.toks[i+1].Text]:
			st.mark(i, i+2, qbit)
		}
	}
}

// markAfterCues records the built-in classes that depend on cues: a
// provider named after a search ("need a plumber", see provider.go) or
// after a question whether anyone knows one ("anyone know a good
// locksmith", "quelqu'un connait un serrurier", "kennt jemand einen
// Schlüsseldienst").
func (b *cueBook) markAfterCues(st *state, lang string) {
	if len(b.rules) == 0 {
		return
	}
	b.applyMasks(st)
	markProviders(st, lang, b.seek, b.provider, false)
	markProviders(st, lang, b.know, b.provider, true)
}

// evaluate adds the rules that hold for the cues marked in st.
func (b *cueBook) evaluate(st *state) {
	try := append(st.try[:0], b.alwaysTry...)
	for w, word := range st.textMask {
		for word != 0 {
			bit := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			for i, m := range b.tryFor[bit] {
				try[i] |= m
			}
		}
	}
	st.try = try
	for w, word := range try {
		for word != 0 {
			i := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			b.tryRule(st, b.rules[i])
		}
	}
}

// tryRule adds r if each of its groups holds in some clause.
func (b *cueBook) tryRule(st *state, r *rule) {
	first := int32(-1)
	for gi, g := range r.groups {
		c := st.holds(g)
		if c < 0 {
			return
		}
		if gi == 0 {
			first = c
		}
	}
	st.add(r.intent, r.id, r.weight, st.spanOf(first, r.groups[0], b.weak))
}

// holds returns a clause where g holds (0 for a group of only negative
// classes that the text lacks), or -1.
func (st *state) holds(g group) int32 {
	if len(g.terms) == 0 {
		if st.textMask.meets(g.neg) {
			return -1
		}
		return 0
	}
next:
	for c, m := range st.masks {
		if m.meets(g.neg) {
			continue
		}
		for _, t := range g.terms {
			if !m.meets(t) {
				continue next
			}
		}
		return int32(c)
	}
	return -1
}

// spanOf is the evidence of a group in clause c: from the first to the
// last of its cues there, weak context classes (a question mark, a
// negator) left out unless nothing else is there.
func (st *state) spanOf(c int32, g group, weak classSet) Span {
	var want classSet
	for _, t := range g.terms {
		want = want.or(t)
	}
	start, end := -1, -1
	for pass := 0; pass < 2 && start < 0; pass++ {
		for _, h := range st.hits {
			if h.clause != c || !want.has(int(h.bit)) || (pass == 0 && weak.has(int(h.bit))) {
				continue
			}
			if start < 0 || h.start < start {
				start = h.start
			}
			end = max(end, h.end)
		}
	}
	if start < 0 {
		return Span{}
	}
	return Span{Start: start, End: end, Text: st.text[start:end]}
}

// clockWords come before an hour of the day ("call me at 5", "um 5", "o 17",
// "às 9", "plkst. 10"), clockUnits after it ("5 pm", "17 Uhr").
var (
	clockWords = map[string]bool{"at": true, "um": true, "o": true, "godz": true, "à": true, "às": true, "as": true, "las": true, "plkst": true}
	clockUnits = map[string]bool{"am": true, "pm": true, "h": true, "uhr": true, "godz": true, "heures": true, "horas": true, "點": true, "点": true}
)

// isClockTime reports whether the number at toks[i] is an hour of the day
// (0-24) rather than a quantity: after a word like "at", before one like
// "pm", or written as 10:30.
func isClockTime(toks []textnorm.Token, i int) bool {
	w := toks[i].Text
	if len(w) > 2 || (len(w) == 2 && w > "24") {
		return false
	}
	if i+1 < len(toks) {
		next := toks[i+1].Text
		if clockUnits[strings.ToLower(next)] {
			return true
		}
		if next == ":" && i+2 < len(toks) && len(toks[i+2].Text) == 2 && allDigits(toks[i+2].Text) {
			return true
		}
	}
	j := i - 1
	if j >= 0 && toks[j].Text == "." { // plkst. 10, godz. 17
		j--
	}
	return j >= 0 && clockWords[strings.ToLower(toks[j].Text)]
}

// isCount reports whether w is a number from 2 to 99999 in ASCII digits,
// no leading zero: a quantity ("500 flyers"), not a phone number or a code.
func isCount(w string) bool {
	return len(w) > 0 && len(w) <= 5 && w[0] != '0' && w != "1" && allDigits(w)
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// isANotA reports whether the ideograph at toks[i] is the 不 or 没 of a
// Chinese A-not-A question (有没有, 能不能, 可不可以): the same ideograph on
// both sides asks, it does not deny. 是不是 stays a negator: it asks
// whether something is so, which the rules read like a negated statement.
func isANotA(toks []textnorm.Token, i int) bool {
	if w := toks[i].Text; (w != "不" && w != "没") || i == 0 || i+1 >= len(toks) {
		return false
	}
	a, b := toks[i-1], toks[i+1]
	// 是不是 asks whether something is so ("客服是不是下班了"), not for it
	return a.Kind == textnorm.Han && b.Kind == textnorm.Han && a.Text == b.Text && a.Text != "是"
}

// deTicketCompound reports whether a German word is a compound naming a
// ticket ("Deutschlandticket", "Monatsfahrkarte", "Tagestickets"): the
// elsewhere class lists "ticket*" and "fahrkarte*", which only match a
// word that starts with them.
func deTicketCompound(w string) bool {
	for _, suf := range [...]string{"ticket", "tickets", "fahrkarte", "fahrkarten"} {
		if len(w) > len(suf) && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}
