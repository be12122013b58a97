package stage

import (
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Corrections returns what people corrected on a mention (its sentiment,
// relevance, intent), nil when nothing. The web app applies a correction
// to the indexed mention at once; the stage applies it again to every copy
// it indexes later, so replaying the enriched topic (a restart after a
// crash, a rebuild of the index) or an edit of the post at its source does
// not undo a person's work.
type Corrections func(mentionID string) []*record.Correction

// SetCorrections installs the lookup (nil: mentions are indexed as enriched).
func (s *Stage) SetCorrections(c Corrections) { s.corrections = c }

// corrected is em with its corrections applied, and whether it was marked
// irrelevant (it then stays out of search). A correction that no longer
// applies is logged and skipped: the mention is still indexed.
func (s *Stage) corrected(em *record.EnrichedMention) (*record.EnrichedMention, bool) {
	if s.corrections == nil {
		return em, false
	}
	for _, c := range s.corrections(em.ID) {
		out, hide, err := index.Correct(em, c)
		if err != nil {
			s.logger.Warn("skipping a correction that does not apply", "mention", em.ID, "field", c.Field, "error", err)
			continue
		}
		if hide {
			return em, true
		}
		em = out
	}
	return em, false
}

// correctedAll is ms with their corrections applied, without those marked
// irrelevant.
func (s *Stage) correctedAll(ms []*record.EnrichedMention) []*record.EnrichedMention {
	if s.corrections == nil {
		return ms
	}
	out := make([]*record.EnrichedMention, 0, len(ms))
	for _, m := range ms {
		if c, hide := s.corrected(m); !hide {
			out = append(out, c)
		}
	}
	return out
}
