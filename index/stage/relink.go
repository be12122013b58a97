package stage

import (
	"context"
	"fmt"
	"slices"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Relink re-links the mentions already indexed of people whose customer or
// prospect record arrived (index/relink provides it): a customer's earlier
// mentions by email or handle, a converted prospect's mentions to its
// customer, a merged prospect's to the survivor. It runs before their
// profiles are rebuilt, so the profiles count the re-linked mentions; it
// must be idempotent (a failed batch is retried).
type Relink func(ctx context.Context, customers []*record.Customer, prospects []*record.Prospect) error

// SetRelink installs the re-linking pass.
func (s *Stage) SetRelink(r Relink) { s.relink = r }

// relinkPeople runs the pass over the records of a profile run. It
// returns the people the mentions of converted and merged prospects moved
// to, whose profiles must be rebuilt too.
func (s *Stage) relinkPeople(ctx context.Context, people []personKey, bases map[personKey]*index.Profile) ([]personKey, error) {
	if s.relink == nil {
		return nil, nil
	}
	var customers []*record.Customer
	var prospects []*record.Prospect
	var more []personKey
	add := func(k personKey) {
		if !slices.Contains(people, k) && !slices.Contains(more, k) {
			more = append(more, k)
		}
	}
	for _, p := range people {
		b := bases[p]
		switch {
		case b == nil:
		case b.Customer != nil:
			customers = append(customers, b.Customer)
		case b.Prospect != nil && b.Prospect.Status == record.ProspectConverted && b.Prospect.CustomerID != "":
			prospects = append(prospects, b.Prospect)
			add(personKey{index.ProfileCustomer, b.Prospect.CustomerID})
		case b.Prospect != nil && b.Prospect.Status == record.ProspectMerged && b.Prospect.MergedInto != "":
			prospects = append(prospects, b.Prospect)
			add(personKey{index.ProfileProspect, b.Prospect.MergedInto})
		}
	}
	if len(customers) == 0 && len(prospects) == 0 {
		return nil, nil
	}
	// The pass moves mentions between people this stage cannot name.
	s.cache.clear()
	if err := s.relink(ctx, customers, prospects); err != nil {
		return nil, fmt.Errorf("re-linking indexed mentions: %w", err)
	}
	return more, nil
}
