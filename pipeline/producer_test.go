package pipeline

import (
	"strings"
	"testing"
	"time"
)

// Stages and streaming connectors batch for StreamBatchTimeout; every
// other producer for BatchTimeout. kafka-go reads a zero timeout as one
// second, so neither may be zero or negative.
func TestProducerBatchTimeouts(t *testing.T) {
	cfg := DefaultConfig()
	if cfg.Producer.StreamBatchTimeout <= cfg.Producer.BatchTimeout {
		t.Fatalf("stream batches wait %s, records someone waits for %s", cfg.Producer.StreamBatchTimeout, cfg.Producer.BatchTimeout)
	}
	k := &Kafka{cfg: cfg}
	waited, stream := k.NewProducer("waited", 1), k.NewStreamProducer("stream", 1)
	if waited.w.BatchTimeout != cfg.Producer.BatchTimeout || stream.w.BatchTimeout != cfg.Producer.StreamBatchTimeout {
		t.Errorf("batch timeouts %s and %s, want %s and %s", waited.w.BatchTimeout, stream.w.BatchTimeout,
			cfg.Producer.BatchTimeout, cfg.Producer.StreamBatchTimeout)
	}
	for _, c := range []struct {
		set  func(*ProducerConfig)
		want string
	}{
		{func(p *ProducerConfig) { p.BatchTimeout = 0 }, "kafka.producer.batch_timeout: must be positive"},
		{func(p *ProducerConfig) { p.StreamBatchTimeout = -time.Millisecond }, "kafka.producer.stream_batch_timeout: must be positive"},
	} {
		bad := DefaultConfig()
		c.set(&bad.Producer)
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want it to contain %q", err, c.want)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("the default config: %v", err)
	}
}
