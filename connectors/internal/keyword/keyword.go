// Package keyword matches configured keywords in post text the way the
// social connectors do: ignoring case (with the post language's rules) and
// accents, at word boundaries in spaced scripts with inflected endings in
// inflecting languages, anywhere in scripts written without spaces.
package keyword

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// Keyword is a text matched in posts, case- and accent-insensitively.
// In YAML it is either a plain string or {text: ..., languages: [...]}.
type Keyword struct {
	Text string `yaml:"text"`
	// Languages restricts the keyword to posts in these languages
	// (ISO 639-1); posts without a language still match.
	Languages []string `yaml:"languages"`
}

// UnmarshalYAML accepts a plain string or a mapping with known keys only.
func (k *Keyword) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		k.Text = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a keyword is a string or a mapping with text and languages", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch key := n.Content[i].Value; key {
		case "text", "languages":
		default:
			return fmt.Errorf("line %d: keywords: unknown key %q (want text, languages)", n.Content[i].Line, key)
		}
	}
	type plain Keyword
	return n.Decode((*plain)(k))
}

// Matcher finds configured keywords in post text. Matching ignores case
// (with the status language's case rules, e.g. Turkish dotless i) and
// accents (Żabka = zabka, Rīga = riga). In scripts written with spaces a
// keyword must start and end at word boundaries, except that in inflecting
// languages (Polish, Latvian, ...) it may carry an inflectional ending
// ("Earshot" matches "Earshota"; "Żabka" matches "Żabki"). In scripts
// without spaces (Chinese, Japanese, Thai) any occurrence counts.
type Matcher struct {
	keywords []compiledKeyword
}

type compiledKeyword struct {
	text   string   // as configured, reported as the match
	folded string   // for dense scripts: substring match
	words  []string // folded words, for scripts with spaces
	stems  []string // words without a final vowel, for inflected forms
	langs  map[string]bool
	dense  bool // written without spaces
}

// inflecting lists languages whose nouns take case endings, so a brand name
// appears with suffixes.
var inflecting = map[string]bool{
	"pl": true, "lv": true, "lt": true, "cs": true, "sk": true, "ru": true, "uk": true, "be": true,
	"sl": true, "hr": true, "sr": true, "bs": true, "fi": true, "et": true, "hu": true,
	"de": true, "tr": true, "el": true, "is": true, "ro": true,
}

// maxSuffix is the longest inflectional ending accepted.
const maxSuffix = 4

// New compiles kws.
func New(kws []Keyword) *Matcher {
	m := &Matcher{}
	for _, k := range kws {
		f := Fold(k.Text, "")
		words := splitWords(f)
		if len(words) == 0 {
			continue
		}
		ck := compiledKeyword{text: k.Text, folded: f, words: words, dense: isDense(f)}
		for _, w := range words {
			stem := ""
			if r, size := utf8.DecodeLastRuneInString(w); strings.ContainsRune("aeiouy", r) && utf8.RuneCountInString(w) > 3 {
				stem = w[:len(w)-size]
			}
			ck.stems = append(ck.stems, stem)
		}
		if len(k.Languages) > 0 {
			ck.langs = map[string]bool{}
			for _, l := range k.Languages {
				ck.langs[BaseLang(l)] = true
			}
		}
		m.keywords = append(m.keywords, ck)
	}
	return m
}

// Empty reports whether there is nothing to match.
func (m *Matcher) Empty() bool { return len(m.keywords) == 0 }

// Match returns the first keyword found in text written in lang ("" when
// unknown), and whether one was.
func (m *Matcher) Match(text, lang string) (string, bool) {
	base := BaseLang(lang)
	folded := Fold(text, base)
	var tokens []string
	for _, k := range m.keywords {
		if k.langs != nil && base != "" && !k.langs[base] {
			continue
		}
		if k.dense {
			if strings.Contains(folded, k.folded) {
				return k.text, true
			}
			continue
		}
		if tokens == nil {
			tokens = splitWords(folded)
		}
		if k.matchTokens(tokens, inflecting[base]) {
			return k.text, true
		}
	}
	return "", false
}

// matchTokens reports whether the keyword's words occur consecutively in
// tokens, each exactly or, when inflected, with a short ending.
func (k *compiledKeyword) matchTokens(tokens []string, inflected bool) bool {
	for i := 0; i+len(k.words) <= len(tokens); i++ {
		ok := true
		for j, w := range k.words {
			if !wordMatches(tokens[i+j], w, k.stems[j], inflected) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func wordMatches(token, word, stem string, inflected bool) bool {
	if token == word {
		return true
	}
	if !inflected {
		return false
	}
	for _, base := range []string{word, stem} {
		if base != "" && strings.HasPrefix(token, base) && utf8.RuneCountInString(token[len(base):]) <= maxSuffix {
			return true
		}
	}
	return false
}

// splitWords returns the runs of letters, digits and underscores of s.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

// isDense reports whether s is written in a script without word spaces.
func isDense(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) {
			return true
		}
	}
	return false
}

// BaseLang returns the primary language subtag ("pt-BR" → "pt").
func BaseLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	return l
}

// letterFolds are letters that do not decompose into base + accent.
var letterFolds = map[rune]string{
	'ł': "l", 'đ': "d", 'ø': "o", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ı': "i", 'ħ': "h", 'þ': "th", 'ð': "d", 'ŀ': "l",
}

// Fold lower-cases s with the case rules of lang, decomposes it and drops
// combining marks, so comparisons ignore case and accents.
func Fold(s, lang string) string {
	tag := language.Und
	if lang != "" {
		if t, err := language.Parse(lang); err == nil {
			tag = t
		}
	}
	lower := cases.Lower(tag).String(s)
	var b strings.Builder
	b.Grow(len(lower))
	for _, r := range norm.NFKD.String(lower) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := letterFolds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
