// Package textnorm holds the text handling every analysis step shares:
// cleaning raw social text, splitting it into words with byte offsets,
// telling scripts apart and cutting it into clauses. It allocates little so
// the whole analysis stays in the tens of microseconds per record.
package textnorm

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean decodes what exported social text carries instead of characters
// and trims the result: JSON-style escapes left literal (\u2019 with
// surrogate pairs, \", \/, \n, \t), HTML entities (&amp;, &#8217;,
// &#x2019;) and UTF-8 that was read as Windows-1252 ("ðŸ˜„" for 😄,
// "cafÃ©" for café). It returns s itself when there is nothing to decode,
// so the common case costs no allocation.
func Clean(s string) string {
	if strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '&') < 0 && !maybeMojibake(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '"', '/':
				b.WriteByte(s[i+1])
				i += 2
				continue
			case 'n', 't', 'r':
				// A literal \n before a letter would glue to the word.
				b.WriteByte(' ')
				i += 2
				continue
			case 'u':
				if r, n := unicodeEscape(s[i:]); n > 0 {
					b.WriteRune(r)
					i += n
					continue
				}
			}
		}
		if s[i] == '&' {
			if ent, r, ok := htmlEntity(s[i:]); ok {
				b.WriteString(r)
				i += len(ent)
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return strings.TrimSpace(repairMojibake(b.String()))
}

// unicodeEscape decodes \uXXXX at the start of s (a surrogate pair is
// written as two escapes) and returns the rune and the bytes it used, or
// 0 bytes when s does not start with a valid escape.
func unicodeEscape(s string) (rune, int) {
	if len(s) < 6 {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[2:6], 16, 32)
	if err != nil {
		return 0, 0
	}
	r := rune(v)
	if r >= 0xD800 && r < 0xDC00 && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if lo, err := strconv.ParseUint(s[8:12], 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
			return 0x10000 + (r-0xD800)<<10 + (rune(lo) - 0xDC00), 12
		}
	}
	return r, 6
}

var entities = []struct{ ent, val string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "},
}

func htmlEntity(s string) (string, string, bool) {
	for _, e := range entities {
		if strings.HasPrefix(s, e.ent) {
			return e.ent, e.val, true
		}
	}
	// Numeric: &#8217; or &#x2019;
	if len(s) < 4 || s[1] != '#' {
		return "", "", false
	}
	end := strings.IndexByte(s, ';')
	if end < 3 || end > 10 {
		return "", "", false
	}
	digits, base := s[2:end], 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xD800 && v < 0xE000) {
		return "", "", false
	}
	return s[:end+1], string(rune(v)), true
}

// cp1252 maps the Windows-1252 characters outside Latin-1 back to their
// bytes, for repairing UTF-8 that was decoded as Windows-1252.
var cp1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// maybeMojibake is a cheap test for the lead bytes of UTF-8 sequences
// seen as Windows-1252 characters: Ã, Â, Å, Ä (2 bytes), â (3), ð (4).
func maybeMojibake(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == 0xC3 {
			switch s[i+1] {
			case 0x83, 0x82, 0x85, 0x84, 0xA2, 0xB0: // Ã Â Å Ä â ð
				return true
			}
		}
	}
	return false
}

// repairMojibake undoes a Windows-1252 reading of UTF-8 when the whole
// text maps back to bytes that are valid UTF-8 with at least one
// multi-byte character ("NÃO" stays: C3 4F is not UTF-8).
func repairMojibake(s string) string {
	if !maybeMojibake(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	multi := false
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r <= 0xFF:
			b = append(b, byte(r))
			multi = true
		default:
			c, ok := cp1252[r]
			if !ok {
				return s
			}
			b = append(b, c)
			multi = true
		}
	}
	if !multi || !utf8.Valid(b) {
		return s
	}
	return string(b)
}

// TokenKind says what a token is.
type TokenKind uint8

// Token kinds.
const (
	Word    TokenKind = iota // letters and digits, possibly with inner ' or -
	Han                      // one CJK ideograph (Chinese has no spaces)
	Mention                  // @user
	Hashtag                  // #tag (Text excludes the #)
	URL                      // http://... or www....
	Emoji                    // a pictograph or emoticon
	Punct                    // sentence or clause punctuation
)

// Token is a piece of text with its byte offsets in the original string.
type Token struct {
	Kind  TokenKind
	Start int
	End   int
	// Text is the lower-cased token (without the # of a hashtag).
	Text string
}

// Tokenize splits s into tokens. Words are lower-cased; offsets point into s.
// Han ideographs become one token each so phrase lists can match Chinese.
func Tokenize(s string, dst []Token) []Token {
	dst = dst[:0]
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '@' || r == '#':
			j := scanWord(s, i+size)
			if j == i+size {
				dst = append(dst, Token{Kind: Punct, Start: i, End: j, Text: s[i:j]})
				i = j
				continue
			}
			kind, from := Mention, i
			if r == '#' {
				kind, from = Hashtag, i+size
			}
			dst = append(dst, Token{Kind: kind, Start: i, End: j, Text: lower(s[from:j])})
			i = j
		case (r == 'h' || r == 'w' || r == 'H' || r == 'W') && isURLStart(s[i:]):
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' {
				j++
			}
			dst = append(dst, Token{Kind: URL, Start: i, End: j, Text: "url"})
			i = j
		case IsHan(r):
			dst = append(dst, Token{Kind: Han, Start: i, End: i + size, Text: s[i : i+size]})
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			j := scanWord(s, i)
			dst = append(dst, Token{Kind: Word, Start: i, End: j, Text: lower(s[i:j])})
			i = j
		case IsEmoji(r):
			j := i + size
			// Keep skin tones and variation selectors with their emoji.
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if r2 == 0xFE0F || r2 == 0x200D || (r2 >= 0x1F3FB && r2 <= 0x1F3FF) {
					j += sz
					continue
				}
				break
			}
			dst = append(dst, Token{Kind: Emoji, Start: i, End: j, Text: s[i : i+size]})
			i = j
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			if emo, n := emoticon(s[i:]); n > 0 {
				dst = append(dst, Token{Kind: Emoji, Start: i, End: i + n, Text: emo})
				i += n
				continue
			}
			dst = append(dst, Token{Kind: Punct, Start: i, End: i + size, Text: s[i : i+size]})
			i += size
		default:
			i += size
		}
	}
	return dst
}

func isURLStart(s string) bool {
	return hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") || hasPrefixFold(s, "www.")
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// scanWord returns the end of the word starting at i: letters, digits and
// marks, with single inner apostrophes, hyphens or dots ("don't", "e-mail").
func scanWord(s string, i int) int {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if IsHan(r) {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '_' {
			j += size
			continue
		}
		if (r == '\'' || r == '’' || r == '-') && j > i && j+size < len(s) {
			r2, _ := utf8.DecodeRuneInString(s[j+size:])
			if unicode.IsLetter(r2) {
				j += size
				continue
			}
		}
		break
	}
	return j
}

// lower lower-cases s, returning s itself when it is already lower case
// ASCII, and folds the typographic apostrophe to '.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ReplaceAll(strings.ToLower(s), "’", "'")
		}
	}
	return s
}

// emoticons are the ASCII faces common in tweets, mapped to a canonical form.
var emoticons = []struct{ face, canon string }{
	{":-)", ":)"}, {":)", ":)"}, {"(:", ":)"}, {";-)", ";)"}, {";)", ";)"}, {":-D", ":D"}, {":D", ":D"}, {"xD", ":D"}, {"XD", ":D"},
	{":-(", ":("}, {":(", ":("}, {":'(", ":'("}, {":/", ":/"}, {":-/", ":/"}, {":P", ":P"}, {":p", ":P"}, {"<3", "<3"}, {"</3", "</3"},
}

func emoticon(s string) (string, int) {
	for _, e := range emoticons {
		if strings.HasPrefix(s, e.face) {
			// ":/" inside a URL was handled by the URL case; still refuse "://".
			if e.canon == ":/" && strings.HasPrefix(s, "://") {
				return "", 0
			}
			return e.canon, len(e.face)
		}
	}
	return "", 0
}

// IsHan reports whether r is a CJK ideograph.
func IsHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0x20000 && r <= 0x2A6DF || r >= 0xF900 && r <= 0xFAFF
}

// IsEmoji reports whether r is a pictograph commonly used as an emoji.
func IsEmoji(r rune) bool {
	return r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x1F900 && r <= 0x1F9FF || r == 0x2B50 || r == 0x2764
}

// IsClauseBreak reports whether a punctuation token ends a clause.
func IsClauseBreak(p string) bool {
	switch p {
	case ".", "!", "?", ";", ",", ":", "…", "。", "！", "？", "；", "，", "、", "(", ")", "\"", "—", "–", "|":
		return true
	}
	return false
}
