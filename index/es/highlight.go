package es

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/index/snippet"
	"github.com/earshothq/earshot/record"
)

// highlight returns the snippets of a hit. Elasticsearch marks what its
// own analysers matched; where Earshot analysed the text itself (a
// language the cluster lacks, or folding the cluster cannot do), the
// cluster's highlighter cannot see those matches, so Earshot marks the
// text itself with the same analysers it indexed with.
func (p *textPlan) highlight(m *record.EnrichedMention, es map[string][]string, terms []*query.Term) []string {
	d := index.NewMentionDoc(m, p.has)
	if p.highlightsItself(d) {
		return p.snippets(d, terms)
	}
	return pickHighlight(es)
}

// highlightsItself reports whether Earshot marks the document's text. On a
// cluster without any language analyser it marks every document (the
// neutral field is all the cluster would mark), so the cluster is not
// asked to highlight at all.
func (p *textPlan) highlightsItself(d index.MentionDoc) bool {
	_, client := p.Client[d.Analyser]
	return len(p.Native) == 0 || client || (!p.Fold && foldedText(d.Text) != "")
}

// pickHighlight prefers a language field's fragments (they mark whole
// stemmed words and CJK bigrams) over the neutral field's, and joins marks
// that touch (a CJK word the neutral field split into characters) or that
// only a space separates (a phrase) into one.
func pickHighlight(h map[string][]string) []string {
	var frags []string
	fields := make([]string, 0, len(h))
	for field := range h {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	for _, field := range fields {
		if field != index.NeutralField && len(h[field]) > 0 {
			frags = h[field]
			break
		}
	}
	if frags == nil {
		frags = h[index.NeutralField]
	}
	out := make([]string, len(frags))
	for i, f := range frags {
		out[i] = strings.NewReplacer("</mark><mark>", "", "</mark> <mark>", " ").Replace(f)
	}
	return out
}

var neutralTokenizer = unicode.NewUnicodeTokenizer()

// neutralTokens splits text as the neutral field does and folds each term.
func neutralTokens(text string) analysis.TokenStream {
	ts := neutralTokenizer.Tokenize([]byte(text))
	for _, t := range ts {
		t.Term = []byte(index.Fold(string(t.Term)))
	}
	return ts
}

// snippets marks the query's words in the text: folded exact words and
// phrases, prefixes, and words the language analyser reduces to the same
// terms as a query word ("entregas" for "entrega").
func (p *textPlan) snippets(d index.MentionDoc, terms []*query.Term) []string {
	text := d.Text
	neutral := neutralTokens(text)
	lang := p.Client[d.Analyser]
	var stemmed analysis.TokenStream
	if lang != nil {
		stemmed = lang.Analyze([]byte(text))
	}
	var spans []snippet.Span
	for _, t := range terms {
		if t.Prefix {
			pre := index.Fold(t.Value)
			for _, tok := range neutral {
				if strings.HasPrefix(string(tok.Term), pre) {
					spans = append(spans, snippet.Span{Start: tok.Start, End: tok.End})
				}
			}
			continue
		}
		spans = append(spans, snippet.Sequence(neutral, neutralTokens(t.Value))...)
		if lang != nil {
			spans = append(spans, snippet.Sequence(stemmed, lang.Analyze([]byte(t.Value)))...)
		}
	}
	return snippet.Fragments(text, snippet.Merge(spans))
}
