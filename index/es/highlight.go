package es

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/pipeline"
)

// Snippet shape, the same for Elasticsearch's highlighter and Earshot's.
const (
	snippetCount = 3   // fragments per hit
	snippetSize  = 200 // characters per fragment
)

// highlight returns the snippets of a hit. Elasticsearch marks what its
// own analysers matched; where Earshot analysed the text itself (a
// language the cluster lacks, or folding the cluster cannot do), the
// cluster's highlighter cannot see those matches, so Earshot marks the
// text itself with the same analysers it indexed with.
func (p *textPlan) highlight(m *pipeline.EnrichedMention, es map[string][]string, terms []*query.Term) []string {
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

type span struct{ start, end int }

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
	var spans []span
	for _, t := range terms {
		if t.Prefix {
			pre := index.Fold(t.Value)
			for _, tok := range neutral {
				if strings.HasPrefix(string(tok.Term), pre) {
					spans = append(spans, span{tok.Start, tok.End})
				}
			}
			continue
		}
		spans = append(spans, sequenceSpans(neutral, neutralTokens(t.Value))...)
		if lang != nil {
			spans = append(spans, sequenceSpans(stemmed, lang.Analyze([]byte(t.Value)))...)
		}
	}
	return fragments(text, mergeSpans(spans))
}

// sequenceSpans finds the query's terms in the document at the same
// relative positions, and returns the text each occurrence covers.
func sequenceSpans(doc, q analysis.TokenStream) []span {
	if len(q) == 0 {
		return nil
	}
	at := make(map[int]*analysis.Token, len(doc))
	for _, t := range doc {
		at[t.Position] = t
	}
	var out []span
	for _, first := range doc {
		if string(first.Term) != string(q[0].Term) {
			continue
		}
		end, ok := first.End, true
		for _, qt := range q[1:] {
			t := at[first.Position+qt.Position-q[0].Position]
			if t == nil || string(t.Term) != string(qt.Term) {
				ok = false
				break
			}
			end = t.End
		}
		if ok {
			out = append(out, span{first.Start, end})
		}
	}
	return out
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := []span{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// fragments cuts up to snippetCount windows of about snippetSize
// characters around the marks, HTML-escaped, marks in <mark>.
func fragments(text string, spans []span) []string {
	if len(spans) == 0 {
		return nil
	}
	var out []string
	for i := 0; i < len(spans) && len(out) < snippetCount; {
		start, end := window(text, spans[i])
		var b strings.Builder
		pos := start
		for ; i < len(spans) && spans[i].start < end; i++ {
			s := spans[i]
			if s.end > end {
				end = s.end // never cut a mark
			}
			b.WriteString(html.EscapeString(text[pos:s.start]))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(text[s.start:s.end]))
			b.WriteString("</mark>")
			pos = s.end
		}
		b.WriteString(html.EscapeString(text[pos:end]))
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

// window is the byte range of a fragment of about snippetSize characters
// holding s, starting a little before it, on rune and word boundaries.
func window(text string, s span) (int, int) {
	if utf8.RuneCountInString(text) <= snippetSize {
		return 0, len(text)
	}
	start := s.start
	for back := 0; start > 0 && back < snippetSize/4; back++ {
		_, n := utf8.DecodeLastRuneInString(text[:start])
		start -= n
	}
	if i := strings.IndexAny(text[start:s.start], " \n\t"); start > 0 && i >= 0 {
		start += i + 1 // begin on a word
	}
	end := start
	for n := 0; end < len(text) && n < snippetSize; n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	if end < len(text) && s.end < end {
		if i := strings.LastIndexAny(text[s.end:end], " \n\t"); i >= 0 {
			end = s.end + i // end on a word
		}
	}
	return start, max(end, s.end)
}
