package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/record"
)

// TestTrainIntentCLI trains an intent model from an exported corrections
// file and analyses with it through the config: the unseen text gets the
// corrected intent and the output names the model that found it.
func TestTrainIntentCLI(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i, place := range []string{"bakery", "café", "hotel", "deli", "bistro", "restaurant", "canteen", "office", "wine bar", "juice bar"} {
		for j, text := range []string{"Could we have the Mini for a tasting at our %s?", "Could we arrange a tasting session for our %s team?", "Tasting at our %s, are Thursdays possible?"} {
			mid := fmt.Sprintf("m%d-%d", i, j)
			b, err := json.Marshal(record.Correction{ID: record.CorrectionID(mid, record.CorrectIntent), MentionID: mid, Field: record.CorrectIntent,
				Value: "buying", Text: fmt.Sprintf(text, place), Language: "en", By: "ana", At: time.Unix(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
	}
	corrections := filepath.Join(dir, "corrections.jsonl")
	if err := os.WriteFile(corrections, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "intent.json.gz")
	code, out, errOut := runCLI(t, "train", "intent", "--corrections", corrections, "--out", model)
	if code != 0 {
		t.Fatalf("train intent: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"corrections: 30 intent", "holdout4", "micro-F1", "accepted", "wrote " + model} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	cfg := writeConfig(t, "enrich:\n  analysis:\n    intent_model: "+model+"\n")
	in := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(in, []byte(`{"text":"Could we set up a tasting for our tea room?","lang":"en"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "analyze", "-c", cfg, in)
	if code != 0 {
		t.Fatalf("analyze: exit %d\n%s", code, errOut)
	}
	var got struct{ Analysis record.Analysis }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
	if !strings.HasPrefix(got.Analysis.IntentModelVersion, "intent-") {
		t.Errorf("intent_model_version %q, want the trained model's", got.Analysis.IntentModelVersion)
	}
	found := false
	for _, in := range got.Analysis.Intents {
		found = found || in.Name == "buying"
	}
	if !found {
		t.Errorf("unseen tasting request without buying intent: %s", out)
	}
	code, _, errOut = runCLI(t, "train", "intent", "--corrections", corrections)
	if code == 0 || !strings.Contains(errOut, "--out is required") {
		t.Errorf("train intent without --out: exit %d, %q", code, errOut)
	}
}

// TestTrainIntentHelpListsBuiltInSets: --base names every built-in intent
// set (dev and all embedded holdouts), not a list that stops at holdout6.
func TestTrainIntentHelpListsBuiltInSets(t *testing.T) {
	code, out, errOut := runCLI(t, "train", "intent", "--help")
	if code != 0 {
		t.Fatalf("train intent --help: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, name := range intent.ShippedSets {
		if !strings.Contains(out, name+",") && !strings.Contains(out, name+")") {
			t.Errorf("--help does not list the built-in set %q:\n%s", name, out)
		}
	}
	if !strings.Contains(out, "holdout13") {
		t.Errorf("--help does not list holdout13:\n%s", out)
	}
}
