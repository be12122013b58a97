package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

func TestSearchOutputIsOneRowPerHitWithPluralsAndAReadableHistogram(t *testing.T) {
	var out bytes.Buffer
	app := &App{Stdout: &out}
	res := &index.SearchResult{Total: 1, Hits: []index.Hit{{ID: "m1", Mention: &record.EnrichedMention{Mention: record.Mention{
		Source: "forms", Title: "Demo request", Text: "Hello,\nplease call me.\tThanks", CreatedAt: time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)}}}},
		Histogram: []index.HistogramBucket{{Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Count: 3, Sentiment: map[string]int64{"positive": 2, "negative": 1}}}}
	printResult(app, res, "")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "1 mention" {
		t.Errorf("header %q", lines[0])
	}
	if len(lines) != 3 || !strings.Contains(lines[1], "Demo request — Hello, please call me. Thanks") {
		t.Errorf("the hit must be one row with its title: %q", out.String())
	}
	if !strings.HasSuffix(lines[2], "3  negative=1 positive=2") || strings.Contains(lines[2], "map[") {
		t.Errorf("histogram row %q", lines[2])
	}
	out.Reset()
	printResult(app, &index.SearchResult{Total: 2}, "abc")
	if !strings.Contains(out.String(), "past the last page (2 mentions in all)") {
		t.Errorf("a cursor past the last page: %q", out.String())
	}
}

func TestNoPurchaseIsNoTime(t *testing.T) {
	b, err := json.Marshal(record.Customer{ID: "c1", UpdatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "0001-01-01") || strings.Contains(string(b), "last_purchase") {
		t.Fatalf("zero times printed: %s", b)
	}
}

func TestHelpTextsAreNotGarbled(t *testing.T) {
	_, out, _ := runCLI(t, "analyze", "--help")
	if !strings.Contains(out, "--sentiment-model string") {
		t.Errorf("analyze --help: %s", out)
	}
	_, out, _ = runCLI(t, "match", "--help")
	if strings.Contains(out, "for a input") || !strings.Contains(out, "--input-map stringArray") {
		t.Errorf("match --help: %s", out)
	}
}
