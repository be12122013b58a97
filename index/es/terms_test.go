package es

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	blevereg "github.com/blevesearch/bleve/v2/registry"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/index/wordseg"
)

// Remembering what the filters make of each token, and splitting words
// with wordseg's fast path, gives exactly the terms of bleve's analyser,
// on first sight of a token and from the cache.
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
	bleves := blevereg.NewCache()
	cached := 0
	for key, a := range gos {
		ref, err := bleves.AnalyzerNamed(key)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := a.(*tokenCached)
		if !ok {
			if key != "cjk" {
				t.Errorf("the %s analyser is not cached", key)
			}
			for _, text := range texts {
				if got, want := clientTerms(a, text), clientTerms(ref, text); got != want {
					t.Fatalf("%s %q: terms %q, bleve's analyser's %q", key, text, got, want)
				}
			}
			continue
		}
		if _, fast := c.Tokenizer.(*wordseg.Tokenizer); !fast {
			t.Errorf("the %s analyser does not split words with wordseg", key)
		}
		cached++
		for pass := range 2 { // first sight, then from the cache
			for _, text := range texts {
				var want []string
				for _, tok := range ref.Analyze([]byte(text)) {
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
	for i := range memoMax + 10 {
		b.WriteString(" w")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(string(rune('a' + (i/26)%26)))
		b.WriteString(string(rune('a' + (i/676)%26)))
		b.WriteString(string(rune('a' + (i/17576)%26)))
	}
	c.appendTerms(nil, b.String())
	if n := len(c.terms.m); n > memoMax || n == 0 {
		t.Fatalf("%d tokens cached; want 1..%d", n, memoMax)
	}
}

// refFoldedText is foldedText as it was: the whole text folded at once.
func refFoldedText(text string) string {
	ascii := true
	for i := 0; i < len(text) && ascii; i++ {
		ascii = text[i] < utf8.RuneSelf
	}
	if ascii {
		return ""
	}
	f := index.Fold(text)
	if f == strings.ToLower(text) {
		return ""
	}
	return f
}

// Folding word by word (and from the cache) is folding the whole text,
// including marks after a space, long runs of marks, Hangul jamo that
// compose, invalid UTF-8 and the letters folded without decomposing.
func TestFoldedTextWordByWordIsTheWholeTextFolded(t *testing.T) {
	texts := []string{
		"zamówienie nie dotarło ŁÓDŹ", "Straße GROSSE Øre æble œuvre þorn", "entrega  dupla   espaço ", " leading é",
		"a \u0301b \u0301\u0301 c\u0327\u0301", "e\u0301 \u0065\u0301", "\u1100\u1161 \u1100 \u1161\u11a8", "가각 힣",
		"x " + strings.Repeat("\u0301", 40) + "y", "\xff\xfe bad é \xc3", "İstanbul ıI", "ǅungla Ǆ ǆ", "ﬁ ﬂ Å Å",
		"快递 很慢 🙂 é", "Ω ω ϴ", "",
	}
	r := rand.New(rand.NewPCG(11, 12))
	pools := [][2]rune{{0x20, 0x7e}, {0xa0, 0x24f}, {0x300, 0x36f}, {0x1100, 0x11ff}, {0xac00, 0xac20}, {0x4e00, 0x4e20}, {0x1f600, 0x1f610}, {0x1e00, 0x1eff}, {0x370, 0x3ff}, {0x400, 0x4ff}}
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			if r.IntN(4) == 0 {
				b.WriteByte(' ')
				continue
			}
			p := pools[r.IntN(len(pools))]
			b.WriteRune(p[0] + rune(r.IntN(int(p[1]-p[0]+1))))
		}
		texts = append(texts, b.String())
	}
	for _, m := range benchMentions(0, 300, r) {
		texts = append(texts, m.Text)
	}
	for pass := range 2 {
		for _, text := range texts {
			if got, want := foldedText(text), refFoldedText(text); got != want {
				t.Fatalf("pass %d, %q: folded word by word %q, whole %q", pass, text, got, want)
			}
		}
	}
}
