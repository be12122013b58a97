package analysis

import (
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// BenchmarkParts splits the per-record cost into the analysis steps.
func BenchmarkParts(b *testing.B) {
	ms := benchMentions(b)
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(ms))
	for i := range ms {
		texts[i] = Text(&ms[i])
	}
	var toks []textnorm.Token
	b.Run("language", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			a.detector.Detect(texts[i%len(texts)], "")
		}
	})
	b.Run("sentiment", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			a.clf.Classify(texts[i%len(texts)], "en")
		}
	})
	b.Run("tokenize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			toks = textnorm.Tokenize(texts[i%len(texts)], toks)
		}
	})
	b.Run("intents", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t := texts[i%len(texts)]
			toks = textnorm.Tokenize(t, toks)
			a.intents.Detect(t, "en", toks)
		}
	})
	b.Run("preferences", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t := texts[i%len(texts)]
			toks = textnorm.Tokenize(t, toks)
			a.prefs.Extract(t, toks, func(t string, c []textnorm.Token) (string, float64) { return a.clauseSentiment(t, c, "en") })
		}
	})
}
