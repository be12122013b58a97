package pipeline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// recordingSink keeps the sizes of the batches it was given.
type recordingSink struct {
	mu      sync.Mutex
	batches []int
	seen    int
}

func (s *recordingSink) WriteBatch(_ context.Context, batch []pipeline.Message) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, len(batch))
	s.seen += len(batch)
	return make([]error, len(batch))
}

func (s *recordingSink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}

// A sink whose batches would wait an hour to fill writes a lone message
// once nothing else arrives for Linger, and still writes a stream that was
// waiting in full batches.
func TestIntegrationSinkLingerWritesATrickleAndBatchesAStream(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	sink := &recordingSink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Kafka.RunSink(ctx, pipeline.SinkConfig{Name: "linger", Topics: []string{topics.Enriched()}, Sink: sink,
			BatchSize: 100, BatchTimeout: time.Hour, Linger: 20 * time.Millisecond})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sink returned %v", err)
		}
	}()
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (batches %v)", what, sink.batches)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	c.Produce(t, pipeline.Output{Topic: topics.Enriched(), Key: []byte("k"), Value: []byte("one")})
	waitUntil("the lone message", func() bool { return sink.total() == 1 })

	// A backlog arrives faster than Linger: full batches, then the rest.
	var outs []pipeline.Output
	for i := range 450 {
		outs = append(outs, pipeline.Output{Topic: topics.Enriched(), Key: []byte(fmt.Sprint(i % 7)), Value: []byte(fmt.Sprint(i))})
	}
	c.Produce(t, outs...)
	waitUntil("the backlog", func() bool { return sink.total() == 451 })
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for _, n := range sink.batches {
		if n > 100 {
			t.Errorf("a batch of %d; BatchSize is 100", n)
		}
	}
	if len(sink.batches) > 451/2 {
		t.Errorf("%d batches for 451 messages: the backlog was not batched (%v)", len(sink.batches), sink.batches)
	}
}
