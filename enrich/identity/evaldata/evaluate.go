package evaldata

import (
	"fmt"
	"io"
	"slices"

	"github.com/earshothq/earshot/record"
)

// Decision is what a matcher said about one lead.
type Decision struct {
	LeadID     string
	Outcome    string // match, possible, none
	CustomerID string
	Candidates []string // customers listed for review
}

// Counts are the confusion counts of one group of leads. A lead whose
// customer is known counts as a true positive only when matched to that
// customer; a possible match is not a match (nobody is merged silently).
type Counts struct {
	Group string
	Leads int
	TP    int // matched to the right customer
	FP    int // matched to a wrong customer, or matched though nobody
	FN    int // a known customer not matched (or matched wrongly)
	TN    int // nobody, and matched nobody
	// Possible counts possible matches; PossibleRight those listing the
	// right customer for review.
	Possible      int
	PossibleRight int
}

// Precision is TP/(TP+FP); 1 when nothing was matched.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN); 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (c *Counts) add(l Label, d Decision) {
	c.Leads++
	matched := d.Outcome == record.MatchExact
	switch {
	case l.CustomerID == "" && matched:
		c.FP++
	case l.CustomerID == "":
		c.TN++
	case matched && d.CustomerID == l.CustomerID:
		c.TP++
	case matched:
		c.FP++
		c.FN++
	default:
		c.FN++
	}
	if d.Outcome == record.MatchPossible {
		c.Possible++
		if l.CustomerID != "" && slices.Contains(d.Candidates, l.CustomerID) {
			c.PossibleRight++
		}
	}
}

// Report is an evaluation by error type, plus the pooled groups.
type Report struct {
	ByType []Counts
	// NoExact pools every lead without an exact identifier of its customer
	// (every type but exact_email and exact_phone, non-customers included).
	NoExact Counts
	All     Counts
	// Missing counts labelled leads the matcher gave no decision for.
	Missing int
}

// Evaluate scores decisions against the labels.
func Evaluate(labels []Label, decisions map[string]Decision) Report {
	byType := map[string]*Counts{}
	rep := Report{NoExact: Counts{Group: "without exact identifiers"}, All: Counts{Group: "all"}}
	for _, l := range labels {
		d, ok := decisions[l.LeadID]
		if !ok {
			rep.Missing++
			d = Decision{Outcome: record.MatchNone}
		}
		c := byType[l.Type]
		if c == nil {
			c = &Counts{Group: l.Type}
			byType[l.Type] = c
		}
		c.add(l, d)
		rep.All.add(l, d)
		if !ExactIdentifier(l.Type) {
			rep.NoExact.add(l, d)
		}
	}
	for _, t := range Types {
		if c := byType[t]; c != nil {
			rep.ByType = append(rep.ByType, *c)
		}
	}
	return rep
}

// Write prints the report as a table.
func (r Report) Write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%-26s %6s %6s %5s %5s %6s %8s %9s %7s %7s\n", "group", "leads", "TP", "FP", "FN", "TN", "possible", "precision", "recall", "F1")
	if err != nil {
		return err
	}
	row := func(c Counts) error {
		_, err := fmt.Fprintf(w, "%-26s %6d %6d %5d %5d %6d %8d %9.4f %7.4f %7.4f\n", c.Group, c.Leads, c.TP, c.FP, c.FN, c.TN, c.Possible, c.Precision(), c.Recall(), c.F1())
		return err
	}
	for _, c := range r.ByType {
		if err := row(c); err != nil {
			return err
		}
	}
	if r.NoExact.Group != "" {
		if err := row(r.NoExact); err != nil {
			return err
		}
	}
	if err := row(r.All); err != nil {
		return err
	}
	if r.Missing > 0 {
		_, err = fmt.Fprintf(w, "%d labelled leads had no decision (counted as none)\n", r.Missing)
	}
	return err
}
