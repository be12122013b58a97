package main

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/table"
)

// correctionFields are the fields a person can correct on a mention; a
// mention has at most one correction of each (record.CorrectionID).
var correctionFields = []string{record.CorrectSentiment, record.CorrectRelevance, record.CorrectIntent}

// wireCorrections has the index stage index every mention as people
// corrected it: it follows the corrections topic (the web app's, kept for
// retraining) and looks a mention's corrections up by id. The topic holds
// people's work only, so it stays small.
func (h *hub) wireCorrections(ctx context.Context, st *stage.Stage) error {
	topic := h.kafka.Topics().Name(pipeline.RoleCorrections)
	t := table.New[record.Correction](topic, nil, func(c *record.Correction) time.Time { return c.At }, h.logger)
	if kr := h.kafka.Keyring(); kr != nil {
		// A forgotten person's corrections quote their text: gone from
		// memory with their key, as from the web app's copy.
		kr.OnShred(func(subject string) {
			if subject != "" {
				t.Drop(func(c *record.Correction) bool { return c.Subject == subject })
			}
		})
	}
	if err := table.Follow(ctx, h.kafka, tableWait, t); err != nil {
		return fmt.Errorf("loading corrections for the index stage: %w", err)
	}
	// The web app applies a correction to the index itself; the stage's
	// profile cache follows it from here (the cache is empty until the
	// stage runs, so what was loaded above needs no note).
	t.OnChange(func(_ string, old, cur *record.Correction) {
		if c := cmp.Or(cur, old); c != nil {
			st.NoteCorrection(c.MentionID)
		}
	})
	st.SetCorrections(func(mentionID string) []*record.Correction {
		var out []*record.Correction
		for _, f := range correctionFields {
			if c, ok := t.Get(record.CorrectionID(mentionID, f)); ok {
				out = append(out, &c)
			}
		}
		return out
	})
	return nil
}
