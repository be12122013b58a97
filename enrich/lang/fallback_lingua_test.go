//go:build lingua

package lang

import (
	"slices"
	"strings"
	"testing"

	"github.com/pemistahl/lingua-go"
)

func TestLinguaFallbackForUncoveredLanguage(t *testing.T) {
	// Vietnamese is not in the compact model, so the Latin group uses lingua-go.
	d, err := New(Options{Languages: []string{"en", "vi"}, MinLetters: 4, MinConfidence: 0.5, SourcePrior: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Detect("Tôi rất thích cà phê buổi sáng ở Hà Nội", ""); r.Code != "vi" {
		t.Fatalf("got %+v, want vi", r)
	}
	if r := d.Detect("I really like my morning coffee in Hanoi", ""); r.Code != "en" {
		t.Fatalf("got %+v, want en", r)
	}
}

func TestKnownCodesAreLinguasCodes(t *testing.T) {
	var want []string
	for _, l := range lingua.AllLanguages() {
		want = append(want, strings.ToLower(l.IsoCode639_1().String()))
	}
	slices.Sort(want)
	var got []string
	for c := range knownCodes {
		got = append(got, c)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("knownCodes = %v\nlingua-go   = %v", got, want)
	}
}
