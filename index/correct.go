package index

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/earshothq/earshot/record"
)

// Corrector is a backend that applies a person's correction of a mention
// at once: the corrected mention is re-indexed (its sentiment or intents
// change in searches and facet counts), or, for a mention marked
// irrelevant, taken out of search. Both bundled backends implement it.
type Corrector interface {
	// ApplyCorrection corrects the indexed mention c.MentionID and returns
	// it as it was before (ErrNotFound for an unknown mention).
	ApplyCorrection(ctx context.Context, c *record.Correction) (*record.EnrichedMention, error)
	// RestoreMention puts a mention taken out of search back (undoing an
	// irrelevance correction).
	RestoreMention(ctx context.Context, m *record.EnrichedMention) error
}

// Sentiment scores a corrected label gets: a person's verdict is certain.
var correctedScore = map[string]float64{record.SentimentNegative: -1, record.SentimentNeutral: 0, record.SentimentPositive: 1}

// ValidateCorrection checks a correction's field and value.
func ValidateCorrection(c *record.Correction) error {
	switch c.Field {
	case record.CorrectSentiment:
		if _, ok := correctedScore[c.Value]; !ok {
			return fmt.Errorf("sentiment correction %q: want negative, neutral or positive", c.Value)
		}
	case record.CorrectRelevance:
		if c.Value != "irrelevant" && c.Value != "relevant" {
			return fmt.Errorf("relevance correction %q: want irrelevant or relevant", c.Value)
		}
	case record.CorrectIntent:
		name := strings.TrimPrefix(c.Value, "-")
		if name == "" || strings.ContainsAny(name, " \t:") {
			return fmt.Errorf("intent correction %q: want an intent name, or -name to remove it", c.Value)
		}
	default:
		return fmt.Errorf("unknown correction field %q (want sentiment, relevance or intent)", c.Field)
	}
	return nil
}

// Correct returns a copy of m with c applied, and whether the mention is
// to leave search (marked irrelevant).
func Correct(m *record.EnrichedMention, c *record.Correction) (*record.EnrichedMention, bool, error) {
	if err := ValidateCorrection(c); err != nil {
		return nil, false, err
	}
	out := *m
	a := m.Analysis
	switch c.Field {
	case record.CorrectSentiment:
		a.Sentiment = &record.Sentiment{Label: c.Value, Score: correctedScore[c.Value], Confidence: 1}
	case record.CorrectRelevance:
		return &out, c.Value == "irrelevant", nil
	case record.CorrectIntent:
		name, remove := strings.CutPrefix(c.Value, "-")
		intents := slices.DeleteFunc(slices.Clone(a.Intents), func(in record.Intent) bool { return in.Name == name })
		if !remove {
			intents = append(intents, record.Intent{Name: name, Score: 1})
		}
		a.Intents = intents
	}
	out.Analysis = a
	return &out, false, nil
}

// Previous is what the analysis said about the corrected field (for the
// labelled data retraining uses).
func Previous(m *record.EnrichedMention, field string) string {
	switch field {
	case record.CorrectSentiment:
		if m.Analysis.Sentiment != nil {
			return m.Analysis.Sentiment.Label
		}
	case record.CorrectRelevance:
		return "relevant"
	case record.CorrectIntent:
		names := make([]string, len(m.Analysis.Intents))
		for i, in := range m.Analysis.Intents {
			names[i] = in.Name
		}
		return strings.Join(names, ",")
	}
	return ""
}
