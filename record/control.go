package record

import "time"

// Records people write through the web app, the API and the CLI. Each lives
// in a compacted topic keyed by its ID (the latest value wins, a tombstone
// deletes) and is read into memory by every process that needs it.

// SavedSearch is a named query marketing watches: the mentions page, its
// dashboard and its alert rules all start from one.
type SavedSearch struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	// Query is in Earshot's query language (index/query); Filters are
	// "field:value" pairs applied on top, as on the search API.
	Query   string   `json:"query"`
	Filters []string `json:"filters,omitempty"`
	// Competitors are the queries share of voice is measured against, by name.
	Competitors map[string]string `json:"competitors,omitempty"`
	Owner       string            `json:"owner"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Correction fields: what a person corrected about a mention.
const (
	CorrectSentiment = "sentiment" // Value: negative, neutral or positive
	CorrectRelevance = "relevance" // Value: irrelevant or relevant
	CorrectIntent    = "intent"    // Value: an intent name, prefixed "-" to remove it
)

// Correction is a person's verdict on what the analysis said about a mention.
// It is applied to the index at once and kept as labelled data for retraining,
// so it carries the text and language it was made on. Its ID is derived from
// the mention and the field: a later correction of the same field replaces it.
type Correction struct {
	Schema    int    `json:"schema"`
	ID        string `json:"id"`
	MentionID string `json:"mention_id"`
	Field     string `json:"field"`
	Value     string `json:"value"`
	// Previous is what the model said, ModelVersion which model said it.
	Previous     string    `json:"previous,omitempty"`
	ModelVersion string    `json:"model_version,omitempty"`
	Text         string    `json:"text"`
	Language     string    `json:"language,omitempty"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
	// Original is the mention as it was indexed before a relevance
	// correction took it out of search, so undoing it can put it back.
	Original *EnrichedMention `json:"original,omitempty"`
	// Subject is the mention's author's subject (a keyed hash, see
	// Mention.Subject): the correction, which quotes their text, is sealed
	// with their data key, so erasing them shreds it too.
	Subject string `json:"subject,omitempty"`
}

// CorrectionID is the id of the correction of field on a mention.
func CorrectionID(mentionID, field string) string { return hashID("correction", mentionID, field) }

func (s *SavedSearch) schemaVersion() *int { return &s.Schema }
func (c *Correction) schemaVersion() *int  { return &c.Schema }
