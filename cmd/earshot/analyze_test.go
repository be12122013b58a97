package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzeCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"id":"a","text":"Czy ktoś może polecić ekspres do biura?","lang":"pl"}`+"\n"+"咖啡机质量很好，但是物流太慢了。\n"), 0o644)
	var stdout, stderr bytes.Buffer
	// No config file in a temporary directory: the defaults apply.
	t.Chdir(dir)
	code := execute([]string{"analyze", "--log-level", "error", in}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 records, got:\n%s", stdout.String())
	}
	var rec struct {
		ID       string `json:"id"`
		Analysis struct {
			Language struct{ Code string }   `json:"language"`
			Intents  []struct{ Name string } `json:"intents"`
		} `json:"analysis"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "a" || rec.Analysis.Language.Code != "pl" || len(rec.Analysis.Intents) == 0 || rec.Analysis.Intents[0].Name != "buying" {
		t.Errorf("first record: %s", lines[0])
	}

	stdout.Reset()
	stderr.Reset()
	code = execute([]string{"analyze", "--log-level", "error", "--buying-threshold", "2"}, strings.NewReader("x\n"), &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "buying_threshold") {
		t.Errorf("bad threshold: exit %d, stderr %s", code, stderr.String())
	}
}
