// Package relink re-resolves mentions already indexed when identity
// learns something new about people: a customer imported or updated (their
// earlier mentions, found by email or handle, become theirs), a prospect
// converted into a customer (its mentions join the customer's profile) or
// merged into another prospect (its mentions follow the survivor). It
// reads only what the index holds for the affected identifiers
// (index.Relinker), never all of history, and writes back the mentions
// whose link changed; the caller then rebuilds the people's profiles.
package relink

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Keys gives normalised exact identity keys, and the spellings of a
// normalised e-mail; enrich/identity.Keys implements it.
type Keys interface {
	CustomerKeys(c *record.Customer) []string
	MentionKeys(m *record.Mention) []string
	EmailSpellings(canonical string) string
}

// Pass re-links the mentions of a run of customer and prospect records.
type Pass struct {
	Backend  index.Backend
	Mentions index.Relinker
	Keys     Keys
	// PageSize is how many mentions are read and written at a time;
	// PeoplePerQuery how many people one read names.
	PageSize, PeoplePerQuery int
}

// New makes a pass over b, which must implement index.Relinker.
func New(b index.Backend, keys Keys) (*Pass, error) {
	rl, ok := b.(index.Relinker)
	if !ok {
		return nil, fmt.Errorf("re-linking mentions: the %T backend cannot read mentions by identifier", b)
	}
	return &Pass{Backend: b, Mentions: rl, Keys: keys, PageSize: 500, PeoplePerQuery: 200}, nil
}

// Result counts what a pass did.
type Result struct {
	Read     int // mentions read
	Relinked int // mentions written back with a new link
}

// target is who a key or a prospect's mentions belong to now.
type target struct {
	customerID string // the customer, or
	prospectID string // the surviving prospect of a merge
	key        string // the exact key that tells (customers)
}

// Run re-links the mentions of customers (by their emails, phones,
// handles and profile URLs) and of converted and merged prospects.
func (p *Pass) Run(ctx context.Context, customers []*record.Customer, prospects []*record.Prospect) (Result, error) {
	var res Result
	byKey := map[string]target{}
	ambiguous := map[string]bool{}
	byProspect := map[string]target{}
	type person struct{ ids index.Identifiers }
	var people []person
	for _, c := range customers {
		var ids index.Identifiers
		for _, k := range p.Keys.CustomerKeys(c) {
			if t, taken := byKey[k]; taken && t.customerID != c.ID {
				ambiguous[k] = true // two customers share it: not for a machine to pick
			}
			byKey[k] = target{customerID: c.ID, key: k}
			kind, v, _ := strings.Cut(k, ":")
			switch kind {
			case "email":
				ids.Emails = append(ids.Emails, v)
				// The index keeps e-mails as written: a provider's other
				// spellings of the address are found by pattern.
				if pat := p.Keys.EmailSpellings(v); pat != "" {
					ids.EmailPatterns = append(ids.EmailPatterns, pat)
				}
			case "handle":
				// The index keeps the author's handle as the source gave
				// it: "user@instance" or "@user@instance".
				_, h, _ := strings.Cut(v, ":")
				ids.Authors = append(ids.Authors, h, "@"+h)
			}
			// The prospect a form or post of this key created.
			ids.ProspectIDs = append(ids.ProspectIDs, record.RecordID("prospect", k))
		}
		ids.Emails = append(ids.Emails, c.Emails...) // as written, which the index keeps
		for _, h := range c.Handles {
			ids.Authors = append(ids.Authors, h.Handle, strings.TrimPrefix(h.Handle, "@"))
		}
		people = append(people, person{ids})
	}
	for _, pr := range prospects {
		switch {
		case pr.Status == record.ProspectConverted && pr.CustomerID != "":
			byProspect[pr.ID] = target{customerID: pr.CustomerID}
		case pr.Status == record.ProspectMerged && pr.MergedInto != "":
			byProspect[pr.ID] = target{prospectID: pr.MergedInto}
		default:
			continue
		}
		people = append(people, person{index.Identifiers{ProspectIDs: []string{pr.ID}}})
	}
	for k := range ambiguous {
		delete(byKey, k)
	}
	for start := 0; start < len(people); start += p.PeoplePerQuery {
		var ids index.Identifiers
		for _, pe := range people[start:min(start+p.PeoplePerQuery, len(people))] {
			ids.ProspectIDs = append(ids.ProspectIDs, pe.ids.ProspectIDs...)
			ids.Emails = append(ids.Emails, pe.ids.Emails...)
			ids.Authors = append(ids.Authors, pe.ids.Authors...)
			ids.EmailPatterns = append(ids.EmailPatterns, pe.ids.EmailPatterns...)
		}
		ids.ProspectIDs, ids.Emails, ids.Authors = unique(ids.ProspectIDs, false), unique(ids.Emails, true), unique(ids.Authors, true)
		ids.EmailPatterns = unique(ids.EmailPatterns, false)
		err := p.Mentions.MentionsOf(ctx, ids, p.PageSize, func(ms []*record.EnrichedMention) error {
			res.Read += len(ms)
			var changed []*record.EnrichedMention
			for _, m := range ms {
				if p.relink(m, byKey, byProspect) {
					changed = append(changed, m)
				}
			}
			if len(changed) == 0 {
				return nil
			}
			for i, err := range p.Backend.UpsertMentions(ctx, changed) {
				if err != nil {
					return fmt.Errorf("re-linking mention %s: %w", changed[i].ID, err)
				}
			}
			res.Relinked += len(changed)
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// relink updates m's identity from what is now known; it reports whether
// anything changed. A mention already matched to a customer keeps them:
// re-linking fills gaps, it does not overrule a decision.
func (p *Pass) relink(m *record.EnrichedMention, byKey, byProspect map[string]target) bool {
	id := m.Identity
	if id == nil {
		id = &record.Identity{Outcome: record.MatchNone}
	}
	if t, ok := byProspect[id.ProspectID]; ok && id.ProspectID != "" {
		switch {
		case t.prospectID != "" && t.prospectID != id.ProspectID:
			id.ProspectID = t.prospectID
			m.Identity = id
			return true
		case t.customerID != "" && id.CustomerID == "":
			setCustomer(id, t.customerID, "prospect:"+id.ProspectID, "prospect", "converted")
			m.Identity = id
			return true
		}
	}
	if id.CustomerID != "" {
		return false
	}
	for _, k := range p.Keys.MentionKeys(&m.Mention) {
		if t, ok := byKey[k]; ok {
			kind, _, _ := strings.Cut(k, ":")
			setCustomer(id, t.customerID, k, kind, "exact")
			m.Identity = id
			return true
		}
	}
	return false
}

func setCustomer(id *record.Identity, customerID, key, field, level string) {
	id.Outcome, id.CustomerID, id.Key = record.MatchExact, customerID, key
	id.Evidence = []record.FieldEvidence{{Field: field, Agrees: true, Level: level}}
	id.Candidates = nil
}

// unique drops blanks and repeats; keyword lower-cases as the index keeps
// e-mails and handles (prospect ids are kept as they are).
func unique(s []string, keyword bool) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			if keyword {
				v = index.Keyword(v)
			}
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
