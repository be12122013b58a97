package analysis

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/earshothq/earshot/record"
	"github.com/prometheus/client_golang/prometheus"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	bad := DefaultConfig()
	bad.Languages = []string{"english"}
	bad.SourcePrior = 1
	bad.BuyingThreshold = 2
	bad.Intents.Thresholds = map[string]float64{"joy": 0.5}
	err := bad.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"english", "source_prior", "buying_threshold", "joy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	cfg := DefaultConfig()
	cfg.SentimentModel = "/nonexistent/model.bin"
	if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), "sentiment model") {
		t.Errorf("missing model file: err = %v", err)
	}
	cfg = DefaultConfig()
	cfg.Taxonomy = "/nonexistent/taxonomy.yaml"
	if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), "taxonomy") {
		t.Errorf("missing taxonomy: err = %v", err)
	}
}

func TestBuyingThresholdAndCustomTaxonomy(t *testing.T) {
	dir := t.TempDir()
	tax := filepath.Join(dir, "taxonomy.yaml")
	os.WriteFile(tax, []byte("brand: {name: Lumo, terms: [lumo]}\ncompetitors: [{name: Glow, terms: [glow]}]\n"), 0o644)
	cfg := DefaultConfig()
	cfg.Taxonomy = tax
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	const text = "How much does the Lumo lamp cost? We use Glow now."
	score := -1.0
	for _, in := range a.AnalyzeText(text, "en").Intents {
		if in.Name == "buying" {
			score = in.Score
		}
	}
	if score < 0.5 || score >= 0.999 {
		t.Fatalf("default threshold: buying score %.3f, want it reported and below 0.999", score)
	}
	cfg.BuyingThreshold = 0.999
	if a, err = New(cfg, nil); err != nil {
		t.Fatal(err)
	}
	got := a.AnalyzeText(text, "en")
	for _, in := range got.Intents {
		if in.Name == "buying" {
			t.Errorf("buying %.3f reported above a 0.999 threshold", in.Score)
		}
	}
	if got.Preferences == nil || strings.Join(got.Preferences.Brands, ",") != "Lumo" || strings.Join(got.Preferences.Competitors, ",") != "Glow" {
		t.Errorf("custom taxonomy preferences: %+v", got.Preferences)
	}
}

func TestAnalyzeEmptyAndTitle(t *testing.T) {
	a := analyzer(t)
	if got := a.Analyze(&record.Mention{Text: "   "}); got.Language != nil || got.Sentiment != nil {
		t.Errorf("empty text: %+v, want an empty analysis", got)
	}
	m := &record.Mention{Title: "Awful delivery", Text: "Three weeks and no parcel."}
	got := a.Analyze(m)
	if Text(m) != "Awful delivery\nThree weeks and no parcel." || got.Sentiment == nil || got.Sentiment.Label != "negative" {
		t.Errorf("title+text: %q → %+v", Text(m), got.Sentiment)
	}
}

func TestAnalyzeConcurrentAndMetrics(t *testing.T) {
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	if err := a.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	texts := []string{"Czy ktoś może polecić ekspres?", "咖啡机质量很好，但是物流太慢了。", "Cancel my subscription now.", "Lieliska kafija!"}
	want := make([]record.Analysis, len(texts))
	for i, s := range texts {
		want[i] = a.AnalyzeText(s, "")
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := i % len(texts)
				got := a.AnalyzeText(texts[k], "")
				g, _ := json.Marshal(got)
				e, _ := json.Marshal(want[k])
				if !bytes.Equal(g, e) {
					t.Errorf("concurrent analysis of %q differs", texts[k])
					return
				}
			}
		}()
	}
	wg.Wait()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var pl float64
	for _, mf := range mfs {
		if mf.GetName() != "earshot_analysis_records_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "language" && l.GetValue() == "pl" {
					pl = m.GetCounter().GetValue()
				}
			}
		}
	}
	perWorker := 0
	for i := 0; i < 50; i++ {
		if i%len(texts) == 0 {
			perWorker++
		}
	}
	if want := float64(1 + 8*perWorker); pl != want {
		t.Errorf("records_total{language=pl} = %v, want %v", pl, want)
	}
}

func TestRunBatch(t *testing.T) {
	a := analyzer(t)
	in := strings.Join([]string{
		`{"id":"1","text":"Ile kosztuje Brewly One?","lang":"pl","extra":{"k":1}}`,
		``,
		`Great machine but delivery was a disaster`,
		`{"id":"3","text":`,
		`{"id":"4","text":42}`,
		`{"id":"5","title":"Só título: atendimento péssimo"}`,
	}, "\n")
	var out, errw bytes.Buffer
	st, err := RunBatch(context.Background(), a, strings.NewReader(in), &out, &errw)
	if err == nil || !strings.Contains(err.Error(), "2 of 5 lines") {
		t.Fatalf("err = %v, want it to count the 2 bad lines", err)
	}
	if st.Records != 3 || st.Bad != 2 {
		t.Fatalf("stats %+v", st)
	}
	if !strings.Contains(errw.String(), "line 4") || !strings.Contains(errw.String(), "line 5") {
		t.Errorf("stderr does not name the bad lines: %s", errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d output lines, want 3:\n%s", len(lines), out.String())
	}
	var first struct {
		ID       string             `json:"id"`
		Extra    map[string]float64 `json:"extra"`
		Analysis record.Analysis    `json:"analysis"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.ID != "1" || first.Extra["k"] != 1 || first.Analysis.Language.Code != "pl" || len(first.Analysis.Intents) == 0 {
		t.Errorf("first record lost fields or analysis: %s", lines[0])
	}
	var plain map[string]any
	json.Unmarshal([]byte(lines[1]), &plain)
	if plain["text"] != "Great machine but delivery was a disaster" || plain["analysis"] == nil {
		t.Errorf("plain line: %s", lines[1])
	}
}

func TestTrainSentimentCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "train.jsonl")
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString(`{"text":"love it, wonderful","label":"positive","lang":"en"}` + "\n")
		b.WriteString(`{"text":"hate it, broken","label":"negative","lang":"en"}` + "\n")
		b.WriteString(`{"text":"it arrives on monday","label":"neutral"}` + "\n")
	}
	os.WriteFile(data, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "model.bin")
	var report bytes.Buffer
	req := TrainRequest{Data: []string{data}, Val: []string{data}, Out: out}
	req.Options.Bits, req.Options.Epochs, req.Options.Rate, req.Options.L2, req.Options.Seed = 12, 3, 0.1, 1e-4, 1
	if _, err := TrainSentiment(req, &report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(report.String(), "overall") {
		t.Errorf("report lacks the evaluation table:\n%s", report.String())
	}
	cfg := DefaultConfig()
	cfg.SentimentModel = out
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.AnalyzeText("I love it, wonderful", "en"); got.Sentiment.Label != "positive" {
		t.Errorf("retrained model: %+v", got.Sentiment)
	}
	if _, err := TrainSentiment(TrainRequest{Out: out}, &report); err == nil {
		t.Error("no data: want error")
	}
}
