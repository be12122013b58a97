package langanalysers

import (
	"testing"

	"github.com/blevesearch/bleve/v2/registry"
)

// Every key names an analyser bleve's registry can build, and stems: a
// key without its blank import would fail here, not at a user's search.
func TestEveryKeyIsARegisteredAnalyser(t *testing.T) {
	cache := registry.NewCache()
	for _, k := range Keys {
		a, err := cache.AnalyzerNamed(k)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if len(a.Analyze([]byte("Testing"))) == 0 {
			t.Errorf("%s: no token for a word", k)
		}
		if !Has(k) {
			t.Errorf("Has(%q) = false", k)
		}
	}
	if Has("lv") || Has("") {
		t.Error("Has answers true for a language without an analyser")
	}
}
