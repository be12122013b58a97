package bleve

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// docBuilder turns mentions into bleve documents directly, with the field
// options and analysers the index mapping declares. Batch.Index would walk
// a map[string]any by reflection to find the same mappings for every
// field of every document; the mapping stays the one source of truth.
type docBuilder struct {
	fields map[string]fieldSpec
}

// directDocValues are the doc-value fields that every listening view
// reads for each matching document: the default facets, the histogram
// terms and the sort key. They are stored one uncompressed value per
// document instead of in snappy-compressed chunks of 1,024 documents, so
// reading one document's value is an offset lookup rather than a chunk
// decompression and a binary search. That cut the CPU of faceted queries
// by half to two thirds, for about 5% more disk and 8 bytes of memory per
// document and field (the per-document offsets scorch keeps in memory).
// The rarer facets (channel, kind, product, competitor) stay compressed.
var directDocValues = map[string]bool{
	query.FieldSource: true, query.FieldLanguage: true, query.FieldSentiment: true, query.FieldIntent: true,
	query.FieldAspect: true, query.FieldBrand: true,
}

type fieldSpec struct {
	opts     bindex.FieldIndexingOptions
	analyzer analysis.Analyzer
}

func newDocBuilder(m mapping.IndexMapping) (*docBuilder, error) {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok || im.DefaultMapping == nil {
		return nil, errors.New("building mention documents: the index has no default document mapping")
	}
	b := &docBuilder{fields: map[string]fieldSpec{}}
	for name, dm := range im.DefaultMapping.Properties {
		if !dm.Enabled || len(dm.Fields) == 0 {
			continue
		}
		fm := dm.Fields[0]
		if fm.Type != "text" {
			return nil, fmt.Errorf("building mention documents: field %s has type %s, want text", name, fm.Type)
		}
		spec := fieldSpec{opts: fm.Options()}
		if spec.opts.IncludeDocValues() && directDocValues[name] {
			spec.opts |= bindex.SkipDVChunking | bindex.SkipDVCompression
		}
		if fm.Index {
			an := fm.Analyzer
			if an == "" {
				an = im.DefaultAnalyzer
			}
			if spec.analyzer = im.AnalyzerNamed(an); spec.analyzer == nil {
				return nil, fmt.Errorf("building mention documents: field %s: unknown analyser %q", name, an)
			}
		}
		b.fields[name] = spec
	}
	for _, f := range []string{fieldRaw, fieldTimeKey, fieldTimeBucket, fieldHistHour, index.NeutralField} {
		if _, ok := b.fields[f]; !ok {
			return nil, fmt.Errorf("building mention documents: the mapping has no field %s", f)
		}
	}
	return b, nil
}

// add appends a field; empty values and fields the mapping does not know
// (a language without an analyser) are left out.
func (b *docBuilder) add(doc *document.Document, name, value string, pos []uint64) {
	if value == "" {
		return
	}
	spec, ok := b.fields[name]
	if !ok {
		return
	}
	doc.AddField(document.NewTextFieldCustom(name, pos, []byte(value), spec.opts, spec.analyzer))
}

func (b *docBuilder) addList(doc *document.Document, name string, values []string) {
	for i, v := range values {
		b.add(doc, name, v, []uint64{uint64(i)})
	}
}

// mention builds the document of m: the stored record, the keyword fields
// that filters and facets use, the time terms (see timerange.go), the
// histogram terms, and the text in the neutral field and in its
// language's field.
// It also returns the projection the document was built from (its
// Analyser is the key of the language analyser the text went through).
func (b *docBuilder) mention(m *record.EnrichedMention) (*document.Document, *index.MentionDoc, error) {
	if m.ID == "" {
		return nil, nil, errors.New("mention has no id")
	}
	if m.CreatedAt.IsZero() {
		return nil, nil, fmt.Errorf("mention %s has no created_at", m.ID)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding mention %s: %w", m.ID, err)
	}
	d := index.NewMentionDoc(m, hasAnalyser)
	if y := d.CreatedAt.Year(); y < 1 || y > 9999 {
		return nil, nil, fmt.Errorf("mention %s: created_at %s is outside years 1-9999", m.ID, d.CreatedAt.Format(time.RFC3339))
	}
	sent := d.Sentiment
	if sent == "" {
		sent = index.NoSentiment
	}
	doc := document.NewDocument(m.ID)
	b.add(doc, fieldRaw, string(packRecord(raw)), nil)
	b.add(doc, fieldTimeKey, timeKey(d.CreatedAt), nil)
	b.addList(doc, fieldTimeBucket, timeBuckets(d.CreatedAt))
	b.add(doc, fieldHistHour, d.CreatedAt.Format("2006010215")+"|"+sent, nil)
	b.add(doc, "source", d.Source, nil)
	b.add(doc, "channel", d.Channel, nil)
	b.add(doc, "kind", d.Kind, nil)
	b.add(doc, "language", d.Language, nil)
	b.add(doc, "sentiment", d.Sentiment, nil)
	b.addList(doc, "intents", d.Intents)
	b.addList(doc, "aspects", d.Aspects)
	b.addList(doc, "brands", d.Brands)
	b.addList(doc, "products", d.Products)
	b.addList(doc, "competitors", d.Competitors)
	b.add(doc, "customer_id", d.CustomerID, nil)
	b.add(doc, "prospect_id", d.ProspectID, nil)
	b.add(doc, "author", d.Author, nil)
	b.add(doc, fieldEmail, d.AuthorEmail, nil)
	b.add(doc, fieldSubject, d.Subject, nil)
	b.add(doc, index.NeutralField, d.Text, nil)
	if d.Analyser != "" {
		b.add(doc, index.LanguageFieldName(d.Analyser), d.Text, nil)
	}
	return doc, &d, nil
}

func formatScore(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
