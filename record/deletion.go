package record

import (
	"errors"
	"time"
)

// Deletion reasons.
const (
	// DeletedAtSource: the source announced the deletion (a Mastodon
	// stream's delete event).
	DeletedAtSource = "deleted_at_source"
	// DeletedGone: a check found the post gone (404 or 410).
	DeletedGone = "gone"
)

// Deletion turns a mention record into the removal of the mention with the
// same id. It travels the raw and enriched topics like any mention, keyed
// like the mention it removes, so it follows it on the same partition: the
// enrich stage passes it on without analysing it and without touching
// prospects, the index stage deletes the document. A connector never
// reaches into the index itself.
type Deletion struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// NewDeletion returns the record that removes the mention source/sourceID.
// author should carry what the mention's author carried (its Kafka key is
// the author's), channel its channel.
func NewDeletion(source, sourceID, channel string, author Author, reason string, at time.Time) (*Mention, error) {
	if reason == "" {
		return nil, errors.New("deletion has no reason")
	}
	m := &Mention{
		Source:   source,
		SourceID: sourceID,
		Channel:  channel,
		Kind:     KindMention,
		Author:   author,
		Deletion: &Deletion{Reason: reason, At: at.UTC()},
		// Nothing of the post is repeated here: a deletion carries no text.
		CreatedAt: at.UTC(),
		FetchedAt: at.UTC(),
	}
	if err := m.Normalize(); err != nil {
		return nil, err
	}
	return m, nil
}

// Deleted reports whether m is a deletion rather than a post.
func (m *Mention) Deleted() bool { return m.Deletion != nil }

// NoProspect reports whether m may not create, grow or link a prospect
// (see Consent.NoProspect); deletions never do.
func (m *Mention) NoProspect() bool {
	return m.Deletion != nil || m.Consent != nil && m.Consent.NoProspect
}
