//go:build !lingua

package lang

import (
	"strings"
	"testing"
)

func TestLeanBuildNamesTheTagForUncoveredLanguages(t *testing.T) {
	// Vietnamese shares the Latin script with English and is not in the
	// compact model: only lingua-go's models tell them apart.
	_, err := New(Options{Languages: []string{"en", "vi"}, MinLetters: 4, MinConfidence: 0.5, SourcePrior: 0.9})
	if err == nil || !strings.Contains(err.Error(), "vi not in the compact model") || !strings.Contains(err.Error(), "-tags lingua") {
		t.Fatalf("err = %v, want it to name vi and the lingua build tag", err)
	}
	// A language alone in its script needs no model at all.
	d, err := New(Options{Languages: []string{"en", "th"}, MinLetters: 4, MinConfidence: 0.5, SourcePrior: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Detect("ฉันชอบกาแฟตอนเช้ามาก", ""); r.Code != "th" {
		t.Fatalf("Thai text: got %+v", r)
	}
	// The default languages need no fallback.
	if _, err := New(DefaultOptions()); err != nil {
		t.Fatalf("default languages in the lean build: %v", err)
	}
}
