package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/record"
)

// IntentTrainRequest is what `earshot train intent` asks for.
type IntentTrainRequest struct {
	// Base are the labelled sets learned from besides the corrections:
	// built-in set names (intent.ShippedSets) or JSONL files
	// ({"lang","text","intents"}). Empty: the built-in development set.
	Base []string
	// Val are the sets the retrained model must not be worse on (same
	// forms). Empty: the built-in holdouts.
	Val []string
	// Corrections are people's verdicts; the intent ones ("buying" adds
	// it, "-buying" removes it) become examples weighing
	// CorrectionWeight base texts, except a HoldBack share kept to
	// evaluate on.
	Corrections      []record.Correction
	CorrectionWeight float32
	HoldBack         float64
	// Tolerance is how many points of micro-F1 (over all intents) a
	// validation set may lose.
	Tolerance float64
	Out       string
	Options   intent.TrainOptions
}

// heldIntent is one held-back intent correction: the text and the
// verdict on one intent.
type heldIntent struct {
	text, lang string
	k          int
	has        bool
}

// TrainIntent learns an intent model over the analyzer's rules from the
// base sets and the intent corrections, compares it with the running one
// (the analyzer's current intent model, or the rules alone) on the
// held-back corrections and the validation sets, and writes it to req.Out
// (atomically) unless it is worse. It reports to w.
func (a *Analyzer) TrainIntent(req IntentTrainRequest, w io.Writer) (*intent.Model, error) {
	if req.Out == "" {
		return nil, errors.New("training intents: --out is required")
	}
	if req.HoldBack < 0 || req.HoldBack >= 1 {
		return nil, fmt.Errorf("training intents: hold-back share %v outside [0, 1)", req.HoldBack)
	}
	if len(req.Base) == 0 {
		req.Base = []string{"dev"}
	}
	if len(req.Val) == 0 {
		for _, n := range intent.ShippedSets {
			if n != "dev" {
				req.Val = append(req.Val, n)
			}
		}
	}
	rules := &loadedIntentModel{version: a.intents.Version(), source: "rules"}
	var train []intent.TrainExample
	for _, name := range req.Base {
		set, err := readIntentSet(name)
		if err != nil {
			return nil, err
		}
		for _, lt := range set {
			ex := a.intentExample(lt.Text, lt.Lang, rules)
			for k := range ex.Label {
				ex.Label[k] = -1
			}
			for _, n := range lt.Intents {
				ex.Label[intent.LabelOf(n)] = 1
			}
			train = append(train, ex)
		}
	}
	cw := req.CorrectionWeight
	if cw == 0 {
		cw = DefaultCorrectionWeight
	}
	learn, held, other := splitIntentCorrections(req.Corrections, req.HoldBack)
	for _, c := range learn {
		ex := a.intentExample(c.text, c.lang, rules)
		ex.Label[c.k] = -1
		if c.has {
			ex.Label[c.k] = 1
		}
		ex.Weight = cw
		train = append(train, ex)
	}
	if len(req.Corrections) > 0 {
		fmt.Fprintf(w, "corrections: %d intent (%d to learn from, weight %g; %d held back), %d of other fields\n",
			len(learn)+len(held), len(learn), cw, len(held), other)
	}
	m, err := intent.Train(train, rules.version, req.Options)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "trained on %d examples over rules %s: model %s, %d bytes\n", len(train), rules.version, m.Version(), buf.Len())
	if err := a.compareIntents(w, m, held, req.Val, req.Tolerance); err != nil {
		return m, err
	}
	if err := writeAtomic(req.Out, buf.Bytes()); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "wrote %s\n", req.Out)
	return m, nil
}

// readIntentSet reads a built-in set by name, or a JSONL file.
func readIntentSet(name string) ([]intent.LabelledText, error) {
	for _, n := range intent.ShippedSets {
		if n == name {
			return intent.ShippedSet(name)
		}
	}
	if _, err := os.Stat(name); err != nil {
		return nil, fmt.Errorf("intent set %q is neither built in (%s) nor a file: %w", name, strings.Join(intent.ShippedSets, ", "), err)
	}
	return intent.ReadEvalSet(name)
}

// intentExample is a text's features and the scores im gives it.
func (a *Analyzer) intentExample(text, lang string, im *loadedIntentModel) intent.TrainExample {
	text = textnorm.Clean(text)
	res := a.analyze(text, lang, im)
	ms := make([]intent.Match, 0, len(res.Intents))
	for _, in := range res.Intents {
		ms = append(ms, intent.Match{Name: in.Name, Score: in.Score})
	}
	return intent.TrainExample{
		Features: intent.Features(textnorm.Tokenize(text, nil), nil),
		Rule:     intent.RuleScores(ms),
	}
}

// splitIntentCorrections turns the intent corrections into verdicts to
// learn from and held-back ones (by the same hash of the id as the
// sentiment corrections), in id order.
func splitIntentCorrections(cs []record.Correction, holdBack float64) (learn, held []heldIntent, other int) {
	sorted := append([]record.Correction(nil), cs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, c := range sorted {
		if c.Field != record.CorrectIntent {
			other++
			continue
		}
		name := strings.TrimPrefix(c.Value, "-")
		k := intent.LabelOf(name)
		if k < 0 {
			other++
			continue
		}
		v := heldIntent{text: textnorm.Clean(c.Text), lang: lang2(c.Language), k: k, has: !strings.HasPrefix(c.Value, "-")}
		if heldBack(c.ID, holdBack) {
			held = append(held, v)
		} else {
			learn = append(learn, v)
		}
	}
	return learn, held, other
}

// intentScores counts, per intent, a model's decisions on a set.
func (a *Analyzer) intentScores(set []intent.LabelledText, im *loadedIntentModel) map[string]intent.PR {
	out := map[string]intent.PR{}
	for _, lt := range set {
		res := a.analyze(textnorm.Clean(lt.Text), lt.Lang, im)
		got := map[string]bool{}
		for _, in := range res.Intents {
			got[in.Name] = true
		}
		want := map[string]bool{}
		for _, n := range lt.Intents {
			want[n] = true
		}
		for _, n := range intent.Names {
			pr := out[n]
			switch {
			case got[n] && want[n]:
				pr.TP++
			case got[n]:
				pr.FP++
			case want[n]:
				pr.FN++
			}
			out[n] = pr
		}
	}
	return out
}

// microF1 pools the counts of every intent.
func microF1(prs map[string]intent.PR) float64 {
	var tp, fp, fn int
	for _, p := range prs {
		tp, fp, fn = tp+p.TP, fp+p.FP, fn+p.FN
	}
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

func f1(p intent.PR) float64 {
	if p.TP == 0 {
		return 0
	}
	return 2 * float64(p.TP) / float64(2*p.TP+p.FP+p.FN)
}

// compareIntents evaluates the running intent model and the retrained one
// and refuses the retrained one when it is less accurate on the held-back
// corrections or loses more than tolerance points of micro-F1 on a
// validation set.
func (a *Analyzer) compareIntents(w io.Writer, m *intent.Model, held []heldIntent, val []string, tolerance float64) error {
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	running := a.intentModel.Load()
	retrained := &loadedIntentModel{m: m, version: m.Version()}
	fmt.Fprintf(w, "comparison, F1 %% per intent: running %s → retrained %s\n", running.version, m.Version())
	var reasons []string
	if len(held) > 0 {
		accuracy := func(im *loadedIntentModel) float64 {
			right := 0
			for _, h := range held {
				has := false
				for _, in := range a.analyze(h.text, h.lang, im).Intents {
					has = has || in.Name == intent.Names[h.k]
				}
				if has == h.has {
					right++
				}
			}
			return float64(right) / float64(len(held))
		}
		before, after := accuracy(running), accuracy(retrained)
		fmt.Fprintf(w, "held-back corrections (%d): accuracy %.1f %% → %.1f %%\n", len(held), 100*before, 100*after)
		if after < before {
			reasons = append(reasons, fmt.Sprintf("held-back corrections: accuracy %.1f < %.1f", 100*after, 100*before))
		}
	}
	for _, name := range val {
		set, err := readIntentSet(name)
		if err != nil {
			return err
		}
		b, r := a.intentScores(set, running), a.intentScores(set, retrained)
		fmt.Fprintf(w, "%s (%d texts):\n  %-11s %8s %10s %7s\n", name, len(set), "intent", "running", "retrained", "Δ")
		for _, n := range intent.Names {
			fmt.Fprintf(w, "  %-11s %8.1f %10.1f %+7.1f\n", n, 100*f1(b[n]), 100*f1(r[n]), 100*(f1(r[n])-f1(b[n])))
		}
		bm, rm := microF1(b), microF1(r)
		fmt.Fprintf(w, "  %-11s %8.1f %10.1f %+7.1f\n", "micro-F1", 100*bm, 100*rm, 100*(rm-bm))
		if 100*(bm-rm) > tolerance {
			reasons = append(reasons, fmt.Sprintf("%s: micro-F1 %.1f < %.1f − %.1f", name, 100*rm, 100*bm, tolerance))
		}
	}
	if len(reasons) > 0 {
		fmt.Fprintf(w, "REFUSED: the retrained intent model is worse (%s); nothing written\n", strings.Join(reasons, "; "))
		return fmt.Errorf("%w: %s", ErrRefused, strings.Join(reasons, "; "))
	}
	fmt.Fprintln(w, "accepted: the retrained intent model is not worse on any set")
	return nil
}
