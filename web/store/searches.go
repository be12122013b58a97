package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

// SavedSearchInput is what a person writes of a saved search.
type SavedSearchInput struct {
	Name        string            `json:"name"`
	Query       string            `json:"query"`
	Filters     []string          `json:"filters,omitempty"`
	Competitors map[string]string `json:"competitors,omitempty"`
}

// maxCompetitors bounds share-of-voice comparisons per saved search.
const maxCompetitors = 10

// validate checks the name and that every query compiles.
func (in *SavedSearchInput) validate() error {
	var err error
	if in.Name, err = cleanText("name", in.Name, 100); err != nil {
		return err
	}
	if _, err := (&index.SearchRequest{Query: in.Query, Filters: in.Filters}).Compile(); err != nil {
		return invalid("query: %v", err)
	}
	if len(in.Competitors) > maxCompetitors {
		return invalid("at most %d competitors", maxCompetitors)
	}
	for name, q := range in.Competitors {
		if strings.TrimSpace(name) == "" {
			return invalid("a competitor has no name")
		}
		if _, err := (&index.SearchRequest{Query: q}).Compile(); err != nil {
			return invalid("competitor %s: %v", name, err)
		}
	}
	return nil
}

// SavedSearches lists the saved searches by name.
func (s *Store) SavedSearches() []record.SavedSearch {
	var out []record.SavedSearch
	s.searches.Each(func(_ string, v record.SavedSearch) bool {
		out = append(out, v)
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// SavedSearch returns one saved search.
func (s *Store) SavedSearch(id string) (record.SavedSearch, error) {
	v, ok := s.searches.Get(id)
	if !ok {
		return v, fmt.Errorf("saved search %s: %w", id, ErrNotFound)
	}
	return v, nil
}

// CreateSavedSearch stores a new saved search owned by by.
func (s *Store) CreateSavedSearch(ctx context.Context, by string, in SavedSearchInput) (record.SavedSearch, error) {
	if err := in.validate(); err != nil {
		return record.SavedSearch{}, err
	}
	now := s.now().UTC()
	v := record.SavedSearch{ID: strings.ToLower(auth.RandomSecret(12)), Name: in.Name, Query: in.Query, Filters: in.Filters,
		Competitors: in.Competitors, Owner: by, CreatedAt: now, UpdatedAt: now}
	v.ID = strings.NewReplacer("-", "x", "_", "y").Replace(v.ID)
	if err := s.searches.Put(ctx, v.ID, &v); err != nil {
		return record.SavedSearch{}, err
	}
	return v, nil
}

// UpdateSavedSearch replaces a saved search's name, query, filters and competitors.
func (s *Store) UpdateSavedSearch(ctx context.Context, id string, in SavedSearchInput) (record.SavedSearch, error) {
	v, err := s.SavedSearch(id)
	if err != nil {
		return v, err
	}
	if err := in.validate(); err != nil {
		return record.SavedSearch{}, err
	}
	v.Name, v.Query, v.Filters, v.Competitors = in.Name, in.Query, in.Filters, in.Competitors
	v.UpdatedAt = s.stamp(v.UpdatedAt)
	if err := s.searches.Put(ctx, id, &v); err != nil {
		return record.SavedSearch{}, err
	}
	return v, nil
}

// DeleteSavedSearch removes a saved search.
func (s *Store) DeleteSavedSearch(ctx context.Context, id string) error {
	if _, err := s.SavedSearch(id); err != nil {
		return err
	}
	return s.searches.Delete(ctx, id)
}
