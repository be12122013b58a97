package analysis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/record"
)

// ReadCorrections reads corrections exported as JSONL (one
// record.Correction per line, as the corrections topic holds them). A
// later line with the same id replaces an earlier one, as compaction
// would; a bad line is an error naming its number.
func ReadCorrections(r io.Reader) ([]record.Correction, error) {
	byID := map[string]int{}
	var out []record.Correction
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var c record.Correction
		if err := json.Unmarshal([]byte(b), &c); err != nil {
			return nil, fmt.Errorf("corrections line %d: decoding JSON: %w", line, err)
		}
		if err := ValidateCorrection(&c); err != nil {
			return nil, fmt.Errorf("corrections line %d: %w", line, err)
		}
		if i, ok := byID[c.ID]; ok {
			out[i] = c
			continue
		}
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading corrections: %w", err)
	}
	return out, nil
}

// ReadCorrectionsFile reads a JSONL export of corrections.
func ReadCorrectionsFile(path string) ([]record.Correction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening corrections: %w", err)
	}
	defer f.Close()
	cs, err := ReadCorrections(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return cs, nil
}

// ValidateCorrection checks what training relies on; a correction without
// an id gets the one its mention and field imply.
func ValidateCorrection(c *record.Correction) error {
	if strings.TrimSpace(c.Text) == "" {
		return fmt.Errorf("correction %q has no text", c.ID)
	}
	switch c.Field {
	case record.CorrectSentiment:
		if _, err := sentiment.ParseLabel(c.Value); err != nil {
			return fmt.Errorf("correction %q: %w", c.ID, err)
		}
	case record.CorrectRelevance:
		if c.Value != "irrelevant" && c.Value != "relevant" {
			return fmt.Errorf("correction %q: relevance %q (want irrelevant or relevant)", c.ID, c.Value)
		}
	case record.CorrectIntent:
		if strings.TrimPrefix(c.Value, "-") == "" {
			return fmt.Errorf("correction %q: empty intent", c.ID)
		}
	default:
		return fmt.Errorf("correction %q: unknown field %q", c.ID, c.Field)
	}
	if c.ID == "" {
		if c.MentionID == "" {
			return fmt.Errorf("correction of %q has neither id nor mention_id", c.Text)
		}
		c.ID = record.CorrectionID(c.MentionID, c.Field)
	}
	return nil
}

// heldBack reports whether a correction is kept out of training for the
// evaluation: a fixed share of ids, whatever order they come in.
func heldBack(id string, share float64) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return float64(h.Sum32()%10000) < share*10000
}

// SplitCorrections turns the sentiment corrections into examples to learn
// from and held-back examples to evaluate on (in id order, so training is
// reproducible), and counts the corrections of other fields.
func SplitCorrections(cs []record.Correction, holdBack float64) (learn, held []sentiment.Example, other int) {
	sorted := append([]record.Correction(nil), cs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, c := range sorted {
		if c.Field != record.CorrectSentiment {
			other++
			continue
		}
		ex := sentiment.Example{Text: textnorm.Clean(c.Text), Label: c.Value, Lang: lang2(c.Language)}
		if heldBack(c.ID, holdBack) {
			held = append(held, ex)
		} else {
			learn = append(learn, ex)
		}
	}
	return learn, held, other
}

// lang2 is a stated language's base code ("pt-BR" → "pt").
func lang2(code string) string {
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	return strings.ToLower(code)
}
