// Package connectors defines the contract every source of mentions follows,
// the registry of connector types, checkpoints and the runner that carries a
// connector's records to the raw topic with at-least-once delivery.
package connectors

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/earshothq/earshot/record"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"
)

// ErrNotConnected is returned by Read when the connection to the source was
// lost; the runner calls Connect again with backoff.
var ErrNotConnected = errors.New("connector not connected")

// ErrEndOfInput is returned by Read when a finite source (a file, a one-shot
// crawl) has nothing more to give; the runner waits for outstanding acks and
// stops the connector.
var ErrEndOfInput = errors.New("end of input")

// AckFunc is called exactly once per record read: with nil when Kafka has
// acknowledged the record, or with the error that stopped its delivery.
// A connector advances its checkpoint only on nil acks, and only to the
// highest contiguous acknowledged position.
type AckFunc func(ctx context.Context, err error) error

// Connector is a source of mentions, in the spirit of Redpanda Connect inputs.
// Read is called from one goroutine; acks may arrive from others and out of order.
type Connector interface {
	// Connect establishes the connection to the source (or loads the
	// checkpoint and opens the file). Called again after ErrNotConnected.
	Connect(ctx context.Context) error
	// Read blocks until a record is available, ctx is done, or the source
	// ends (ErrEndOfInput) or drops (ErrNotConnected).
	Read(ctx context.Context) (*record.Mention, AckFunc, error)
	// Close releases the connector's resources. Records read but not yet
	// acked will not be acked afterwards.
	Close(ctx context.Context) error
}

// HTTPConnector is an optional interface for connectors that receive their
// records over HTTP (forms, webhooks). The host mounts Handler under Prefix.
type HTTPConnector interface {
	Connector
	// Prefix is the URL path prefix to mount Handler on, e.g. "/f/".
	Prefix() string
	Handler() http.Handler
}

// CheckpointStore keeps a connector's position (Mastodon ids, crawl state)
// so a restarted or moved connector resumes where it left off. The Kafka
// implementation lives in a compacted topic; tests use MemoryCheckpoints.
type CheckpointStore interface {
	// Load returns the checkpoint saved under key, or nil when there is none.
	Load(ctx context.Context, key string) ([]byte, error)
	// Save stores value under key; it returns once the store acknowledged it.
	Save(ctx context.Context, key string, value []byte) error
}

// Deps are what the host gives a connector at construction.
type Deps struct {
	// Name is the connector instance's name from the config (unique).
	Name        string
	Logger      *slog.Logger
	Checkpoints CheckpointStore
	// Sealer seals personal data a connector keeps in its checkpoints
	// (nil: kept as is; use PersonalSealer).
	Sealer     Sealer
	Registerer prometheus.Registerer
	// MaxInFlight bounds records read but not yet acked.
	MaxInFlight int
}

// Factory builds a connector from its config node (the `config:` mapping of
// its entry). It must decode strictly (see DecodeConfig), apply defaults and
// validate, returning errors rather than logging them.
type Factory func(cfg *yaml.Node, deps Deps) (Connector, error)

// RejectedError is returned by Read for one input item that cannot become a
// record (a malformed JSON line, a CSV row with the wrong column count). The
// runner sends Raw to the dead-letter queue with the reason and position,
// calls Ack once the dead letter is acknowledged (so the checkpoint moves
// past the item), and keeps reading.
type RejectedError struct {
	Position string // e.g. "mentions.jsonl:17"
	Raw      []byte
	// Size is the item's size in bytes when Raw holds only its beginning
	// (an over-long line); 0 means len(Raw).
	Size int64
	Err  error
	Ack  AckFunc
}

func (e *RejectedError) Error() string { return e.Position + ": " + e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

// DeadLetterer receives rejected input items and records too large for the
// broker (pipeline.DeadLetters is the Kafka implementation).
type DeadLetterer interface {
	// DeadLetter writes dl, cut to what the broker takes (Value truncated,
	// Size and Truncated set), and returns once acknowledged.
	DeadLetter(ctx context.Context, dl *record.DeadLetter) error
}
