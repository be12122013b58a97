package wordseg

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

var segmenter = unicode.NewUnicodeTokenizer()

// same checks that the fast path, when it takes text, gives exactly the
// segmenter's tokens, and reports whether it took it.
func same(t *testing.T, text string) bool {
	t.Helper()
	got, ok := Fast([]byte(text))
	if !ok {
		return false
	}
	want := segmenter.Tokenize([]byte(text))
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q:\n got  %s\n want %s", text, show(got), show(want))
	}
	return true
}

func show(ts analysis.TokenStream) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(t.String())
		b.WriteByte(' ')
	}
	return b.String()
}

func TestFastMatchesTheSegmenterOnCases(t *testing.T) {
	for _, c := range []struct {
		text string
		fast bool
	}{
		{"abc123 123 123abc 12a3 a1 1a", true},
		{"ok, 3.5 3,5 a.b a,b don't it’s 10:30 a:b e.g. 1.000,50 x;y 5'5", true},
		{"你好世界 ab你好 你好ab 12你，好。", true},
		{"❤️ hi 👍🏻 x 🇵🇱 👨‍👩‍👧 ok", true},
		{"zażółć gęślą jaźń · rīt pēc 14 būtu ok · São João · Größe · ½ ª º µ ß × ÷", true},
		{"“quoted” — dash… «guillemets» ¿qué? ¡sí! €5 £3 ¥2 ＃＠（）", true},
		{"", true},
		{"   ...  !!! ", true},
		{"a_b", false},            // ExtendNumLet
		{"hi\u0301 there", false}, // a combining mark
		{"Привет мир", false},     // another script
		{"ok\U0001F3FB", false},   // a skin tone right after a letter
		{"soft\u00adhyphen", false},
		{"\U0001F132\U0001F170 ok", false}, // enclosed letters (found by the fuzzer)
		{"カタカナ", false},
		{"\xff broken utf-8", false},
	} {
		if got := same(t, c.text); got != c.fast {
			t.Errorf("%q: fast path taken = %v, want %v", c.text, got, c.fast)
		}
	}
}

// TestFastMatchesTheSegmenterOnEveryTextWeHave runs both on the texts of
// the repository's labelled sets (eight languages, social-media register,
// emoji, no diacritics, Chinese) and on their lines run together.
func TestFastMatchesTheSegmenterOnEveryTextWeHave(t *testing.T) {
	var texts []string
	for _, glob := range []string{"../../enrich/intent/testdata/*/*.jsonl", "../../enrich/intent/written/*/*.jsonl", "../../enrich/intent/testdata/*.jsonl"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			texts = append(texts, readJSONL(t, f)...)
		}
	}
	files, _ := filepath.Glob("../../enrich/sentiment/feedback/*/*.tsv")
	for _, f := range files {
		texts = append(texts, readTSV(t, f)...)
	}
	if len(texts) < 10000 {
		t.Fatalf("only %d texts found", len(texts))
	}
	taken := 0
	for _, text := range texts {
		if same(t, text) {
			taken++
		}
	}
	t.Logf("%d texts, %d on the fast path", len(texts), taken)
	if taken < len(texts)*9/10 {
		t.Errorf("the fast path took %d of %d texts, want most", taken, len(texts))
	}
}

// TestFastMatchesTheSegmenterOnRandomText builds texts from the
// characters the fast path decides on, and from some it leaves alone.
func TestFastMatchesTheSegmenterOnRandomText(t *testing.T) {
	alphabet := []rune("aZ09 .,;:'’_-·@#!?\n\t\u00a0ąłā你好，。！？“”…€😀👍\u200d\ufe0f\U0001F3FB\u0301éß½ª")
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + r.IntN(12)
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		same(t, string(rs))
	}
}

// TestFastMatchesTheSegmenterOnEveryCharacterItKnows tries every
// character the fast path takes, alone and between letters, digits and
// ideographs.
func TestFastMatchesTheSegmenterOnEveryCharacterItKnows(t *testing.T) {
	known := 0
	for r := rune(0); r <= 0x1FAFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if r >= utf8.RuneSelf && class(r) == cOther {
			continue
		}
		known++
		c := string(r)
		for _, text := range []string{c, "a" + c + "b", "1" + c + "2", "é" + c, c + "好", "x " + c + " y"} {
			same(t, text)
		}
		if t.Failed() {
			t.Fatalf("stopped at U+%04X", r)
		}
	}
	t.Logf("%d characters known to the fast path", known)
}

func FuzzFast(f *testing.F) {
	for _, s := range []string{"don't 3.5 a:b", "你好ab12", "x👍🏻 y", "a_b", "ąż ā"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { same(t, s) })
}

func readJSONL(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct{ Text string }
		if json.Unmarshal(sc.Bytes(), &v) == nil && v.Text != "" {
			out = append(out, v.Text)
		}
	}
	return out
}

func readTSV(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, text, ok := strings.Cut(line, "\t"); ok {
			out = append(out, text)
		}
	}
	return out
}
