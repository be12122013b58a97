package sentiment

import (
	"fmt"
	"io"
	"sort"
)

// Scores are per-class precision, recall and F1 with their macro average.
type Scores struct {
	N         int
	Accuracy  float64
	MacroF1   float64
	Precision [numClasses]float64
	Recall    [numClasses]float64
	F1        [numClasses]float64
}

// Report is an evaluation per language and over all examples.
type Report struct {
	Overall    Scores
	ByLanguage map[string]Scores
}

type confusion [numClasses][numClasses]int // [gold][predicted]

func (c *confusion) scores() Scores {
	var s Scores
	correct := 0
	for g := range c {
		for p := range c[g] {
			s.N += c[g][p]
			if g == p {
				correct += c[g][p]
			}
		}
	}
	if s.N == 0 {
		return s
	}
	s.Accuracy = float64(correct) / float64(s.N)
	for k := 0; k < numClasses; k++ {
		tp, pred, gold := c[k][k], 0, 0
		for j := 0; j < numClasses; j++ {
			pred += c[j][k]
			gold += c[k][j]
		}
		if pred > 0 {
			s.Precision[k] = float64(tp) / float64(pred)
		}
		if gold > 0 {
			s.Recall[k] = float64(tp) / float64(gold)
		}
		if s.Precision[k]+s.Recall[k] > 0 {
			s.F1[k] = 2 * s.Precision[k] * s.Recall[k] / (s.Precision[k] + s.Recall[k])
		}
		s.MacroF1 += s.F1[k] / numClasses
	}
	return s
}

// Evaluate classifies every example (with its Lang as the language) and
// scores the predictions.
func Evaluate(c *Classifier, examples []Example) (Report, error) {
	all := confusion{}
	per := map[string]*confusion{}
	for i, ex := range examples {
		gold, err := ParseLabel(ex.Label)
		if err != nil {
			return Report{}, fmt.Errorf("evaluating example %d: %w", i+1, err)
		}
		r := c.Classify(ex.Text, ex.Lang)
		pred, _ := ParseLabel(r.Label)
		all[gold][pred]++
		group := ex.Group
		if group == "" {
			group = ex.Lang
		}
		if per[group] == nil {
			per[group] = &confusion{}
		}
		per[group][gold][pred]++
	}
	rep := Report{Overall: all.scores(), ByLanguage: map[string]Scores{}}
	for l, c := range per {
		rep.ByLanguage[l] = c.scores()
	}
	return rep, nil
}

// Write prints the report as a small table.
func (r Report) Write(w io.Writer) {
	var langs []string
	for l := range r.ByLanguage {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Fprintf(w, "%-8s %6s %9s %9s %7s %7s %7s\n", "lang", "n", "macro-F1", "accuracy", "F1-neg", "F1-neu", "F1-pos")
	row := func(name string, s Scores) {
		fmt.Fprintf(w, "%-8s %6d %9.1f %9.1f %7.1f %7.1f %7.1f\n", name, s.N, 100*s.MacroF1, 100*s.Accuracy, 100*s.F1[0], 100*s.F1[1], 100*s.F1[2])
	}
	for _, l := range langs {
		row(l, r.ByLanguage[l])
	}
	row("overall", r.Overall)
}
