package analysis

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/record"
)

// BatchStats counts what RunBatch did.
type BatchStats struct {
	Records int // analysed and written
	Bad     int // lines that could not be read
}

// RunBatch reads JSONL mentions ({"text": ..., "lang": ..., "title": ...}
// plus any other fields) or plain text lines from in, and writes one JSON
// object per record to out: the input's fields plus "analysis". Blank
// lines are skipped. A line that starts with "{" but is not valid JSON is
// reported on errw with its line number and skipped; the error returned at
// the end counts them, so nothing already written is lost.
func RunBatch(ctx context.Context, a *Analyzer, in io.Reader, out, errw io.Writer) (BatchStats, error) {
	var st BatchStats
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	w := bufio.NewWriter(out)
	defer w.Flush()
	var firstBad error
	line := 0
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		rec, m, err := decodeLine(raw)
		if err != nil {
			st.Bad++
			err = fmt.Errorf("line %d: %w", line, err)
			if firstBad == nil {
				firstBad = err
			}
			fmt.Fprintln(errw, "earshot analyze:", err)
			continue
		}
		rec["analysis"] = a.Analyze(m)
		b, err := json.Marshal(rec)
		if err != nil {
			return st, fmt.Errorf("encoding line %d: %w", line, err)
		}
		w.Write(b)
		w.WriteByte('\n')
		st.Records++
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("reading input: %w", err)
	}
	if err := w.Flush(); err != nil {
		return st, fmt.Errorf("writing output: %w", err)
	}
	if st.Bad > 0 {
		return st, fmt.Errorf("%d of %d lines could not be read (first: %w)", st.Bad, st.Bad+st.Records, firstBad)
	}
	return st, nil
}

// decodeLine turns one input line into the output record and the mention
// to analyse.
func decodeLine(raw []byte) (map[string]any, *record.Mention, error) {
	if raw[0] != '{' {
		text := string(raw)
		return map[string]any{"text": text}, &record.Mention{Text: text}, nil
	}
	rec := map[string]any{}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, nil, fmt.Errorf("decoding JSON: %w", err)
	}
	var m struct {
		Text  any    `json:"text"`
		Title string `json:"title"`
		Lang  string `json:"lang"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("decoding JSON: %w", err)
	}
	text, ok := m.Text.(string)
	if m.Text != nil && !ok {
		return nil, nil, errors.New(`"text" must be a string`)
	}
	if strings.TrimSpace(text) == "" && strings.TrimSpace(m.Title) == "" {
		return nil, nil, errors.New(`no "text" (or "title") to analyse`)
	}
	return rec, &record.Mention{Text: text, Title: m.Title, Lang: m.Lang}, nil
}

// TrainRequest is what `earshot train sentiment` asks for.
type TrainRequest struct {
	Data     string // JSONL of {"text", "label", "lang"?}
	UMSAB    string // or a UMSAB folder (train split)
	Val      string // optional JSONL to evaluate on
	UMSABVal bool   // evaluate on the UMSAB val split (with UMSAB)
	Out      string
	Options  sentiment.TrainOptions
}

// TrainSentiment trains a sentiment model as requested, writes it to
// req.Out and reports to w. Examples without a "lang" get the detected one.
func TrainSentiment(req TrainRequest, w io.Writer) error {
	if (req.Data == "") == (req.UMSAB == "") {
		return errors.New("training sentiment: give exactly one of --data or --umsab")
	}
	if req.Out == "" {
		return errors.New("training sentiment: --out is required")
	}
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		return err
	}
	var train, val []sentiment.Example
	if req.Data != "" {
		if train, err = sentiment.ReadJSONLFile(req.Data); err != nil {
			return err
		}
	} else {
		if train, err = sentiment.ReadUMSAB(req.UMSAB, "train"); err != nil {
			return err
		}
		if req.UMSABVal {
			if val, err = sentiment.ReadUMSAB(req.UMSAB, "val"); err != nil {
				return err
			}
		}
	}
	if req.Val != "" {
		if val, err = sentiment.ReadJSONLFile(req.Val); err != nil {
			return err
		}
	}
	fill := func(set []sentiment.Example) {
		for i := range set {
			set[i].Group = set[i].Lang
			set[i].Lang = sentiment.LexiconLanguage(det.Detect(set[i].Text, set[i].Lang).Code, set[i].Lang, true)
			if set[i].Group == "" {
				set[i].Group = set[i].Lang
			}
		}
	}
	fill(train)
	fill(val)
	m, err := sentiment.Train(train, req.Options)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(req.Out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	fmt.Fprintf(w, "trained on %d examples (languages %v), model %s (%d bytes)\n", len(train), m.Languages(), req.Out, buf.Len())
	if len(val) == 0 {
		return nil
	}
	m, err = sentiment.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	c, err := sentiment.NewClassifier(m)
	if err != nil {
		return err
	}
	rep, err := sentiment.Evaluate(c, val)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "evaluation on %d examples:\n", len(val))
	rep.Write(w)
	return nil
}
