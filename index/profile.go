package index

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// Profile kinds.
const (
	ProfileCustomer = "customer"
	ProfileProspect = "prospect"
)

// StatusCustomer is the status of customer profiles (prospects carry their
// own pipeline status: new, contacted, qualified, ...).
const StatusCustomer = "customer"

// ProfileID is the document id of a person's profile.
func ProfileID(kind, personID string) string { return kind + ":" + personID }

// Profile is a customer or prospect with what their mentions say about them.
//
// The identity part comes from the customers and prospects topics; Stats is
// recomputed from the person's indexed mentions whenever either changes (see
// index/stage), so replays and erasures never leave stale counts behind.
type Profile struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	PersonID  string   `json:"person_id"`
	Name      string   `json:"name,omitempty"`
	Company   string   `json:"company,omitempty"`
	Emails    []string `json:"emails,omitempty"`
	Handles   []string `json:"handles,omitempty"` // "platform:handle"
	Country   string   `json:"country,omitempty"`
	Segment   string   `json:"segment,omitempty"`
	Status    string   `json:"status"`
	LeadScore float64  `json:"lead_score"`
	Stats
	Customer  *record.Customer `json:"customer,omitempty"`
	Prospect  *record.Prospect `json:"prospect,omitempty"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// AspectCount is how often a person spoke of an aspect, by polarity.
type AspectCount struct {
	Name     string `json:"name"`
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Neutral  int    `json:"neutral"`
}

// Stats are a person's preferences aggregated from their mentions.
type Stats struct {
	MentionCount int        `json:"mention_count"`
	LastSeen     *time.Time `json:"last_seen,omitempty"`
	// AvgSentiment is the mean sentiment score of the mentions that have one.
	AvgSentiment    *float64      `json:"avg_sentiment,omitempty"`
	Aspects         []AspectCount `json:"aspects,omitempty"`
	AspectsPositive []string      `json:"aspects_positive,omitempty"`
	AspectsNegative []string      `json:"aspects_negative,omitempty"`
	Brands          []string      `json:"brands,omitempty"`
	Products        []string      `json:"products,omitempty"`
	Competitors     []string      `json:"competitors,omitempty"`
	Channels        []string      `json:"channels,omitempty"` // preferred contact channels
	Sources         []string      `json:"sources,omitempty"`  // where the person was heard
	Languages       []string      `json:"languages,omitempty"`
	Intents         []string      `json:"intents,omitempty"`
}

// Aggregate computes Stats from a person's mentions. The result does not
// depend on the order of ms, and a mention listed twice counts once.
func Aggregate(ms []*record.EnrichedMention) Stats {
	var t Tally
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if m == nil || seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		t.Add(m)
	}
	return t.Stats()
}

// CustomerProfile is the identity part of a customer's profile.
func CustomerProfile(c *record.Customer) *Profile {
	name := strings.TrimSpace(c.FirstName + " " + c.LastName)
	if name == "" && len(c.Names) > 0 {
		name = c.Names[0]
	}
	p := &Profile{
		ID: ProfileID(ProfileCustomer, c.ID), Kind: ProfileCustomer, PersonID: c.ID,
		Name: name, Company: c.Company, Emails: lowerAll(c.Emails), Country: strings.ToUpper(c.Address.Country),
		Segment: c.Segment, Status: StatusCustomer, Customer: c,
	}
	for _, h := range c.Handles {
		p.Handles = append(p.Handles, Keyword(h.Platform)+":"+Keyword(strings.TrimPrefix(h.Handle, "@")))
	}
	return p
}

// ProspectProfile is the identity part of a prospect's profile.
func ProspectProfile(pr *record.Prospect) *Profile {
	p := &Profile{
		ID: ProfileID(ProfileProspect, pr.ID), Kind: ProfileProspect, PersonID: pr.ID,
		Name: pr.Name, Company: pr.Company, Emails: lowerAll(pr.Emails), Country: strings.ToUpper(pr.Country),
		Status: Keyword(pr.Status), LeadScore: pr.Score, Prospect: pr,
	}
	if p.Status == "" {
		p.Status = record.ProspectNew
	}
	for _, h := range pr.Handles {
		p.Handles = append(p.Handles, Keyword(h.Platform)+":"+Keyword(strings.TrimPrefix(h.Handle, "@")))
	}
	return p
}

// PlaceholderProfile is the profile of a person known only from mentions
// (their customer or prospect record has not been indexed yet).
func PlaceholderProfile(kind, personID string) *Profile {
	p := &Profile{ID: ProfileID(kind, personID), Kind: kind, PersonID: personID, Status: StatusCustomer}
	if kind == ProfileProspect {
		p.Status = record.ProspectNew
	}
	return p
}

// WithStats returns a copy of p carrying st, merged with what the prospect
// record itself states (its languages and preferences from enrichment).
func (p *Profile) WithStats(st Stats, now time.Time) *Profile {
	out := *p
	if pr := p.Prospect; pr != nil {
		st.Languages = union(st.Languages, pr.Languages)
		if pref := pr.Preferences; pref != nil {
			st.Brands = union(st.Brands, pref.Brands)
			st.Products = union(st.Products, pref.Products)
			st.Competitors = union(st.Competitors, pref.Competitors)
			st.Channels = union(st.Channels, pref.Channels)
		}
		if st.LastSeen == nil && !pr.LastSeen.IsZero() {
			t := pr.LastSeen.UTC()
			st.LastSeen = &t
		}
	}
	out.Stats = st
	out.UpdatedAt = now.UTC()
	return &out
}

// Validate reports a profile that cannot be stored.
func (p *Profile) Validate() error {
	if p.PersonID == "" {
		return fmt.Errorf("profile has no person id")
	}
	if p.Kind != ProfileCustomer && p.Kind != ProfileProspect {
		return fmt.Errorf("profile %s has unknown kind %q", p.PersonID, p.Kind)
	}
	if p.ID != ProfileID(p.Kind, p.PersonID) {
		return fmt.Errorf("profile id %q does not match kind %q and person %q", p.ID, p.Kind, p.PersonID)
	}
	return nil
}

func lowerAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = Keyword(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func union(a, b []string) []string {
	set := map[string]bool{}
	for _, v := range a {
		set[Keyword(v)] = true
	}
	for _, v := range b {
		if v = Keyword(v); v != "" {
			set[v] = true
		}
	}
	out := sortedKeys(set)
	sort.Strings(out)
	return out
}

// Profile sort orders.
const (
	ProfileSortLeadScore = "lead_score"
	ProfileSortLastSeen  = "last_seen"
	ProfileSortMentions  = "mentions"
)

// ProfileRequest searches profiles. Every non-empty field must match.
type ProfileRequest struct {
	Text           string // words of the name, company or e-mail
	Kind           string // customer or prospect
	Status         string
	Aspect         string // spoke of this aspect at all
	NegativeAspect string // complained about this aspect
	Brand          string
	Product        string
	Competitor     string
	Language       string
	MinLeadScore   float64
	Sort           string // ProfileSort*; "" = lead_score
	From, Size     int
}

// Validate checks the request and applies defaults.
func (r *ProfileRequest) Validate() error {
	switch r.Sort {
	case "":
		r.Sort = ProfileSortLeadScore
	case ProfileSortLeadScore, ProfileSortLastSeen, ProfileSortMentions:
	default:
		return fmt.Errorf("unknown profile sort %q (want lead_score, last_seen or mentions)", r.Sort)
	}
	switch r.Kind {
	case "", ProfileCustomer, ProfileProspect:
	default:
		return fmt.Errorf("unknown profile kind %q (want customer or prospect)", r.Kind)
	}
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	if r.Size < 0 || r.Size > MaxSize {
		return fmt.Errorf("size %d out of range 1..%d", r.Size, MaxSize)
	}
	if r.From < 0 || r.From > 10000 {
		return fmt.Errorf("from %d out of range 0..10000", r.From)
	}
	return nil
}

// ProfileResult is a page of profiles.
type ProfileResult struct {
	Total    int64      `json:"total"`
	Profiles []*Profile `json:"profiles"`
}
