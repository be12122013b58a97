package es

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/earshothq/earshot/index/synth"
)

// Remembering what the filters make of each token gives exactly the terms
// of the whole analyser, on first sight of a token and from the cache.
func TestCachedTermsAreTheAnalysersTerms(t *testing.T) {
	gos, err := goAnalysers()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"John's deliveries arrived LATE, the store's support didn't answer!",
		"l'amour de l'entreprise, qu'il a dit; dell'azienda all'ingrosso",
		"İstanbul'da KARGO geç geldi, Türkiye'nin en kötü hizmeti",
		"Die STRASSE und die Straße, Lieferung über 3,5 Tage, Größe 42",
		"zamówienie nie dotarło — ŻÓŁW, źdźbło; 12:30 #dostawa @acme https://acme.example/x?y=1",
		"доставка опоздала на 3 дня, ужасный сервис! Спасибо",
		"التوصيل متأخر جدا والخدمة سيئة",
		"डिलीवरी बहुत देर से आई, सेवा खराब है",
		"快递很慢 but the price 🙂 is ok 123 4.5 a-b c_d e.f",
		"", "   ", "...", "a", "Ω≈ç√∫˜µ≤≥÷ ¡™£¢∞§¶•ªº–≠",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, m := range benchMentions(0, 300, r) {
		texts = append(texts, m.Text)
	}
	cfg := synth.DefaultConfig()
	cfg.Seed = 3
	for _, m := range synth.New(cfg).Batch(500) {
		texts = append(texts, m.Text)
	}
	cached := 0
	for key, a := range gos {
		c, ok := a.(*tokenCached)
		if !ok {
			if key != "cjk" {
				t.Errorf("the %s analyser is not cached", key)
			}
			continue
		}
		cached++
		for pass := range 2 { // first sight, then from the cache
			for _, text := range texts {
				var want []string
				for _, tok := range c.DefaultAnalyzer.Analyze([]byte(text)) {
					if len(tok.Term) > 0 {
						want = append(want, string(tok.Term))
					}
				}
				if got := string(c.appendTerms(nil, text)); got != strings.Join(want, " ") {
					t.Fatalf("%s (pass %d) %q: cached terms %q, the analyser's %q", key, pass, text, got, strings.Join(want, " "))
				}
			}
		}
	}
	if cached < 15 {
		t.Errorf("%d analysers cached; want every one but cjk", cached)
	}
	if _, ok := gos["cjk"].(*analysis.DefaultAnalyzer); !ok {
		t.Error("the cjk analyser (bigrams of neighbouring characters) must not be cached per token")
	}
}

// The cache starts over when it is full instead of growing without bound.
func TestTokenCacheIsBounded(t *testing.T) {
	gos, err := goAnalysers()
	if err != nil {
		t.Fatal(err)
	}
	c := cacheTokens(gos["en"].(*tokenCached).DefaultAnalyzer, true).(*tokenCached)
	var b strings.Builder
	for i := range tokenCacheMax + 10 {
		b.WriteString(" w")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(string(rune('a' + (i/26)%26)))
		b.WriteString(string(rune('a' + (i/676)%26)))
		b.WriteString(string(rune('a' + (i/17576)%26)))
	}
	c.appendTerms(nil, b.String())
	if n := len(c.terms); n > tokenCacheMax || n == 0 {
		t.Fatalf("%d tokens cached; want 1..%d", n, tokenCacheMax)
	}
}
