package enrich

import (
	"errors"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/internal/confx"
)

// Config is the `enrich:` section: the analysis and identity settings.
type Config struct {
	Analysis analysis.Config `yaml:"analysis"`
	Identity identity.Config `yaml:"identity"`
}

// DefaultConfig returns the defaults of both halves.
func DefaultConfig() Config {
	return Config{Analysis: analysis.DefaultConfig(), Identity: identity.DefaultConfig()}
}

// Validate checks both halves, prefixing keys with their section.
func (c Config) Validate() error {
	return confx.Prefix("enrich", errors.Join(c.Analysis.Validate(), c.Identity.Validate()))
}
