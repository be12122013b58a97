package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

// ProspectID accepts a prospect's id or its profile id ("prospect:ID"), so
// the id any page, CLI or API answer shows resolves.
func ProspectID(id string) string {
	return strings.TrimPrefix(strings.TrimSpace(id), index.ProfileProspect+":")
}

// Work returns what sales did with a prospect; a prospect nobody worked
// on is at stage "new" with no owner.
func (s *Store) Work(prospectID string) record.ProspectWork {
	id := ProspectID(prospectID)
	w, ok := s.work.Get(id)
	if !ok {
		return record.ProspectWork{ProspectID: id, Stage: record.StageNew}
	}
	return w
}

// WorkByStage lists the prospect ids at a stage (other than new) and/or
// owned by owner ("" matches any).
func (s *Store) WorkByStage(stage, owner string) map[string]record.ProspectWork {
	out := map[string]record.ProspectWork{}
	s.work.Each(func(id string, w record.ProspectWork) bool {
		if (stage == "" || w.Stage == stage) && (owner == "" || w.Owner == owner) {
			out[id] = w
		}
		return true
	})
	return out
}

// ValidStage checks a stage name.
func ValidStage(stage string) error {
	if !slices.Contains(record.ProspectStages, stage) {
		return invalid("stage %q: want one of %s", stage, strings.Join(record.ProspectStages, ", "))
	}
	return nil
}

// update reads a prospect's work (checking the prospect exists), lets fn
// change it and writes it.
func (s *Store) update(ctx context.Context, prospectID string, fn func(w *record.ProspectWork) error) (record.ProspectWork, error) {
	id := ProspectID(prospectID)
	if id == "" {
		return record.ProspectWork{}, invalid("no prospect id")
	}
	if _, err := s.backend.GetProfile(ctx, index.ProfileID(index.ProfileProspect, id)); err != nil {
		if errors.Is(err, index.ErrNotFound) {
			return record.ProspectWork{}, fmt.Errorf("prospect %s: %w", id, ErrNotFound)
		}
		return record.ProspectWork{}, fmt.Errorf("reading prospect %s: %w", id, err)
	}
	s.workMu.Lock()
	defer s.workMu.Unlock()
	w := s.Work(id)
	prev := w.UpdatedAt
	w.History, w.Notes = slices.Clone(w.History), slices.Clone(w.Notes)
	if err := fn(&w); err != nil {
		return record.ProspectWork{}, err
	}
	w.UpdatedAt = s.stamp(prev)
	if err := s.work.Put(ctx, id, &w); err != nil {
		return record.ProspectWork{}, err
	}
	return w, nil
}

// SetStage moves a prospect to a stage, recording who did it and when.
// Any stage may follow any other (a lost lead comes back); setting the
// stage it already has changes nothing.
func (s *Store) SetStage(ctx context.Context, by, prospectID, stage string) (record.ProspectWork, error) {
	if err := ValidStage(stage); err != nil {
		return record.ProspectWork{}, err
	}
	if w := s.Work(prospectID); w.Stage == stage && !w.UpdatedAt.IsZero() {
		return w, nil
	}
	return s.update(ctx, prospectID, func(w *record.ProspectWork) error {
		w.History = append(w.History, record.StageChange{From: w.Stage, To: stage, By: by, At: s.now().UTC()})
		w.Stage = stage
		return nil
	})
}

// Assign gives a prospect an owner ("" to unassign); the owner must be a user.
func (s *Store) Assign(ctx context.Context, by, prospectID, owner string) (record.ProspectWork, error) {
	owner = strings.ToLower(strings.TrimSpace(owner))
	if owner != "" && s.UserExists != nil && !s.UserExists(owner) {
		return record.ProspectWork{}, invalid("owner %q is not a user", owner)
	}
	return s.update(ctx, prospectID, func(w *record.ProspectWork) error {
		w.History = append(w.History, record.StageChange{Owner: owner, By: by, At: s.now().UTC()})
		w.Owner = owner
		return nil
	})
}

// maxNotes bounds the notes on one prospect (one record holds them all).
const maxNotes = 500

// AddNote adds a note to a prospect.
func (s *Store) AddNote(ctx context.Context, by, prospectID, text string) (record.ProspectWork, error) {
	text, err := cleanText("note", text, 5000)
	if err != nil {
		return record.ProspectWork{}, err
	}
	return s.update(ctx, prospectID, func(w *record.ProspectWork) error {
		if len(w.Notes) >= maxNotes {
			return invalid("the prospect has %d notes, the most one may have", maxNotes)
		}
		w.Notes = append(w.Notes, record.Note{ID: strings.ToLower(auth.RandomSecret(6)), Text: text, By: by, At: s.now().UTC()})
		return nil
	})
}

// DeleteNote removes a note from a prospect.
func (s *Store) DeleteNote(ctx context.Context, prospectID, noteID string) (record.ProspectWork, error) {
	if !slices.ContainsFunc(s.Work(prospectID).Notes, func(n record.Note) bool { return n.ID == noteID }) {
		return record.ProspectWork{}, fmt.Errorf("note %s: %w", noteID, ErrNotFound)
	}
	return s.update(ctx, prospectID, func(w *record.ProspectWork) error {
		w.Notes = slices.DeleteFunc(w.Notes, func(n record.Note) bool { return n.ID == noteID })
		return nil
	})
}
