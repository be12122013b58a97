package sentiment

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/enrich/textnorm"
)

//go:embed lexicon/*.txt
var lexiconFS embed.FS

// Polarity of a lexicon term.
const (
	polPositive = 1
	polNegative = -1
	polNegator  = 2
	polRoutine  = 3 // a cue of a routine or scheduled fact (Features.Routine)
	// polGone is a word of disappearing ("zniknęła", "sumiu", 不见了): bad
	// news alone (the parcel vanished), but after a problem in the same
	// clause it undoes the problem (the stain vanished: Features.Gone).
	polGone = 4
	// polCarrier is a complaint that carries a negation ("nikt nie",
	// "przestał"): a complaint alone (nikt nie odpisał, przestał działać),
	// but when a lexicon word follows within the negation scope it only
	// negates that word (nikt nie narzekał, przestał boleć: a negated
	// complaint).
	polCarrier = 5
)

// lexicon is one language's polarity words.
type lexicon struct {
	exact    map[string]int8
	prefixes textnorm.StemIndex[int8] // polarity of terms written "stem*"
	phrases  map[string][]phrase
	// stemPhrases are phrases whose first word is a stem, filed under the
	// stem's first stemPhraseKey bytes (or the whole stem when shorter).
	stemPhrases map[string][]stemPhrase
	shortStems  bool               // a phrase stem is shorter than stemPhraseKey
	han         []hanTerm          // substring terms (Chinese), longest first
	hanFirst    map[rune][]hanTerm // han by first ideograph, so a lookup scans a handful
	// negPrefix negates a verb or adjective written with it ("ne" in
	// Latvian: netek, nečīkst, nesalaboja); "" in languages without one.
	negPrefix string
	// clitics are the prefixes a word may carry before a listed term
	// (Arabic و, ب, ال …: "والفساد", "بالتوفيق"), longest first.
	clitics []string
}

// negPrefixes are the languages that negate by a prefix on the word.
var negPrefixes = map[string]string{"lv": "ne"}

// proclitics are the conjunctions, prepositions and articles written
// joined to the next word, longest first.
var proclitics = map[string][]string{
	"ar": {"وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "و", "ف", "ب", "ل"},
}

type phrase struct {
	words []string // the words after the first
	pol   int8
}

type stemPhrase struct {
	stem string
	phrase
}

const stemPhraseKey = 3

type hanTerm struct {
	term string
	pol  int8
}

// lexicons maps a language code to its lexicon; "*" is the union used when
// the language is unknown, "emoji" holds emoji and emoticons.
type lexicons map[string]*lexicon

func loadLexicons() (lexicons, error) {
	out := lexicons{}
	union := newLexicon()
	entries, err := fs.ReadDir(lexiconFS, "lexicon")
	if err != nil {
		return nil, fmt.Errorf("reading lexicons: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		code := strings.TrimSuffix(name, ".txt")
		data, err := lexiconFS.ReadFile(path.Join("lexicon", name))
		if err != nil {
			return nil, fmt.Errorf("reading lexicon %s: %w", name, err)
		}
		lx := newLexicon()
		lx.negPrefix = negPrefixes[code]
		lx.clitics = proclitics[code]
		var folded []foldedTerm
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" || text[0] == '#' {
				continue
			}
			var pol int8
			switch text[0] {
			case '+':
				pol = polPositive
			case '-':
				pol = polNegative
			case '!':
				pol = polNegator
			case '=':
				pol = polRoutine
			case '~':
				pol = polGone
			case '/':
				pol = polCarrier
			default:
				return nil, fmt.Errorf("lexicon %s:%d: line must start with +, -, !, =, ~ or /", name, line)
			}
			term := strings.ToLower(strings.TrimSpace(text[1:]))
			if term == "" {
				return nil, fmt.Errorf("lexicon %s:%d: empty term", name, line)
			}
			lx.add(term, pol, code == "zh")
			if code != "emoji" && (pol == polPositive || pol == polNegative) {
				union.add(term, pol, code == "zh")
			}
			if f := foldDiacritics(term); f != term && foldsDiacritics[code] {
				folded = append(folded, foldedTerm{f, pol})
			}
		}
		// People type without diacritics ("zwrot pieniedzy trwal",
		// "nauda atpakal nenaca"): every term also matches its folded
		// spelling, unless that spelling is a term of its own.
		for _, ft := range folded {
			if !lx.has(ft.term) {
				lx.add(ft.term, ft.pol, false)
			}
		}
		lx.finish()
		out[code] = lx
	}
	union.finish()
	out["*"] = union
	return out, nil
}

// foldsDiacritics are the languages whose words are often typed without
// diacritics and rarely collide when folded; German is not among them
// ("schön" would become "schon", "already").
var foldsDiacritics = map[string]bool{"pl": true, "lv": true, "pt": true}

type foldedTerm struct {
	term string
	pol  int8
}

// has reports whether term (a word, "stem*" or a phrase) is listed.
func (lx *lexicon) has(term string) bool {
	words := strings.Fields(term)
	switch {
	case len(words) > 1:
		return false // phrases: a duplicate only repeats the same match
	case strings.HasSuffix(term, "*"):
		_, ok := lx.prefixes.Get(strings.TrimSuffix(term, "*"))
		return ok
	}
	_, ok := lx.exact[term]
	return ok
}

// foldDiacritics spells a term of a Latin-script language without its
// diacritics: ł → l, ā → a, ç → c, ß → ss.
func foldDiacritics(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if f, ok := diacriticFold[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var diacriticFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe"}
	for _, g := range []struct{ base, marked string }{
		{"a", "ąāáàâãäå"}, {"c", "ćčç"}, {"e", "ęēéèêëě"}, {"g", "ģğ"},
		{"i", "īíìîï"}, {"k", "ķ"}, {"l", "łļ"}, {"n", "ńņñň"}, {"o", "óòôõöō"},
		{"r", "ř"}, {"s", "śšş"}, {"u", "ūúùûüů"}, {"y", "ý"}, {"z", "źżž"},
	} {
		for _, r := range g.marked {
			m[r] = g.base
		}
	}
	return m
}()

func newLexicon() *lexicon {
	return &lexicon{exact: map[string]int8{}, phrases: map[string][]phrase{}, stemPhrases: map[string][]stemPhrase{}}
}

func (lx *lexicon) add(term string, pol int8, han bool) {
	if han {
		lx.han = append(lx.han, hanTerm{term, pol})
		return
	}
	if words := strings.Fields(term); len(words) > 1 {
		// A phrase: its first word may be a stem too ("zgubi* paczk*").
		if stem, ok := strings.CutSuffix(words[0], "*"); ok && stem != "" {
			k := stem[:min(len(stem), stemPhraseKey)]
			lx.shortStems = lx.shortStems || len(stem) < stemPhraseKey
			lx.stemPhrases[k] = append(lx.stemPhrases[k], stemPhrase{stem, phrase{words: words[1:], pol: pol}})
			return
		}
		lx.phrases[words[0]] = append(lx.phrases[words[0]], phrase{words: words[1:], pol: pol})
		return
	}
	if strings.HasSuffix(term, "*") {
		lx.prefixes.Add(strings.TrimSuffix(term, "*"), pol)
		return
	}
	lx.exact[term] = pol
}

func (lx *lexicon) finish() {
	// The longest phrase first: "dwa razy w tygodniu" (twice a week) is
	// not "dwa razy" (charged twice).
	for _, ps := range lx.phrases {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}
	for _, ps := range lx.stemPhrases {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}
	sort.SliceStable(lx.han, func(i, j int) bool { return len(lx.han[i].term) > len(lx.han[j].term) })
	lx.hanFirst = map[rune][]hanTerm{}
	for _, t := range lx.han {
		r, _ := utf8.DecodeRuneInString(t.term)
		lx.hanFirst[r] = append(lx.hanFirst[r], t) // still longest first
	}
}

// word returns the polarity of a word token and how many tokens the match
// spans (more than one for phrases); 0 when the word is not in the lexicon.
func (lx *lexicon) word(toks []textnorm.Token, i int) (int8, int) {
	w := toks[i].Text
	if ps, ok := lx.phrases[w]; ok {
	next:
		for _, p := range ps {
			if i+len(p.words) >= len(toks) {
				continue
			}
			for k, pw := range p.words {
				if !phraseWordMatches(toks[i+1+k].Text, pw) {
					continue next
				}
			}
			return p.pol, 1 + len(p.words)
		}
	}
	if len(lx.stemPhrases) > 0 {
		lo := stemPhraseKey
		if lx.shortStems {
			lo = 1
		}
		for k := min(len(w), stemPhraseKey); k >= lo; k-- {
			for _, sp := range lx.stemPhrases[w[:k]] {
				if strings.HasPrefix(w, sp.stem) && matchPhrase(toks, i, sp.phrase) {
					return sp.pol, 1 + len(sp.words)
				}
			}
		}
	}
	if pol, ok := lx.exact[w]; ok {
		return pol, 1
	}
	if pol, ok := lx.prefixes.Longest(w); ok {
		return pol, 1
	}
	return 0, 0
}

// prefixNegated returns the polarity of the word inside a word negated by
// the language's prefix ("netek" → "tek", a complaint), for the caller to
// count as negated, when the whole word is not listed. The rest must be a
// listed word or stem and at least three letters long; 0 otherwise.
func (lx *lexicon) prefixNegated(w string) int8 {
	if lx.negPrefix == "" || !strings.HasPrefix(w, lx.negPrefix) {
		return 0
	}
	rest := w[len(lx.negPrefix):]
	if utf8.RuneCountInString(rest) < 3 {
		return 0
	}
	if pol, ok := lx.exact[rest]; ok && (pol == polPositive || pol == polNegative) {
		return pol
	}
	if pol, ok := lx.prefixes.Longest(rest); ok && (pol == polPositive || pol == polNegative) {
		return pol
	}
	return 0
}

// cliticWord returns the polarity (or negator) of w read without a
// proclitic of the language (Arabic "والفساد" → "الفساد", "ولا" → "لا"),
// when the whole word is not listed; the rest must be listed and at least
// two letters long; 0 otherwise.
func (lx *lexicon) cliticWord(w string) int8 {
	for _, c := range lx.clitics {
		if !strings.HasPrefix(w, c) {
			continue
		}
		rest := w[len(c):]
		if utf8.RuneCountInString(rest) < 2 {
			continue
		}
		if pol, ok := lx.exact[rest]; ok && (pol == polPositive || pol == polNegative || pol == polNegator) {
			return pol
		}
		if pol, ok := lx.prefixes.Longest(rest); ok && (pol == polPositive || pol == polNegative) {
			return pol
		}
	}
	return 0
}

// matchPhrase reports whether the words after toks[i] are p's.
func matchPhrase(toks []textnorm.Token, i int, p phrase) bool {
	if i+len(p.words) >= len(toks) {
		return false
	}
	for k, pw := range p.words {
		if !phraseWordMatches(toks[i+1+k].Text, pw) {
			return false
		}
	}
	return true
}

// phraseWordMatches compares a word of a text with a word of a lexicon
// phrase, which may be a stem ("zgubi* paczk*").
func phraseWordMatches(w, pw string) bool {
	if stem, ok := strings.CutSuffix(pw, "*"); ok {
		return strings.HasPrefix(w, stem)
	}
	return w == pw
}

// hanAt returns the polarity and byte length of the longest Chinese term
// starting at s[at:], or 0, 0.
func (lx *lexicon) hanAt(s string, at int) (int8, int) {
	rest := s[at:]
	r, _ := utf8.DecodeRuneInString(rest)
	for _, t := range lx.hanFirst[r] {
		if strings.HasPrefix(rest, t.term) {
			return t.pol, len(t.term)
		}
	}
	return 0, 0
}
