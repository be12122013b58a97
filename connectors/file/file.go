// Package file is the connector for backfills and demos: it reads mentions
// from a JSONL or CSV file with a field mapping, resumes from the last
// acknowledged line after a restart, and rejects malformed rows to the DLQ.
package file

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        "file",
		Description: "JSONL or CSV file with a field mapping (backfills, demos)",
		Factory:     New,
		Sample:      sample,
	})
}

// Config is the file connector's `config:` mapping.
type Config struct {
	Path       string            `yaml:"path"`
	Format     string            `yaml:"format"`
	Source     string            `yaml:"source"`
	Channel    string            `yaml:"channel"`
	Kind       string            `yaml:"kind"`
	IDField    string            `yaml:"id_field"`
	TimeLayout string            `yaml:"time_layout"`
	Mapping    map[string]string `yaml:"mapping"`
	CSV        CSVConfig         `yaml:"csv"`
	// MaxLineBytes caps one JSONL line or CSV record.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// Follow keeps reading as lines are appended (like tail -f) instead of
	// ending at the end of the file, and starts over on a rotated file.
	Follow       bool          `yaml:"follow"`
	PollInterval time.Duration `yaml:"poll_interval"`
}

// CSVConfig describes the CSV dialect; the first row is the header.
type CSVConfig struct {
	Delimiter string `yaml:"delimiter"`
}

// Validate names the first bad setting.
func (c *Config) Validate() error {
	if c.Path == "" {
		return confx.Keyf("path", "required")
	}
	switch c.Format {
	case "auto", "jsonl", "csv":
	default:
		return confx.Keyf("format", "%q is not auto, jsonl or csv", c.Format)
	}
	if !record.Kind(c.Kind).Valid() {
		return confx.Keyf("kind", "%q is not a record kind", c.Kind)
	}
	if len([]rune(c.CSV.Delimiter)) != 1 {
		return confx.Keyf("csv.delimiter", "%q must be one character", c.CSV.Delimiter)
	}
	for target := range c.Mapping {
		if !knownTarget(target) {
			return confx.Keyf("mapping."+target, "unknown record field (known: %s, fields.<name>)", strings.Join(targets, ", "))
		}
	}
	if c.Follow && c.Format == "csv" {
		return confx.Keyf("follow", "supported for jsonl only (a CSV record may span lines being written)")
	}
	if c.PollInterval <= 0 {
		return confx.Keyf("poll_interval", "must be positive")
	}
	if c.MaxLineBytes < 1024 {
		return confx.Keyf("max_line_bytes", "%d is below 1024", c.MaxLineBytes)
	}
	return nil
}

// DefaultConfig returns the defaults applied before the user's config.
func DefaultConfig() Config {
	return Config{Format: "auto", Source: "file", Kind: string(record.KindMention), IDField: "id",
		CSV: CSVConfig{Delimiter: ","}, MaxLineBytes: 1 << 20, PollInterval: time.Second}
}

// Connector reads one file.
type Connector struct {
	cfg         Config
	deps        connectors.Deps
	format      string
	key         string // checkpoint key
	checkpoints connectors.CheckpointStore
	// slots bounds rows handed out but not yet acknowledged.
	slots chan struct{}

	f       *os.File
	decoder rowDecoder
	seq     int64    // rows handed out in this connection, for contiguous acks
	skip    lineRuns // lines acked in an earlier run above its prefix

	mu        sync.Mutex
	acked     *contiguous
	carried   lineRuns // skip lines not yet covered by the new prefix
	first     string   // fingerprint of the file's first line
	lastSave  time.Time
	savedLine int64
}

// New builds a file connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	format := cfg.Format
	if format == "auto" {
		switch strings.ToLower(filepath.Ext(cfg.Path)) {
		case ".csv", ".tsv":
			format = "csv"
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		default:
			if cfg.Path != "" {
				return nil, confx.Keyf("format", "cannot tell the format of %s from its extension; set jsonl or csv", cfg.Path)
			}
		}
		cfg.Format = format
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	return &Connector{cfg: cfg, deps: deps, format: format, checkpoints: deps.Checkpoints,
		key: "file/" + deps.Name, slots: make(chan struct{}, deps.InFlight())}, nil
}

// checkpoint is what the connector saves: the line of the last row of the
// acknowledged prefix, the runs of lines acknowledged above it (acks arrive
// out of order), and a fingerprint of the file so a rotated file starts over.
// Runs keep it small however many lines are acknowledged above a gap, and at
// most maxCheckpointRuns are kept: lines of dropped runs are read again after
// a restart (their records overwrite themselves: ids are deterministic).
type checkpoint struct {
	Path  string   `json:"path"`
	First string   `json:"first,omitempty"`
	Line  int64    `json:"line"`
	Above lineRuns `json:"above,omitempty"`
}

// maxCheckpointRuns bounds the runs a checkpoint keeps above its line.
const maxCheckpointRuns = 64

// Connect opens the file and skips the rows acknowledged before.
func (c *Connector) Connect(ctx context.Context) error {
	if c.f != nil {
		return nil // still open: a file does not drop on its own
	}
	f, err := os.Open(c.cfg.Path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", c.cfg.Path, err)
	}
	var cp checkpoint
	raw, err := c.checkpoints.Load(ctx, c.key)
	if err != nil {
		f.Close()
		return fmt.Errorf("loading checkpoint %s: %w", c.key, err)
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			f.Close()
			return fmt.Errorf("decoding checkpoint %s: %w", c.key, err)
		}
	}
	first, err := fingerprint(c.cfg.Path)
	if err != nil {
		f.Close()
		return err
	}
	if cp.Path != c.cfg.Path || cp.First != first {
		cp = checkpoint{} // another or a rotated file under this name: start over
	}
	if c.format == "csv" {
		c.decoder, err = newCSVDecoder(f, []rune(c.cfg.CSV.Delimiter)[0], cp.Line)
		if err != nil {
			f.Close()
			return fmt.Errorf("reading CSV header of %s: %w", c.cfg.Path, err)
		}
	} else {
		c.decoder = newJSONLDecoder(f, c.cfg.MaxLineBytes, cp.Line, c.cfg.Follow)
	}
	c.f = f
	c.seq = 0
	c.skip = cp.Above
	c.mu.Lock()
	c.acked = newContiguous(cp.Line)
	c.carried = slices.Clone(c.skip)
	c.first = first
	c.savedLine = cp.Line
	c.mu.Unlock()
	c.deps.Logger.Info("reading file", "path", c.cfg.Path, "format", c.format, "resume_after_line", cp.Line, "follow", c.cfg.Follow)
	return nil
}

// Read returns the next record, a RejectedError for a malformed row, or
// ErrEndOfInput at the end of the file (unless following it).
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	if c.f == nil {
		return nil, nil, connectors.ErrNotConnected
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	for {
		row, line, raw, err := c.decoder.next()
		if err == io.EOF {
			if !c.cfg.Follow {
				<-c.slots
				return nil, nil, connectors.ErrEndOfInput
			}
			if werr := c.waitForGrowth(ctx); werr != nil {
				<-c.slots
				return nil, nil, werr
			}
			continue
		}
		if c.skip.contains(line) {
			continue // acknowledged in an earlier run
		}
		c.seq++
		ack := c.ackFunc(c.seq, line)
		pos := fmt.Sprintf("%s:%d", filepath.Base(c.cfg.Path), line)
		if err != nil {
			rej := &connectors.RejectedError{Position: pos, Raw: raw, Err: err, Ack: ack}
			if tl := (*lineTooLongError)(nil); errors.As(err, &tl) {
				rej.Size = tl.size
			}
			return nil, nil, rej
		}
		m, err := c.toMention(row, raw)
		if err != nil {
			return nil, nil, &connectors.RejectedError{Position: pos, Raw: raw, Err: err, Ack: ack}
		}
		return m, ack, nil
	}
}

// waitForGrowth sleeps a poll interval; a file replaced or truncated under
// its name ends this connection so Connect starts on the new file.
func (c *Connector) waitForGrowth(ctx context.Context) error {
	if err := connectors.Sleep(ctx, c.cfg.PollInterval); err != nil {
		return err
	}
	open, err := c.f.Stat()
	if err != nil {
		return fmt.Errorf("checking %s: %w", c.cfg.Path, err)
	}
	cur, err := os.Stat(c.cfg.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // being rotated: the new file appears shortly
		}
		return fmt.Errorf("checking %s: %w", c.cfg.Path, err)
	}
	pos, _ := c.f.Seek(0, io.SeekCurrent)
	if !os.SameFile(open, cur) || cur.Size() < pos {
		c.deps.Logger.Info("file rotated or truncated; starting over", "path", c.cfg.Path)
		c.f.Close()
		c.f = nil
		return connectors.ErrNotConnected
	}
	return nil
}

// ackFunc releases the row's slot and, when Kafka acked it, records it and
// saves the checkpoint (at most every 500ms while running; Close saves the
// final position).
func (c *Connector) ackFunc(seq, line int64) connectors.AckFunc {
	var once sync.Once
	return func(ctx context.Context, err error) error {
		var saveErr error
		once.Do(func() {
			<-c.slots
			if err != nil {
				return // not acked: the row stays above the checkpoint and is read again next run
			}
			c.mu.Lock()
			c.acked.done(seq, line)
			due := time.Since(c.lastSave) > 500*time.Millisecond
			c.mu.Unlock()
			if due {
				saveErr = c.saveCheckpoint(ctx)
			}
		})
		return saveErr
	}
}

func (c *Connector) saveCheckpoint(ctx context.Context) error {
	c.mu.Lock()
	if c.acked == nil {
		c.mu.Unlock()
		return nil
	}
	cp := checkpoint{Path: c.cfg.Path, First: c.first, Line: c.acked.line}
	cp.Above = c.carried.above(cp.Line)
	for _, r := range c.acked.pending {
		cp.Above = append(cp.Above, [2]int64{r.lineFrom, r.lineTo})
	}
	cp.Above = cp.Above.normalize(maxCheckpointRuns)
	if cp.Line <= c.savedLine && len(cp.Above) == 0 {
		c.mu.Unlock()
		return nil
	}
	c.lastSave = time.Now()
	c.mu.Unlock()
	if cp.First == "" {
		// The file was empty at Connect; fingerprint it now it has rows.
		first, err := fingerprint(c.cfg.Path)
		if err != nil {
			return err
		}
		cp.First = first
		c.mu.Lock()
		c.first = first
		c.mu.Unlock()
	}
	raw, _ := json.Marshal(cp)
	if err := c.checkpoints.Save(ctx, c.key, raw); err != nil {
		return err
	}
	c.mu.Lock()
	c.savedLine = max(c.savedLine, cp.Line)
	c.mu.Unlock()
	return nil
}

// Close saves the last acknowledged position and closes the file.
func (c *Connector) Close(ctx context.Context) error {
	err := c.saveCheckpoint(ctx)
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
	return err
}

// fingerprint hashes the file's first line, so a checkpoint is applied only
// to the file it was taken on ("" for an empty or missing file).
func fingerprint(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	first, err := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if !strings.HasSuffix(first, "\n") {
		return "", nil // no complete first line yet
	}
	sum := sha256.Sum256([]byte(first))
	return hex.EncodeToString(sum[:8]), nil
}

// contiguous tracks the rows acknowledged so far (acks arrive out of
// order): the file line of the last row of the acked prefix, and the runs of
// acked rows above it (as many as there are gaps: rows in flight or failed).
type contiguous struct {
	seq     int64    // rows 1..seq are acked
	line    int64    // the line of row seq (the checkpoint)
	pending []seqRun // acked rows above seq, sorted, neither adjacent nor overlapping
}

// seqRun is rows from..to, acked, on lines lineFrom..lineTo.
type seqRun struct{ from, to, lineFrom, lineTo int64 }

func newContiguous(line int64) *contiguous {
	return &contiguous{line: line}
}

func (c *contiguous) done(seq, line int64) {
	p := c.pending
	i := sort.Search(len(p), func(i int) bool { return p[i].from > seq })
	left := i > 0 && p[i-1].to+1 == seq
	right := i < len(p) && p[i].from-1 == seq
	switch {
	case left && right:
		p[i-1].to, p[i-1].lineTo = p[i].to, p[i].lineTo
		c.pending = slices.Delete(p, i, i+1)
	case left:
		p[i-1].to, p[i-1].lineTo = seq, line
	case right:
		p[i].from, p[i].lineFrom = seq, line
	default:
		c.pending = slices.Insert(p, i, seqRun{from: seq, to: seq, lineFrom: line, lineTo: line})
	}
	if len(c.pending) > 0 && c.pending[0].from == c.seq+1 {
		c.seq = c.pending[0].to
		c.line = max(c.line, c.pending[0].lineTo)
		c.pending = slices.Delete(c.pending, 0, 1)
	}
}

// lineRuns are sorted runs of lines [from, to]. Checkpoints of earlier
// versions listed single lines; both forms decode.
type lineRuns [][2]int64

func (r *lineRuns) UnmarshalJSON(b []byte) error {
	var runs [][2]int64
	if err := json.Unmarshal(b, &runs); err == nil {
		*r = lineRuns(runs).normalize(0)
		return nil
	}
	var lines []int64
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("decoding acknowledged lines: %w", err)
	}
	out := make(lineRuns, 0, len(lines))
	for _, l := range lines {
		out = append(out, [2]int64{l, l})
	}
	*r = out.normalize(0)
	return nil
}

// contains reports whether line is in a run.
func (r lineRuns) contains(line int64) bool {
	i := sort.Search(len(r), func(i int) bool { return r[i][1] >= line })
	return i < len(r) && r[i][0] <= line
}

// above returns the parts of the runs above line.
func (r lineRuns) above(line int64) lineRuns {
	var out lineRuns
	for _, run := range r {
		if run[1] > line {
			out = append(out, [2]int64{max(run[0], line+1), run[1]})
		}
	}
	return out
}

// normalize sorts the runs, merges touching ones and keeps the first limit
// (0: all).
func (r lineRuns) normalize(limit int) lineRuns {
	slices.SortFunc(r, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	out := r[:0]
	for _, run := range r {
		if n := len(out); n > 0 && run[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], run[1])
			continue
		}
		out = append(out, run)
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
