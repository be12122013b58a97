package index

import (
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// MentionDoc is the searchable projection of an enriched mention that both
// backends index: keyword fields (lower-cased) for filters and facets, the
// text once for the neutral field and once for its language's field. The
// record itself is stored beside it and returned by searches.
type MentionDoc struct {
	ID              string
	Source          string
	Channel         string
	Kind            string
	Language        string
	Sentiment       string
	SentimentScore  *float64
	Intents         []string
	Aspects         []string
	AspectsPositive []string
	AspectsNegative []string
	Brands          []string
	Products        []string
	Competitors     []string
	CustomerID      string
	ProspectID      string
	Author          string // handle or name, lower-cased
	AuthorEmail     string // lower-cased, for erasure by e-mail
	// Subject is the author's keyed hash (record.Mention.Subject), for
	// erasure by a request that names no identifier.
	Subject   string
	CreatedAt time.Time
	Text      string // title and text
	// Analyser is the key of the language analyser for Text ("pt", "cjk")
	// when the backend has one, else "".
	Analyser string
}

// NewMentionDoc projects m for indexing. hasAnalyser reports whether the
// backend has an analyser for a key (see AnalyserKey).
func NewMentionDoc(m *record.EnrichedMention, hasAnalyser func(string) bool) MentionDoc {
	d := MentionDoc{
		ID:          m.ID,
		Source:      Keyword(m.Source),
		Channel:     Keyword(m.Channel),
		Kind:        Keyword(string(m.Kind)),
		Language:    LanguageOf(m),
		Author:      Keyword(firstNonEmpty(m.Author.Handle, m.Author.Name)),
		AuthorEmail: Keyword(m.Author.Email),
		Subject:     m.Subject,
		CreatedAt:   m.CreatedAt.UTC(),
		Text:        joinText(m.Title, m.Text),
	}
	if key := AnalyserKey(d.Language); key != "" && hasAnalyser(key) {
		d.Analyser = key
	}
	a := m.Analysis
	if a.Sentiment != nil && a.Sentiment.Label != "" {
		d.Sentiment = Keyword(a.Sentiment.Label)
		s := a.Sentiment.Score
		d.SentimentScore = &s
	}
	for _, in := range a.Intents {
		d.Intents = appendKeyword(d.Intents, in.Name)
	}
	for _, as := range a.Aspects {
		d.Aspects = appendKeyword(d.Aspects, as.Name)
		switch Keyword(as.Sentiment) {
		case record.SentimentPositive:
			d.AspectsPositive = appendKeyword(d.AspectsPositive, as.Name)
		case record.SentimentNegative:
			d.AspectsNegative = appendKeyword(d.AspectsNegative, as.Name)
		}
	}
	if p := a.Preferences; p != nil {
		for _, b := range p.Brands {
			d.Brands = appendKeyword(d.Brands, b)
		}
		for _, b := range p.Products {
			d.Products = appendKeyword(d.Products, b)
		}
		for _, b := range p.Competitors {
			d.Competitors = appendKeyword(d.Competitors, b)
		}
	}
	if id := m.Identity; id != nil {
		d.CustomerID = strings.TrimSpace(id.CustomerID)
		d.ProspectID = strings.TrimSpace(id.ProspectID)
	}
	return d
}

func joinText(title, text string) string {
	title, text = strings.TrimSpace(title), strings.TrimSpace(text)
	switch {
	case title == "":
		return text
	case text == "":
		return title
	}
	return title + "\n" + text
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// appendKeyword adds a normalised value once.
func appendKeyword(list []string, v string) []string {
	v = Keyword(v)
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// sortedKeys returns the keys of a counting map, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
