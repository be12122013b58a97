package main

import (
	"errors"
	"fmt"
	"github.com/earshothq/earshot/privacy"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/web"
)

// Config is the whole earshot.yaml. Each section is owned by its package.
type Config struct {
	Kafka      pipeline.Config  `yaml:"kafka"`
	HTTP       web.Config       `yaml:"http"`
	Connect    ConnectConfig    `yaml:"connect"`
	Connectors []ConnectorEntry `yaml:"connectors"`
	Enrich     enrich.Config    `yaml:"enrich"`
	Search     backend.Config   `yaml:"search"`
	Alerts     alert.Config     `yaml:"alerts"`
	Privacy    privacy.Config   `yaml:"privacy"`
	// Retention is how long each kind of personal data is kept
	// (privacy.RetentionConfig; retention_wiring.go).
	Retention privacy.RetentionConfig `yaml:"retention"`

	file string
	root *yaml.Node
	// connectorNodes keep each entry's position for error messages.
	connectorNodes []*yaml.Node
}

// ConnectConfig is the `earshot connect` role of the distributed mode.
type ConnectConfig struct {
	// Listen serves the HTTP connectors (forms) and metrics of a connect
	// process; `earshot run` mounts them on http.listen instead.
	Listen string `yaml:"listen"`
}

// ConnectorEntry is one connector instance.
type ConnectorEntry struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Enabled *bool  `yaml:"enabled"`
	// MaxInFlight bounds records read but not yet acked by Kafka.
	MaxInFlight int       `yaml:"max_in_flight"`
	Config      yaml.Node `yaml:"config"`
}

// IsEnabled reports whether the entry runs (default yes).
func (e ConnectorEntry) IsEnabled() bool { return e.Enabled == nil || *e.Enabled }

// DefaultConfig is the embedded one-machine configuration.
func DefaultConfig() Config {
	cfg := Config{
		Kafka:   pipeline.DefaultConfig(),
		HTTP:    web.DefaultConfig(),
		Connect: ConnectConfig{Listen: "127.0.0.1:8081"},
		Enrich:  enrich.DefaultConfig(),
		Search:  backend.DefaultConfig(),
		Alerts:  alert.DefaultConfig(),
		Privacy: privacy.DefaultConfig(),
	}
	cfg.Retention = privacy.DefaultRetention()
	cfg.Kafka.TopicRetention = cfg.Retention.TopicRetention()
	return cfg
}

// LoadConfig reads, expands and strictly decodes a config file, then
// validates it. Every error names the file, and where it can the line and key.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig is LoadConfig on bytes already read.
func ParseConfig(file string, data []byte) (*Config, error) {
	data, err := confx.ExpandEnv(data, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, confx.Syntax(file, data, err)
	}
	cfg := DefaultConfig()
	cfg.file = file
	// Unknown keys and validation errors are reported together, so one
	// `config check` shows every problem in the file.
	decodeErr := confx.Decode(file, "", &root, &cfg)
	cfg.Search.FillBackendDefaults(func(key string) bool { return confx.Has(&root, "search."+key) })
	cfg.root = &root
	cfg.connectorNodes = connectorEntryNodes(&root)
	cfg.Kafka.TopicRetention = cfg.Retention.TopicRetention()
	if err := errors.Join(decodeErr, cfg.Validate()); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// connectorEntryNodes finds the YAML nodes of the connectors list entries.
func connectorEntryNodes(root *yaml.Node) []*yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "connectors" && root.Content[i+1].Kind == yaml.SequenceNode {
			return root.Content[i+1].Content
		}
	}
	return nil
}

// Validate checks every section and every connector's own config (by
// building it), reporting all problems at once.
func (c *Config) Validate() error {
	var errs []error
	errs = append(errs, confx.Position(c.file, c.root, "", c.Kafka.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.HTTP.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.Enrich.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.Search.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.Alerts.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.Privacy.Validate()))
	errs = append(errs, confx.Position(c.file, c.root, "", c.Retention.Validate()))
	seen := map[string]bool{}
	for i, e := range c.Connectors {
		var node *yaml.Node
		if i < len(c.connectorNodes) {
			node = c.connectorNodes[i]
		}
		key := fmt.Sprintf("connectors[%d]", i)
		switch {
		case e.Name == "":
			errs = append(errs, confx.Errorf(c.file, key+".name", node, "required"))
			continue
		case seen[e.Name]:
			errs = append(errs, confx.Errorf(c.file, key+".name", node, "duplicate connector name %q", e.Name))
		}
		seen[e.Name] = true
		reg, ok := connectors.Lookup(e.Type)
		if !ok {
			errs = append(errs, confx.Errorf(c.file, key+".type", node, "unknown connector type %q (known: %v)", e.Type, connectors.Types()))
			continue
		}
		if !e.IsEnabled() {
			continue
		}
		cfgNode := e.Config
		// Factories wrap their errors ("feed connector %q: ..."); the keys
		// inside are relative to the entry's config mapping.
		if _, err := reg.Factory(&cfgNode, connectors.Deps{Name: e.Name, Checkpoints: connectors.NewMemoryCheckpoints()}); err != nil {
			errs = append(errs, confx.Position(c.file, c.root, key+".config", err))
		}
	}
	return errors.Join(errs...)
}

// File is the path the config was loaded from.
func (c *Config) File() string { return c.file }
