package sentiment

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/lang"
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
	rep, err := Evaluate(embedded(t), val)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Write(&b)
	t.Logf("val split (dataset languages):\n%s", b.String())
	if rep.Overall.MacroF1 < 0.60 {
		t.Errorf("overall macro-F1 %.3f, want >= 0.60", rep.Overall.MacroF1)
	}
}

// TestShippedModelReproduces retrains on the train split exactly as
// `earshot train sentiment --umsab` does (languages from the detector with
// the dataset's language as the stated one) and compares the bytes with
// the embedded model. It takes seconds to a minute, so it runs only with
// EARSHOT_SENTIMENT_REPRO=1.
func TestShippedModelReproduces(t *testing.T) {
	if os.Getenv("EARSHOT_SENTIMENT_REPRO") == "" {
		t.Skip("set EARSHOT_SENTIMENT_REPRO=1 to retrain and compare")
	}
	haveUMSAB(t)
	train, err := ReadUMSAB(umsabDir, "train")
	if err != nil {
		t.Fatal(err)
	}
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range train {
		train[i].Lang = LexiconLanguage(det.Detect(train[i].Text, train[i].Lang).Code, train[i].Lang, true)
	}
	m, err := Train(train, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Save(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), embeddedModel) {
		t.Fatal("retrained model differs from enrich/sentiment/model.bin.gz")
	}
}
