package query

import (
	"fmt"
	"regexp"
	"testing"
)

// Every syntax error carries a code with an English message, and the
// message is that code's text with the error's arguments, so a translation
// of the code with the same arguments says the same thing.
func TestSyntaxErrorsCarryTheirCode(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range []string{
		`"kawa`, `""`, `"kawa"*`, `:pl`, `ka*wa`, `**`, `kawa)`, `kawa OR`, `AND kawa`, `kawa AND`,
		`kawa NOT`, `()`, `(kawa`, `language:(pl sentiment:negative)`, `shoe:x`, `language:`, `kawa NOT )`,
		`kawa AND )`,
	} {
		_, err := Parse(q)
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Errorf("%q: %v, want a *SyntaxError", q, err)
			continue
		}
		format, known := Messages[se.Code]
		if !known {
			t.Errorf("%q: code %q has no message", q, se.Code)
			continue
		}
		if want := fmt.Sprintf(format, se.Args...); se.Msg != want {
			t.Errorf("%q: message %q, but its code and arguments say %q", q, se.Msg, want)
		}
		seen[se.Code] = true
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for code, msg := range Messages {
		for _, v := range verbs.FindAllString(msg, -1) {
			if v != "%s" && v != "%d" {
				t.Errorf("%s: verb %s (translations take %%s and %%d only)", code, v)
			}
		}
	}
	if len(seen) < 12 {
		t.Errorf("the bad queries reached only %d of %d codes: %v", len(seen), len(Messages), seen)
	}
}
