// Package file is the connector for backfills and demos: it reads mentions
// from a JSONL or CSV file with a field mapping, resumes from the last
// acknowledged line after a restart, and rejects malformed rows to the DLQ.
package file

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/pipeline"
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
}

// CSVConfig describes the CSV dialect; the first row is the header.
type CSVConfig struct {
	Delimiter string `yaml:"delimiter"`
}

// Validate names the first bad setting.
func (c *Config) Validate() error {
	if c.Path == "" {
		return fmt.Errorf("config.path: required")
	}
	switch c.Format {
	case "auto", "jsonl", "csv":
	default:
		return fmt.Errorf("config.format: %q is not auto, jsonl or csv", c.Format)
	}
	if !pipeline.Kind(c.Kind).Valid() {
		return fmt.Errorf("config.kind: %q is not a record kind", c.Kind)
	}
	if len([]rune(c.CSV.Delimiter)) != 1 {
		return fmt.Errorf("config.csv.delimiter: %q must be one character", c.CSV.Delimiter)
	}
	for target := range c.Mapping {
		if !knownTarget(target) {
			return fmt.Errorf("config.mapping.%s: unknown record field (known: %s, fields.<name>)", target, strings.Join(targets, ", "))
		}
	}
	if c.MaxLineBytes < 1024 {
		return fmt.Errorf("config.max_line_bytes: %d is below 1024", c.MaxLineBytes)
	}
	return nil
}

// DefaultConfig returns the defaults applied before the user's config.
func DefaultConfig() Config {
	return Config{Format: "auto", Source: "file", Kind: string(pipeline.KindMention), IDField: "id",
		CSV: CSVConfig{Delimiter: ","}, MaxLineBytes: 1 << 20}
}

// Connector reads one file.
type Connector struct {
	cfg    Config
	deps   connectors.Deps
	format string

	f       *os.File
	decoder rowDecoder
	seq     int64  // rows read, for contiguous acks
	key     string // checkpoint key

	mu          sync.Mutex
	acked       *contiguous
	lastSave    time.Time
	savedLine   int64
	endOfInput  bool
	checkpoints connectors.CheckpointStore
}

// New builds a file connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
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
			return nil, fmt.Errorf("config.format: cannot tell the format of %s from its extension; set jsonl or csv", cfg.Path)
		}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	return &Connector{cfg: cfg, deps: deps, format: format, checkpoints: deps.Checkpoints,
		key: "file/" + deps.Name}, nil
}

// checkpoint is what the connector saves: how many lines are fully acked.
type checkpoint struct {
	Path string `json:"path"`
	Line int64  `json:"line"`
}

// Connect opens the file and skips the lines acknowledged before.
func (c *Connector) Connect(ctx context.Context) error {
	if c.f != nil {
		return nil // a file does not drop; reconnecting would re-read it
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
		if cp.Path != c.cfg.Path {
			cp = checkpoint{} // another file under the same name: start over
		}
	}
	if c.format == "csv" {
		c.decoder, err = newCSVDecoder(f, []rune(c.cfg.CSV.Delimiter)[0], cp.Line)
		if err != nil {
			f.Close()
			return fmt.Errorf("reading CSV header of %s: %w", c.cfg.Path, err)
		}
	} else {
		c.decoder = newJSONLDecoder(f, c.cfg.MaxLineBytes, cp.Line)
	}
	c.f = f
	c.seq = 0
	c.acked = newContiguous()
	c.savedLine = cp.Line
	c.deps.Logger.Info("reading file", "path", c.cfg.Path, "format", c.format, "resume_after_line", cp.Line)
	return nil
}

// Read returns the next record, a RejectedError for a malformed row, or
// ErrEndOfInput at the end of the file.
func (c *Connector) Read(ctx context.Context) (*pipeline.Mention, connectors.AckFunc, error) {
	if c.f == nil {
		return nil, nil, connectors.ErrNotConnected
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	row, line, raw, err := c.decoder.next()
	if err == io.EOF {
		c.mu.Lock()
		c.endOfInput = true
		c.mu.Unlock()
		return nil, nil, connectors.ErrEndOfInput
	}
	c.seq++
	ack := c.ackFunc(c.seq, line)
	pos := fmt.Sprintf("%s:%d", filepath.Base(c.cfg.Path), line)
	if err != nil {
		return nil, nil, &connectors.RejectedError{Position: pos, Raw: raw, Err: err, Ack: ack}
	}
	m, err := c.toMention(row, raw)
	if err != nil {
		return nil, nil, &connectors.RejectedError{Position: pos, Raw: raw, Err: err, Ack: ack}
	}
	return m, ack, nil
}

// ackFunc marks a line done when Kafka acked it and saves the checkpoint
// when the contiguous acked prefix moved (at most every 500ms while running;
// Close saves the final position).
func (c *Connector) ackFunc(seq, line int64) connectors.AckFunc {
	return func(ctx context.Context, err error) error {
		if err != nil {
			return nil // not acked: the row stays above the checkpoint and is read again next run
		}
		c.mu.Lock()
		c.acked.done(seq, line)
		due := time.Since(c.lastSave) > 500*time.Millisecond
		c.mu.Unlock()
		if due {
			return c.saveCheckpoint(ctx)
		}
		return nil
	}
}

func (c *Connector) saveCheckpoint(ctx context.Context) error {
	c.mu.Lock()
	if c.acked == nil {
		c.mu.Unlock()
		return nil
	}
	upTo := c.acked.line
	if upTo <= c.savedLine {
		c.mu.Unlock()
		return nil
	}
	c.lastSave = time.Now()
	c.mu.Unlock()
	raw, _ := json.Marshal(checkpoint{Path: c.cfg.Path, Line: upTo})
	if err := c.checkpoints.Save(ctx, c.key, raw); err != nil {
		return err
	}
	c.mu.Lock()
	c.savedLine = max(c.savedLine, upTo)
	c.mu.Unlock()
	return nil
}

// Close saves the last acknowledged position and closes the file.
func (c *Connector) Close(ctx context.Context) error {
	if c.f == nil {
		return nil
	}
	err := c.saveCheckpoint(ctx)
	c.f.Close()
	c.f = nil
	return err
}

// contiguous tracks the rows acknowledged so far (acks arrive out of
// order) and the file line of the last row of the acked prefix: the
// checkpoint, since everything up to it is safely in Kafka.
type contiguous struct {
	seq     int64           // rows 1..seq are acked
	line    int64           // the line of row seq
	pending map[int64]int64 // acked rows above seq, to their lines
}

func newContiguous() *contiguous { return &contiguous{pending: map[int64]int64{}} }

func (c *contiguous) done(seq, line int64) {
	c.pending[seq] = line
	for {
		l, ok := c.pending[c.seq+1]
		if !ok {
			return
		}
		delete(c.pending, c.seq+1)
		c.seq++
		c.line = max(c.line, l)
	}
}
