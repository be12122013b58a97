package pages

import (
	"context"
	"io"
	"time"

	"github.com/earshothq/earshot/record"
)

// The stores the pages write through. cmd/earshot wires web/store and
// web/auth behind them; tests use the in-memory ones in pagestest.

// SavedSearches are the named queries behind dashboards.
type SavedSearches interface {
	List(ctx context.Context) ([]*record.SavedSearch, error)
	// Get returns index.ErrNotFound for an unknown id.
	Get(ctx context.Context, id string) (*record.SavedSearch, error)
	// Save creates or replaces s (a new one has no ID yet and gets one).
	Save(ctx context.Context, s *record.SavedSearch) (*record.SavedSearch, error)
	// Delete removes a saved search (index.ErrNotFound for an unknown id).
	Delete(ctx context.Context, id string) error
}

// Corrections store a person's verdict on a mention and apply it to the
// index before returning, so the next search shows it.
type Corrections interface {
	Correct(ctx context.Context, c *record.Correction) error
}

// Mute hides an author's or a site's mentions from every listening view
// (kind record.MuteAuthor: the index's author keyword; record.MuteSite: the
// mention's channel, e.g. a Mastodon server or a crawled site).
type Mute = record.Mute

// Mute kinds.
const (
	MuteAuthor = record.MuteAuthor
	MuteSite   = record.MuteSite
)

// Mutes are the active mutes.
type Mutes interface {
	List(ctx context.Context) ([]Mute, error)
	Mute(ctx context.Context, m Mute) error
	// Unmute removes the mute with this id (record.MuteID).
	Unmute(ctx context.Context, id string) error
}

// Stages are the prospect stages, in the order the inbox offers them.
var Stages = record.ProspectStages

// ProspectWork is what sales did with a prospect: its stage (overriding
// the stage the prospect record was created with), owner, notes and the
// history of stage changes.
type (
	ProspectWork = record.ProspectWork
	StageChange  = record.StageChange
	Note         = record.Note
)

// Prospects hold the work on prospects.
type Prospects interface {
	// Get returns the work on one prospect (ok false when nobody touched it).
	Get(ctx context.Context, prospectID string) (ProspectWork, bool, error)
	// All returns every prospect somebody worked on.
	All(ctx context.Context) ([]ProspectWork, error)
	SetStage(ctx context.Context, prospectID, stage, by string) error
	SetOwner(ctx context.Context, prospectID, owner, by string) error
	AddNote(ctx context.Context, prospectID, text, by string) error
}

// User is an account as the admin page lists it.
type User struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Token is an API token as the admin page lists it (never its secret).
type Token struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
	Expires  time.Time `json:"expires"` // zero: never
}

// Accounts manage users and API tokens.
type Accounts interface {
	Users(ctx context.Context) ([]User, error)
	AddUser(ctx context.Context, name, role, password string) error
	RemoveUser(ctx context.Context, name string) error
	// SetRole refuses to leave no admin; SetPassword ends the user's
	// sessions, so whoever knew the old password is signed out.
	SetRole(ctx context.Context, name, role string) error
	SetPassword(ctx context.Context, name, password string) error
	Tokens(ctx context.Context) ([]Token, error)
	// CreateToken returns the secret, shown once; a token lives for ttl
	// (0: until revoked).
	CreateToken(ctx context.Context, user, name string, ttl time.Duration) (secret string, err error)
	RevokeToken(ctx context.Context, id string) error
	// Roles are the role names an account may have.
	Roles() []string
}

// ImportProgress is where a customers import is.
type ImportProgress struct {
	BytesRead, Size int64
	Rows, Imported  int
	BadRows         []BadRow
	Bad             int
}

// BadRow is one rejected line of a customers file.
type BadRow struct {
	Line    int      `json:"line"`
	Reasons []string `json:"reasons"`
}

// CustomerImporter validates a customers file (CSV or JSONL) and writes
// its good rows to the customers topic, reporting progress as it goes.
type CustomerImporter interface {
	Import(ctx context.Context, r io.Reader, name string, size int64, progress func(ImportProgress)) (ImportProgress, error)
}

// ErasurePlan says whom an erasure covers.
type ErasurePlan struct {
	Customers []string
	Prospects []string
	Emails    []string
}

// Eraser forgets a person (right to erasure) named by id or e-mail.
type Eraser interface {
	Plan(ctx context.Context, who string) (ErasurePlan, error)
	Erase(ctx context.Context, who string) (ErasurePlan, error)
}
