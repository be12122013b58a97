package es

import (
	"encoding/json"
	"fmt"
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

// esMention is the Elasticsearch document of a mention, less its language
// field, whose name depends on the language (see mentionDoc).
type esMention struct {
	ID              string    `json:"id"`
	Source          string    `json:"source,omitempty"`
	Channel         string    `json:"channel,omitempty"`
	Kind            string    `json:"kind,omitempty"`
	Language        string    `json:"language,omitempty"`
	Sentiment       string    `json:"sentiment,omitempty"`
	SentimentScore  *float64  `json:"sentiment_score,omitempty"`
	Intents         []string  `json:"intents,omitempty"`
	Aspects         []string  `json:"aspects,omitempty"`
	AspectsPositive []string  `json:"aspects_positive,omitempty"`
	AspectsNegative []string  `json:"aspects_negative,omitempty"`
	Brands          []string  `json:"brands,omitempty"`
	Products        []string  `json:"products,omitempty"`
	Competitors     []string  `json:"competitors,omitempty"`
	CustomerID      string    `json:"customer_id,omitempty"`
	ProspectID      string    `json:"prospect_id,omitempty"`
	Author          string    `json:"author,omitempty"`
	AuthorEmail     string    `json:"author_email,omitempty"`
	Subject         string    `json:"subject,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	Text            string    `json:"text"`
}

// mentionDoc encodes the Elasticsearch document of a mention under plan p;
// record is the mention's own JSON encoding.
func mentionDoc(d index.MentionDoc, record []byte, p *textPlan) ([]byte, error) {
	m := esMention{
		ID: d.ID, Source: d.Source, Channel: d.Channel, Kind: d.Kind, Language: d.Language,
		Sentiment: d.Sentiment, SentimentScore: d.SentimentScore,
		Intents: d.Intents, Aspects: d.Aspects, AspectsPositive: d.AspectsPositive, AspectsNegative: d.AspectsNegative,
		Brands: d.Brands, Products: d.Products, Competitors: d.Competitors,
		CustomerID: d.CustomerID, ProspectID: d.ProspectID, Author: d.Author, AuthorEmail: d.AuthorEmail, Subject: d.Subject,
		CreatedAt: d.CreatedAt, Text: d.Text,
	}
	if !p.Fold {
		if f := foldedText(d.Text); f != "" {
			m.Text = f // the cluster cannot fold; the hit is highlighted by Earshot
		}
	}
	doc, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var field, value string
	if _, ok := p.Native[d.Analyser]; ok {
		field, value = index.LanguageFieldName(d.Analyser), d.Text
	} else if a, ok := p.Client[d.Analyser]; ok {
		field, value = clientField, clientTerms(a, d.Text)
	}
	// The record and the language field are spliced in before the closing
	// brace: the record is already JSON, and encoding/json would check and
	// compact it all over again.
	out := make([]byte, 0, len(doc)+len(record)+len(field)+2*len(value)+16)
	out = append(out, doc[:len(doc)-1]...)
	out = append(out, `,"record":`...)
	out = append(out, record...)
	if field != "" && value != "" {
		v, err := json.Marshal(value)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf(",%q:", field)...)
		out = append(out, v...)
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
