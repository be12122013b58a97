//go:build lingua

package lang

import (
	"strings"

	"github.com/pemistahl/lingua-go"
)

// LinguaBuilt reports whether this binary carries lingua-go's models.
const LinguaBuilt = true

// linguaFallback asks lingua-go (low-accuracy mode), restricted to the
// group's languages.
type linguaFallback struct{ d lingua.LanguageDetector }

func newFallback(codes, _ []string) (fallback, error) {
	isos := make([]lingua.IsoCode639_1, len(codes))
	for i, c := range codes {
		isos[i] = lingua.GetIsoCode639_1FromValue(c)
	}
	return linguaFallback{lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithLowAccuracyMode().Build()}, nil
}

func (f linguaFallback) scores(text string, codes []string, probs []float64) bool {
	vals := f.d.ComputeLanguageConfidenceValues(text)
	any := false
	for _, v := range vals {
		code := strings.ToLower(v.Language().IsoCode639_1().String())
		for i, c := range codes {
			if c == code {
				probs[i] = v.Value()
				any = any || v.Value() > 0
			}
		}
	}
	return any
}
