package es

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	blevereg "github.com/blevesearch/bleve/v2/registry"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/langanalysers"
	"github.com/earshothq/earshot/index/wordseg"
)

// Text analysis on a cluster that may lack some of it.
//
// A full Elasticsearch distribution has language analysers (module
// analysis-common; Polish needs the analysis-stempel plugin). A stripped
// node (the integ-test build, some managed offerings) may have only the
// standard analyser and the lowercase filter. At EnsureSchema the backend
// asks the cluster (POST _analyze) which analysers it has and builds its
// mapping from the answer, per language key:
//
//   - native: the cluster's analyser on field text_<key>;
//   - client: the cluster lacks one but Earshot has a Go analyser (the same
//     ones the embedded index uses): Earshot analyses the text itself and
//     sends the terms, space-separated, to the one field "terms"
//     (whitespace analyser); a query word goes through every such Go
//     analyser and each distinct result is searched there;
//   - neither: the language is searched through the neutral field only
//     (exact words, prefixes).
//
// Diacritic folding is the same choice: the asciifolding filter in the
// neutral analyser, or, without it, Earshot folds (index.Fold) the neutral
// text of a mention whose text folding changes, and every query word.

// nativeAnalysers are Elasticsearch's language analysers by Earshot
// analyser key (index.AnalyserKey).
var nativeAnalysers = map[string]string{
	"ar": "arabic", "bg": "bulgarian", "ca": "catalan", "cjk": "cjk", "cs": "czech", "da": "danish", "de": "german",
	"el": "greek", "en": "english", "es": "spanish", "et": "estonian", "fi": "finnish", "fr": "french", "hi": "hindi",
	"hu": "hungarian", "id": "indonesian", "it": "italian", "lt": "lithuanian", "lv": "latvian", "nl": "dutch",
	"no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}

// clientAnalysers are the keys Earshot can analyse in Go.
var clientAnalysers = langanalysers.Keys

// Field names beside index.NeutralField.
const (
	neutralName   = "earshot_neutral"
	clientField   = "terms"      // Earshot-analysed terms, whatever the language
	clientAnalyzr = "whitespace" // the pre-analysed terms are only split again
)

// goAnalysers builds bleve's analysers once; they are safe for concurrent use.
var goAnalysers = sync.OnceValues(func() (map[string]analysis.Analyzer, error) {
	cache := blevereg.NewCache()
	out := map[string]analysis.Analyzer{}
	for _, key := range clientAnalysers {
		a, err := cache.AnalyzerNamed(key)
		if err != nil {
			return nil, fmt.Errorf("building the Go analyser %q: %w", key, err)
		}
		out[key] = cacheTokens(withFastWords(a), key != "cjk")
	}
	return out, nil
})

// withFastWords gives a bleve analyser built on the unicode tokenizer
// wordseg's fast path in front of it: the same tokens, a third of the cost
// for the text most mentions are.
func withFastWords(a analysis.Analyzer) analysis.Analyzer {
	d, ok := a.(*analysis.DefaultAnalyzer)
	if !ok {
		return a
	}
	if _, unicodeWords := d.Tokenizer.(*unicodetok.UnicodeTokenizer); !unicodeWords {
		return a
	}
	fast := *d
	fast.Tokenizer = &wordseg.Tokenizer{Fallback: d.Tokenizer}
	return &fast
}

// textPlan is how the backend analyses text on this cluster.
type textPlan struct {
	// Native maps analyser keys to the cluster's analyser names.
	Native map[string]string
	// Client are the keys Earshot analyses itself.
	Client map[string]analysis.Analyzer
	// Fold is true when the cluster's neutral analyser folds diacritics.
	Fold bool
}

// planFor builds the plan from what the cluster has.
func planFor(clusterHas func(analyser string) bool, fold bool) (*textPlan, error) {
	gos, err := goAnalysers()
	if err != nil {
		return nil, err
	}
	p := &textPlan{Native: map[string]string{}, Client: map[string]analysis.Analyzer{}, Fold: fold}
	for key, name := range nativeAnalysers {
		if clusterHas(name) {
			p.Native[key] = name
		} else if a, ok := gos[key]; ok {
			p.Client[key] = a
		}
	}
	return p, nil
}

// has reports whether the plan analyses a key (for index.NewMentionDoc).
func (p *textPlan) has(key string) bool {
	if _, ok := p.Native[key]; ok {
		return true
	}
	_, ok := p.Client[key]
	return ok
}

func (p *textPlan) nativeKeys() []string { return slices.Sorted(maps.Keys(p.Native)) }
func (p *textPlan) clientKeys() []string { return slices.Sorted(maps.Keys(p.Client)) }

// neutralOnly are the known keys the plan has no analyser for.
func (p *textPlan) neutralOnly() []string {
	var out []string
	for key := range nativeAnalysers {
		if !p.has(key) {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// degraded reports whether the cluster lacks anything Earshot would use.
func (p *textPlan) degraded() bool { return !p.Fold || len(p.Client) > 0 || len(p.neutralOnly()) > 0 }

// summary is a stable description of the plan, stored in the index
// template so a later start can tell that the cluster's analysis changed.
func (p *textPlan) summary() string {
	fold := "cluster"
	if !p.Fold {
		fold = "earshot"
	}
	return fmt.Sprintf("native=%s client=%s fold=%s",
		strings.Join(p.nativeKeys(), ","), strings.Join(p.clientKeys(), ","), fold)
}

// neutralAnalyzer is the definition of the neutral analyser.
func (p *textPlan) neutralAnalyzer() obj {
	filters := []string{"lowercase"}
	if p.Fold {
		filters = append(filters, "asciifolding")
	}
	return obj{"type": "custom", "tokenizer": "standard", "filter": filters}
}

// clientTerms analyses text with a Go analyser and returns its terms
// separated by spaces, for a whitespace-analysed field.
func clientTerms(a analysis.Analyzer, text string) string {
	return string(appendClientTerms(nil, a, text))
}

// appendClientTerms is clientTerms appending to dst.
func appendClientTerms(dst []byte, a analysis.Analyzer, text string) []byte {
	if c, ok := a.(*tokenCached); ok {
		return c.appendTerms(dst, text)
	}
	start := len(dst)
	for _, t := range a.Analyze([]byte(text)) {
		if len(t.Term) == 0 {
			continue
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, t.Term...)
	}
	return dst
}

// foldedText is text folded by Earshot, or "" when folding changes nothing
// beyond case (the neutral analyser lower-cases). It folds word by word
// (words split at spaces) and remembers the non-ASCII words: folding
// lower-cases, decomposes, drops marks and composes again, and none of
// these reaches across a space (a space neither decomposes, nor reorders
// with, nor composes with its neighbours), so the words folded apart and
// joined are the text folded whole, for a fifth of the cost of encoding a
// document on a node without asciifolding.
func foldedText(text string) string {
	if isASCII(text) {
		return ""
	}
	out := make([]byte, 0, len(text)+8)
	changed := false
	for rest, first := text, true; ; first = false {
		word, tail, more := strings.Cut(rest, " ")
		if !first {
			out = append(out, ' ')
		}
		var same bool
		out, same = appendFolded(out, word)
		changed = changed || !same
		if !more {
			break
		}
		rest = tail
	}
	if !changed {
		return ""
	}
	return string(out)
}

// foldedWords remembers how non-ASCII words fold.
var words memo[foldedWord]

type foldedWord struct {
	folded string
	same   bool // folding changed nothing beyond case
}

// appendFolded appends index.Fold(w) to dst and says whether it equals
// strings.ToLower(w).
func appendFolded(dst []byte, w string) ([]byte, bool) {
	if isASCII(w) { // folds to its lower case
		for i := 0; i < len(w); i++ {
			c := w[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst, true
	}
	f, ok := words.get(w)
	if !ok {
		folded := index.Fold(w)
		f = foldedWord{folded: folded, same: folded == strings.ToLower(w)}
		words.put(w, f)
	}
	return append(dst, f.folded...), f.same
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// detectPlan asks the cluster which analysers it has. A 400 answer means
// "no such analyser"; any other failure is returned.
func (b *Backend) detectPlan(ctx context.Context) (*textPlan, error) {
	names := slices.Sorted(maps.Values(nativeAnalysers))
	has := make(map[string]bool, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(names)+1)
	sem := make(chan struct{}, 4)
	probe := func(i int, name string, req obj) {
		defer wg.Done()
		sem <- struct{}{}
		defer func() { <-sem }()
		ok, err := b.analyzes(ctx, req)
		if err != nil {
			errs[i] = fmt.Errorf("probing %s: %w", name, err)
			return
		}
		mu.Lock()
		has[name] = ok
		mu.Unlock()
	}
	for i, name := range names {
		wg.Add(1)
		go probe(i, name, obj{"analyzer": name, "text": "earshot"})
	}
	wg.Add(1)
	go probe(len(names), "asciifolding", obj{"tokenizer": "standard", "filter": []string{"lowercase", "asciifolding"}, "text": "earshot"})
	wg.Wait()
	// An unreachable cluster, a refused certificate or refused credentials
	// fail every probe alike: the first error says it once.
	failed := 0
	for _, err := range errs {
		var ee *esError
		if errors.As(err, &ee) && (ee.Status == 401 || ee.Status == 403) {
			return nil, fmt.Errorf("detecting the cluster's analysers: %w", err)
		}
		if err != nil {
			failed++
		}
	}
	if failed == len(errs) {
		return nil, fmt.Errorf("detecting the cluster's analysers: %w", errs[0])
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("detecting the cluster's analysers: %w", err)
	}
	return planFor(func(name string) bool { return has[name] }, has["asciifolding"])
}

// analyzes runs one _analyze request: true when the cluster ran it, false
// when it answered that an analyser or filter does not exist.
func (b *Backend) analyzes(ctx context.Context, req obj) (bool, error) {
	err := b.do(ctx, esapi.IndicesAnalyzeRequest{Body: body(req)}, nil)
	var ee *esError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ee) && ee.Status == 400:
		return false, nil
	}
	return false, err
}

// logPlan says what the cluster lacks and how the backend makes up for it.
func (b *Backend) logPlan(p *textPlan) {
	if !p.degraded() {
		b.logger.Info("elasticsearch text analysis: every language analyser is on the cluster", "native", p.nativeKeys())
		return
	}
	fold := "cluster (asciifolding)"
	if !p.Fold {
		fold = "earshot (the cluster has no asciifolding filter)"
	}
	b.logger.Warn("elasticsearch lacks some text analysis; languages fall back",
		"native", p.nativeKeys(),
		"analysed_by_earshot", p.clientKeys(),
		"exact_words_only", p.neutralOnly(),
		"diacritic_folding", fold)
}
