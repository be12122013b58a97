package textnorm

import (
	"unicode"
	"unicode/utf8"
)

// Script is a writing system, as far as language routing needs to know.
type Script uint8

// Scripts that route language detection.
const (
	ScriptOther Script = iota
	ScriptLatin
	ScriptCyrillic
	ScriptArabic
	ScriptDevanagari
	ScriptHan
	ScriptKana
	ScriptHangul
	ScriptGreek
	ScriptHebrew
	ScriptThai
	numScripts
)

var scriptNames = [...]string{"other", "latin", "cyrillic", "arabic", "devanagari", "han", "kana", "hangul", "greek", "hebrew", "thai"}

func (s Script) String() string { return scriptNames[s] }

// ScriptOf returns the script of a letter.
func ScriptOf(r rune) Script {
	switch {
	case r < 0x80:
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return ScriptLatin
		}
		return ScriptOther
	case r <= 0x024F || r >= 0x1E00 && r <= 0x1EFF:
		if unicode.IsLetter(r) {
			return ScriptLatin
		}
	case r >= 0x0400 && r <= 0x052F:
		return ScriptCyrillic
	case r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF:
		if unicode.IsLetter(r) {
			return ScriptArabic
		}
	case r >= 0x0900 && r <= 0x097F:
		return ScriptDevanagari
	case IsHan(r):
		return ScriptHan
	case r >= 0x3040 && r <= 0x30FF:
		return ScriptKana
	case r >= 0xAC00 && r <= 0xD7AF || r >= 0x1100 && r <= 0x11FF:
		return ScriptHangul
	case r >= 0x0370 && r <= 0x03FF:
		return ScriptGreek
	case r >= 0x0590 && r <= 0x05FF:
		return ScriptHebrew
	case r >= 0x0E00 && r <= 0x0E7F:
		return ScriptThai
	}
	return ScriptOther
}

// ScriptCounts counts the letters of each script in s, skipping URLs,
// @mentions and e-mail-like tokens, which say nothing about the language.
type ScriptCounts [numScripts]int

// CountScripts fills counts for s and returns the total number of letters counted.
func CountScripts(s string) (counts ScriptCounts, letters int) {
	skip := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\n' || c == '\t':
				skip = false
			case c == '@':
				skip = true
			case (c == 'h' || c == 'w') && !skip && (i == 0 || s[i-1] == ' ') && isURLStart(s[i:]):
				skip = true
			case !skip && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'):
				counts[ScriptLatin]++
				letters++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if skip {
			continue
		}
		if sc := ScriptOf(r); sc != ScriptOther {
			counts[sc]++
			letters++
		}
	}
	return counts, letters
}

// Dominant returns the script with most letters and its share of all letters.
func (c *ScriptCounts) Dominant(letters int) (Script, float64) {
	best := ScriptOther
	for s := ScriptLatin; s < numScripts; s++ {
		if c[s] > c[best] {
			best = s
		}
	}
	if letters == 0 {
		return ScriptOther, 0
	}
	return best, float64(c[best]) / float64(letters)
}
