package query

import (
	"errors"
	"testing"
)

// Any input either parses or fails with a positioned syntax error (never a
// panic), and parsing is deterministic. (Printing is not the input language:
// it names index fields after alias resolution.)
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`lumio beam`, `"dostawa kurierem" AND (sentiment:negative OR -intent:buy)`, `brand:lumio* NOT author:@ana`,
		`language:pl OR language:lv`, `((a OR b) c)`, `"unterminated`, `a AND`, `field:"x y"`, `保温杯 -差`, `-(-a)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := Parse(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a *SyntaxError", q, err)
			}
			return
		}
		again, err := Parse(q)
		if err != nil || again.String() != n.String() {
			t.Fatalf("%q parsed twice: %q then %q (%v)", q, n.String(), again, err)
		}
		_ = TextTerms(n)
	})
}
