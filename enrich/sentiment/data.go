package sentiment

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// ReadJSONL reads labelled examples, one JSON object per line with "text",
// "label" and optionally "lang". A bad line is an error naming its number.
func ReadJSONL(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var raw struct {
			Text  string          `json:"text"`
			Label json.RawMessage `json:"label"`
			Lang  string          `json:"lang"`
		}
		if err := json.Unmarshal([]byte(b), &raw); err != nil {
			return nil, fmt.Errorf("line %d: decoding JSON: %w", line, err)
		}
		if strings.TrimSpace(raw.Text) == "" {
			return nil, fmt.Errorf("line %d: empty \"text\"", line)
		}
		label := strings.Trim(string(raw.Label), `"`)
		if _, err := ParseLabel(label); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, Example{Text: textnorm.Clean(raw.Text), Label: label, Lang: raw.Lang})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading examples: %w", err)
	}
	return out, nil
}

// ReadJSONLFile reads a JSONL file of examples.
func ReadJSONLFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening examples: %w", err)
	}
	defer f.Close()
	ex, err := ReadJSONL(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ex, nil
}

// UMSABLanguages maps the folder names of the UMSAB benchmark to ISO codes.
var UMSABLanguages = map[string]string{
	"arabic": "ar", "english": "en", "french": "fr", "german": "de",
	"hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es",
}

// ReadUMSAB reads one split ("train" or "val") of the UMSAB layout:
// <dir>/<language>/<split>_text.txt and <split>_labels.txt, labels 0/1/2.
// Examples come out in a fixed order (languages sorted) so training is
// reproducible.
func ReadUMSAB(dir, split string) ([]Example, error) {
	var folders []string
	for f := range UMSABLanguages {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	var out []Example
	found := 0
	for _, folder := range folders {
		textPath := filepath.Join(dir, folder, split+"_text.txt")
		texts, err := readLines(textPath)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		labels, err := readLines(filepath.Join(dir, folder, split+"_labels.txt"))
		if err != nil {
			return nil, err
		}
		if len(texts) != len(labels) {
			return nil, fmt.Errorf("reading %s: %d texts but %d labels", filepath.Join(dir, folder), len(texts), len(labels))
		}
		found++
		for i := range texts {
			label := strings.TrimSpace(labels[i])
			if _, err := ParseLabel(label); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", filepath.Join(dir, folder, split+"_labels.txt"), i+1, err)
			}
			out = append(out, Example{Text: textnorm.Clean(texts[i]), Label: label, Lang: UMSABLanguages[folder]})
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("reading UMSAB %s split: no language folders in %s", split, dir)
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return lines, nil
}

// ReadTSV reads labelled examples written one per line as
// "label<TAB>text" (labels as ParseLabel takes them: neg, neu, pos, …),
// all in language lang. Blank lines and lines starting with "#" are
// skipped; a bad line is an error naming its number.
func ReadTSV(r io.Reader, lang string) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" || b[0] == '#' {
			continue
		}
		label, text, ok := strings.Cut(b, "\t")
		if !ok || strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("line %d: want label<TAB>text", line)
		}
		if _, err := ParseLabel(label); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, Example{Text: textnorm.Clean(strings.TrimSpace(text)), Label: label, Lang: lang})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading examples: %w", err)
	}
	return out, nil
}

// ReadExamples reads labelled examples from a file or a folder. A folder
// contributes its *.jsonl and *.tsv files in name order; a TSV file's
// language is its name ("pl.tsv" holds Polish).
func ReadExamples(path string) ([]Example, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("opening examples: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		for _, pat := range []string{"*.jsonl", "*.tsv"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("reading examples: no *.jsonl or *.tsv files in %s", path)
		}
	}
	var out []Example
	for _, f := range files {
		var ex []Example
		var err error
		if strings.HasSuffix(f, ".tsv") {
			ex, err = readTSVFile(f)
		} else {
			ex, err = ReadJSONLFile(f)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	return out, nil
}

func readTSVFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening examples: %w", err)
	}
	defer f.Close()
	ex, err := ReadTSV(f, strings.TrimSuffix(filepath.Base(path), ".tsv"))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ex, nil
}
