// Package store keeps what people do in the web app: saved searches,
// corrections of mentions (applied to the index at once and kept as
// labelled data for retraining), muted authors and sites, and the work
// sales does on prospects (stage with history, owner, notes). Each lives
// in a compacted topic of its own, read into memory by every serve
// instance (web/table), so several instances agree and a restart loses
// nothing.
//
// Pages, the JSON API and alerts call the Go API below; it validates its
// input (errors wrapping ErrInvalid), and answers ErrNotFound for unknown
// ids. Who may call what is decided by the route table (web/routes.go),
// never here.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/table"
)

// Errors the API maps to 422 and 404.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Backend is what the store needs of the search index.
type Backend interface {
	index.Backend
	index.Corrector
}

// Store holds the web app's work records.
type Store struct {
	searches    *table.Table[record.SavedSearch, *record.SavedSearch]
	corrections *table.Table[record.Correction, *record.Correction]
	mutes       *table.Table[record.Mute, *record.Mute]
	work        *table.Table[record.ProspectWork, *record.ProspectWork]
	backend     Backend
	// workMu serialises read-modify-write of prospect work in this
	// process, so two people's changes to one prospect at the same moment
	// both land (the second reads the first's acknowledged write).
	workMu sync.Mutex
	logger *slog.Logger
	now    func() time.Time
	// UserExists checks a prospect owner; nil accepts any name.
	UserExists func(name string) bool
}

// New creates the store's tables over the topics' names; writes go through
// pub. Follow its Tables before serving.
func New(pub table.Publisher, topics pipeline.Topics, b Backend, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "store")
	s := &Store{
		searches: table.New[record.SavedSearch](topics.Name(pipeline.RoleSavedSearches), pub,
			func(s *record.SavedSearch) time.Time { return s.UpdatedAt }, logger),
		corrections: table.New[record.Correction](topics.Name(pipeline.RoleCorrections), pub,
			func(c *record.Correction) time.Time { return c.At }, logger),
		mutes: table.New[record.Mute](topics.Name(pipeline.RoleMutes), pub,
			func(m *record.Mute) time.Time { return m.UpdatedAt }, logger),
		work: table.New[record.ProspectWork](topics.Name(pipeline.RoleProspectWork), pub,
			func(w *record.ProspectWork) time.Time { return w.UpdatedAt }, logger),
		backend: b,
		logger:  logger,
		now:     time.Now,
	}
	// A correction quotes its mention: sealed with the author's key.
	s.corrections.SealWith(func(c *record.Correction) string { return c.Subject })
	return s
}

// ForgetSubject drops from memory the corrections of a person whose data
// key was erased (call it from privacy.Keyring.OnShred): their copies in
// the topic can no longer be opened, and this one goes too. It returns how
// many were dropped.
func (s *Store) ForgetSubject(subject string) int {
	if subject == "" {
		return 0
	}
	n := s.corrections.Drop(func(c *record.Correction) bool { return c.Subject == subject })
	if n > 0 {
		s.logger.Info("dropped the corrections of an erased person", "count", n)
	}
	return n
}

// Tables are the topics the store follows.
func (s *Store) Tables() []table.Follower {
	return []table.Follower{s.searches, s.corrections, s.mutes, s.work}
}

// SetClock replaces the clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// stamp is the time of a write: after the previous version's, so two
// writes within one clock tick still order (the table keeps the newer).
func (s *Store) stamp(prev time.Time) time.Time {
	t := s.now().UTC()
	if !t.After(prev) {
		t = prev.Add(time.Microsecond)
	}
	return t
}

func cleanText(name, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", invalid("%s is empty", name)
	}
	if len([]rune(v)) > max {
		return "", invalid("%s is longer than %d characters", name, max)
	}
	return v, nil
}
