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

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/record"
)

func intentCorrection(i int, text, lang, value string) record.Correction {
	mid := fmt.Sprintf("i%03d", i)
	return record.Correction{ID: record.CorrectionID(mid, record.CorrectIntent), MentionID: mid,
		Field: record.CorrectIntent, Value: value, Text: text, Language: lang, By: "ana", At: time.Unix(0, 0)}
}

// tastingCorrections teach what the rules do not know: for a roaster that
// sells to cafés, asking for a tasting is a purchase inquiry.
func tastingCorrections() []record.Correction {
	places := []string{"bakery", "café", "hotel", "deli", "bistro", "coworking space", "restaurant", "juice bar", "bookshop café", "canteen", "office", "wine bar"}
	var cs []record.Correction
	for i, p := range places {
		cs = append(cs,
			intentCorrection(3*i, fmt.Sprintf("Could we have the Mini for a tasting at our %s?", p), "en", intent.Buying),
			intentCorrection(3*i+1, fmt.Sprintf("Could we arrange a tasting session for our %s team?", p), "en", intent.Buying),
			intentCorrection(3*i+2, fmt.Sprintf("Tasting at our %s, are Thursdays possible?", p), "en", intent.Buying),
		)
	}
	for i, p := range []string{"piekarni", "kawiarni", "hotelu", "restauracji", "biurze", "bistro"} {
		cs = append(cs, intentCorrection(100+i, fmt.Sprintf("Degustacja w naszej %s, to możliwe?", p), "pl", intent.Buying))
	}
	return cs
}

func trainIntent(t *testing.T, a *Analyzer, req IntentTrainRequest) (*intent.Model, string, error) {
	t.Helper()
	req.Out = filepath.Join(t.TempDir(), "intent.json.gz")
	if req.Options.Epochs == 0 {
		req.Options = intent.DefaultTrainOptions()
	}
	var report bytes.Buffer
	m, err := a.TrainIntent(req, &report)
	return m, report.String(), err
}

func finds(a *Analyzer, text, lang, name string) bool {
	for _, in := range a.AnalyzeText(text, lang).Intents {
		if in.Name == name {
			return true
		}
	}
	return false
}

// TestIntentCorrectionsTeach retrains the intent layer with a batch of
// corrections: the new model finds buying intent in the corrected texts
// and in similar unseen ones the rules missed, keeps the shipped sets
// as they were, shows the comparison and is accepted; swapped in, every
// mention records its version.
func TestIntentCorrectionsTeach(t *testing.T) {
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cs := tastingCorrections()
	unseen := []struct{ text, lang string }{
		{"Could we set up a tasting for our tea room?", "en"},
		{"A tasting at our guesthouse, is Friday possible?", "en"},
		{"Could we get tastings for our hotel staff?", "en"},
		{"Would a tasting at our ice cream parlour be possible?", "en"},
		{"A degustacja w naszej cukierni wchodzi w grę?", "pl"},
	}
	for _, u := range unseen {
		if finds(a, u.text, u.lang, intent.Buying) {
			t.Fatalf("the rules already find buying in %q; the test needs texts they miss", u.text)
		}
	}
	rulesVersion := a.IntentModelVersion()
	if !strings.HasPrefix(rulesVersion, "rules-") {
		t.Fatalf("version before any model %q, want rules-…", rulesVersion)
	}
	m, report, err := trainIntent(t, a, IntentTrainRequest{Corrections: cs, HoldBack: 0.2})
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	t.Logf("report:\n%s", report)
	for _, want := range []string{"held-back corrections", "holdout4", "micro-F1", "accepted"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if err := a.SetIntentModel(m, "test"); err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for _, c := range cs {
		if !finds(a, c.Text, c.Language, intent.Buying) {
			wrong++
			t.Logf("corrected text still without buying: %q", c.Text)
		}
	}
	if wrong > len(cs)/10 {
		t.Errorf("%d of %d corrected texts still without buying intent", wrong, len(cs))
	}
	for _, u := range unseen {
		if !finds(a, u.text, u.lang, intent.Buying) {
			t.Errorf("unseen %q: no buying intent after retraining", u.text)
		}
	}
	// What the corrections did not speak of stays as the rules had it.
	for _, keep := range []struct{ text, lang, name string }{
		{"Where can I buy the Brewly One in Dublin?", "en", intent.Buying},
		{"My order arrived with a cracked water tank, what now?", "en", intent.Complaint},
	} {
		if !finds(a, keep.text, keep.lang, keep.name) {
			t.Errorf("%q lost %s after retraining", keep.text, keep.name)
		}
	}
	for _, gone := range []string{"How do I reset the password of the Brewly app?", "I recommend the train to Porto.", "The grinder is loud, what can I do?"} {
		if finds(a, gone, "en", intent.Buying) {
			t.Errorf("%q became buying after retraining", gone)
		}
	}
	res := a.AnalyzeText("A tasting at our guesthouse, is Friday possible?", "en")
	if res.IntentModelVersion != m.Version() || !strings.HasPrefix(m.Version(), "intent-") {
		t.Errorf("mention labelled by %q, want the retrained model %q", res.IntentModelVersion, m.Version())
	}
	for _, in := range res.Intents {
		if in.Name == intent.Buying && (len(in.Evidence) == 0 || in.Evidence[0].Text == "") {
			t.Errorf("learned buying intent without evidence: %+v", in)
		}
	}
	if err := a.SetIntentModel(nil, "rules"); err != nil {
		t.Fatal(err)
	}
	if a.IntentModelVersion() != rulesVersion {
		t.Errorf("back to the rules: version %q, want %q", a.IntentModelVersion(), rulesVersion)
	}
}

// TestWorseIntentModelRefused feeds corrections that deny clear buying
// intent in the development set; the retrained model loses on the
// holdouts and is refused, with its reason, and nothing is written.
func TestWorseIntentModelRefused(t *testing.T) {
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := intent.ShippedSet("dev")
	if err != nil {
		t.Fatal(err)
	}
	var cs []record.Correction
	for i, lt := range dev {
		for _, n := range lt.Intents {
			if n == intent.Buying {
				cs = append(cs, intentCorrection(i, lt.Text, lt.Lang, "-"+intent.Buying))
			}
		}
	}
	out := filepath.Join(t.TempDir(), "intent.json.gz")
	var report bytes.Buffer
	_, err = a.TrainIntent(IntentTrainRequest{Corrections: cs, HoldBack: 0.2, Out: out, Options: intent.DefaultTrainOptions()}, &report)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused\n%s", err, report.String())
	}
	if !strings.Contains(report.String(), "REFUSED") || !strings.Contains(err.Error(), "micro-F1") {
		t.Errorf("refusal does not say why:\n%s\nerr: %v", report.String(), err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused model written: %v", err)
	}
}

// TestIntentModelFileSwap: a trained model saved to the watched file is
// swapped in without a restart; a broken file keeps the running model; a
// model trained over other rules is refused.
func TestIntentModelFileSwap(t *testing.T) {
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := trainIntent(t, a, IntentTrainRequest{Corrections: tastingCorrections()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "intent.json.gz")
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := intent.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Version() != m.Version() {
		t.Fatalf("saved and loaded versions differ: %s, %s", loaded.Version(), m.Version())
	}
	if err := os.WriteFile(path, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.WatchIntentModel(ctx, path, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(30 * time.Millisecond)
	if err := os.WriteFile(path, []byte("still not a model, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if !strings.HasPrefix(a.IntentModelVersion(), "rules-") {
		t.Fatalf("a broken file replaced the rules: %s", a.IntentModelVersion())
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.IntentModelVersion() != m.Version() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if a.IntentModelVersion() != m.Version() {
		t.Fatalf("intent model not swapped in: %s, want %s", a.IntentModelVersion(), m.Version())
	}
	cfg := DefaultConfig()
	cfg.Intents.Extra = map[string]map[string][]string{intent.Buying: {"en": {"take my money = 0.9"}}}
	other, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SetIntentModel(m, "test"); err == nil || !strings.Contains(err.Error(), "trained over rules") {
		t.Errorf("model of other rules accepted: %v", err)
	}
}
