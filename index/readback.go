package index

import "github.com/earshothq/earshot/record"

// PersonRef names a customer or a prospect (Kind is ProfileCustomer or
// ProfileProspect) by the id their mentions are linked with, for
// Backend.MentionsOfPeople: how the index stage reads people's mentions
// back to rebuild their profiles. A time-sorted Search is no substitute:
// on the embedded index it reads every match's time from its own
// compressed doc-value chunk and pages through the rest again (at a
// million mentions a batch of 200 mentions took seconds), and on either
// backend a person with a million mentions would be read in full and
// crowd out the others read with them.
type PersonRef struct{ Kind, ID string }

// DropRepeats keeps the first copy of each mention, in order, in ms's own
// array: a mention of two people is read back for both.
func DropRepeats(ms []*record.EnrichedMention) []*record.EnrichedMention {
	seen := make(map[string]bool, len(ms))
	out := ms[:0]
	for _, m := range ms {
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}
