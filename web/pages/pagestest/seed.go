package pagestest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Hostile is the text of the seeded attacker's mention.
const Hostile = `Great coffee <script>alert("xss")</script><img src=x onerror=alert(1)> "quoted" & more`

// IDs of seeded records the tests open.
const (
	HostileID    = "m-hostile"
	CustomerID   = "c-anna"
	ProspectID   = "p-jan"
	ProspectName = "Jan Kowalski"
)

type seedText struct {
	lang, text, sentiment, author, channel, source string
	intents                                        []string
	aspects                                        map[string]string
}

var texts = []seedText{
	{"pl", "Ekspres Acme działa świetnie, kawa jest pyszna. Polecam!", "positive", "ola@mastodon.social", "mastodon.social", "mastodon", []string{"praise"}, map[string]string{"quality": "positive"}},
	{"pl", "Dostawa spóźniona o tydzień, obsługa klienta nie odpowiada. Fatalnie.", "negative", "marek@pol.social", "pol.social", "mastodon", []string{"complaint"}, map[string]string{"delivery": "negative", "support": "negative"}},
	{"lv", "Acme kafijas automāts ir lielisks, bet piegāde bija lēna.", "neutral", "janis@mastodon.lv", "mastodon.lv", "mastodon", nil, map[string]string{"quality": "positive", "delivery": "negative"}},
	{"zh", "这台咖啡机很好用，但是价格太贵了。", "neutral", "li@example.cn", "reviews.example.cn", "web", []string{"question"}, map[string]string{"price": "negative", "quality": "positive"}},
	{"zh", "客服态度很差，退货流程太复杂。", "negative", "wang@example.cn", "reviews.example.cn", "web", []string{"complaint"}, map[string]string{"support": "negative"}},
	{"pt", "Adorei a máquina de café da Acme, entrega rápida e ótimo preço!", "positive", "ana@mastodon.pt", "mastodon.pt", "mastodon", []string{"praise"}, map[string]string{"delivery": "positive", "price": "positive"}},
	{"pt", "Quero comprar duas máquinas para o escritório, qual o preço?", "neutral", "carlos@empresa.pt", "contact", "forms", []string{"buying", "question"}, map[string]string{"price": "neutral"}},
	{"en", "The Acme grinder broke after two weeks. Really disappointed with the quality.", "negative", "sam@fosstodon.org", "fosstodon.org", "mastodon", []string{"complaint", "churn_risk"}, map[string]string{"quality": "negative"}},
	{"en", "Switched from Beanco to Acme and never looked back. Great support team.", "positive", "kim@hachyderm.io", "hachyderm.io", "mastodon", []string{"praise"}, map[string]string{"support": "positive"}},
	{"en", "Does the Acme Pro support oat milk frothing?", "neutral", "lee@forum.example.com", "forum.example.com", "web", []string{"question"}, nil},
}

// Seed indexes a small multilingual corpus around now: mentions in five
// languages over the last 30 days with a spike three days ago, a customer
// and a prospect with profiles, the hostile mention and a long one. It
// returns the number of mentions indexed.
func Seed(ctx context.Context, b index.Backend, now time.Time) (int, error) {
	now = now.UTC()
	var ms []*record.EnrichedMention
	n := 0
	add := func(t seedText, at time.Time, id string) *record.EnrichedMention {
		n++
		if id == "" {
			id = fmt.Sprintf("m-%03d", n)
		}
		m := &record.EnrichedMention{
			Mention: record.Mention{Schema: record.SchemaVersion, ID: id, Source: t.source, SourceID: id, Channel: t.channel,
				Kind: record.KindMention, Author: record.Author{Platform: t.source, Handle: t.author, Name: strings.Split(t.author, "@")[0]},
				Text: t.text, URL: "https://" + t.channel + "/posts/" + id, Lang: t.lang, CreatedAt: at, FetchedAt: at},
			Analysis: record.Analysis{
				Language:    &record.Language{Code: t.lang, Confidence: 0.99, Method: "model"},
				Sentiment:   &record.Sentiment{Label: t.sentiment, Score: map[string]float64{"positive": 0.7, "neutral": 0, "negative": -0.7}[t.sentiment], Confidence: 0.8},
				Preferences: &record.Preferences{Brands: []string{"acme"}, Products: []string{"coffee machine"}},
			},
			EnrichedAt: at,
		}
		if t.source == "forms" {
			m.Kind = record.KindFormSubmission
		}
		for _, in := range t.intents {
			m.Analysis.Intents = append(m.Analysis.Intents, record.Intent{Name: in, Score: 0.9})
		}
		for a, s := range t.aspects {
			m.Analysis.Aspects = append(m.Analysis.Aspects, record.Aspect{Name: a, Sentiment: s, Score: 0.8})
		}
		if strings.Contains(t.text, "Beanco") {
			m.Analysis.Preferences.Competitors = []string{"beanco"}
		}
		ms = append(ms, m)
		return m
	}
	day := 24 * time.Hour
	for d := 0; d < 30; d++ {
		per := 2
		if d == 3 {
			per = 12 // the spike
		}
		for k := 0; k < per; k++ {
			t := texts[(d*3+k)%len(texts)]
			add(t, now.Add(-time.Duration(d)*day-time.Duration(k+1)*37*time.Minute), "")
		}
	}
	// A customer's mentions.
	for i, t := range []seedText{texts[0], texts[1], texts[5]} {
		m := add(t, now.Add(-time.Duration(i*5+1)*day), fmt.Sprintf("m-anna-%d", i))
		m.Author = record.Author{Platform: "mastodon", Handle: "anna@mastodon.social", Name: "Anna Nowak", Email: "anna@example.pl"}
		m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: CustomerID, Score: 1}
	}
	// The prospect's form submission with buying intent.
	form := "Dzień dobry, chcemy kupić 20 ekspresów do biura w Krakowie. Proszę o ofertę."
	buyStart := strings.Index(form, "chcemy kupić")
	pm := add(seedText{"pl", form, "neutral", "jan@firma.pl", "contact", "forms", nil, nil}, now.Add(-2*day), "m-jan-form")
	pm.Kind = record.KindFormSubmission
	pm.Author = record.Author{Platform: "forms", Name: ProspectName, Email: "jan@firma.pl", Company: "Firma Sp. z o.o."}
	buy := record.Intent{Name: "buying", Score: 0.95, Evidence: []record.Span{{Start: buyStart, End: buyStart + len("chcemy kupić 20 ekspresów"), Text: "chcemy kupić 20 ekspresów"}}}
	pm.Analysis.Intents = []record.Intent{buy}
	pm.Identity = &record.Identity{Outcome: record.MatchNone, ProspectID: ProspectID}
	// The attacker and a long multilingual post.
	h := add(seedText{"en", Hostile, "positive", "mallory@evil.example", "evil.example", "web", nil, nil}, now.Add(-90*time.Minute), HostileID)
	h.Title = `<b onmouseover=alert(3)>title</b>`
	h.URL = "javascript:alert(4)"
	h.Author.ProfileURL = "javascript:alert(5)"
	h.Author.Name = `<img src=x onerror=alert(6)>`
	long := strings.Repeat("Długi wpis o kawie i dostawie, który ciągnie się bez końca; ", 12) + "这是一个很长的中文句子，用来测试换行。" + strings.Repeat("Supercalifragilisticexpialidocious", 3)
	add(seedText{"pl", long, "neutral", "gaduła@mastodon.social", "mastodon.social", "mastodon", nil, map[string]string{"delivery": "neutral"}}, now.Add(-5*time.Hour), "m-long")
	for i, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			return 0, fmt.Errorf("indexing seed mention %s: %w", ms[i].ID, err)
		}
	}
	// Profiles, with stats from their mentions.
	var annaMs, janMs []*record.EnrichedMention
	for _, m := range ms {
		if m.Identity != nil && m.Identity.CustomerID == CustomerID {
			annaMs = append(annaMs, m)
		}
		if m.Identity != nil && m.Identity.ProspectID == ProspectID {
			janMs = append(janMs, m)
		}
	}
	cust := index.CustomerProfile(&record.Customer{Schema: 1, ID: CustomerID, FirstName: "Anna", LastName: "Nowak", Emails: []string{"anna@example.pl"},
		Phones: []string{"+48600100200"}, Handles: []record.Handle{{Platform: "mastodon", Handle: "anna@mastodon.social"}}, Company: "Kawiarnia Anna",
		Address: record.Address{Country: "PL"}, Segment: "gold", Language: "pl"}).WithStats(index.Aggregate(annaMs), now)
	pr := &record.Prospect{Schema: 1, ID: ProspectID, Key: "email:jan@firma.pl", Name: ProspectName, Emails: []string{"jan@firma.pl"},
		Company: "Firma Sp. z o.o.", Country: "PL", Languages: []string{"pl"}, Score: 0.87, Status: record.ProspectNew,
		Preferences: &record.Preferences{Products: []string{"coffee machine"}, Channels: []string{"email", "phone"}},
		Evidence: []record.ProspectEvidence{{RecordID: pm.ID, Source: "forms", Kind: record.KindFormSubmission, Text: form, Intents: []record.Intent{buy},
			Consent: &record.Consent{Given: true}, At: pm.CreatedAt}},
		FirstSeen: pm.CreatedAt, LastSeen: pm.CreatedAt}
	pros := index.ProspectProfile(pr).WithStats(index.Aggregate(janMs), now)
	// A second, weaker prospect from a post, and one with markup for a name.
	pr2 := &record.Prospect{Schema: 1, ID: "p-carlos", Key: "email:carlos@empresa.pt", Name: "Carlos Silva", Emails: []string{"carlos@empresa.pt"},
		Score: 0.55, Status: record.ProspectNew, Languages: []string{"pt"},
		Evidence: []record.ProspectEvidence{{RecordID: "m-carlos", Source: "forms", Kind: record.KindFormSubmission, Text: texts[6].text,
			Intents: []record.Intent{{Name: "buying", Score: 0.7, Evidence: []record.Span{{Start: 0, End: len("Quero comprar"), Text: "Quero comprar"}}}}, At: now.Add(-26 * time.Hour)}},
		FirstSeen: now.Add(-26 * time.Hour), LastSeen: now.Add(-26 * time.Hour)}
	pr3 := &record.Prospect{Schema: 1, ID: "p-evil", Key: "email:mallory@evil.example", Name: `<script>alert("p")</script>`, Emails: []string{"mallory@evil.example"},
		Score: 0.2, Status: record.ProspectNew,
		Evidence:  []record.ProspectEvidence{{RecordID: HostileID, Source: "web", Kind: record.KindMention, Text: Hostile, URL: "javascript:alert(7)", At: now.Add(-90 * time.Minute)}},
		FirstSeen: now.Add(-90 * time.Minute), LastSeen: now.Add(-90 * time.Minute)}
	profiles := []*index.Profile{cust, pros, index.ProspectProfile(pr2).WithStats(index.Stats{}, now), index.ProspectProfile(pr3).WithStats(index.Stats{}, now)}
	for i, err := range b.UpsertProfiles(ctx, profiles) {
		if err != nil {
			return 0, fmt.Errorf("indexing seed profile %s: %w", profiles[i].ID, err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		return 0, err
	}
	return len(ms), nil
}

// SeedOne indexes one more mention (the live stream's new arrival).
func SeedOne(ctx context.Context, b index.Backend, id, text string, at time.Time) (*record.EnrichedMention, error) {
	m := &record.EnrichedMention{
		Mention: record.Mention{Schema: record.SchemaVersion, ID: id, Source: "mastodon", SourceID: id, Channel: "mastodon.social",
			Kind: record.KindMention, Author: record.Author{Platform: "mastodon", Handle: "nowy@mastodon.social"}, Text: text, Lang: "pl",
			CreatedAt: at.UTC(), FetchedAt: at.UTC()},
		Analysis: record.Analysis{Language: &record.Language{Code: "pl", Confidence: 1}, Sentiment: &record.Sentiment{Label: "positive", Score: 0.6}},
	}
	if errs := b.UpsertMentions(ctx, []*record.EnrichedMention{m}); errs[0] != nil {
		return nil, errs[0]
	}
	return m, b.Refresh(ctx)
}
