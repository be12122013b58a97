// Package pipelinetest gives tests a Kafka to talk to: the embedded broker
// on a free loopback port, or the real cluster named by EARSHOT_TEST_KAFKA.
package pipelinetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
)

// EnvKafka names the environment variable holding a real broker address.
const EnvKafka = "EARSHOT_TEST_KAFKA"

// Cluster is a Kafka for one test, with its own topic prefix so tests
// sharing a real broker never see each other's records.
type Cluster struct {
	Brokers  []string
	Config   pipeline.Config
	Kafka    *pipeline.Kafka
	Embedded *pipeline.Embedded // nil on a real broker
}

// New starts the embedded broker (in memory) or connects to
// EARSHOT_TEST_KAFKA, creates the topics under a unique prefix and returns
// the handle. Everything is torn down by t.Cleanup.
func New(t testing.TB) *Cluster {
	t.Helper()
	return NewWithConfig(t, func(*pipeline.Config) {})
}

// NewWithConfig is New with a hook to change the pipeline config first.
func NewWithConfig(t testing.TB, edit func(*pipeline.Config)) *Cluster {
	t.Helper()
	cfg := TestConfig()
	edit(&cfg)
	c := &Cluster{Config: cfg}
	if addr := os.Getenv(EnvKafka); addr != "" {
		c.Brokers = strings.Split(addr, ",")
		c.Config.Embedded.Enabled = false
		c.Config.Brokers = c.Brokers
	} else {
		e, err := pipeline.StartEmbedded(pipeline.EmbeddedConfig{Enabled: true, Port: 0}, nil)
		if err != nil {
			t.Fatalf("starting embedded broker: %v", err)
		}
		t.Cleanup(e.Close)
		c.Embedded = e
		c.Brokers = []string{e.Addr()}
	}
	c.Kafka = pipeline.NewKafka(c.Config, c.Brokers, nil, nil)
	t.Cleanup(c.Kafka.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Kafka.Ping(ctx); err != nil {
		t.Fatalf("reaching test broker: %v", err)
	}
	if err := c.Kafka.EnsureTopics(ctx); err != nil {
		t.Fatalf("creating topics: %v", err)
	}
	return c
}

// TestConfig is the pipeline config tests start from: a unique topic prefix
// and group prefix, small partitions count and short timeouts.
func TestConfig() pipeline.Config {
	cfg := pipeline.DefaultConfig()
	id := randomID()
	cfg.TopicPrefix = "test-" + id + "."
	cfg.Consumer.GroupPrefix = "test-" + id + "-"
	cfg.Topics.Partitions = 3
	cfg.Consumer.SessionTimeout = 6 * time.Second
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	cfg.Consumer.RetryBackoff = 10 * time.Millisecond
	cfg.Producer.Compression = "none"
	// Tests write a few records and wait for each: fuller batches only
	// make them wait.
	cfg.Producer.StreamBatchTimeout = 2 * time.Millisecond
	cfg.Embedded.Enabled = true
	cfg.Embedded.Port = 0
	cfg.Embedded.DataDir = ""
	return cfg
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ReadN follows topic from the beginning until it has read at least n
// records or timeout passes, and returns what it read.
func (c *Cluster) ReadN(t testing.TB, topic string, n int, timeout time.Duration) []pipeline.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	got := make(chan pipeline.Message, 1024)
	if _, err := c.Kafka.FollowTable(ctx, topic, func(m pipeline.Message) {
		select {
		case got <- m:
		case <-ctx.Done():
		}
	}); err != nil {
		t.Fatalf("reading %s: %v", topic, err)
	}
	var out []pipeline.Message
	for len(out) < n {
		select {
		case m := <-got:
			out = append(out, m)
		case <-ctx.Done():
			return out
		}
	}
	return out
}

// Produce writes records and fails the test unless all are acknowledged.
func (c *Cluster) Produce(t testing.TB, outs ...pipeline.Output) {
	t.Helper()
	p := c.Kafka.NewProducer("test", 0)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.ProduceSync(ctx, outs...); err != nil {
		t.Fatalf("producing: %v", err)
	}
}

// ReadUntil follows topic from the beginning, handing each record to keep,
// until keep returns false or timeout passes. It reports whether keep asked
// to stop (false: timed out). keep is never called after ReadUntil returns,
// so the caller may read what keep wrote without a lock.
func (c *Cluster) ReadUntil(t testing.TB, topic string, timeout time.Duration, keep func(pipeline.Message) bool) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan struct{})
	var mu sync.Mutex
	finished := false
	if _, err := c.Kafka.FollowTable(ctx, topic, func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return
		}
		if !keep(m) {
			finished = true
			close(done)
		}
	}); err != nil {
		t.Fatalf("reading %s: %v", topic, err)
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case <-done:
		return true
	default:
		finished = true
		return false
	}
}
