package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is the in-process Kafka-protocol broker of the one-machine mode.
// It listens on loopback, so kcat and any Kafka tool can read its topics, and
// keeps its data in a directory so records, offsets and groups survive a restart.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
}

// StartEmbedded starts the embedded broker. An empty DataDir keeps
// everything in memory (tests).
func StartEmbedded(cfg EmbeddedConfig, logger *slog.Logger) (*Embedded, error) {
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(cfg.Port),
		kfake.ClusterID("earshot-embedded"),
		// Allow short session timeouts so a crashed stage's partitions
		// move to a live instance quickly (the default minimum is 6s).
		kfake.GroupMinSessionTimeout(time.Second),
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating embedded broker data dir: %w", err)
		}
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if cfg.SyncWrites {
		opts = append(opts, kfake.SyncWrites())
	}
	if logger != nil {
		opts = append(opts, kfake.WithLogger(kfakeLogger{logger.With("component", "embedded-broker")}))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker on 127.0.0.1:%d: %w", cfg.Port, err)
	}
	addrs := c.ListenAddrs()
	return &Embedded{cluster: c, addr: addrs[0]}, nil
}

// Addr is the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// Compact has the broker compact its compacted topics now, physically
// rewriting their segment files without superseded records: after an
// erasure's tombstones, the person's keys and customer and prospect
// records leave the disk.
func (e *Embedded) Compact() { e.cluster.Compact() }

// Close stops the broker and flushes its data to disk.
func (e *Embedded) Close() { e.cluster.Close() }

// kfakeLogger forwards the broker's warnings and errors to slog; its debug
// and info chatter is per request and would drown the hub's own logs.
type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	switch level {
	case kfake.LogLevelError:
		k.l.Error(fmt.Sprintf(msg, args...))
	case kfake.LogLevelWarn:
		k.l.Log(context.Background(), slog.LevelWarn, fmt.Sprintf(msg, args...))
	}
}
