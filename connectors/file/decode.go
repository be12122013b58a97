package file

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// row is one input item: a JSON object or a CSV record with its header.
type row interface {
	// get returns the value at a dotted path ("author.name").
	get(path string) (any, bool)
}

// rowDecoder yields rows with the line they start on and their raw bytes.
// A malformed row comes back with an error and its raw bytes; io.EOF ends.
type rowDecoder interface {
	next() (row, int64, []byte, error)
}

// jsonlDecoder reads one JSON object per line, skipping blank lines.
type jsonlDecoder struct {
	r       *bufio.Reader
	maxLine int
	line    int64
	// follow: a last line without its newline is still being written; keep
	// it until the rest arrives instead of reading half a record.
	follow  bool
	partial []byte
	size    int64 // bytes of the line readLine returned last
	// partialSize counts the bytes of partial, which keeps at most maxLine.
	partialSize int64
}

// newJSONLDecoder reads from r, skipping the first skip lines (already acked).
func newJSONLDecoder(r io.Reader, maxLine int, skip int64, follow bool) *jsonlDecoder {
	d := &jsonlDecoder{r: bufio.NewReaderSize(r, 64<<10), maxLine: maxLine, follow: follow}
	for d.line < skip {
		if _, _, err := d.readLine(); err != nil {
			break
		}
	}
	return d
}

var errLineTooLong = errors.New("line exceeds max_line_bytes")

// lineTooLongError is an over-long line: its size and the limit.
type lineTooLongError struct{ size, max int64 }

func (e *lineTooLongError) Error() string {
	return fmt.Sprintf("line of %d bytes exceeds max_line_bytes (%d)", e.size, e.max)
}
func (e *lineTooLongError) Unwrap() error { return errLineTooLong }

// readLine returns the next line without its newline; over-long lines are
// consumed and reported with their first maxLine bytes. size counts every
// byte of the line.
func (d *jsonlDecoder) readLine() ([]byte, bool, error) {
	buf := d.partial
	d.partial = nil
	tooLong := len(buf) > d.maxLine
	d.size = d.partialSize
	d.partialSize = 0
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.size += int64(len(bytes.TrimSuffix(chunk, []byte("\n"))))
		if len(buf)+len(chunk) > d.maxLine {
			tooLong = true
			if room := d.maxLine - len(buf); room > 0 {
				buf = append(buf, chunk[:min(room, len(chunk))]...)
			}
		} else {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(buf) == 0 && !tooLong {
			return nil, false, io.EOF
		}
		if err == io.EOF && d.follow {
			d.partial = append([]byte(nil), buf...)
			d.partialSize = d.size
			return nil, false, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		d.line++
		return bytes.TrimRight(buf, "\r\n"), tooLong, nil
	}
}

func (d *jsonlDecoder) next() (row, int64, []byte, error) {
	for {
		line, tooLong, err := d.readLine()
		if err != nil {
			return nil, d.line, nil, err
		}
		if tooLong {
			return nil, d.line, line, &lineTooLongError{size: d.size, max: int64(d.maxLine)}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		raw := append([]byte(nil), line...)
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, d.line, raw, fmt.Errorf("malformed JSON: %w", err)
		}
		if dec.More() {
			return nil, d.line, raw, errors.New("malformed JSON: more than one value on the line")
		}
		return jsonRow(obj), d.line, raw, nil
	}
}

type jsonRow map[string]any

func (r jsonRow) get(path string) (any, bool) {
	if v, ok := r[path]; ok {
		return v, v != nil
	}
	var cur any = map[string]any(r)
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// csvDecoder reads records under a header row.
type csvDecoder struct {
	r      *csv.Reader
	header []string
	// pending is a record the resume skip read past the checkpoint.
	pending     []string
	pendingLine int
	pendingErr  error
}

// newCSVDecoder reads the header, then skips the records that start on or
// before line skip (already acknowledged in an earlier run).
func newCSVDecoder(r io.Reader, delimiter rune, skip int64) (*csvDecoder, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.Comma = delimiter
	cr.FieldsPerRecord = -1 // checked per row, for a clearer message
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("file is empty: a header row is required")
		}
		return nil, err
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	d := &csvDecoder{r: cr, header: header}
	for skip > 1 {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line := csvLine(cr, rec, err)
		if int64(line) > skip {
			d.pending, d.pendingLine, d.pendingErr = rec, line, err
			break
		}
	}
	return d, nil
}

func (d *csvDecoder) read() ([]string, int, error) {
	if d.pending != nil || d.pendingErr != nil {
		rec, line, err := d.pending, d.pendingLine, d.pendingErr
		d.pending, d.pendingErr = nil, nil
		return rec, line, err
	}
	rec, err := d.r.Read()
	if err == io.EOF {
		return nil, 0, err
	}
	return rec, csvLine(d.r, rec, err), err
}

// csvLine is the line a record read with err starts on. FieldPos panics for
// a record without fields (a parse error mid-record), so parse errors take
// their own start line.
func csvLine(r *csv.Reader, rec []string, err error) int {
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return pe.StartLine
	}
	if len(rec) == 0 {
		return 0
	}
	line, _ := r.FieldPos(0)
	return line
}

func (d *csvDecoder) next() (row, int64, []byte, error) {
	rec, line, err := d.read()
	if err == io.EOF {
		return nil, 0, nil, io.EOF
	}
	if err != nil {
		return nil, int64(line), []byte(strings.Join(rec, string(d.r.Comma))), fmt.Errorf("malformed CSV: %w", err)
	}
	raw := []byte(strings.Join(rec, string(d.r.Comma)))
	if len(rec) != len(d.header) {
		return nil, int64(line), raw, fmt.Errorf("row has %d fields, the header has %d", len(rec), len(d.header))
	}
	m := make(csvRow, len(rec))
	for i, h := range d.header {
		m[h] = rec[i]
	}
	return m, int64(line), raw, nil
}

type csvRow map[string]string

func (r csvRow) get(path string) (any, bool) {
	v, ok := r[path]
	return v, ok && v != ""
}
