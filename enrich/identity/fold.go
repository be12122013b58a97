package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// FoldText reduces text in any of the scripts Earshot meets to lower-case
// ASCII letters, digits and single spaces, so the same name written
// "Jānis Bērziņš", "JANIS BERZINS", "Łukasz", "Иван Петров" or "王伟"
// compares with its Latin spelling: diacritics are dropped, Cyrillic and
// Greek are romanised, Han characters become toneless pinyin (consecutive
// characters joined, as pinyin names are written). Punctuation and
// hyphens separate words; apostrophes vanish ("O'Brien" is "obrien").
func FoldText(s string) string {
	if isPlainASCII(s) {
		return foldASCII(s)
	}
	if strings.ContainsAny(s, "υύΥ") {
		s = greekDigraphs.Replace(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	space := true // no leading space
	prevHan := false
	emit := func(t string) {
		if t == "" {
			return
		}
		b.WriteString(t)
		space = false
	}
	sep := func() {
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	for _, r := range s {
		han := unicode.Is(unicode.Han, r)
		if !han && prevHan {
			sep()
		}
		prevHan = han
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
				space = false
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b.WriteByte(c)
				space = false
			case c == '\'' || c == '`':
			default:
				sep()
			}
		case han:
			emit(hanSyllable(r))
		default:
			if t, ok := translit[r]; ok {
				emit(t)
				continue
			}
			if r == '’' || r == 'ʼ' || r == '‘' || r == 'ʻ' {
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
				sep()
				continue
			}
			// Decompose and keep the base letters: ā→a, ņ→n, ç→c, ő→o.
			kept := false
			for _, d := range norm.NFKD.String(string(r)) {
				if d < utf8.RuneSelf {
					if d >= 'A' && d <= 'Z' {
						d += 'a' - 'A'
					}
					if (d >= 'a' && d <= 'z') || (d >= '0' && d <= '9') {
						b.WriteRune(d)
						kept = true
					}
				} else if t, ok := translit[unicode.ToLower(d)]; ok {
					b.WriteString(t)
					kept = kept || t != ""
				}
			}
			if kept {
				space = false
			} else if !unicode.Is(unicode.Mn, r) {
				// A letter of a script without a romanisation here (Arabic,
				// Hebrew, Thai...): keep it so such names still compare.
				b.WriteRune(unicode.ToLower(r))
				space = false
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldASCII(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == ' ' && !prevSpace)
		prevSpace = c == ' '
		if !ok {
			clean = false
			break
		}
	}
	if clean && (len(s) == 0 || s[len(s)-1] != ' ') {
		return s
	}
	b := make([]byte, 0, len(s))
	space := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
			space = false
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
			space = false
		case c == '\'' || c == '`':
		default:
			if !space {
				b = append(b, ' ')
				space = true
			}
		}
	}
	if len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs() // toneless, first reading
	a.Fallback = func(rune, pinyin.Args) []string { return nil }
	return a
}()

// surnameReadings are Han characters read differently as a family name.
var surnameReadings = map[rune]string{
	'曾': "zeng", '单': "shan", '解': "xie", '区': "ou", '仇': "qiu", '朴': "piao", '查': "zha",
	'乐': "yue", '覃': "qin", '尉': "yu", '缪': "miao", '盖': "ge", '沈': "shen", '翟': "zhai",
	'万': "wan", '种': "chong", '秘': "bi", '长': "zhang",
}

func hanSyllable(r rune) string {
	p := pinyin.SinglePinyin(r, pinyinArgs)
	if len(p) == 0 {
		return ""
	}
	return p[0]
}

// compoundSurnames are two-character Chinese family names.
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "诸葛": true, "上官": true, "东方": true, "皇甫": true, "尉迟": true,
	"公孙": true, "慕容": true, "长孙": true, "宇文": true, "司徒": true, "夏侯": true, "令狐": true,
	"司空": true, "端木": true, "澹台": true, "南宫": true,
}

// FoldSurname folds a family name; a Han family name uses surname readings.
func FoldSurname(s string) string {
	s = strings.TrimSpace(s)
	if r, size := utf8.DecodeRuneInString(s); size > 0 && unicode.Is(unicode.Han, r) {
		if reading, ok := surnameReadings[r]; ok {
			return reading + FoldText(s[size:])
		}
	}
	return FoldText(s)
}

// SplitFullName splits a name written in one field into given names and
// family name, both folded. A Han name is family name first ("王伟" →
// "wei", "wang"); otherwise the last word is the family name, together with
// the particles before it ("Maria da Silva" → "maria", "da silva").
func SplitFullName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	if full == "" {
		return "", ""
	}
	if r, _ := utf8.DecodeRuneInString(full); unicode.Is(unicode.Han, r) && !strings.ContainsAny(full, " ,") {
		runes := []rune(full)
		n := 1
		if len(runes) > 2 && compoundSurnames[string(runes[:2])] {
			n = 2
		}
		return FoldText(string(runes[n:])), FoldSurname(string(runes[:n]))
	}
	// "Kowalski, Jan" is family name first.
	if fam, given, ok := strings.Cut(full, ","); ok {
		return FoldText(given), FoldSurname(fam)
	}
	toks := strings.Fields(FoldText(full))
	switch len(toks) {
	case 0:
		return "", ""
	case 1:
		return toks[0], ""
	}
	i := len(toks) - 1
	for i > 1 && nameParticles[toks[i-1]] {
		i--
	}
	return strings.Join(toks[:i], " "), strings.Join(toks[i:], " ")
}

// nameParticles are the small words of family names, ignored when
// comparing them ("da Silva" and "Silva" agree).
var nameParticles = map[string]bool{
	"da": true, "de": true, "do": true, "dos": true, "das": true, "del": true, "della": true,
	"di": true, "van": true, "von": true, "der": true, "den": true, "ten": true, "ter": true,
	"la": true, "le": true, "du": true, "e": true, "y": true, "bin": true, "al": true, "el": true,
}

// familyKey is a folded family name without particles, for comparison
// ("da silva" → "silva"; "dos santos" → "santos").
func familyKey(folded string) string {
	if !strings.Contains(folded, " ") {
		return folded
	}
	toks := strings.Fields(folded)
	out := toks[:0]
	for _, t := range toks {
		if !nameParticles[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return folded
	}
	return strings.Join(out, " ")
}

// greekDigraphs romanise the Greek vowel pair ου as one sound.
var greekDigraphs = strings.NewReplacer("ου", "ou", "ού", "ou", "ΟΥ", "ou", "Ου", "ou", "οΰ", "ou")

// translit romanises letters that do not decompose to ASCII.
var translit = map[rune]string{
	// Latin letters with no decomposition.
	'ł': "l", 'Ł': "l", 'ø': "o", 'Ø': "o", 'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'ŋ': "ng", 'ſ': "s",
	// Cyrillic (Russian, Ukrainian, Belarusian) in a passport-like romanisation.
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'і': "i",
	'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u",
	'А': "a", 'Б': "b", 'В': "v", 'Г': "g", 'Д': "d", 'Е': "e", 'Ё': "e", 'Ж': "zh", 'З': "z",
	'И': "i", 'Й': "y", 'К': "k", 'Л': "l", 'М': "m", 'Н': "n", 'О': "o", 'П': "p", 'Р': "r",
	'С': "s", 'Т': "t", 'У': "u", 'Ф': "f", 'Х': "kh", 'Ц': "ts", 'Ч': "ch", 'Ш': "sh",
	'Щ': "shch", 'Ъ': "", 'Ы': "y", 'Ь': "", 'Э': "e", 'Ю': "yu", 'Я': "ya", 'І': "i",
	'Ї': "yi", 'Є': "ye", 'Ґ': "g", 'Ў': "u",
	// Greek.
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i",
	'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s",
	'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
	'Α': "a", 'Β': "v", 'Γ': "g", 'Δ': "d", 'Ε': "e", 'Ζ': "z", 'Η': "i", 'Θ': "th", 'Ι': "i",
	'Κ': "k", 'Λ': "l", 'Μ': "m", 'Ν': "n", 'Ξ': "x", 'Ο': "o", 'Π': "p", 'Ρ': "r", 'Σ': "s",
	'Τ': "t", 'Υ': "y", 'Φ': "f", 'Χ': "ch", 'Ψ': "ps", 'Ω': "o",
}
