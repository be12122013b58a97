package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/record"
)

// smallOptions train in about a second: enough to see corrections work.
func smallOptions() sentiment.TrainOptions {
	o := sentiment.DefaultTrainOptions()
	o.Bits, o.Bags = 16, 1
	return o
}

const (
	feedbackTrain = "../sentiment/feedback/train"
	feedbackDev   = "../sentiment/feedback/dev"
)

func correction(i int, text, lang, label string) record.Correction {
	mid := fmt.Sprintf("m%03d", i)
	return record.Correction{ID: record.CorrectionID(mid, record.CorrectSentiment), MentionID: mid,
		Field: record.CorrectSentiment, Value: label, Text: text, Language: lang, By: "ana", At: time.Unix(0, 0)}
}

// slangCorrections teach what the base data cannot know: in this
// community "sick" and "fire" are praise, "mid" is a letdown.
func slangCorrections() []record.Correction {
	var cs []record.Correction
	things := []string{"Mini", "One", "grinder", "machine", "app", "frother", "Brewly", "kettle", "scale", "display"}
	for i, th := range things {
		cs = append(cs,
			correction(3*i, fmt.Sprintf("The %s is sick.", th), "en", "positive"),
			correction(3*i+1, fmt.Sprintf("My %s is honestly mid", th), "en", "negative"),
			correction(3*i+2, fmt.Sprintf("this %s is fire", th), "en", "positive"),
			correction(100+i, fmt.Sprintf("%s? sick!", th), "en", "positive"),
			correction(200+i, fmt.Sprintf("the new %s, pretty mid", th), "en", "negative"),
		)
	}
	return cs
}

func train(t *testing.T, req TrainRequest) (*sentiment.Model, string, error) {
	t.Helper()
	req.Out = filepath.Join(t.TempDir(), "model.bin.gz")
	var report bytes.Buffer
	m, err := TrainSentiment(req, &report)
	return m, report.String(), err
}

// TestCorrectionsTeach retrains with a batch of corrections: the new model
// follows them on the corrected texts and on similar unseen ones, the
// comparison with the running model is shown, and it is accepted.
func TestCorrectionsTeach(t *testing.T) {
	base, _, err := train(t, TrainRequest{Data: []string{feedbackTrain}, Balance: true, DataWeight: 1, Options: smallOptions()})
	if err != nil {
		t.Fatal(err)
	}
	unseen := []struct{ text, want string }{
		{"Honestly the crema? Sick.", "positive"},
		{"The frother is lowkey fire", "positive"},
		{"Kinda mid, this coffee", "negative"},
		{"mid grinder tbh", "negative"},
		{"Brewly support is fire", "positive"},
	}
	bc, _ := sentiment.NewClassifier(base)
	wrongBefore := 0
	for _, u := range unseen {
		if bc.Classify(u.text, "en").Label != u.want {
			wrongBefore++
		}
	}
	// Three of five: since the per-language constant (LangMeta), a model
	// trained on the feedback alone calls the two "mid" texts negative
	// from the English feedback's share of complaints (scores -0.36 and
	// -0.03), not from knowing "mid"; the three praise texts are wrong.
	if wrongBefore < 3 {
		t.Fatalf("the base model already gets %d of %d unseen slang texts right; the test needs it to be wrong", len(unseen)-wrongBefore, len(unseen))
	}
	cs := slangCorrections()
	m, report, err := train(t, TrainRequest{
		Data: []string{feedbackTrain}, Balance: true, Val: []string{feedbackDev},
		// Weight 5: "sick" is a complaint word of the English lexicon, and
		// since the fourth round's feedback (3,100 texts in 8 languages)
		// lexicon words weigh more; at weight 3, 40 slang corrections no
		// longer outweigh it on the unseen "Honestly the crema? Sick.".
		Corrections: cs, HoldBack: 0.2, CorrectionWeight: 5, Baseline: base, Options: smallOptions(),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	for _, want := range []string{"held-back corrections", "running " + base.Version(), "retrained " + m.Version(), "accepted", "wrote"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	c, _ := sentiment.NewClassifier(m)
	for _, cr := range cs {
		if got := c.Classify(cr.Text, "en").Label; got != cr.Value {
			t.Errorf("corrected text %q: %s, want %s", cr.Text, got, cr.Value)
		}
	}
	for _, u := range unseen {
		if got := c.Classify(u.text, "en").Label; got != u.want {
			t.Errorf("unseen %q: %s, want %s", u.text, got, u.want)
		}
	}
}

// TestWorseModelRefused: corrections that flip clear labels make a model
// that is worse on the shipped development set; it is refused and nothing
// is written.
func TestWorseModelRefused(t *testing.T) {
	base, _, err := train(t, TrainRequest{Data: []string{feedbackTrain}, Balance: true, Options: smallOptions()})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := sentiment.ReadExamples(feedbackTrain)
	if err != nil {
		t.Fatal(err)
	}
	flip := map[string]string{"neg": "positive", "pos": "negative", "neu": "negative"}
	var cs []record.Correction
	for i, e := range ex {
		cs = append(cs, correction(i, e.Text, e.Lang, flip[e.Label[:3]]))
	}
	out := filepath.Join(t.TempDir(), "model.bin.gz")
	var report bytes.Buffer
	_, err = TrainSentiment(TrainRequest{
		Data: []string{feedbackTrain}, Balance: true, Val: []string{feedbackDev},
		Corrections: cs, CorrectionWeight: 5, Baseline: base, Out: out, Options: smallOptions(),
	}, &report)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused\n%s", err, report.String())
	}
	if !strings.Contains(report.String(), "REFUSED") || !strings.Contains(report.String(), "dev: macro-F1") {
		t.Errorf("report does not say why:\n%s", report.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused model was written (stat: %v)", err)
	}
}

func TestReadCorrections(t *testing.T) {
	good := `{"id":"c1","mention_id":"m1","field":"sentiment","value":"negative","text":"kurier zgubił paczkę","language":"pl"}
{"mention_id":"m2","field":"relevance","value":"irrelevant","text":"apple pie recipe"}
{"id":"c1","mention_id":"m1","field":"sentiment","value":"neutral","text":"kurier zgubił paczkę","language":"pl"}
`
	cs, err := ReadCorrections(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Value != "neutral" || cs[1].ID != record.CorrectionID("m2", "relevance") {
		t.Fatalf("corrections = %+v: want the later c1 to replace the earlier, m2 to get its derived id", cs)
	}
	for _, bad := range []string{
		`{"id":"x","field":"sentiment","value":"great","text":"t"}`,
		`{"id":"x","field":"colour","value":"red","text":"t"}`,
		`{"id":"x","field":"sentiment","value":"negative","text":""}`,
		`{"field":"sentiment","value":"negative","text":"t"}`,
		`{not json`,
	} {
		if _, err := ReadCorrections(strings.NewReader(good + bad + "\n")); err == nil || !strings.Contains(err.Error(), "line 4") {
			t.Errorf("%s: err = %v, want one naming line 4", bad, err)
		}
	}
	learn, held, other := SplitCorrections(slangCorrections(), 0.2)
	if other != 0 || len(learn)+len(held) != 50 || len(held) == 0 || len(held) > 20 {
		t.Errorf("split: %d to learn, %d held back, %d other", len(learn), len(held), other)
	}
	l2, h2, _ := SplitCorrections(slangCorrections()[10:], 0.2)
	for _, h := range h2 {
		found := false
		for _, x := range held {
			found = found || x.Text == h.Text
		}
		if !found {
			t.Errorf("%q held back in one batch but not in a larger one: the split must depend on the id only", h.Text)
		}
	}
	_ = l2
}

// TestModelSwap swaps the model while analysing: every record carries the
// version that labelled it, and a changed model file is picked up without
// a restart.
func TestModelSwap(t *testing.T) {
	tiny := func(extra string) *sentiment.Model {
		o := smallOptions()
		o.Bits = 12
		m, err := sentiment.Train([]sentiment.Example{
			{Text: "świetny ekspres " + extra, Label: "positive", Lang: "pl"},
			{Text: "kurier zgubił paczkę", Label: "negative", Lang: "pl"},
			{Text: "zamówiłem w poniedziałek", Label: "neutral", Lang: "pl"},
		}, o)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first, other := tiny("a"), tiny("b")
	if first.Version() == other.Version() {
		t.Fatal("two different models share a version")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "sentiment.bin.gz")
	var b bytes.Buffer
	first.Save(&b)
	os.WriteFile(path, b.Bytes(), 0o644)
	cfg := DefaultConfig()
	cfg.SentimentModel = path
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.AnalyzeText("kurier zgubił paczkę", "pl").ModelVersion; got != first.Version() {
		t.Fatalf("model version %q, want %q", got, first.Version())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { a.WatchModel(ctx, path, 10*time.Millisecond); close(done) }()
	// A file that is not a model is logged and ignored.
	os.WriteFile(path, []byte("garbage"), 0o644)
	time.Sleep(100 * time.Millisecond)
	if a.ModelVersion() != first.Version() {
		t.Fatalf("a broken file replaced the model: %s", a.ModelVersion())
	}
	b.Reset()
	other.Save(&b)
	if err := writeAtomic(path, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for a.ModelVersion() != other.Version() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if a.ModelVersion() != other.Version() {
		t.Fatalf("model not swapped: %s, want %s", a.ModelVersion(), other.Version())
	}
	if got := a.AnalyzeText("kurier zgubił paczkę", "pl").ModelVersion; got != other.Version() {
		t.Errorf("record labelled by %q, want the new model %q", got, other.Version())
	}
	cancel()
	<-done
}

// shippedOptions are the settings of the shipped model (README: --seed 5
// --bags 5, chosen on the UMSAB val split among seeds 1, 5, 9, feedback
// weights 2 to 6 and 3 or 5 bags).
func shippedOptions() sentiment.TrainOptions {
	o := sentiment.DefaultTrainOptions()
	o.Seed, o.Bags = 1, 5
	return o
}

// TestShippedModelReproduces retrains exactly as the README's command
// (shippedTrainCommand in cmd/earshot) and compares the bytes with the
// embedded model. It takes a minute of CPU, so it runs only with
// EARSHOT_SENTIMENT_REPRO=1.
func TestShippedModelReproduces(t *testing.T) {
	if os.Getenv("EARSHOT_SENTIMENT_REPRO") == "" {
		t.Skip("set EARSHOT_SENTIMENT_REPRO=1 to retrain and compare")
	}
	const umsab = "../../../shared/data/sentiment"
	if _, err := os.Stat(umsab); err != nil {
		t.Skipf("UMSAB data not found at %s", umsab)
	}
	out := filepath.Join(t.TempDir(), "model.bin.gz")
	var report bytes.Buffer
	if _, err := TrainSentiment(TrainRequest{
		UMSAB: umsab, Data: []string{feedbackTrain}, DataWeight: 3, Balance: true,
		LangWeights: map[string]float32{"pt": 0.5}, // --lang-weight pt=0.5 (eleventh round)
		Out:         out, Options: shippedOptions(),
	}, &report); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../sentiment/model.bin.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("retrained model (%d bytes) differs from enrich/sentiment/model.bin.gz (%d bytes)\n%s", len(got), len(want), report.String())
	}
}
