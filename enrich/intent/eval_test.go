package intent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/prefs"
)

// evalConfig is the configuration the analysis runs with: built-in lists
// plus the word classes of the embedded taxonomy.
func evalConfig(t *testing.T) Config {
	tax, err := prefs.LoadTaxonomy("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Vocabulary = tax.Vocabulary()
	return cfg
}

// TestEvalSet reports the phrase lists alone (no sentiment, no taxonomy
// context) on the labelled development set
// written for Earshot (testdata/eval_*.jsonl: 8 languages, hard negatives
// included). Run with -v to see the table and the misses.
func TestEvalSet(t *testing.T) {
	set, err := ReadEvalSet("testdata/eval_*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]int{}
	for _, lt := range set {
		langs[lt.Lang]++
	}
	if len(set) < 400 || len(langs) < 6 {
		t.Fatalf("evaluation set has %d texts in %d languages; want >= 400 in >= 6", len(set), len(langs))
	}
	d, err := New(evalConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	prs, errs := Evaluate(d, set)
	var b strings.Builder
	WriteReport(&b, prs)
	t.Logf("%d texts, languages %v\n%s", len(set), langs, b.String())
	if testing.Verbose() && os.Getenv("INTENT_ERRORS") != "" {
		for _, n := range Names {
			for _, e := range errs[n] {
				t.Logf("%s %s", n, e)
			}
		}
	}
	buying := prs[Buying]
	if buying.Precision() < 0.90 || buying.Recall() < 0.70 {
		t.Errorf("buying precision %.3f recall %.3f; want >= 0.90 and >= 0.70", buying.Precision(), buying.Recall())
	}
	for _, n := range Names {
		if p := prs[n]; p.Precision() < 0.75 || p.Recall() < 0.6 {
			t.Errorf("%s precision %.3f recall %.3f; want >= 0.75 and >= 0.60", n, p.Precision(), p.Recall())
		}
	}
}

// TestShippedSetsListEveryEmbeddedSet: ShippedSets names "dev" and every
// holdout directory of testdata (all are embedded), in number order, and
// each of them loads as the same texts as the files on disk.
func TestShippedSetsListEveryEmbeddedSet(t *testing.T) {
	dirs, err := filepath.Glob("testdata/holdout*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no holdout directories: %v", err)
	}
	if len(ShippedSets) != len(dirs)+1 || ShippedSets[0] != "dev" || ShippedSets[1] != "holdout" {
		t.Fatalf("ShippedSets = %v; want dev and the %d holdout directories", ShippedSets, len(dirs))
	}
	for i, name := range ShippedSets[2:] {
		if want := fmt.Sprintf("holdout%d", i+2); name != want {
			t.Errorf("ShippedSets[%d] = %q, want %q", i+2, name, want)
		}
	}
	for _, name := range ShippedSets {
		got, err := ShippedSet(name)
		if err != nil {
			t.Fatal(err)
		}
		pattern := "testdata/" + name + "/*.jsonl"
		if name == "dev" {
			pattern = "testdata/eval_*.jsonl"
		}
		disk, err := ReadEvalSet(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || len(got) != len(disk) {
			t.Errorf("%s: %d built-in texts, %d on disk", name, len(got), len(disk))
		}
	}
	if _, err := ShippedSet("holdout99"); err == nil || !strings.Contains(err.Error(), "holdout13") {
		t.Errorf("unknown set: error %v; want one listing the sets up to holdout13", err)
	}
}
