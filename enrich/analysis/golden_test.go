package analysis

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/earshothq/earshot/record"
)

var (
	sharedOnce     sync.Once
	sharedAnalyzer *Analyzer
	sharedErr      error
)

func analyzer(t testing.TB) *Analyzer {
	t.Helper()
	sharedOnce.Do(func() { sharedAnalyzer, sharedErr = New(DefaultConfig(), nil) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedAnalyzer
}

// goldenCase is one line of testdata/golden/*.jsonl: a mention and what
// its analysis must say. Fields left out of "expected" are not checked.
type goldenCase struct {
	Input    record.Mention `json:"input"`
	Expected struct {
		Language    string            `json:"language"`
		Sentiment   string            `json:"sentiment"`
		Intents     *[]string         `json:"intents"`
		Aspects     map[string]string `json:"aspects"`
		Brands      []string          `json:"brands"`
		Products    []string          `json:"products"`
		Features    []string          `json:"features"`
		Competitors []string          `json:"competitors"`
		Channels    []string          `json:"channels"`
		Needs       []string          `json:"needs"`
	} `json:"expected"`
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	a := analyzer(t)
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			var c goldenCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			name := filepath.Base(path) + ":" + strings.Repeat("", 0) + itoa(line)
			t.Run(name, func(t *testing.T) { checkGolden(t, a, &c) })
		}
		f.Close()
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func checkGolden(t *testing.T, a *Analyzer, c *goldenCase) {
	got := a.Analyze(&c.Input)
	text := Text(&c.Input)
	e := c.Expected
	if got.Language == nil || got.Language.Code != e.Language {
		t.Errorf("%q: language %+v, want %s", text, got.Language, e.Language)
	}
	if e.Sentiment != "" && (got.Sentiment == nil || got.Sentiment.Label != e.Sentiment) {
		t.Errorf("%q: sentiment %+v, want %s", text, got.Sentiment, e.Sentiment)
	}
	if e.Intents != nil {
		var names []string
		for _, in := range got.Intents {
			names = append(names, in.Name)
			for _, ev := range in.Evidence {
				if text[ev.Start:ev.End] != ev.Text {
					t.Errorf("%q: %s evidence %d:%d is %q, says %q", text, in.Name, ev.Start, ev.End, text[ev.Start:ev.End], ev.Text)
				}
			}
		}
		if !sameSet(names, *e.Intents) {
			t.Errorf("%q: intents %v, want %v", text, names, *e.Intents)
		}
	}
	if e.Aspects != nil {
		aspects := map[string]string{}
		for _, as := range got.Aspects {
			aspects[as.Name] = as.Sentiment
		}
		if !reflect.DeepEqual(aspects, e.Aspects) {
			t.Errorf("%q: aspects %v, want %v", text, aspects, e.Aspects)
		}
	}
	p := got.Preferences
	if p == nil {
		p = &record.Preferences{}
	}
	for _, chk := range []struct {
		name      string
		got, want []string
	}{
		{"brands", p.Brands, e.Brands}, {"products", p.Products, e.Products}, {"features", p.Features, e.Features},
		{"competitors", p.Competitors, e.Competitors}, {"channels", p.Channels, e.Channels}, {"needs", p.Needs, e.Needs},
	} {
		if chk.want != nil && !sameSet(chk.got, chk.want) {
			t.Errorf("%q: %s %v, want %v", text, chk.name, chk.got, chk.want)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
