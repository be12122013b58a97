package es

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
)

type obj = map[string]any

var keyword = obj{"type": "keyword"}

// indexSettings are the settings of every index the backend creates.
func indexSettings(cfg Config, p *textPlan) obj {
	s := obj{
		"number_of_shards": cfg.Shards, "number_of_replicas": cfg.Replicas,
		"analysis": obj{"analyzer": obj{neutralName: p.neutralAnalyzer()}},
	}
	if cfg.RefreshInterval != 0 {
		s["refresh_interval"] = fmt.Sprintf("%dms", cfg.RefreshInterval.Milliseconds())
	}
	return s
}

// metaKey names the plan summary in the mention template's _meta.
const metaKey = "earshot_text_analysis"

// mentionProperties is the mapping of a mention document under plan p.
func mentionProperties(p *textPlan) obj {
	props := obj{
		"id": keyword, "source": keyword, "channel": keyword, "kind": keyword, "language": keyword,
		"sentiment": keyword, "sentiment_score": obj{"type": "float"},
		"intents": keyword, "aspects": keyword, "aspects_positive": keyword, "aspects_negative": keyword,
		"brands": keyword, "products": keyword, "competitors": keyword,
		"customer_id": keyword, "prospect_id": keyword, "author": keyword, "author_email": keyword, "subject": keyword,
		"created_at":       obj{"type": "date"},
		index.NeutralField: obj{"type": "text", "analyzer": neutralName},
		"record":           obj{"type": "object", "enabled": false},
	}
	for key, analyser := range p.Native {
		props[index.LanguageFieldName(key)] = obj{"type": "text", "analyzer": analyser}
	}
	if len(p.Client) > 0 {
		props[clientField] = obj{"type": "text", "analyzer": clientAnalyzr}
	}
	return props
}

// textProperties keeps the analysed text fields of a mapping.
func textProperties(props obj) obj {
	out := obj{}
	for name, def := range props {
		if d, ok := def.(obj); ok && d["type"] == "text" {
			out[name] = def
		}
	}
	return out
}

// mentionTemplate is the index template of the monthly mention indices.
// Dynamic mapping is strict: a field Earshot did not declare is an error,
// never a silently guessed type.
func mentionTemplate(pattern, alias string, settings obj, p *textPlan) obj {
	return obj{
		"index_patterns": []string{pattern},
		"priority":       200,
		"_meta":          obj{metaKey: p.summary()},
		"template": obj{
			"settings": settings,
			"mappings": obj{"dynamic": "strict", "properties": mentionProperties(p),
				// Earshot's own terms are searched, never returned or highlighted.
				"_source": obj{"excludes": []string{clientField}}},
			"aliases": obj{alias: obj{}},
		},
	}
}

func profileProperties(p *textPlan) obj {
	kw := func() obj { return obj{"type": "keyword", "copy_to": "name_text"} }
	props := obj{
		"id": keyword, "kind": keyword, "person_id": keyword,
		"name": kw(), "company": kw(), "emails": kw(), "handles": kw(),
		"name_text": obj{"type": "text", "analyzer": neutralName},
		"country":   keyword, "segment": keyword, "status": keyword,
		"lead_score": obj{"type": "float"}, "mention_count": obj{"type": "integer"},
		"last_seen": obj{"type": "date"}, "avg_sentiment": obj{"type": "float"}, "updated_at": obj{"type": "date"},
		"aspects": obj{"properties": obj{"name": keyword, "positive": obj{"type": "integer"},
			"negative": obj{"type": "integer"}, "neutral": obj{"type": "integer"}}},
		"aspects_positive": keyword, "aspects_negative": keyword, "brands": keyword, "products": keyword,
		"competitors": keyword, "channels": keyword, "sources": keyword, "languages": keyword, "intents": keyword,
		"customer": obj{"type": "object", "enabled": false},
		"prospect": obj{"type": "object", "enabled": false},
	}
	if !p.Fold {
		props[profileFoldedField] = obj{"type": "text", "analyzer": neutralName}
	}
	return props
}

// profileFoldedField holds the folded name, company, e-mails and handles
// on clusters without asciifolding.
const profileFoldedField = "name_folded"

func profileTemplate(name string, settings obj, p *textPlan) obj {
	return obj{
		"index_patterns": []string{name},
		"priority":       200,
		"template": obj{
			"settings": settings,
			"mappings": obj{"dynamic": "strict", "properties": profileProperties(p)},
		},
	}
}

// mentionDoc encodes the Elasticsearch document of a mention under plan p;
// record is the mention's own JSON encoding. It writes the JSON itself,
// in one buffer (encoding/json's reflection and its copies were a fifth
// of the client's CPU per document): the fields of index.MentionDoc,
// empty ones left out, then the record as it is (already JSON) and the
// language field, whose name depends on the language.
func mentionDoc(d index.MentionDoc, record []byte, p *textPlan) ([]byte, error) {
	text := d.Text
	if !p.Fold {
		if f := foldedText(d.Text); f != "" {
			text = f // the cluster cannot fold; the hit is highlighted by Earshot
		}
	}
	if d.SentimentScore != nil && (math.IsNaN(*d.SentimentScore) || math.IsInf(*d.SentimentScore, 0)) {
		return nil, fmt.Errorf("sentiment score %v is not a number JSON can carry", *d.SentimentScore)
	}
	if y := d.CreatedAt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("created_at %s is outside the years 0-9999", d.CreatedAt)
	}
	var field, value string
	var terms []byte
	if _, ok := p.Native[d.Analyser]; ok {
		field, value = index.LanguageFieldName(d.Analyser), d.Text
	} else if a, ok := p.Client[d.Analyser]; ok {
		field = clientField
		terms = appendClientTerms(make([]byte, 0, len(d.Text)), a, d.Text)
	}
	out := make([]byte, 0, 320+len(text)+len(record)+len(field)+len(value)+len(terms)+
		len(d.ID)+len(d.Author)+len(d.AuthorEmail)+len(d.Subject)+len(d.CustomerID)+len(d.ProspectID))
	out = append(out, `{"id":`...)
	out = appendJSONString(out, d.ID)
	str := func(name, v string) {
		if v != "" {
			out = append(out, name...)
			out = appendJSONString(out, v)
		}
	}
	list := func(name string, vs []string) {
		if len(vs) == 0 {
			return
		}
		out = append(out, name...)
		for i, v := range vs {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendJSONString(out, v)
		}
		out = append(out, ']')
	}
	str(`,"source":`, d.Source)
	str(`,"channel":`, d.Channel)
	str(`,"kind":`, d.Kind)
	str(`,"language":`, d.Language)
	str(`,"sentiment":`, d.Sentiment)
	if d.SentimentScore != nil {
		out = appendJSONFloat(append(out, `,"sentiment_score":`...), *d.SentimentScore)
	}
	list(`,"intents":[`, d.Intents)
	list(`,"aspects":[`, d.Aspects)
	list(`,"aspects_positive":[`, d.AspectsPositive)
	list(`,"aspects_negative":[`, d.AspectsNegative)
	list(`,"brands":[`, d.Brands)
	list(`,"products":[`, d.Products)
	list(`,"competitors":[`, d.Competitors)
	str(`,"customer_id":`, d.CustomerID)
	str(`,"prospect_id":`, d.ProspectID)
	str(`,"author":`, d.Author)
	str(`,"author_email":`, d.AuthorEmail)
	str(`,"subject":`, d.Subject)
	out = append(out, `,"created_at":"`...)
	out = d.CreatedAt.AppendFormat(out, time.RFC3339Nano)
	out = append(out, `","text":`...)
	out = appendJSONString(out, text)
	out = append(out, `,"record":`...)
	out = append(out, record...)
	switch {
	case len(terms) > 0:
		out = append(out, `,"`+clientField+`":`...)
		out = appendJSONBytes(out, terms)
	case field != "" && value != "":
		out = append(out, ',')
		out = appendJSONString(out, field)
		out = append(out, ':')
		out = appendJSONString(out, value)
	}
	return append(out, '}'), nil
}

// esProfile is the Elasticsearch document of a profile.
type esProfile struct {
	*index.Profile
	Folded string `json:"name_folded,omitempty"`
}

func profileDoc(pr *index.Profile, p *textPlan) ([]byte, error) {
	doc := esProfile{Profile: pr}
	if !p.Fold {
		parts := append([]string{pr.Name, pr.Company}, pr.Emails...)
		doc.Folded = index.Fold(strings.Join(append(parts, pr.Handles...), "\n"))
	}
	return json.Marshal(doc)
}
