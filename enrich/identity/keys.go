package identity

import "github.com/earshothq/earshot/record"

// Keys gives the exact identity keys ("email:…", "phone:…", "handle:…",
// "url:…", normalised as matching normalises them) of records, for work
// outside enrichment: re-linking mentions already indexed.
type Keys struct{ n *Normalizer }

// NewKeys normalises with the email, phone and date settings of cfg.
func NewKeys(cfg Config) Keys { return Keys{n: NewNormalizer(cfg)} }

// CustomerKeys are a customer's keys.
func (k Keys) CustomerKeys(c *record.Customer) []string {
	p, _ := k.n.Customer(c)
	return p.ExactKeys()
}

// MentionKeys are the keys of a mention's author (a form's fields included).
func (k Keys) MentionKeys(m *record.Mention) []string {
	p := k.n.Author(m)
	return p.ExactKeys()
}

// EmailSpellings is a regular expression for every spelling of a
// normalised e-mail (Normalizer.EmailSpellings), or "".
func (k Keys) EmailSpellings(canonical string) string { return k.n.EmailSpellings(canonical) }
