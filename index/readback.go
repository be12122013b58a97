package index

import (
	"context"

	"github.com/earshothq/earshot/record"
)

// PersonRef names a customer or a prospect (Kind is ProfileCustomer or
// ProfileProspect) by the id their mentions are linked with.
type PersonRef struct{ Kind, ID string }

// PeopleReader is implemented by a backend that reads people's mentions
// back more cheaply than a time-sorted search does. The index stage
// rebuilds a person's profile from their mentions; on the embedded index a
// sorted search reads every match's time from its own compressed
// doc-value chunk and pages through the rest again, which at a million
// mentions made a batch of 200 mentions take seconds. Backends without it
// are read with Search.
type PeopleReader interface {
	// MentionsOfPeople returns mentions linked to any of people, newest first
	// (ties by id): for each person at least their newest `newest`
	// mentions, or all of them when they have fewer.
	MentionsOfPeople(ctx context.Context, people []PersonRef, newest int) ([]*record.EnrichedMention, error)
}
