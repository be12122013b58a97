package index

import (
	"strings"
	"unicode"

	"github.com/earshothq/earshot/record"
	"golang.org/x/text/unicode/norm"
)

// NeutralField is the language-neutral text field: Unicode word splitting
// (one token per CJK character), lower-casing and diacritic folding, so
// every text is findable by its exact words whatever its language.
const NeutralField = "text"

// LanguageFieldName is the per-language text field for an analyser key
// ("pt" → "text_pt", "cjk" → "text_cjk").
func LanguageFieldName(analyser string) string { return "text_" + analyser }

// AnalyserKey maps a language code to the analyser key that handles it:
// Chinese, Japanese and Korean share the CJK bigram analyser, other languages
// use their own code.
func AnalyserKey(code string) string {
	switch code {
	case "zh", "ja", "ko":
		return "cjk"
	}
	return code
}

// LanguageOf is the language a mention's text is analysed in: the detected
// language, else the one the source stated (primary subtag), else "".
func LanguageOf(m *record.EnrichedMention) string {
	if l := m.Analysis.Language; l != nil {
		if c := strings.ToLower(strings.TrimSpace(l.Code)); c != "" && c != "unknown" && c != "und" {
			return primarySubtag(c)
		}
	}
	return primarySubtag(strings.ToLower(strings.TrimSpace(m.Lang)))
}

func primarySubtag(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// foldSpecial are letters that do not decompose into base + mark but that
// ASCII folding still maps (as both engines' folding filters do).
var foldSpecial = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t",
}

// Fold lower-cases s and strips diacritics the way the neutral field's
// analyser does, for query terms that are not analysed (prefixes).
func Fold(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if rep, ok := foldSpecial[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// Keyword normalises a keyword value (labels, names) as stored: trimmed and
// lower-cased.
func Keyword(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
