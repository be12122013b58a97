// Package langanalysers registers the Go language analysers Earshot has
// (bleve's, by language key) and names them. The embedded index uses them
// for its language fields; the Elasticsearch backend uses them for the
// languages a cluster cannot analyse itself. One list keeps the two alike.
package langanalysers

import (
	// Registered with bleve's registry under their language key.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/da"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/no"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ro"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
)

// Keys are the analysers' names in bleve's registry (index.AnalyserKey
// of a language). Latvian has no stemmer here; it is searched through the
// neutral field.
var Keys = []string{"ar", "cjk", "da", "de", "en", "es", "fi", "fr", "hi", "hu", "it", "nl", "no", "pl", "pt", "ro", "ru", "sv", "tr"}

var known = func() map[string]bool {
	set := make(map[string]bool, len(Keys))
	for _, k := range Keys {
		set[k] = true
	}
	return set
}()

// Has reports whether key names one of the analysers.
func Has(key string) bool { return known[key] }
