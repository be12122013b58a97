package es

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/earshothq/earshot/index/wordseg"
)

// tokenCached is a Go analyser whose token filters each map one token to
// at most one token regardless of its neighbours (lower-casing, stop
// words, elision, normalisation, stemming: every language Earshot analyses
// except CJK, whose bigram filter pairs neighbours). What the filters make
// of a token then depends on the token alone, so it is remembered: a
// mention's words are mostly words seen before, and the stemmers were the
// largest part of encoding a document for a node that lacks the language
// analysers. The tokenizer still runs on every text (wordseg's fast path
// for most).
type tokenCached struct {
	*analysis.DefaultAnalyzer
	terms memo[string] // token type and text → its terms ("" for a stop word)
}

// memoMax bounds what a memo remembers; when it is reached the memo
// starts over.
const memoMax = 1 << 15

// memo is a bounded map shared by the encoding workers: the token caches
// of the Go analysers and the folded words.
type memo[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

func (c *memo[V]) get(k string) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *memo[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= memoMax {
		c.m = make(map[string]V)
	}
	c.m[k] = v
}

// cacheTokens wraps a, unless its output can depend on more than one
// token at a time (perToken false) or it is not bleve's default analyser.
func cacheTokens(a analysis.Analyzer, perToken bool) analysis.Analyzer {
	d, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || !perToken || len(d.CharFilters) > 0 || d.Tokenizer == nil {
		return a
	}
	return &tokenCached{DefaultAnalyzer: d}
}

// appendTerms appends the terms of text, separated by spaces, to dst: the
// same as joining the terms of Analyze. Text wordseg's fast path knows is
// split without making tokens at all.
func (c *tokenCached) appendTerms(dst []byte, text string) []byte {
	var key []byte
	first := true
	add := func(typ analysis.TokenType, word []byte, tok *analysis.Token) {
		key = append(append(key[:0], byte(typ)), word...)
		terms, ok := c.terms.get(string(key))
		if !ok {
			if tok == nil {
				tok = &analysis.Token{Term: word, Start: 0, End: len(word), Position: 1, Type: typ}
			}
			terms = c.filter(tok)
			c.terms.put(string(key), terms)
		}
		if terms == "" {
			return
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = append(dst, terms...)
		first = false
	}
	input := []byte(text)
	if _, fast := c.Tokenizer.(*wordseg.Tokenizer); fast && wordseg.Scan(input, func(start, end int, typ analysis.TokenType) {
		add(typ, input[start:end], nil)
	}) {
		return dst
	}
	for _, tok := range c.Tokenizer.Tokenize(input) {
		add(tok.Type, tok.Term, tok)
	}
	return dst
}

// filter runs the token filters on one token.
func (c *tokenCached) filter(tok *analysis.Token) string {
	one := *tok
	one.Term = append([]byte(nil), tok.Term...)
	stream := analysis.TokenStream{&one}
	for _, f := range c.TokenFilters {
		stream = f.Filter(stream)
	}
	var out []byte
	for _, t := range stream {
		if len(t.Term) == 0 {
			continue
		}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, t.Term...)
	}
	return string(out)
}
