package es

import (
	"github.com/earshothq/earshot/index"
)

// analysers maps Earshot's analyser keys to Elasticsearch's built-in
// language analysers. Elasticsearch has no Polish analyser without a plugin,
// so Polish is searched through the neutral field (exact words, prefix*).
var analysers = map[string]string{
	"ar": "arabic", "cjk": "cjk", "da": "danish", "de": "german", "en": "english", "es": "spanish",
	"fi": "finnish", "fr": "french", "hi": "hindi", "hu": "hungarian", "it": "italian", "lv": "latvian",
	"nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}

func hasAnalyser(key string) bool { _, ok := analysers[key]; return ok }

// textFields are the fields a full-text word is searched in.
func textFields() []string {
	out := []string{index.NeutralField}
	for key := range analysers {
		out = append(out, index.LanguageFieldName(key))
	}
	return out
}

type obj = map[string]any

var keyword = obj{"type": "keyword"}

func analysisSettings() obj {
	return obj{
		"analyzer": obj{
			"earshot_neutral": obj{"type": "custom", "tokenizer": "standard", "filter": []string{"lowercase", "asciifolding"}},
		},
	}
}

// mentionTemplate is the index template of the monthly mention indices.
// Dynamic mapping is strict: a field Earshot did not declare is an error,
// never a silently guessed type.
func mentionTemplate(pattern, alias string, shards, replicas int) obj {
	props := obj{
		"id": keyword, "source": keyword, "channel": keyword, "kind": keyword, "language": keyword,
		"sentiment": keyword, "sentiment_score": obj{"type": "float"},
		"intents": keyword, "aspects": keyword, "aspects_positive": keyword, "aspects_negative": keyword,
		"brands": keyword, "products": keyword, "competitors": keyword,
		"customer_id": keyword, "prospect_id": keyword, "author": keyword, "author_email": keyword,
		"created_at": obj{"type": "date"},
		"text":       obj{"type": "text", "analyzer": "earshot_neutral"},
		"record":     obj{"type": "object", "enabled": false},
	}
	for key, analyser := range analysers {
		props[index.LanguageFieldName(key)] = obj{"type": "text", "analyzer": analyser}
	}
	return obj{
		"index_patterns": []string{pattern},
		"priority":       200,
		"template": obj{
			"settings": obj{"number_of_shards": shards, "number_of_replicas": replicas, "analysis": analysisSettings()},
			"mappings": obj{"dynamic": "strict", "properties": props},
			"aliases":  obj{alias: obj{}},
		},
	}
}

func profileTemplate(name string, shards, replicas int) obj {
	kw := func() obj { return obj{"type": "keyword", "copy_to": "name_text"} }
	props := obj{
		"id": keyword, "kind": keyword, "person_id": keyword,
		"name": kw(), "company": kw(), "emails": kw(), "handles": kw(),
		"name_text": obj{"type": "text", "analyzer": "earshot_neutral"},
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
	return obj{
		"index_patterns": []string{name},
		"priority":       200,
		"template": obj{
			"settings": obj{"number_of_shards": shards, "number_of_replicas": replicas, "analysis": analysisSettings()},
			"mappings": obj{"dynamic": "strict", "properties": props},
		},
	}
}

// mentionDoc is the Elasticsearch document of a mention.
func mentionDoc(d index.MentionDoc, record []byte) obj {
	doc := obj{
		"id": d.ID, "source": d.Source, "kind": d.Kind, "created_at": d.CreatedAt,
		"text": d.Text, "record": rawJSON(record),
	}
	set := func(k, v string) {
		if v != "" {
			doc[k] = v
		}
	}
	list := func(k string, v []string) {
		if len(v) > 0 {
			doc[k] = v
		}
	}
	set("channel", d.Channel)
	set("language", d.Language)
	set("sentiment", d.Sentiment)
	set("customer_id", d.CustomerID)
	set("prospect_id", d.ProspectID)
	set("author", d.Author)
	set("author_email", d.AuthorEmail)
	if d.SentimentScore != nil {
		doc["sentiment_score"] = *d.SentimentScore
	}
	list("intents", d.Intents)
	list("aspects", d.Aspects)
	list("aspects_positive", d.AspectsPositive)
	list("aspects_negative", d.AspectsNegative)
	list("brands", d.Brands)
	list("products", d.Products)
	list("competitors", d.Competitors)
	if d.Analyser != "" {
		doc[index.LanguageFieldName(d.Analyser)] = d.Text
	}
	return doc
}

type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
