package es

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
)

// refMention is the document as encoding/json wrote it before mentionDoc
// wrote its own JSON; the two must agree byte for byte.
type refMention struct {
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

func refMentionDoc(t *testing.T, d index.MentionDoc, rec []byte, p *textPlan) []byte {
	t.Helper()
	m := refMention{
		ID: d.ID, Source: d.Source, Channel: d.Channel, Kind: d.Kind, Language: d.Language,
		Sentiment: d.Sentiment, SentimentScore: d.SentimentScore,
		Intents: d.Intents, Aspects: d.Aspects, AspectsPositive: d.AspectsPositive, AspectsNegative: d.AspectsNegative,
		Brands: d.Brands, Products: d.Products, Competitors: d.Competitors,
		CustomerID: d.CustomerID, ProspectID: d.ProspectID, Author: d.Author, AuthorEmail: d.AuthorEmail, Subject: d.Subject,
		CreatedAt: d.CreatedAt, Text: d.Text,
	}
	if !p.Fold {
		if f := foldedText(d.Text); f != "" {
			m.Text = f
		}
	}
	doc, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var field, value string
	if _, ok := p.Native[d.Analyser]; ok {
		field, value = index.LanguageFieldName(d.Analyser), d.Text
	} else if a, ok := p.Client[d.Analyser]; ok {
		field, value = clientField, clientTerms(a, d.Text)
	}
	out := append(doc[:len(doc)-1:len(doc)-1], `,"record":`...)
	out = append(out, rec...)
	if field != "" && value != "" {
		v, _ := json.Marshal(value)
		out = append(out, fmt.Sprintf(",%q:", field)...)
		out = append(out, v...)
	}
	return append(out, '}')
}

func TestMentionDocIsWhatEncodingJSONWrote(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ms := benchMentions(0, 200, r)
	cfg := synth.DefaultConfig()
	cfg.Seed = 5
	ms = append(ms, synth.New(cfg).Batch(300)...)
	odd := []string{
		"quotes \" and \\ backslash", "<b>&amp;</b> html", "tab\tnew\nline\rcr\bbs\fff\x00\x01\x1f\x7f",
		"invalid \xff\xfe utf-8 \xc3", "line\u2028sep\u2029para", "emoji 🙂 and 快递 and ł ß æ", "",
	}
	scores := []float64{0, -0, 1, -1, 0.5, 1e-7, -3.2e-10, 1e21, 123456789.125, 1e-6, 0.1 + 0.2}
	for i, s := range odd {
		m := *ms[i]
		m.Text, m.Author.Handle, m.Subject = s, s, s
		a := m.Analysis
		a.Sentiment = &record.Sentiment{Label: "negative", Score: scores[i]}
		a.Preferences = &record.Preferences{Brands: []string{s, "Acme"}, Products: []string{s}, Competitors: []string{"x<y"}}
		m.Analysis = a
		m.CreatedAt = time.Date(2025, 3, 4, 5, 6, 7, 891000000+i, time.FixedZone("X", 3600))
		ms = append(ms, &m)
	}
	for i, sc := range scores {
		m := *ms[i]
		a := m.Analysis
		a.Sentiment = &record.Sentiment{Label: "positive", Score: sc}
		m.Analysis = a
		ms = append(ms, &m)
	}
	for _, p := range []*textPlan{fullPlan(), strippedPlan(t)} {
		for _, m := range ms {
			rec, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			d := index.NewMentionDoc(m, p.has)
			got, err := mentionDoc(d, rec, p)
			if err != nil {
				t.Fatal(err)
			}
			if want := refMentionDoc(t, d, rec, p); !bytes.Equal(got, want) {
				t.Fatalf("mention %s:\ngot  %s\nwant %s", m.ID, got, want)
			}
		}
	}
}

func TestMentionDocRefusesWhatJSONCannotCarry(t *testing.T) {
	m := benchMentions(0, 1, rand.New(rand.NewPCG(1, 1)))[0]
	for _, bad := range []func(d *index.MentionDoc){
		func(d *index.MentionDoc) { nan := math.NaN(); d.SentimentScore = &nan },
		func(d *index.MentionDoc) { inf := math.Inf(-1); d.SentimentScore = &inf },
		func(d *index.MentionDoc) { d.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		d := index.NewMentionDoc(m, fullPlan().has)
		bad(&d)
		if _, err := mentionDoc(d, []byte(`{}`), fullPlan()); err == nil {
			t.Errorf("a document json.Marshal refuses was encoded: %+v", d)
		}
	}
}

// strippedPlan is the plan for a node with no analysis at all (the test
// node): every language Earshot can analyse is, and Earshot folds.
func strippedPlan(t *testing.T) *textPlan {
	t.Helper()
	p, err := planFor(func(string) bool { return false }, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
