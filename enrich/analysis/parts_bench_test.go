package analysis

import (
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// BenchmarkParts splits the per-record cost into the analysis steps. Each
// step reports CPU microseconds per record (cpu-µs/op), which a loaded
// machine distorts less than ns/op.
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
	part := func(name string, fn func(text string)) {
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				fn(texts[i%len(texts)])
			}
			if cpu := cpuSeconds() - cpu0; cpu > 0 {
				b.ReportMetric(cpu*1e6/float64(b.N), "cpu-µs/op")
			}
		})
	}
	part("language", func(t string) { a.detector.Detect(t, "") })
	part("sentiment", func(t string) { a.model.Load().clf.Classify(t, "en") })
	part("tokenize", func(t string) { toks = textnorm.Tokenize(t, toks) })
	part("intents", func(t string) {
		toks = textnorm.Tokenize(t, toks)
		a.intents.Detect(t, "en", toks)
	})
	part("preferences", func(t string) {
		toks = textnorm.Tokenize(t, toks)
		a.prefs.Extract(t, toks, func(t string, c []textnorm.Token) (string, float64) {
			return a.clauseSentiment(a.model.Load().clf, t, c, "en")
		})
	})
}
