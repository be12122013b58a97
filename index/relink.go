package index

import (
	"context"

	"github.com/earshothq/earshot/record"
)

// Identifiers name the indexed mentions a re-resolution pass looks at:
// those linked to one of the prospects, or written from one of the
// e-mails or author handles (all as Keyword: lower-cased, trimmed), or
// from an e-mail one of EmailPatterns matches.
type Identifiers struct {
	ProspectIDs []string
	Emails      []string
	Authors     []string
	// EmailPatterns are regular expressions each matching whole lower-cased
	// e-mails: the spellings of one address (a provider's dots, +tags,
	// domain aliases). They keep to the syntax RE2 and Lucene share
	// (identity.Normalizer.EmailSpellings writes them).
	EmailPatterns []string
}

// Empty reports whether ids name nothing.
func (ids Identifiers) Empty() bool {
	return len(ids.ProspectIDs) == 0 && len(ids.Emails) == 0 && len(ids.Authors) == 0 && len(ids.EmailPatterns) == 0
}

// Relinker is the capability of a backend that lets identity re-link
// mentions already indexed when a customer arrives or prospects merge:
// it reads the stored mentions the identifiers name, without reading all
// of history. The pass writes changed mentions back with UpsertMentions.
type Relinker interface {
	// MentionsOf calls fn with pages of at most pageSize stored mentions
	// named by ids (each mention once), until every one was passed or fn
	// returns an error, which MentionsOf returns. Mentions written while it
	// runs may or may not be seen.
	MentionsOf(ctx context.Context, ids Identifiers, pageSize int, fn func([]*record.EnrichedMention) error) error
}
