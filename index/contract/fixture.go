// Package contract is the test suite every index.Backend must pass: the
// same documents in give the same ids, order, totals, facet counts,
// histograms and profiles out, in the seed languages (Polish, Latvian,
// Chinese, Portuguese, English). Backends run it from their own tests.
package contract

import (
	"time"

	"github.com/earshothq/earshot/record"
)

// T0 is a Monday, so week buckets are easy to reason about.
var T0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

type fx struct {
	id, source, lang, text, sentiment string
	score                             float64
	at                                time.Duration
	aspects                           [][2]string // name, sentiment
	intents, brands, products, comps  []string
	customer, prospect, email         string
	noAnalysis                        bool
}

var fixtures = []fx{
	{id: "pt1", source: "mastodon", lang: "pt", text: "As entregas estão sempre atrasadas. Péssimo serviço da Acme!", sentiment: "negative", score: -0.8,
		aspects: [][2]string{{"delivery", "negative"}}, intents: []string{"complaint"}, brands: []string{"Acme"}, customer: "C1"},
	{id: "pt2", source: "web", lang: "pt", text: "Adorei o preço, entrega rápida.", sentiment: "positive", score: 0.7, at: 24 * time.Hour,
		aspects: [][2]string{{"price", "positive"}, {"delivery", "positive"}}, intents: []string{"praise"}, brands: []string{"acme"}, prospect: "P1"},
	{id: "pl1", source: "forms", lang: "pl", text: "Zamówienie nie dotarło, dostawa trwa wieki.", sentiment: "negative", score: -0.6, at: 26 * time.Hour,
		aspects: [][2]string{{"delivery", "negative"}}, intents: []string{"complaint"}, brands: []string{"Acme"}, customer: "C2", email: "jan@example.pl"},
	{id: "pl2", source: "mastodon", lang: "pl", text: "Chętnie kupię nowy model, jakie są ceny zamówienia?", sentiment: "neutral", score: 0.1, at: 48 * time.Hour,
		aspects: [][2]string{{"price", "neutral"}}, intents: []string{"buying", "question"}, brands: []string{"Acme"}, prospect: "P2"},
	{id: "lv1", source: "mastodon", lang: "lv", text: "Piegāde bija ātra, paldies!", sentiment: "positive", score: 0.9, at: 51 * time.Hour,
		aspects: [][2]string{{"delivery", "positive"}}, intents: []string{"praise"}, customer: "C1"},
	{id: "lv2", source: "web", lang: "lv", text: "Kāpēc piegādes cena ir tik augsta?", sentiment: "negative", score: -0.4, at: 72 * time.Hour,
		aspects: [][2]string{{"price", "negative"}}, intents: []string{"question"}},
	{id: "zh1", source: "web", lang: "zh", text: "快递很慢，客服也不回复。", sentiment: "negative", score: -0.7, at: 72 * time.Hour,
		aspects: [][2]string{{"delivery", "negative"}, {"support", "negative"}}, intents: []string{"complaint"}},
	{id: "zh2", source: "mastodon", lang: "zh", text: "这个产品质量很好，我想再买一个。", sentiment: "positive", score: 0.8, at: 96 * time.Hour,
		aspects: [][2]string{{"quality", "positive"}}, intents: []string{"buying"}, brands: []string{"Acme"}, prospect: "P1"},
	{id: "en1", source: "mastodon", lang: "en", text: "Deliveries from Acme keep arriving late.", sentiment: "negative", score: -0.5, at: 97 * time.Hour,
		aspects: [][2]string{{"delivery", "negative"}}, intents: []string{"complaint"}, brands: []string{"Acme"}, customer: "C2"},
	{id: "en2", source: "forms", lang: "en", text: "Looking to buy the Acme Pro, is there a discount?", sentiment: "neutral", score: 0, at: 97 * time.Hour,
		aspects: [][2]string{{"price", "neutral"}}, intents: []string{"buying"}, brands: []string{"Acme"}, products: []string{"Acme Pro"},
		comps: []string{"Globex"}, prospect: "P2", email: "anna@example.com"},
	{id: "raw1", source: "web", text: "Acme pop-up store opened in Riga", at: 120 * time.Hour, noAnalysis: true},
	{id: "en3", source: "web", lang: "en", text: "Globex is cheaper than Acme, switching soon.", sentiment: "negative", score: -0.3, at: 120*time.Hour + 30*time.Minute,
		aspects: [][2]string{{"price", "negative"}}, intents: []string{"churn_risk"}, brands: []string{"Acme"}, comps: []string{"Globex"}, customer: "C1"},
}

// Mentions returns the fixture mentions, newly allocated.
func Mentions() []*record.EnrichedMention {
	out := make([]*record.EnrichedMention, len(fixtures))
	for i, f := range fixtures {
		out[i] = f.mention()
	}
	return out
}

func (f fx) mention() *record.EnrichedMention {
	m := &record.EnrichedMention{
		Mention: record.Mention{
			Schema: record.SchemaVersion, ID: f.id, Source: f.source, SourceID: "src-" + f.id, Channel: f.source + "-main",
			Kind: record.KindMention, Text: f.text, URL: "https://example.test/" + f.id,
			Author:    record.Author{Handle: "user_" + f.id, Email: f.email},
			CreatedAt: T0.Add(f.at), FetchedAt: T0.Add(f.at + time.Minute),
		},
		EnrichedAt: T0.Add(f.at + 2*time.Minute),
	}
	if f.noAnalysis {
		return m
	}
	a := &m.Analysis
	a.Language = &record.Language{Code: f.lang, Confidence: 0.99, Method: "model"}
	a.Sentiment = &record.Sentiment{Label: f.sentiment, Score: f.score, Confidence: 0.9}
	for _, as := range f.aspects {
		a.Aspects = append(a.Aspects, record.Aspect{Name: as[0], Sentiment: as[1], Score: 0.8})
	}
	for _, in := range f.intents {
		a.Intents = append(a.Intents, record.Intent{Name: in, Score: 0.9})
	}
	if len(f.brands)+len(f.products)+len(f.comps) > 0 {
		a.Preferences = &record.Preferences{Brands: f.brands, Products: f.products, Competitors: f.comps}
	}
	if f.customer != "" || f.prospect != "" {
		m.Identity = &record.Identity{Outcome: record.MatchNone, CustomerID: f.customer, ProspectID: f.prospect}
		if f.customer != "" {
			m.Identity.Outcome = record.MatchExact
		}
	}
	return m
}
