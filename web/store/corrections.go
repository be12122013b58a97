package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Correct records a person's verdict on a mention's field and applies it
// to the index at once. The correction is written first (it is labelled
// data for retraining, with the text, language and what the model said);
// a later correction of the same field replaces it. Marking a mention
// "irrelevant" takes it out of search; "relevant" puts it back.
func (s *Store) Correct(ctx context.Context, by, mentionID, field, value string) (record.Correction, error) {
	c := record.Correction{MentionID: mentionID, Field: field, Value: value, By: by}
	if err := index.ValidateCorrection(&c); err != nil {
		return record.Correction{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	c.ID = record.CorrectionID(mentionID, field)
	prior, hadPrior := s.corrections.Get(c.ID)
	m, err := s.backend.GetMention(ctx, mentionID)
	switch {
	case errors.Is(err, index.ErrNotFound) && hadPrior && prior.Original != nil:
		m = prior.Original // taken out of search by an earlier "irrelevant"
	case errors.Is(err, index.ErrNotFound):
		return record.Correction{}, fmt.Errorf("mention %s: %w", mentionID, ErrNotFound)
	case err != nil:
		return record.Correction{}, fmt.Errorf("reading mention %s: %w", mentionID, err)
	}
	c.Text, c.Previous, c.Subject = m.Text, index.Previous(m, field), m.Subject
	if m.Title != "" {
		c.Text = m.Title + "\n" + m.Text
	}
	if hadPrior && prior.Previous != "" {
		c.Previous = prior.Previous // what the model said, not a person's earlier verdict
	}
	if m.Analysis.Language != nil {
		c.Language = m.Analysis.Language.Code
	}
	c.ModelVersion = m.Analysis.ModelVersion
	if hadPrior && prior.ModelVersion != "" {
		c.ModelVersion = prior.ModelVersion
	}
	if field == record.CorrectRelevance && value == "irrelevant" {
		c.Original = m
	}
	c.At = s.stamp(prior.At)
	if err := s.corrections.Put(ctx, c.ID, &c); err != nil {
		return record.Correction{}, err
	}
	if field == record.CorrectRelevance && value == "relevant" {
		if hadPrior && prior.Original != nil {
			if err := s.backend.RestoreMention(ctx, prior.Original); err != nil {
				return c, fmt.Errorf("putting mention %s back into search: %w", mentionID, err)
			}
		}
		return c, nil
	}
	if _, err := s.backend.ApplyCorrection(ctx, &c); err != nil {
		return c, fmt.Errorf("applying the correction to the index: %w", err)
	}
	return c, nil
}

// Corrections lists corrections, newest first: of one mention, or all
// when mentionID is "" (the labelled data `earshot train` reads).
func (s *Store) Corrections(mentionID string) []record.Correction {
	var out []record.Correction
	s.corrections.Each(func(_ string, c record.Correction) bool {
		if mentionID == "" || c.MentionID == mentionID {
			out = append(out, c)
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}
