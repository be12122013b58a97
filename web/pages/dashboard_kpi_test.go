package pages

import (
	"testing"

	"github.com/earshothq/earshot/web/i18n"
)

// TestShareKPIComparesOnlyPeriodsWithMentions: a sentiment's share gets a
// change in points when both periods have mentions, and none when the
// previous (or current) period has none: "+30 pts" against nothing misleads.
func TestShareKPIComparesOnlyPeriodsWithMentions(t *testing.T) {
	l := i18n.New(i18n.Langs[0])
	if k := shareKPI(l, "kpi.negative", 3, 10, 0, 0, false); k.Delta != "" || k.Value != "30.0%" {
		t.Errorf("against an empty period: value %q, delta %q; want 30.0%% and no delta", k.Value, k.Delta)
	}
	if k := shareKPI(l, "kpi.negative", 0, 0, 2, 10, false); k.Delta != "" {
		t.Errorf("an empty period against a full one: delta %q, want none", k.Delta)
	}
	k := shareKPI(l, "kpi.negative", 3, 10, 1, 10, false)
	if k.Delta != "+20.0 pts" || !k.Up || k.Good {
		t.Errorf("30%% against 10%% negative: delta %q up %v good %v; want +20.0 pts, up, not good", k.Delta, k.Up, k.Good)
	}
	if k := shareKPI(l, "kpi.positive", 1, 10, 3, 10, true); k.Delta != "-20.0 pts" || k.Up || k.Good {
		t.Errorf("10%% against 30%% positive: delta %q up %v good %v; want -20.0 pts, down, not good", k.Delta, k.Up, k.Good)
	}
}
