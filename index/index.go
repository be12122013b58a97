// Package index stores enriched mentions and customer/prospect profiles in a
// search engine and answers the listening queries of the CLI, API and UI.
//
// Backend is the one contract both engines implement: Elasticsearch
// (index/es) for clusters and bleve (index/bleve) for the embedded mode. The
// query language lives in index/query; index/contract holds the test suite
// both backends must pass; index/stage is the pipeline stage that feeds them.
package index

import (
	"context"
	"errors"

	"github.com/earshothq/earshot/record"
)

// Backend is a search engine holding mentions and profiles.
//
// Writes are idempotent upserts keyed by record id: writing a record twice
// leaves one document. Write methods return one error per input item (nil =
// stored); an item error wrapped with Permanent will never succeed on retry
// (a mapping conflict, an invalid document), any other may.
type Backend interface {
	// EnsureSchema creates or updates templates, mappings and indices. It is
	// safe to call on every start.
	EnsureSchema(ctx context.Context) error
	UpsertMentions(ctx context.Context, ms []*record.EnrichedMention) []error
	UpsertProfiles(ctx context.Context, ps []*Profile) []error
	DeleteProfiles(ctx context.Context, ids []string) []error
	// DeleteMentions deletes mentions by id (posts deleted at their
	// source); unknown ids are not an error.
	DeleteMentions(ctx context.Context, ids []string) []error
	// DeletePerson removes every mention linked to the person (by customer
	// id, prospect ids or author e-mail) and the person's profiles, and
	// reports how many mentions it deleted.
	DeletePerson(ctx context.Context, p Person) (int, error)
	// Search runs a mention query; see SearchRequest.
	Search(ctx context.Context, req *SearchRequest) (*SearchResult, error)
	SearchProfiles(ctx context.Context, req *ProfileRequest) (*ProfileResult, error)
	// GetMention and GetProfile return ErrNotFound for an unknown id.
	GetMention(ctx context.Context, id string) (*record.EnrichedMention, error)
	GetProfile(ctx context.Context, id string) (*Profile, error)
	// MentionsOfPeople reads people's mentions back for their profiles:
	// newest first (ties by id), for each person at least their newest
	// `newest` mentions, or all of them when they have fewer, each with at
	// least what a profile counts (the text may be left out).
	MentionsOfPeople(ctx context.Context, people []PersonRef, newest int) ([]*record.EnrichedMention, error)
	// GetProfiles reads many profiles at once (one request, not one per
	// id): the result has one entry per id, in order, nil for an unknown id.
	GetProfiles(ctx context.Context, ids []string) ([]*Profile, error)
	// Refresh makes every acknowledged write visible to searches.
	Refresh(ctx context.Context) error
	Close() error
}

// ErrNotFound is returned by Get methods for an unknown id.
var ErrNotFound = errors.New("not found")

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (the record goes to the DLQ).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err (or anything it wraps) was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Person names everyone an erasure request covers.
type Person struct {
	CustomerID  string
	ProspectIDs []string
	Emails      []string
	// Subjects are keyed hashes of the person's identity keys: mentions
	// with one of them as MentionDoc.Subject are the person's.
	Subjects []string
}

// Empty reports whether p names nobody.
func (p Person) Empty() bool {
	return p.CustomerID == "" && len(p.ProspectIDs) == 0 && len(p.Emails) == 0 && len(p.Subjects) == 0
}

// ProfileIDs are the profile document ids of the person.
func (p Person) ProfileIDs() []string {
	var ids []string
	if p.CustomerID != "" {
		ids = append(ids, ProfileID(ProfileCustomer, p.CustomerID))
	}
	for _, id := range p.ProspectIDs {
		ids = append(ids, ProfileID(ProfileProspect, id))
	}
	return ids
}
