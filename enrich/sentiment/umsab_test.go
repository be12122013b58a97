package sentiment

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// umsabDir is the shared data folder beside the repository, where the
// project keeps the UMSAB tweets; tests that need it skip without it.
const umsabDir = "../../../shared/data/sentiment"

func haveUMSAB(t *testing.T) {
	if _, err := os.Stat(umsabDir); err != nil {
		t.Skipf("UMSAB data not found at %s", umsabDir)
	}
}

// TestShippedModelOnVal scores the embedded model on the val split the
// way `earshot train sentiment --umsab ... --umsab-val` reports it, with
// each tweet's dataset language as its language.
func TestShippedModelOnVal(t *testing.T) {
	haveUMSAB(t)
	val, err := ReadUMSAB(umsabDir, "val")
	if err != nil {
		t.Fatal(err)
	}
	rep := scoreExamples(t, "val split (dataset languages)", val)
	// The aim is 60; the seventh round's model (2^20 buckets, texts
	// counted once in the naive-Bayes ratios) scored 60.2 at the shipped
	// seed (60.1 over seeds 1/6/11), the eighth's 60.2 too (60.1 over
	// seeds 1/6/11), the tenth's (the register copy) 60.2 (60.13 over
	// seeds 1/6/11), the eleventh's (1,002 more pt texts at weight 0.5)
	// 60.5 (60.37 over seeds 1/6/11), the twelfth's (800 more lv and zh
	// texts) 60.2 (60.27 over seeds 1/6/11). The floor is the aim.
	if rep.Overall.MacroF1 < 0.600 {
		t.Errorf("overall macro-F1 %.3f, want >= 0.600", rep.Overall.MacroF1)
	}
}

// TestFeedbackDevelopmentSet scores the embedded model on the feedback
// development set (enrich/sentiment/feedback/dev: short reviews, forms and
// replies with implicit opinions, negation and contrast; never trained on),
// with each text's language as its language.
func TestFeedbackDevelopmentSet(t *testing.T) {
	rep := scoreFeedbackSet(t, "feedback/dev")
	if rep.Overall.MacroF1 < 0.85 {
		t.Errorf("overall macro-F1 %.3f, want >= 0.85", rep.Overall.MacroF1)
	}
	for l, s := range rep.ByLanguage {
		if s.MacroF1 < 0.80 {
			t.Errorf("%s macro-F1 %.3f, want >= 0.80", l, s.MacroF1)
		}
	}
}

// TestFeedbackBlindSets scores the embedded model on the blind feedback
// sets, never trained on: feedback/blind (40 per language, written by the
// first analysis round; its errors were read in the second, so it
// flatters), feedback/blind2 (~110 per language, written before the second
// round changed anything and measured once after it; its errors were read
// in the third) and feedback/blind3 (125 per language, written before the
// third round changed anything and measured once after it; its errors
// were read in the fourth) and feedback/blind4 (150 per language, other
// businesses and registers, written before the fourth round changed
// anything and measured once: 76.4; its errors were read after) and
// feedback/blind5 (60 per language, written after the fourth round's
// changes and measured once on its final model: 71.4; its errors were
// read in the fifth round: 79.2 after it) and feedback/blind6 (60 per
// language, other businesses, written before the fifth round changed
// anything and measured once at its end: 69.1, 68.9 before; its errors
// not read) and feedback/blind7 (60 per language, other businesses,
// written before the seventh round changed anything and measured once on
// the model of the sixth: 72.9; its errors not read; 82.4 on the
// seventh round's model, whose training texts its author wrote after it,
// so it flatters) and feedback/blind8 (60 per language, other businesses,
// written before the eighth round changed anything and measured once on
// the seventh round's model: 79.5, then once on the eighth's: 82.5; its
// errors not read; its author wrote the eighth round's texts after it, so
// the second reading flatters) and feedback/blind9 (60 per language,
// other businesses, written before the ninth round changed anything and
// measured once on the eighth round's model: 84.9; its errors not read)
// and feedback/blind10 (60 per language, other businesses, written before
// the tenth round changed anything and measured on the shipped model (the
// eighth round's): 77.0; then once on the tenth round's: 75.9, and on the
// eleventh's (its pt texts at weight 0.5): 77.9, and on the twelfth's
// (800 more lv and zh texts): 79.7; its errors not read) and
// feedback/blind11 (60 per language, other businesses, written before the
// thirteenth round changed anything and measured once on the twelfth
// round's model: 87.6 (lv 81.7, pl 85.2, pt 90.2, zh 93.4); it takes no
// part in choosing a configuration; its errors not read) and
// feedback/blind12 (60 per language, other businesses, a new writer,
// measured once on the twelfth round's model: 82.4 (lv 83.4, pl 72.3,
// pt 84.9, zh 88.4); its errors not read, only counted: 27 of its 42
// misses are positives read as negative, 10 of them Polish; 83.7, pl
// 77.8, on the fifteenth round's model) and
// feedback/blind13 (60 per language, other businesses, a new writer,
// measured once on the twelfth round's model: 86.3 (lv 81.9, pl 84.9,
// pt 91.7, zh 86.5); its errors not read, only counted: 14 of its 33
// misses are positives read as negative, 6 of them Polish; the same on
// the fifteenth round's model) and feedback/blind14 (60 per language, a
// new writer, measured once on the fifteenth round's model: 86.5 (lv 83.3,
// pl 91.6, pt 82.7, zh 88.2), the same on the twelfth's; its errors not
// read, only counted: 18 of its 32 misses are positives read as
// negative, 7 of them Portuguese).
// The floors guard against
// regressions; the aims are in the README.
func TestFeedbackBlindSets(t *testing.T) {
	for _, set := range []string{"feedback/blind", "feedback/blind2", "feedback/blind3", "feedback/blind4", "feedback/blind5", "feedback/blind6", "feedback/blind7", "feedback/blind8", "feedback/blind9", "feedback/blind10", "feedback/blind11", "feedback/blind12", "feedback/blind13", "feedback/blind14"} {
		rep := scoreFeedbackSet(t, set)
		floor := 0.80
		switch set {
		case "feedback/blind4":
			floor = 0.85
		case "feedback/blind5":
			floor = 0.83
		case "feedback/blind6":
			floor = 0.77
		case "feedback/blind7":
			floor = 0.82
		case "feedback/blind8":
			floor = 0.83
		case "feedback/blind9":
			floor = 0.88
		case "feedback/blind10":
			floor = 0.79
		case "feedback/blind11", "feedback/blind13", "feedback/blind14":
			floor = 0.86
		}
		if rep.Overall.MacroF1 < floor {
			t.Errorf("%s: overall macro-F1 %.3f, want >= %.2f", set, rep.Overall.MacroF1, floor)
		}
	}
}

// TestFeedbackDevNeg reports feedback/devneg, the fourteenth round's
// development set of texts whose words point one way and meaning the other
// (problems gone, fears beaten, praise undercut, questions with problem
// words; 120 per language; read, so not a held-out figure). The
// fourteenth round's model read 73.6 (lv 75.8, pl 68.8, pt 67.2, zh
// 82.1), the fifteenth's 74.7 (pl 73.9, pt 66.3); the floor guards
// against regressions.
func TestFeedbackDevNeg(t *testing.T) {
	rep := scoreFeedbackSet(t, "feedback/devneg")
	if rep.Overall.MacroF1 < 0.72 {
		t.Errorf("feedback/devneg: overall macro-F1 %.3f, want >= 0.72", rep.Overall.MacroF1)
	}
	if len(rep.ByLanguage) != 4 {
		t.Errorf("feedback/devneg: %d languages, want lv, pl, pt and zh", len(rep.ByLanguage))
	}
}

// scoreFeedbackSet scores the embedded model on a folder of labelled
// feedback, logs its table (and its misses under SENTIMENT_ERRORS) and
// returns the report.
func scoreFeedbackSet(t *testing.T, dir string) Report {
	t.Helper()
	ex, err := ReadExamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep := scoreExamples(t, dir, ex)
	logMisses(t, embedded(t), ex)
	return rep
}

// scoreExamples scores the embedded model on ex and logs its table under
// name.
func scoreExamples(t *testing.T, name string, ex []Example) Report {
	t.Helper()
	rep, err := Evaluate(embedded(t), ex)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Write(&b)
	t.Logf("%s:\n%s", name, b.String())
	return rep
}

// logMisses lists the texts the model gets wrong (gold→predicted, score)
// when SENTIMENT_ERRORS is set, for error analysis with -v.
func logMisses(t *testing.T, c *Classifier, examples []Example) {
	if os.Getenv("SENTIMENT_ERRORS") == "" {
		return
	}
	var b strings.Builder
	for _, e := range examples {
		r := c.Classify(e.Text, e.Lang)
		gold, err := ParseLabel(e.Label)
		if err != nil {
			t.Fatal(err)
		}
		if pred, _ := ParseLabel(r.Label); pred != gold {
			fmt.Fprintf(&b, "%s\t%s→%s\t%.2f\t%s\n", e.Lang, e.Label, r.Label, r.Score, strings.TrimSpace(e.Text))
		}
	}
	t.Logf("misses:\n%s", b.String())
}
