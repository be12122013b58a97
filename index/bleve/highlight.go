package bleve

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/pipeline"
)

// Snippet shape, matching what the Elasticsearch backend asks its
// highlighter for.
const (
	maxSnippets    = 3
	snippetContext = 100 // bytes of context around a match
)

type span struct{ start, end int }

// snippets marks the query's text terms in m's text. The text is analysed
// again with the same analysers the index used (the neutral one and the
// mention's language one), so a stemmed match ("entrega" in "entregas")
// and a CJK bigram are marked exactly where the index found them. This
// avoids storing term vectors for every document.
func (b *Backend) snippets(m *pipeline.EnrichedMention, terms []*query.Term) []string {
	if len(terms) == 0 {
		return nil
	}
	d := index.NewMentionDoc(m, hasAnalyser)
	text := d.Text
	im := b.mentions.Mapping()
	analysers := []string{highlightAnalyzer}
	if d.Analyser != "" {
		analysers = append(analysers, d.Analyser)
	}
	var spans []span
	for _, name := range analysers {
		a := im.AnalyzerNamed(name)
		if a == nil {
			continue
		}
		tokens := a.Analyze([]byte(text))
		queryAnalyser := a
		if name == highlightAnalyzer {
			for _, tok := range tokens {
				tok.Term = []byte(index.Fold(string(tok.Term)))
			}
			queryAnalyser = im.AnalyzerNamed(neutralAnalyzer)
		}
		for _, t := range terms {
			if t.Prefix {
				if name != highlightAnalyzer {
					continue
				}
				p := index.Fold(t.Value)
				for _, tok := range tokens {
					if strings.HasPrefix(string(tok.Term), p) {
						spans = append(spans, span{tok.Start, tok.End})
					}
				}
				continue
			}
			spans = append(spans, phraseSpans(tokens, queryAnalyser.Analyze([]byte(t.Value)))...)
		}
	}
	return fragments(text, mergeSpans(spans))
}

// phraseSpans finds q's tokens in doc at the same relative positions.
func phraseSpans(doc, q analysis.TokenStream) []span {
	if len(q) == 0 {
		return nil
	}
	byPos := map[int]*analysis.Token{}
	for _, t := range doc {
		byPos[t.Position] = t
	}
	var out []span
	for _, first := range doc {
		if string(first.Term) != string(q[0].Term) {
			continue
		}
		end, ok := first.End, true
		for _, qt := range q[1:] {
			t := byPos[first.Position+qt.Position-q[0].Position]
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

// mergeSpans sorts spans and joins overlapping or touching ones, so that a
// run of CJK characters is one mark.
func mergeSpans(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := []span{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start <= last.end {
			if s.end > last.end {
				last.end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// fragments cuts up to maxSnippets HTML-escaped windows of text around the
// marked spans, with each span in <mark>.
func fragments(text string, spans []span) []string {
	var out []string
	for i := 0; i < len(spans) && len(out) < maxSnippets; {
		from := runeStart(text, spans[i].start-snippetContext)
		to := spans[i].end
		j := i
		for j < len(spans) && spans[j].start < to+snippetContext {
			to = spans[j].end
			j++
		}
		to = runeEnd(text, to+snippetContext)
		var sb strings.Builder
		if from > 0 {
			sb.WriteString("…")
		}
		pos := from
		for _, s := range spans[i:j] {
			sb.WriteString(html.EscapeString(text[pos:s.start]))
			sb.WriteString("<mark>")
			sb.WriteString(html.EscapeString(text[s.start:s.end]))
			sb.WriteString("</mark>")
			pos = s.end
		}
		sb.WriteString(html.EscapeString(text[pos:to]))
		if to < len(text) {
			sb.WriteString("…")
		}
		out = append(out, sb.String())
		i = j
	}
	return out
}

func runeStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

func runeEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}
