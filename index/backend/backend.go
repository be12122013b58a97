// Package backend chooses and opens the configured search backend: the
// embedded index (default) or Elasticsearch.
package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/es"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/internal/confx"
)

// Backend kinds.
const (
	KindEmbedded      = "embedded"
	KindElasticsearch = "elasticsearch"
)

// Config is the `search` section of earshot.yaml.
type Config struct {
	Backend       string       `yaml:"backend"` // embedded or elasticsearch
	Embedded      bleve.Config `yaml:"embedded"`
	Elasticsearch es.Config    `yaml:"elasticsearch"`
	Stage         stage.Config `yaml:"stage"`
}

// DefaultConfig returns the default configuration (embedded).
func DefaultConfig() Config {
	return Config{Backend: KindEmbedded, Embedded: bleve.DefaultConfig(), Elasticsearch: es.DefaultConfig(), Stage: stage.DefaultConfig()}
}

// ElasticsearchBatchSize is the index stage's batch size on Elasticsearch
// when the config names none. Each batch costs the cluster a refresh of
// every index it wrote to (before the written people's mentions are read
// back for their profiles), a read-back and a profile write, whatever its
// size; a year of mentions written back to back went through a local node
// at 1,553–1,764 docs/s in batches of 1,000 and 3,894–4,030 in batches of
// 5,000 (BenchmarkIntegrationWriteBatchES). A caught-up stage writes what
// arrived (batch_linger), so the size bounds only a backlog's batches.
// The embedded index keeps 1,000: its refresh is free, and 2,000 measured
// the same.
const ElasticsearchBatchSize = 5000

// FillBackendDefaults sets the defaults that depend on the chosen backend
// where the file does not name them; named reports whether it does (a key
// relative to the search section).
func (c *Config) FillBackendDefaults(named func(key string) bool) {
	if c.Backend == KindElasticsearch && !named("stage.batch_size") {
		c.Stage.BatchSize = ElasticsearchBatchSize
	}
}

// Validate checks the chosen backend's settings and the stage's.
func (c Config) Validate() error {
	var err error
	switch c.Backend {
	case KindEmbedded:
		err = c.Embedded.Validate()
	case KindElasticsearch:
		err = c.Elasticsearch.Validate()
	default:
		return confx.Keyf("search.backend", "unknown backend %q (want embedded or elasticsearch)", c.Backend)
	}
	return confx.Prefix("search", errors.Join(err, c.Stage.Validate()))
}

// Open opens the configured backend and ensures its schema.
func Open(ctx context.Context, c Config, logger *slog.Logger, reg prometheus.Registerer) (index.Backend, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var b index.Backend
	var err error
	switch c.Backend {
	case KindElasticsearch:
		b, err = es.Open(c.Elasticsearch, logger, reg)
	default:
		b, err = bleve.Open(c.Embedded, logger, reg)
	}
	if err != nil {
		return nil, err
	}
	if err := b.EnsureSchema(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("ensuring the search schema: %w", err)
	}
	return b, nil
}
