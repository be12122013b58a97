package intent

import (
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

func TestFoldHantKeepsOffsetsAndSimplifiedText(t *testing.T) {
	text := "你們可以報價嗎？"
	toks := textnorm.Tokenize(text, nil)
	var buf []textnorm.Token
	folded := foldHant(toks, &buf)
	var got string
	for i, tk := range folded {
		got += tk.Text
		if tk.Start != toks[i].Start || tk.End != toks[i].End {
			t.Fatalf("token %d moved: %+v, was %+v", i, tk, toks[i])
		}
	}
	if got != "你们可以报价吗？" {
		t.Errorf("folded %q, want 你们可以报价吗？", got)
	}
	if toks[1].Text != "們" {
		t.Errorf("the caller's tokens changed: %q", toks[1].Text)
	}
	plain := textnorm.Tokenize("你们可以报价吗？", nil)
	if out := foldHant(plain, &buf); &out[0] != &plain[0] {
		t.Error("a simplified text was copied; want the tokens returned as they are")
	}
	if s := foldHantString("買了"); s != "买了" {
		t.Errorf("foldHantString(買了) = %q, want 买了", s)
	}
}

// A phrase written in either script matches a text in either: both sides
// are folded.
func TestTraditionalTextMatchesSimplifiedPhrases(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"你們可以做招牌嗎？", "你们可以做招牌吗？"} {
		ms := d.Detect(text, "zh", textnorm.Tokenize(text, nil))
		found := false
		for _, m := range ms {
			if m.Name == Buying {
				found = true
				for _, ev := range m.Evidence {
					if text[ev.Start:ev.End] != ev.Text {
						t.Errorf("%q: evidence %+v does not span the text as written", text, ev)
					}
				}
			}
		}
		if !found {
			t.Errorf("%q: no buying intent %+v", text, ms)
		}
	}
}
