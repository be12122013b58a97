package textnorm

// contrastive are words that open a new clause with its own polarity
// ("great product but delivery was a disaster"), in the supported languages.
var contrastive = map[string]bool{
	// en
	"but": true, "however": true, "although": true, "though": true, "yet": true, "whereas": true, "while": true,
	// pl
	"ale": true, "lecz": true, "jednak": true, "chociaż": true, "choć": true, "natomiast": true, "za to": true,
	// lv
	"bet": true, "tomēr": true, "taču": true, "savukārt": true,
	// pt
	"mas": true, "porém": true, "contudo": true, "entretanto": true, "embora": true,
	// es
	"pero": true, "aunque": true, "mientras": true, "sino": true,
	// fr
	"mais": true, "cependant": true, "pourtant": true, "toutefois": true, "alors que": true,
	// de
	"aber": true, "jedoch": true, "obwohl": true, "allerdings": true, "dagegen": true, "sondern": true,
	// it
	"però": true, "tuttavia": true, "invece": true,
	// ru, uk
	"но": true, "однако": true, "хотя": true, "а": true, "але": true, "проте": true, "однак": true, "хоча": true,
}

// hanContrastive are Chinese clause openers; they are single tokens per ideograph,
// so they are matched on the text itself.
var hanContrastive = []string{"但是", "可是", "不过", "然而", "但", "却"}

// Clause is a span of tokens [From, To) with byte offsets [Start, End).
type Clause struct {
	From, To   int
	Start, End int
}

// Clauses cuts tokens into clauses at clause punctuation and before
// contrastive conjunctions. s is the text the tokens came from.
func Clauses(s string, toks []Token, dst []Clause) []Clause {
	dst = dst[:0]
	from := 0
	flush := func(to int) {
		// Drop leading/trailing punctuation from the clause.
		f, t := from, to
		for f < t && toks[f].Kind == Punct {
			f++
		}
		for t > f && toks[t-1].Kind == Punct {
			t--
		}
		if f < t {
			dst = append(dst, Clause{From: f, To: t, Start: toks[f].Start, End: toks[t-1].End})
		}
		from = to
	}
	for i, t := range toks {
		switch {
		case BreaksClause(s, toks, i):
			flush(i + 1)
		case t.Kind == Word && i > from && contrastive[t.Text]:
			flush(i)
		case t.Kind == Han && i > from && hanOpener(s, t.Start):
			flush(i)
		}
	}
	flush(len(toks))
	return dst
}

// BreaksClause reports whether toks[i] ends a clause: clause-break
// punctuation (IsClauseBreak) other than the decimal comma or point of a
// number written without spaces ("2,5 m", "3.5 kg", "3x2,5").
func BreaksClause(s string, toks []Token, i int) bool {
	t := toks[i]
	return t.Kind == Punct && IsClauseBreak(t.Text) && !inNumber(s, toks, i)
}

func inNumber(s string, toks []Token, i int) bool {
	t := toks[i]
	if (t.Text != "," && t.Text != ".") || i == 0 || i+1 >= len(toks) {
		return false
	}
	p, n := toks[i-1], toks[i+1]
	return p.End == t.Start && n.Start == t.End && isDigit(s[p.End-1]) && isDigit(s[n.Start])
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func hanOpener(s string, at int) bool {
	for _, w := range hanContrastive {
		if len(s)-at >= len(w) && s[at:at+len(w)] == w {
			return true
		}
	}
	return false
}

// IsContrastive reports whether a lower-case word opens a contrasting
// clause ("but", "ale", "bet", "mas").
func IsContrastive(word string) bool { return contrastive[word] }

// IsHanContrastiveAt reports whether a Chinese contrastive opener (但是,
// 不过, …) starts at s[at:].
func IsHanContrastiveAt(s string, at int) bool { return hanOpener(s, at) }
