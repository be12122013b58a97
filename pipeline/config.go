package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/confx"
)

// Config is the Kafka side of Earshot: where the brokers are (or the
// embedded one), how topics are created, and how stages produce and consume.
type Config struct {
	// Brokers are bootstrap addresses of an external cluster. Ignored when
	// Embedded.Enabled, where the embedded broker's address is used.
	Brokers     []string      `yaml:"brokers"`
	ClientID    string        `yaml:"client_id"`
	TopicPrefix string        `yaml:"topic_prefix"`
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// TLS and SASL secure the connections to an external cluster
	// (security.go); the embedded broker takes neither.
	TLS      TLSConfig      `yaml:"tls"`
	SASL     SASLConfig     `yaml:"sasl"`
	Embedded EmbeddedConfig `yaml:"embedded"`
	Topics   TopicsConfig   `yaml:"topics"`
	Producer ProducerConfig `yaml:"producer"`
	Consumer ConsumerConfig `yaml:"consumer"`

	// TopicRetention is retention.ms by topic role (-1: forever), from the
	// retention section (privacy.RetentionConfig.TopicRetention): set at
	// creation and reconciled on every start (retention.go). Roles not in
	// it keep the broker's default.
	TopicRetention map[string]int64 `yaml:"-"`
}

// EmbeddedConfig runs an in-process Kafka-protocol broker (kfake) on loopback.
type EmbeddedConfig struct {
	Enabled bool `yaml:"enabled"`
	// Port on 127.0.0.1; 0 picks a free one.
	Port int `yaml:"port"`
	// DataDir keeps topics, offsets and groups across restarts.
	DataDir string `yaml:"data_dir"`
	// SyncWrites fsyncs every produced batch: slower, but an acked record
	// survives a power loss, not only a process crash.
	SyncWrites bool `yaml:"sync_writes"`
}

// TopicsConfig says how topics are created at start-up.
type TopicsConfig struct {
	Partitions        int `yaml:"partitions"`
	ReplicationFactor int `yaml:"replication_factor"`
	// Overrides per role (raw, enriched, customers, prospects, checkpoints, erasures, dlq).
	Overrides map[string]TopicOverride `yaml:"overrides"`
}

// TopicOverride changes one topic's creation settings.
type TopicOverride struct {
	Partitions        int    `yaml:"partitions"`
	ReplicationFactor int    `yaml:"replication_factor"`
	CleanupPolicy     string `yaml:"cleanup_policy"` // delete, compact, "compact,delete"
	// RetentionMs is refused: retention is set per data kind in the
	// retention section (one knob). Kept so an old config gets a pointed
	// error instead of "unknown key".
	RetentionMs int64 `yaml:"retention_ms"`
}

// ProducerConfig tunes the kafka-go writer.
type ProducerConfig struct {
	// BatchTimeout is how long a record someone waits for (a form's
	// answer, a web app action, a key) may wait for its batch to fill.
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	// StreamBatchTimeout is the same for the records of a flow nobody
	// waits on one by one: the stages' outputs and the connectors that
	// poll, stream, crawl or read files (NewStreamProducer).
	StreamBatchTimeout time.Duration `yaml:"stream_batch_timeout"`
	BatchSize          int           `yaml:"batch_size"`
	BatchBytes         int64         `yaml:"batch_bytes"`
	Compression        string        `yaml:"compression"` // none, gzip, snappy, lz4, zstd
	// Acks: "all" (default, every in-sync replica) or "leader".
	Acks         string        `yaml:"acks"`
	MaxAttempts  int           `yaml:"max_attempts"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
}

// ConsumerConfig tunes consuming stages.
type ConsumerConfig struct {
	GroupPrefix string `yaml:"group_prefix"`
	// MaxInFlight bounds records fetched but not yet settled per stage.
	MaxInFlight int `yaml:"max_in_flight"`
	// Workers process partitions in parallel (order is kept per partition).
	Workers int `yaml:"workers"`
	// Retries before a failing record goes to the dead-letter queue.
	Retries        int           `yaml:"retries"`
	RetryBackoff   time.Duration `yaml:"retry_backoff"`
	CommitInterval time.Duration `yaml:"commit_interval"`
	SessionTimeout time.Duration `yaml:"session_timeout"`
	MaxWait        time.Duration `yaml:"max_wait"`
	MaxBytes       int           `yaml:"max_bytes"`
}

// DefaultConfig is the embedded, one-machine configuration.
func DefaultConfig() Config {
	return Config{
		ClientID:    "earshot",
		TopicPrefix: "earshot.",
		DialTimeout: 10 * time.Second,
		Embedded:    EmbeddedConfig{Enabled: true, Port: 9092, DataDir: "data/kafka"},
		Topics:      TopicsConfig{Partitions: 6, ReplicationFactor: 1},
		Producer: ProducerConfig{
			BatchTimeout: 2 * time.Millisecond,
			// At 2 ms a busy one-machine pipeline sent about one record
			// per partition per request, and the requests, not the
			// records, took the CPU (bench/e2e: 881–992 → 682–742 µs per
			// mention; a form post → searchable p99 140 → 156 ms).
			StreamBatchTimeout: 25 * time.Millisecond,
			BatchSize:          1000,
			BatchBytes:         1 << 20, // the broker default message.max.bytes
			Compression:        "snappy",
			Acks:               "all",
			MaxAttempts:        10,
			WriteTimeout:       10 * time.Second,
		},
		Consumer: ConsumerConfig{
			GroupPrefix:    "earshot-",
			MaxInFlight:    10000,
			Workers:        2,
			Retries:        3,
			RetryBackoff:   200 * time.Millisecond,
			CommitInterval: 500 * time.Millisecond,
			SessionTimeout: 30 * time.Second,
			MaxWait:        250 * time.Millisecond,
			MaxBytes:       4 << 20,
		},
	}
}

var compressions = map[string]bool{"": true, "none": true, "gzip": true, "snappy": true, "lz4": true, "zstd": true}

// Validate checks the settings and names every bad one.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, confx.Keyf("kafka."+key, format, args...))
	}
	if !c.Embedded.Enabled && len(c.Brokers) == 0 {
		bad("brokers", "no brokers and the embedded broker is disabled")
	}
	for i, b := range c.Brokers {
		if !strings.Contains(b, ":") {
			bad(fmt.Sprintf("brokers[%d]", i), "%q is not host:port", b)
		}
	}
	if c.Embedded.Enabled && (c.Embedded.Port < 0 || c.Embedded.Port > 65535) {
		bad("embedded.port", "%d is not a TCP port", c.Embedded.Port)
	}
	c.validateSecurity(bad)
	if c.Topics.Partitions < 1 {
		bad("topics.partitions", "must be at least 1, got %d", c.Topics.Partitions)
	}
	if c.Topics.ReplicationFactor < 1 {
		bad("topics.replication_factor", "must be at least 1, got %d", c.Topics.ReplicationFactor)
	}
	for role, o := range c.Topics.Overrides {
		if !knownRole(role) {
			bad("topics.overrides."+role, "unknown topic role (known: %s)", strings.Join(Roles, ", "))
		}
		switch o.CleanupPolicy {
		case "", "delete", "compact", "compact,delete", "delete,compact":
		default:
			bad("topics.overrides."+role+".cleanup_policy", "%q is not delete, compact or compact,delete", o.CleanupPolicy)
		}
		if o.RetentionMs != 0 {
			bad("topics.overrides."+role+".retention_ms", "retention is set per data kind in the retention section (retention.raw, retention.enriched, retention.dlq, ...), e.g. `retention: {dlq: 30d}`")
		}
	}
	if !compressions[c.Producer.Compression] {
		bad("producer.compression", "%q is not none, gzip, snappy, lz4 or zstd", c.Producer.Compression)
	}
	if c.Producer.Acks != "all" && c.Producer.Acks != "leader" {
		bad("producer.acks", "%q is not all or leader", c.Producer.Acks)
	}
	// kafka-go reads a zero timeout as one second.
	if c.Producer.BatchTimeout <= 0 {
		bad("producer.batch_timeout", "must be positive, got %s", c.Producer.BatchTimeout)
	}
	if c.Producer.StreamBatchTimeout <= 0 {
		bad("producer.stream_batch_timeout", "must be positive, got %s", c.Producer.StreamBatchTimeout)
	}
	if c.Producer.BatchSize < 1 {
		bad("producer.batch_size", "must be at least 1")
	}
	if c.Consumer.MaxInFlight < 1 {
		bad("consumer.max_in_flight", "must be at least 1")
	}
	if c.Consumer.Workers < 1 {
		bad("consumer.workers", "must be at least 1")
	}
	if c.Consumer.Retries < 0 {
		bad("consumer.retries", "must not be negative")
	}
	return errors.Join(errs...)
}

func knownRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// TopicNames returns the topic names under the configured prefix.
func (c Config) TopicNames() Topics { return Topics{Prefix: c.TopicPrefix} }

// Group returns the consumer group id of a stage.
func (c Config) Group(stage string) string { return c.Consumer.GroupPrefix + stage }
