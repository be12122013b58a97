package textnorm

import (
	"reflect"
	"testing"
)

func TestClean(t *testing.T) {
	cases := map[string]string{
		`it\u2019s great\u002c really`:              "it’s great, really",
		`fish &amp; chips`:                          "fish & chips",
		`  plain text  `:                            "plain text",
		`emoji \ud83d\ude00 done`:                   "emoji 😀 done",
		`broken \u12 escape`:                        `broken \u12 escape`,
		"Zażółć gęślą jaźń":                         "Zażółć gęślą jaźń",
		`\u0141\u00f3d\u017a is a city`:             "Łódź is a city",
		`a &lt;b&gt; &quot;c&quot; &#39;`:           `a <b> "c" '`,
		`it&#8217;s &#x2019;ok&#x2019; &#0; &#xZZ;`: `it’s ’ok’ &#0; &#xZZ;`,
		`\"Speed Kills\" http:\/\/t.co\/x`:          `"Speed Kills" http://t.co/x`,
		`line\none\ttab`:                            "line one tab",
		`\o/ yay`:                                   `\o/ yay`,
		`Nai yar \u00f0\u0178\u02dc\u00ad`:          "Nai yar 😭",
		"Nai yar \u00f0\u0178\u02dc\u00ad":          "Nai yar 😭",
		"cafÃ© com leite":                           "café com leite",
		"NÃO PASSARAM":                              "NÃO PASSARAM",
		"Ã la carte":                                "Ã la carte",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	s := "@Brewly Świetny EKSPRES!! don’t #kawa https://x.pl/a?b 咖啡机 :) 😍"
	toks := Tokenize(s, nil)
	var got []string
	var kinds []TokenKind
	for _, tk := range toks {
		got = append(got, tk.Text)
		kinds = append(kinds, tk.Kind)
		if tk.Kind != URL && tk.Kind != Emoji && tk.Kind != Hashtag && tk.Kind != Mention {
			if lower(s[tk.Start:tk.End]) != tk.Text {
				t.Errorf("token %q does not match its span %q", tk.Text, s[tk.Start:tk.End])
			}
		}
	}
	want := []string{"@brewly", "świetny", "ekspres", "!", "!", "don't", "kawa", "url", "咖", "啡", "机", ":)", "😍"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
	wantKinds := []TokenKind{Mention, Word, Word, Punct, Punct, Word, Hashtag, URL, Han, Han, Han, Emoji, Emoji}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Fatalf("kinds = %v, want %v", kinds, wantKinds)
	}
}

func TestClauses(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Great product but delivery was a disaster", []string{"Great product", "but delivery was a disaster"}},
		{"Świetny ekspres, ale dostawa trwała wieki.", []string{"Świetny ekspres", "ale dostawa trwała wieki"}},
		{"Kafija laba, bet piegāde lēna", []string{"Kafija laba", "bet piegāde lēna"}},
		{"质量很好但是物流太慢", []string{"质量很好", "但是物流太慢"}},
		{"Bom produto. Entrega péssima!", []string{"Bom produto", "Entrega péssima"}},
		// a decimal comma or point inside a number breaks no clause; one
		// beside a space, or between words, does
		{"Brauchen eine Leuchtwand 3x2,5 m und 2 Roll-ups. Lieferung machbar?", []string{"Brauchen eine Leuchtwand 3x2,5 m und 2 Roll-ups", "Lieferung machbar"}},
		{"kosztuje 2,5 zł, za drogo", []string{"kosztuje 2,5 zł", "za drogo"}},
		{"3.5 kg. Then 4, 5 more", []string{"3.5 kg", "Then 4", "5 more"}},
		{"ok,fine", []string{"ok", "fine"}},
	}
	for _, c := range cases {
		toks := Tokenize(c.text, nil)
		var got []string
		for _, cl := range Clauses(c.text, toks, nil) {
			got = append(got, c.text[cl.Start:cl.End])
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Clauses(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestCountScripts(t *testing.T) {
	counts, letters := CountScripts("Привет @someuser https://example.com 你好 abc")
	if counts[ScriptCyrillic] != 6 || counts[ScriptHan] != 2 || counts[ScriptLatin] != 3 || letters != 11 {
		t.Fatalf("counts = %v letters %d; want 6 Cyrillic, 2 Han, 3 Latin (mention and URL skipped)", counts, letters)
	}
	if s, share := counts.Dominant(letters); s != ScriptCyrillic || share < 0.5 {
		t.Fatalf("dominant = %v %.2f", s, share)
	}
}
