package intent

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// LabelledText is one line of an evaluation set.
type LabelledText struct {
	Lang    string   `json:"lang"`
	Text    string   `json:"text"`
	Intents []string `json:"intents"`
}

// ReadEvalSet reads JSONL files of labelled texts matching pattern (a glob).
func ReadEvalSet(pattern string) ([]LabelledText, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", pattern, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("reading evaluation set: no files match %s", pattern)
	}
	sort.Strings(files)
	var out []LabelledText
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
		lts, err := readLabelled(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, lts...)
	}
	return out, nil
}

// readLabelled reads one JSONL file of labelled texts.
func readLabelled(r io.Reader, name string) ([]LabelledText, error) {
	var out []LabelledText
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var lt LabelledText
		if err := json.Unmarshal(sc.Bytes(), &lt); err != nil {
			return nil, fmt.Errorf("%s:%d: decoding: %w", name, line, err)
		}
		if strings.TrimSpace(lt.Text) == "" {
			return nil, fmt.Errorf("%s:%d: no text", name, line)
		}
		for _, n := range lt.Intents {
			if !known(n) {
				return nil, fmt.Errorf("%s:%d: unknown intent %q", name, line, n)
			}
		}
		out = append(out, lt)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}

//go:embed testdata/eval_*.jsonl testdata/holdout*/*.jsonl
var shippedSets embed.FS

// ShippedSets names the evaluation sets built into the binary: "dev" (the
// development set the rules were written against, the base data of `earshot
// train intent`) and every holdout directory embedded (its validation sets),
// in order: holdout, holdout2, …, holdout15. It is read from the embedded
// files, so a new holdout is listed without editing it.
var ShippedSets = shippedSetNames()

// shippedSetNames lists "dev" and the embedded holdout directories, the
// unnumbered "holdout" first and the rest by number.
func shippedSetNames() []string {
	entries, err := fs.ReadDir(shippedSets, "testdata")
	if err != nil {
		panic("intent: reading the embedded evaluation sets: " + err.Error())
	}
	var holdouts []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "holdout") {
			holdouts = append(holdouts, e.Name())
		}
	}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(name, "holdout"))
		if err != nil {
			return 1 // "holdout", the first
		}
		return n
	}
	sort.Slice(holdouts, func(i, j int) bool { return num(holdouts[i]) < num(holdouts[j]) })
	return append([]string{"dev"}, holdouts...)
}

// ShippedSet reads a built-in evaluation set by name.
func ShippedSet(name string) ([]LabelledText, error) {
	pattern := "testdata/" + name + "/*.jsonl"
	if name == "dev" {
		pattern = "testdata/eval_*.jsonl"
	}
	files, err := fs.Glob(shippedSets, pattern)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no built-in intent set %q (have %s)", name, strings.Join(ShippedSets, ", "))
	}
	var out []LabelledText
	for _, path := range files {
		f, err := shippedSets.Open(path)
		if err != nil {
			return nil, err
		}
		lts, err := readLabelled(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, lts...)
	}
	return out, nil
}

// PR is precision and recall of one intent.
type PR struct {
	TP, FP, FN int
}

// Precision is TP / (TP + FP), 1 when nothing was predicted.
func (p PR) Precision() float64 {
	if p.TP+p.FP == 0 {
		return 1
	}
	return float64(p.TP) / float64(p.TP+p.FP)
}

// Recall is TP / (TP + FN), 1 when nothing was expected.
func (p PR) Recall() float64 {
	if p.TP+p.FN == 0 {
		return 1
	}
	return float64(p.TP) / float64(p.TP+p.FN)
}

// Errors are the texts an intent got wrong, for inspection.
type Errors map[string][]string

// Evaluate runs d over the set and counts per intent.
func Evaluate(d *Detector, set []LabelledText) (map[string]PR, Errors) {
	out := map[string]PR{}
	errs := Errors{}
	var toks []textnorm.Token
	for _, lt := range set {
		text := textnorm.Clean(lt.Text)
		toks = textnorm.Tokenize(text, toks)
		got := map[string]bool{}
		for _, m := range d.Detect(text, lt.Lang, toks) {
			got[m.Name] = true
		}
		want := map[string]bool{}
		for _, n := range lt.Intents {
			want[n] = true
		}
		for _, n := range Names {
			pr := out[n]
			switch {
			case got[n] && want[n]:
				pr.TP++
			case got[n]:
				pr.FP++
				errs[n] = append(errs[n], "FP "+lt.Lang+": "+lt.Text)
			case want[n]:
				pr.FN++
				errs[n] = append(errs[n], "FN "+lt.Lang+": "+lt.Text)
			}
			out[n] = pr
		}
	}
	return out, errs
}

// WriteReport prints precision and recall per intent.
func WriteReport(w io.Writer, prs map[string]PR) {
	fmt.Fprintf(w, "%-11s %5s %5s %5s %9s %7s\n", "intent", "TP", "FP", "FN", "precision", "recall")
	for _, n := range Names {
		p := prs[n]
		fmt.Fprintf(w, "%-11s %5d %5d %5d %9.3f %7.3f\n", n, p.TP, p.FP, p.FN, p.Precision(), p.Recall())
	}
}
