package analysis

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

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
