package bleve

import (
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/index/snippet"
	"github.com/earshothq/earshot/record"
)

// snippets marks the query's text terms in m's text. The text is analysed
// again with the same analysers the index used (the neutral one and the
// mention's language one), so a stemmed match ("entrega" in "entregas")
// and a CJK bigram are marked exactly where the index found them. This
// avoids storing term vectors for every document.
func (b *Backend) snippets(m *record.EnrichedMention, terms []*query.Term) []string {
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
	var spans []snippet.Span
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
						spans = append(spans, snippet.Span{Start: tok.Start, End: tok.End})
					}
				}
				continue
			}
			spans = append(spans, snippet.Sequence(tokens, queryAnalyser.Analyze([]byte(t.Value)))...)
		}
	}
	return snippet.Fragments(text, snippet.Merge(spans))
}
