package index

import (
	"context"
	"time"
)

// Expirer deletes the mentions created before a time: the index's
// retention (privacy.RetentionConfig.Mentions). Counts, histograms and
// facets read from rollups lose the deleted mentions too, exactly. Both
// backends implement it; deleting twice (two index stages sweeping) is
// harmless.
type Expirer interface {
	ExpireMentions(ctx context.Context, before time.Time) (Expired, error)
}

// Expired is what a retention sweep removed: how many mentions, and the
// people they were linked to (whose profiles must be recounted).
type Expired struct {
	Deleted   int
	Customers []string
	Prospects []string
}

// People is the number of people named.
func (e Expired) People() int { return len(e.Customers) + len(e.Prospects) }

// ExpiredPeople collects the distinct people of deleted mentions.
type ExpiredPeople struct {
	customers, prospects map[string]bool
}

// Add notes the people a deleted mention was linked to.
func (p *ExpiredPeople) Add(customerID, prospectID string) {
	if p.customers == nil {
		p.customers, p.prospects = map[string]bool{}, map[string]bool{}
	}
	if customerID != "" {
		p.customers[customerID] = true
	}
	if prospectID != "" {
		p.prospects[prospectID] = true
	}
}

// Fill sets e's people from what was added, sorted.
func (p *ExpiredPeople) Fill(e *Expired) {
	e.Customers, e.Prospects = sortedKeys(p.customers), sortedKeys(p.prospects)
}
