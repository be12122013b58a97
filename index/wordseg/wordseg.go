// Package wordseg finds the word tokens of a text as bleve's unicode
// tokenizer does (Unicode word boundaries, UAX #29), without running its
// general segmenter on the text most mentions are: Latin letters, ASCII
// digits, Chinese ideographs, spaces, punctuation and emoji. Any other
// character (another script, a combining mark, an underscore joining
// words, …) sends the whole text to the segmenter, so the tokens are the
// same for every input; the tests compare the two on every text they have
// and on random ones.
//
// The Elasticsearch backend analyses the languages a cluster lacks in Go
// for every document it writes; the segmenter was most of that cost.
package wordseg

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Tokenizer is a drop-in for bleve's unicode tokenizer: Fallback (that
// tokenizer) takes the texts the fast path does not.
type Tokenizer struct {
	Fallback analysis.Tokenizer
}

// Tokenize returns the word tokens of input.
func (t *Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	if toks, ok := Fast(input); ok {
		return toks
	}
	return t.Fallback.Tokenize(input)
}

// Character classes of the fast path.
const (
	cBreak  = iota // a space, punctuation, a symbol: never part of a word
	cLetter        // a Latin letter (ALetter)
	cDigit         // an ASCII digit (Numeric)
	cIdeo          // a CJK ideograph: a word of its own
	cMidL          // joins two letters (MidLetter: ':' '·')
	cMidN          // joins two digits (MidNum: ',' ';')
	cMidNL         // joins two letters or two digits (MidNumLet, Single_Quote: '.' '\'' '’')
	cExtend        // attaches to the character before it (variation selectors, ZWJ, skin tones)
	cOther         // anything else: the fast path gives up
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			t[r] = cLetter
		case '0' <= r && r <= '9':
			t[r] = cDigit
		case r == ':':
			t[r] = cMidL
		case r == ',' || r == ';':
			t[r] = cMidN
		case r == '.' || r == '\'':
			t[r] = cMidNL
		case r == '_':
			t[r] = cOther // ExtendNumLet joins words: left to the segmenter
		default:
			t[r] = cBreak
		}
	}
	return t
}()

// class is the class of a rune beyond ASCII.
func class(r rune) uint8 {
	switch {
	case r < 0x250:
		switch {
		case r == 0xB7:
			return cMidL
		case r == 0xAD: // soft hyphen (Format)
			return cOther
		case unicode.IsLetter(r):
			return cLetter
		case r < 0xC0: // Latin-1 spaces, punctuation, symbols, fractions
			return cBreak
		case r == 0xD7 || r == 0xF7:
			return cBreak
		}
		return cOther
	// ideographs the segmenter's Unicode tables know (later additions at
	// the ends of these blocks are not ideographs to it)
	case 0x4E00 <= r && r <= 0x9FD5, 0x3400 <= r && r <= 0x4DB5, 0xF900 <= r && r <= 0xFA6D, 0xFA70 <= r && r <= 0xFAD9:
		return cIdeo
	case r == 0x2018 || r == 0x2019 || r == 0x2024 || r == 0xFF07 || r == 0xFF0E:
		return cMidNL
	case r == 0x2027 || r == 0xFF1A:
		return cMidL
	case r == 0x2044 || r == 0xFF0C || r == 0xFF1B:
		return cMidN
	case r == 0x200D || 0xFE00 <= r && r <= 0xFE0F || 0x1F3FB <= r && r <= 0x1F3FF:
		return cExtend
	case r == 0x203F || r == 0x2040 || r == 0x2054: // ExtendNumLet
		return cOther
	case 0x1F100 <= r && r <= 0x1F1E5, r == 0x1F200: // enclosed letters (🄲) are letters to UAX #29
		return cOther
	case 0x2000 <= r && r <= 0x200A, r == 0x202F, r == 0x205F, // spaces
		0x2010 <= r && r <= 0x2027, 0x2030 <= r && r <= 0x205E, // general punctuation
		0x20A0 <= r && r <= 0x20CF,                                                         // currency
		0x2190 <= r && r <= 0x245F, 0x2500 <= r && r <= 0x27BF, 0x2B00 <= r && r <= 0x2BFF, // arrows, shapes, dingbats
		0x3000 <= r && r <= 0x3004, 0x3008 <= r && r <= 0x3020, r == 0x3030, 0x303D <= r && r <= 0x303F, // CJK punctuation
		0xFF01 <= r && r <= 0xFF0F, 0xFF1C <= r && r <= 0xFF20, 0xFF3B <= r && r <= 0xFF3E, r == 0xFF40, 0xFF5B <= r && r <= 0xFF64, // fullwidth punctuation
		0x1F000 <= r && r <= 0x1F3FA, 0x1F400 <= r && r <= 0x1FAFF: // emoji and pictographs
		return cBreak
	}
	return cOther
}

// Fast returns the tokens of input when it holds only characters the
// fast path knows, and false otherwise.
func Fast(input []byte) (analysis.TokenStream, bool) {
	words, ok := count(input)
	if !ok {
		return nil, false
	}
	if words == 0 {
		return analysis.TokenStream{}, true
	}
	slab := make([]analysis.Token, words)
	out := make(analysis.TokenStream, 0, words)
	scan(input, func(start, end int, typ analysis.TokenType) {
		t := &slab[len(out)]
		t.Term, t.Start, t.End, t.Position, t.Type = input[start:end], start, end, len(out)+1, typ
		out = append(out, t)
	})
	return out, true
}

// Scan calls fn with each word token of input, in order, when input holds
// only characters the fast path knows, and reports whether it did: on
// false it has called fn for none.
func Scan(input []byte, fn func(start, end int, typ analysis.TokenType)) bool {
	if _, ok := count(input); !ok {
		return false
	}
	scan(input, fn)
	return true
}

// count checks that the fast path knows every character of input and
// counts the runs of letters and digits and the ideographs (a middle mark
// may join two runs into one word later).
func count(input []byte) (words int, ok bool) {
	prev := uint8(cBreak)
	for i := 0; i < len(input); {
		c, size := classAt(input, i)
		switch c {
		case cOther:
			return 0, false
		case cExtend:
			// It would join the word before it, or a middle mark to
			// what follows; after a break it is part of that break.
			if prev != cBreak && prev != cExtend {
				return 0, false
			}
		case cLetter, cDigit:
			if prev != cLetter && prev != cDigit {
				words++
			}
		case cIdeo:
			words++
		}
		if c != cExtend {
			prev = c
		}
		i += size
	}
	return words, true
}

// scan calls fn with the words of input, which count accepted.
func scan(input []byte, fn func(start, end int, typ analysis.TokenType)) {
	start, letters, last := -1, false, uint8(cBreak)
	for i := 0; i < len(input); {
		c, size := classAt(input, i)
		switch c {
		case cLetter, cDigit:
			if start < 0 {
				start, letters = i, false
			}
			letters = letters || c == cLetter
			last = c
			i += size
			continue
		case cMidL, cMidN, cMidNL:
			if start >= 0 && i+size < len(input) && joins(c, last, input, i+size) {
				// a middle mark between two letters (or two digits)
				// keeps the word going
				i += size
				continue
			}
		}
		if start >= 0 {
			fn(start, i, wordType(letters))
			start = -1
		}
		if c == cIdeo {
			fn(i, i+size, analysis.Ideographic)
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(input), wordType(letters))
	}
}

func wordType(letters bool) analysis.TokenType {
	if letters {
		return analysis.AlphaNumeric
	}
	return analysis.Numeric
}

func classAt(input []byte, i int) (uint8, int) {
	if b := input[i]; b < utf8.RuneSelf {
		return asciiClass[b], 1
	}
	r, size := utf8.DecodeRune(input[i:])
	if r == utf8.RuneError && size == 1 {
		return cOther, 1
	}
	return class(r), size
}

// joins reports whether middle mark class c, after a letter or digit of
// class before, joins it with the character at input[next] (UAX #29
// WB6/7, WB11/12).
func joins(c, before uint8, input []byte, next int) bool {
	after, _ := classAt(input, next)
	switch c {
	case cMidL:
		return before == cLetter && after == cLetter
	case cMidN:
		return before == cDigit && after == cDigit
	default:
		return before == cLetter && after == cLetter || before == cDigit && after == cDigit
	}
}
