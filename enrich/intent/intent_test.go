package intent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

func detect(t *testing.T, d *Detector, text, lang string) map[string]Match {
	t.Helper()
	out := map[string]Match{}
	for _, m := range d.Detect(text, lang, textnorm.Tokenize(text, nil)) {
		out[m.Name] = m
	}
	return out
}

func TestEvidenceSpansPointIntoText(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	text := "Hi all! Can anyone recommend an alternative to Nespresso?"
	got := detect(t, d, text, "en")
	b, ok := got[Buying]
	if !ok {
		t.Fatalf("no buying intent in %q: %+v", text, got)
	}
	if b.Score < 0.9 || b.Score > 1 {
		t.Errorf("buying score %v, want two strong phrases to combine above 0.9", b.Score)
	}
	if len(b.Evidence) != 2 {
		t.Fatalf("evidence %+v, want the two phrases", b.Evidence)
	}
	for _, e := range b.Evidence {
		if text[e.Start:e.End] != e.Text {
			t.Errorf("span %d:%d is %q, evidence says %q", e.Start, e.End, text[e.Start:e.End], e.Text)
		}
	}
	if b.Evidence[0].Text != "Can anyone recommend" || b.Evidence[1].Text != "alternative to" {
		t.Errorf("evidence = %+v", b.Evidence)
	}
}

func TestNegationAndSuppressors(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text, lang string
		buying     bool
	}{
		{"I want to buy a grinder", "en", true},
		{"I don't want to buy a grinder", "en", false},                // negator guard
		{"Just bought a grinder, want to buy beans too", "en", false}, // suppressor
		{"Chcę kupić młynek", "pl", true},
		{"Nie chcę kupić młynka", "pl", false},
		{"我想买一台咖啡机", "zh", true},
		{"刚买了咖啡机，不需要再买", "zh", false},
	} {
		_, got := detect(t, d, c.text, c.lang)[Buying]
		if got != c.buying {
			t.Errorf("%q: buying = %v, want %v", c.text, got, c.buying)
		}
	}
}

func TestUnknownLanguageUsesAllLists(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := detect(t, d, "Ile kosztuje wersja dla firm", "unknown")[Buying]; !ok {
		t.Fatal("unknown language: Polish buying phrase not found")
	}
	if _, ok := detect(t, d, "Ile kosztuje wersja dla firm", "en")[Buying]; ok {
		t.Fatal("English lists alone should not know Polish phrases")
	}
}

func TestConfigExtraThresholdAndFile(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Extra = map[string]map[string][]string{Buying: {"en": {"hook me up with one = 0.95"}}}
	cfg.Thresholds = map[string]float64{Praise: 0.99}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := detect(t, d, "Hook me up with one!", "en")
	if got[Buying].Score != 0.95 {
		t.Errorf("extra phrase: %+v", got)
	}
	if _, ok := detect(t, d, "Absolutely love my Brewly One", "en")[Praise]; ok {
		t.Error("praise threshold 0.99 should hide a 0.8 praise")
	}

	path := filepath.Join(t.TempDir(), "phrases.yaml")
	os.WriteFile(path, []byte("intents:\n  support:\n    any:\n      - sos = 0.9\n"), 0o644)
	d, err = New(Config{PhrasesFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := detect(t, d, "SOS my machine", "en")[Support]; !ok {
		t.Error("phrase file: support not found")
	}

	for _, bad := range []Config{
		{Thresholds: map[string]float64{"happiness": 0.5}},
		{Thresholds: map[string]float64{Buying: 1.5}},
		{Extra: map[string]map[string][]string{Buying: {"en": {"~ starts with a gap"}}}},
		{Extra: map[string]map[string][]string{Buying: {"en": {"bad weight = 2"}}}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", bad)
		}
	}
	os.WriteFile(path, []byte("intents:\n  buying:\n    en:\n      - ok\nunknown_key: 1\n"), 0o644)
	if _, err := New(Config{PhrasesFile: path}); err == nil || !strings.Contains(err.Error(), "unknown_key") {
		t.Errorf("unknown key in phrase file: err = %v", err)
	}
}

// TestDetectCuesNamesTheTextsCueClasses: the cue classes come back by
// name.
func TestDetectCuesNamesTheTextsCueClasses(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text  string
		has, hasNot []string
	}{
		{"en", "I bought a kettle last month.", []string{"past"}, []string{"elsewhere", "question"}},
		{"pl", "Kupiłam bilet na pociąg?", []string{"past", "elsewhere", "question"}, nil},
		{"zh", "上个月买的鞋子已经开胶了。", []string{"past"}, []string{"elsewhere"}},
		// masks: a phrase of one class hides the cues of another inside it, and only those
		{"en", "Need a shelf cut by Friday if poss", []string{"askif", "seek"}, []string{"hypo"}},
		{"en", "if it were cheaper I'd buy two, if poss by Friday", []string{"askif", "hypo"}, nil},
		{"pl", "chcemy przyjechać jak najszybciej", []string{"soon", "want"}, []string{"howto"}},
		{"pl", "jak najszybciej, ale jak to zrobić?", []string{"soon", "howto"}, nil},
		{"zh", "你们一般怎么合作？", []string{"termsask", "question"}, []string{"howto"}},
		// 吗 before a space asks, as before a question mark
		{"zh", "能送到顺义吗 报个价", []string{"question", "quote"}, nil},
		{"zh", "吗啡", nil, []string{"question"}},
		// "if so" opens a clause for anchored phrases, as a comma would; a
		// price asked mid-clause is no anchored price question
		{"fr", "Vous posez des attelages ? Si oui c'est combien avec la pose", []string{"priceask"}, nil},
		{"de", "Baut ihr Kupplungen an? Wenn ja was kostet das mit Einbau", []string{"priceask"}, nil},
		{"en", "do you fit tow bars? if so how much fitted", []string{"priceask"}, nil},
		{"en", "do you fit tow bars? also how much fitted", nil, []string{"priceask"}},
		{"fr", "Bonjour, une dashcam avec mode parking", []string{"parkgear"}, []string{"parking"}},
	} {
		_, cues := d.DetectCues(c.text, c.lang, textnorm.Tokenize(c.text, nil))
		for _, n := range c.has {
			if !cues.Has(n) {
				t.Errorf("%q: no cue %q", c.text, n)
			}
		}
		for _, n := range c.hasNot {
			if cues.Has(n) {
				t.Errorf("%q: cue %q", c.text, n)
			}
		}
		if cues.Has("no such class") {
			t.Errorf("%q: an unknown class is held", c.text)
		}
	}
}
