package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/record"
)

// TrainRequest is what `earshot train sentiment` asks for.
type TrainRequest struct {
	// Data are files or folders of labelled examples (JSONL
	// {"text","label","lang"?}, or TSV label<TAB>text named by language).
	Data []string
	// DataWeight weighs the Data examples against the UMSAB tweets (0 = 1);
	// Balance makes every class of a language weigh the same.
	DataWeight float32
	// LangWeights, keyed by the language an example was given in (its
	// file's name or its "lang"), replace DataWeight for that language's
	// Data examples (`--lang-weight pt=2`); every key must name a language
	// of the Data.
	LangWeights map[string]float32
	Balance     bool
	UMSAB       string   // UMSAB folder: its train split is training data
	UMSABVal    bool     // evaluate on the UMSAB val split (with UMSAB)
	Val         []string // evaluation sets (files or folders), reported per language
	// Corrections are people's verdicts; the sentiment ones become
	// training examples weighing CorrectionWeight, except a held-back
	// share (HoldBack, chosen by the correction's id) kept for evaluation.
	Corrections      []record.Correction
	CorrectionWeight float32
	HoldBack         float64
	// Baseline is the model the new one must not be worse than (the
	// running one); nil skips the comparison. Tolerance is how many points
	// of macro-F1 a shipped evaluation set may lose.
	Baseline  *sentiment.Model
	Tolerance float64
	Out       string
	Options   sentiment.TrainOptions
}

// Defaults of the correction settings.
const (
	DefaultCorrectionWeight = 3
	DefaultHoldBack         = 0.2
	DefaultTolerance        = 1.0
)

// ErrRefused is returned when a retrained model is worse than the baseline.
var ErrRefused = errors.New("retrained model refused")

// evalSet is one named set of examples the comparison reports.
type evalSet struct {
	name string
	ex   []sentiment.Example
	// corrections: the held-back corrections, which the new model must
	// not get wrong more often than the baseline.
	corrections bool
}

// TrainSentiment trains a sentiment model as requested, compares it with
// the baseline and writes it to req.Out (atomically, so a running
// analyzer watching the file never reads half a model) unless it is
// refused. It reports to w.
func TrainSentiment(req TrainRequest, w io.Writer) (*sentiment.Model, error) {
	if len(req.Data) == 0 && req.UMSAB == "" && len(req.Corrections) == 0 {
		return nil, errors.New("training sentiment: give --data, --umsab or corrections")
	}
	if req.Out == "" {
		return nil, errors.New("training sentiment: --out is required")
	}
	if req.HoldBack < 0 || req.HoldBack >= 1 {
		return nil, fmt.Errorf("training sentiment: hold-back share %v outside [0, 1)", req.HoldBack)
	}
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		return nil, err
	}
	fill := func(set []sentiment.Example) {
		for i := range set {
			set[i].Group = set[i].Lang
			set[i].Lang = sentiment.LexiconLanguage(det.Detect(set[i].Text, set[i].Lang).Code, set[i].Lang, true)
			if set[i].Group == "" {
				set[i].Group = set[i].Lang
			}
		}
	}
	var train []sentiment.Example
	var sets []evalSet
	if req.UMSAB != "" {
		if train, err = sentiment.ReadUMSAB(req.UMSAB, "train"); err != nil {
			return nil, err
		}
		fill(train)
		if req.UMSABVal {
			val, err := sentiment.ReadUMSAB(req.UMSAB, "val")
			if err != nil {
				return nil, err
			}
			fill(val)
			sets = append(sets, evalSet{name: "UMSAB val", ex: val})
		}
	}
	dataLangs := map[string]bool{}
	for _, path := range req.Data {
		ex, err := sentiment.ReadExamples(path)
		if err != nil {
			return nil, err
		}
		fill(ex)
		weight := req.DataWeight
		if weight == 0 {
			weight = 1
		}
		ws := sentiment.BalanceWeights(ex, 1)
		for i := range ex {
			dataLangs[ex[i].Group] = true
			if ex[i].Weight == 0 {
				w := weight
				if lw, ok := req.LangWeights[ex[i].Group]; ok {
					w = lw
				}
				ex[i].Weight = w
				if req.Balance {
					ex[i].Weight = w * ws[i]
				}
			}
		}
		train = append(train, ex...)
	}
	for _, l := range slices.Sorted(maps.Keys(req.LangWeights)) { // in order: the same error each run
		if w := req.LangWeights[l]; !(w > 0) || math.IsInf(float64(w), 0) {
			return nil, fmt.Errorf("training sentiment: --lang-weight %s=%g: the weight must be a positive number", l, w)
		}
		if !dataLangs[l] {
			return nil, fmt.Errorf("training sentiment: --lang-weight %s: no --data example is in %q", l, l)
		}
	}
	for _, path := range req.Val {
		ex, err := sentiment.ReadExamples(path)
		if err != nil {
			return nil, err
		}
		fill(ex)
		sets = append(sets, evalSet{name: filepath.Base(strings.TrimSuffix(path, "/")), ex: ex})
	}
	learn, held, skipped := SplitCorrections(req.Corrections, req.HoldBack)
	cw := req.CorrectionWeight
	if cw == 0 {
		cw = DefaultCorrectionWeight
	}
	for i := range learn {
		learn[i].Weight = cw
	}
	fill(learn)
	fill(held)
	train = append(train, learn...)
	if len(held) > 0 {
		sets = append(sets, evalSet{name: "held-back corrections", ex: held, corrections: true})
	}
	if len(req.Corrections) > 0 {
		fmt.Fprintf(w, "corrections: %d sentiment (%d to learn from, weight %g; %d held back), %d of other fields\n",
			len(learn)+len(held), len(learn), cw, len(held), skipped)
	}
	m, err := sentiment.Train(train, req.Options)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "trained on %d examples (languages %v): model %s, %d bytes\n", len(train), m.Languages(), m.Version(), buf.Len())
	if err := compare(w, m, req.Baseline, sets, req.Tolerance); err != nil {
		return m, err
	}
	if err := writeAtomic(req.Out, buf.Bytes()); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "wrote %s\n", req.Out)
	return m, nil
}

// compare evaluates the new model (and the baseline, when there is one) on
// every set and refuses the new one when it is worse: any held-back
// correction set with lower accuracy, or a shipped set losing more than
// tolerance points of macro-F1.
func compare(w io.Writer, m, base *sentiment.Model, sets []evalSet, tolerance float64) error {
	if len(sets) == 0 {
		return nil
	}
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	clf, err := sentiment.NewClassifier(m)
	if err != nil {
		return err
	}
	var bclf *sentiment.Classifier
	if base != nil {
		if bclf, err = sentiment.NewClassifier(base); err != nil {
			return err
		}
		fmt.Fprintf(w, "comparison, macro-F1 %% (accuracy %%): running %s → retrained %s\n", base.Version(), m.Version())
	} else {
		fmt.Fprintf(w, "evaluation, macro-F1 %% (accuracy %%) of %s\n", m.Version())
	}
	var reasons []string
	for _, s := range sets {
		rep, err := sentiment.Evaluate(clf, s.ex)
		if err != nil {
			return err
		}
		if bclf == nil {
			fmt.Fprintf(w, "%s (%d examples):\n", s.name, len(s.ex))
			rep.Write(w)
			continue
		}
		brep, err := sentiment.Evaluate(bclf, s.ex)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s (%d examples):\n", s.name, len(s.ex))
		writeComparison(w, brep, rep)
		switch {
		case s.corrections && rep.Overall.Accuracy < brep.Overall.Accuracy:
			reasons = append(reasons, fmt.Sprintf("%s: accuracy %.1f < %.1f", s.name, 100*rep.Overall.Accuracy, 100*brep.Overall.Accuracy))
		case !s.corrections && 100*(brep.Overall.MacroF1-rep.Overall.MacroF1) > tolerance:
			reasons = append(reasons, fmt.Sprintf("%s: macro-F1 %.1f < %.1f − %.1f", s.name, 100*rep.Overall.MacroF1, 100*brep.Overall.MacroF1, tolerance))
		}
	}
	if len(reasons) > 0 {
		fmt.Fprintf(w, "REFUSED: the retrained model is worse (%s); nothing written\n", strings.Join(reasons, "; "))
		return fmt.Errorf("%w: %s", ErrRefused, strings.Join(reasons, "; "))
	}
	if bclf != nil {
		fmt.Fprintln(w, "accepted: the retrained model is not worse on any set")
	}
	return nil
}

func writeComparison(w io.Writer, before, after sentiment.Report) {
	var langs []string
	for l := range after.ByLanguage {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Fprintf(w, "  %-8s %6s %15s %15s %7s\n", "lang", "n", "running", "retrained", "Δ F1")
	row := func(name string, b, a sentiment.Scores) {
		fmt.Fprintf(w, "  %-8s %6d %6.1f (%5.1f) %6.1f (%5.1f) %+7.1f\n", name, a.N,
			100*b.MacroF1, 100*b.Accuracy, 100*a.MacroF1, 100*a.Accuracy, 100*(a.MacroF1-b.MacroF1))
	}
	for _, l := range langs {
		row(l, before.ByLanguage[l], after.ByLanguage[l])
	}
	row("overall", before.Overall, after.Overall)
}

// writeAtomic writes data to path through a temporary file in the same
// folder and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing model: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing model: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	return nil
}
