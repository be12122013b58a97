package bleve

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/langanalysers"
	"github.com/earshothq/earshot/index/query"
)

// schemaVersion is stored in each index; an index written with another
// mapping is refused (rebuild it by replaying the topics).
const schemaVersion = "earshot-bleve-3"

// neutralAnalyzer splits on Unicode word boundaries (one token per CJK
// character), folds diacritics and lower-cases.
const neutralAnalyzer = "earshot_neutral"

// highlightAnalyzer is neutralAnalyzer without folding (see newIndexMapping).
const highlightAnalyzer = "earshot_highlight"

// Analysers are the language analyser keys the embedded index has (bleve
// has stemmers for these); Latvian has none here and is searched through
// the neutral field (exact words and prefix*).
var Analysers = langanalysers.Keys

var hasAnalyser = langanalysers.Has

// Field names private to the embedded index.
const (
	fieldRaw      = "_raw"      // the stored record (JSON), not indexed
	fieldHistHour = "hist_hour" // "2006010215|sentiment" for histograms of every interval
	fieldEmail    = "author_email"
	fieldSubject  = "subject"
)

func keywordField(docValues bool) *mapping.FieldMapping {
	f := mapping.NewKeywordFieldMapping()
	f.Analyzer = keyword.Name
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = docValues
	return f
}

// textField is analysed text with positions (term vectors), which phrase
// queries need.
func textField(analyzer string) *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = true
	f.DocValues = false
	return f
}

func storedOnly() *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Index = false
	f.Store = true
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = false
	return f
}

func dateField(docValues bool) *mapping.FieldMapping {
	f := mapping.NewDateTimeFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	f.DocValues = docValues
	return f
}

func numberField() *mapping.FieldMapping {
	f := mapping.NewNumericFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	f.DocValues = true
	return f
}

func newIndexMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	err := im.AddCustomAnalyzer(neutralAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []string{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("registering the neutral analyser: %w", err)
	}
	// The highlighter needs byte offsets in the original text, which the
	// folding char filter shifts; it tokenises with this twin and folds
	// the terms itself.
	err = im.AddCustomAnalyzer(highlightAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("registering the highlight analyser: %w", err)
	}
	im.DefaultAnalyzer = neutralAnalyzer
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// mentionMapping indexes only what is searched, filtered, faceted or sorted.
func mentionMapping() (*mapping.IndexMappingImpl, error) {
	im, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	doc := mapping.NewDocumentStaticMapping()
	for _, f := range []string{query.FieldSource, query.FieldChannel, query.FieldKind, query.FieldLanguage,
		query.FieldSentiment, query.FieldIntent, query.FieldAspect, query.FieldBrand, query.FieldProduct,
		query.FieldCompetitor, fieldHistHour, fieldTimeKey} {
		doc.AddFieldMappingsAt(f, keywordField(true))
	}
	for _, f := range []string{query.FieldCustomer, query.FieldProspect, query.FieldAuthor, fieldEmail, fieldSubject, fieldTimeBucket} {
		doc.AddFieldMappingsAt(f, keywordField(false))
	}
	doc.AddFieldMappingsAt(index.NeutralField, textField(neutralAnalyzer))
	for _, a := range Analysers {
		// Stemmed words need no positions: a phrase is matched, in its
		// exact words, in the neutral field (translator.word). Positions of
		// a second copy of the text were 170 of about 1,200 bytes per
		// mention.
		f := textField(a)
		f.IncludeTermVectors = false
		doc.AddFieldMappingsAt(index.LanguageFieldName(a), f)
	}
	doc.AddFieldMappingsAt(fieldRaw, storedOnly())
	disableAll(doc)
	im.DefaultMapping = doc
	return im, im.Validate()
}

// disableAll turns off bleve's "_all" composite field: every field is
// excluded from it anyway, and building it costs a pass over every token.
func disableAll(doc *mapping.DocumentMapping) {
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
}

// Profile field names.
const (
	pfName         = "name_text"
	pfKind         = "kind"
	pfStatus       = "status"
	pfLeadScore    = "lead_score"
	pfMentionCount = "mention_count"
	pfLastSeen     = "last_seen"
)

// profileListFields are the keyword lists of a profile that requests filter on.
var profileListFields = []string{"aspects", "aspects_negative", "aspects_positive", "brands", "products", "competitors", "languages"}

func profileMapping() (*mapping.IndexMappingImpl, error) {
	im, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(pfKind, keywordField(false))
	doc.AddFieldMappingsAt(pfStatus, keywordField(false))
	for _, f := range profileListFields {
		doc.AddFieldMappingsAt(f, keywordField(false))
	}
	doc.AddFieldMappingsAt(pfName, textField(neutralAnalyzer))
	doc.AddFieldMappingsAt(pfLeadScore, numberField())
	doc.AddFieldMappingsAt(pfMentionCount, numberField())
	doc.AddFieldMappingsAt(pfLastSeen, dateField(true))
	doc.AddFieldMappingsAt(fieldRaw, storedOnly())
	disableAll(doc)
	im.DefaultMapping = doc
	return im, im.Validate()
}
