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

// Read-back bounds both backends keep: a person with more than
// readBackHeavyFactor times the mentions asked for is read alone, newest
// first, so a brand's own account with half a million mentions is not read
// in full to keep its newest 5,000; the others are read together, up to
// readBackGroupMentions in one read.
const (
	readBackHeavyFactor   = 4
	readBackGroupMentions = 50000
)

// ReadBackPlan is how a backend reads people's mentions back, by the
// people's positions: those read alone to their newest, and groups of the
// others, each group read whole.
type ReadBackPlan struct {
	Alone  []int
	Groups [][]int
}

// PlanReadBack plans the read-back of people who have counts[i] mentions
// each, of whom the newest `newest` are asked for.
func PlanReadBack(counts []int, newest int) ReadBackPlan {
	var plan ReadBackPlan
	var group []int
	total := 0
	for i, n := range counts {
		switch {
		case n == 0:
		case n > newest*readBackHeavyFactor:
			plan.Alone = append(plan.Alone, i)
		default:
			if total+n > readBackGroupMentions && len(group) > 0 {
				plan.Groups = append(plan.Groups, group)
				group, total = nil, 0
			}
			group, total = append(group, i), total+n
		}
	}
	if len(group) > 0 {
		plan.Groups = append(plan.Groups, group)
	}
	return plan
}
