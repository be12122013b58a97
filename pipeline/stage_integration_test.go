package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

func TestIntegrationStageCarriesEveryRecordAndDeadLettersBadOnes(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	const n = 500
	var outs []pipeline.Output
	for i := range n {
		outs = append(outs, pipeline.Output{Topic: topics.Raw(), Key: []byte(fmt.Sprintf("k%d", i%17)), Value: []byte(fmt.Sprintf("v%d", i))})
	}
	// Two poison records: one rejected permanently, one failing every retry.
	outs = append(outs,
		pipeline.Output{Topic: topics.Raw(), Key: []byte("bad"), Value: []byte("permanent")},
		pipeline.Output{Topic: topics.Raw(), Key: []byte("bad"), Value: []byte("flaky")},
	)
	c.Produce(t, outs...)

	attempts := map[string]int{}
	proc := pipeline.ProcessorFunc(func(_ context.Context, m pipeline.Message) ([]pipeline.Output, error) {
		switch string(m.Value) {
		case "permanent":
			return nil, pipeline.Permanent(errors.New("cannot decode"))
		case "flaky":
			attempts["flaky"]++ // one partition: processed serially
			return nil, errors.New("always fails")
		}
		return []pipeline.Output{{Topic: topics.Enriched(), Key: m.Key, Value: bytes.ToUpper(m.Value)}}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Kafka.RunStage(ctx, pipeline.StageConfig{Name: "copy", Topics: []string{topics.Raw()}, Processor: proc})
	}()

	got := c.ReadN(t, topics.Enriched(), n, 60*time.Second)
	dlq := c.ReadN(t, topics.DLQ(), 2, 30*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stage returned %v", err)
	}
	seen := map[string]bool{}
	for _, m := range got {
		seen[string(m.Value)] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("V%d", i)] {
			t.Fatalf("record v%d missing from the enriched topic (got %d records)", i, len(got))
		}
	}
	if len(dlq) != 2 {
		t.Fatalf("want 2 dead letters, got %d", len(dlq))
	}
	for _, m := range dlq {
		var dl record.DeadLetter
		if err := record.Decode(m.Value, &dl); err != nil {
			t.Fatal(err)
		}
		if dl.Stage != "copy" || dl.Topic != topics.Raw() || string(dl.Key) != "bad" {
			t.Fatalf("dead letter lacks its origin: %+v", dl)
		}
		switch string(dl.Value) {
		case "permanent":
			if dl.Attempts != 1 || dl.Error != "cannot decode" {
				t.Fatalf("permanent error retried or reason lost: %+v", dl)
			}
		case "flaky":
			if want := c.Config.Consumer.Retries + 1; dl.Attempts != want {
				t.Fatalf("flaky record tried %d times, want %d", dl.Attempts, want)
			}
		default:
			t.Fatalf("unexpected dead letter value %q", dl.Value)
		}
	}

	// Everything was committed: the group's offsets reach the end of raw.
	infos, err := c.Kafka.DescribeTopics(context.Background(), []string{topics.Raw()}, []string{c.Config.Group("copy")})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range infos[0].Partitions {
		if p.Committed[c.Config.Group("copy")] != p.EndOffset {
			t.Fatalf("partition %d committed %d, end %d", p.Partition, p.Committed[c.Config.Group("copy")], p.EndOffset)
		}
	}
}

func TestIntegrationCheckpointStoreSurvivesReopen(t *testing.T) {
	c := pipelinetest.New(t)
	ctx := context.Background()
	s, err := c.Kafka.OpenCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Load(ctx, "mastodon/a"); v != nil {
		t.Fatalf("fresh store has %q", v)
	}
	for i := range 5 {
		if err := s.Save(ctx, "mastodon/a", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2, err := c.Kafka.OpenCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, _ := s2.Load(ctx, "mastodon/a"); string(v) != "4" {
		t.Fatalf("reopened store has %q, want the last save \"4\"", v)
	}
}

// counter keeps a count per key (the state of an entity) and writes it to
// the prospects topic, a compacted state topic, as a record whose value is
// the count when it is written; key "gone" writes nothing.
type counter struct {
	topics pipeline.Topics
	mu     sync.Mutex
	counts map[string]int
}

func (p *counter) Process(_ context.Context, m pipeline.Message) ([]pipeline.Output, error) {
	if string(m.Value) == "permanent" {
		return nil, pipeline.Permanent(errors.New("cannot decode"))
	}
	key := string(m.Key)
	p.mu.Lock()
	p.counts[key]++
	p.mu.Unlock()
	return []pipeline.Output{
		{Topic: p.topics.Enriched(), Key: m.Key, Value: bytes.ToUpper(m.Value)},
		{Topic: p.topics.Prospects(), Key: m.Key, Current: func() ([]byte, bool) {
			p.mu.Lock()
			defer p.mu.Unlock()
			return []byte(fmt.Sprint(p.counts[key])), key != "gone"
		}},
	}, nil
}

// Records on a Latest topic are held back and written once per key in the
// state the key has by then: every message's own record arrives at once,
// each key ends at its final count in far fewer records than messages, a
// record whose state is gone is not written, a permanent error goes to
// the DLQ, and every offset is committed.
func TestIntegrationStageHoldsLatestStates(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	const n, keys = 600, 10
	var outs []pipeline.Output
	for i := range n {
		outs = append(outs, pipeline.Output{Topic: topics.Raw(), Key: []byte(fmt.Sprintf("k%d", i%keys)), Value: []byte(fmt.Sprintf("v%d", i))})
	}
	outs = append(outs,
		pipeline.Output{Topic: topics.Raw(), Key: []byte("bad"), Value: []byte("permanent")},
		pipeline.Output{Topic: topics.Raw(), Key: []byte("gone"), Value: []byte("gone")},
	)
	c.Produce(t, outs...)

	proc := &counter{topics: topics, counts: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Kafka.RunStage(ctx, pipeline.StageConfig{Name: "hold", Topics: []string{topics.Raw()}, Processor: proc,
			Latest: []string{topics.Prospects()}, LatestDelay: 200 * time.Millisecond})
	}()
	got := c.ReadN(t, topics.Enriched(), n+1, 60*time.Second)
	dlq := c.ReadN(t, topics.DLQ(), 1, 30*time.Second)
	last := map[string]string{}
	states := 0
	finished := c.ReadUntil(t, topics.Prospects(), 30*time.Second, func(m pipeline.Message) bool {
		states++
		last[string(m.Key)] = string(m.Value)
		for k := range keys {
			if last[fmt.Sprintf("k%d", k)] != fmt.Sprint(n/keys) {
				return true
			}
		}
		return false
	})
	if !finished {
		t.Fatalf("keys did not reach their final state: %v", last)
	}
	// Every offset gets committed once the held records are acknowledged.
	deadline := time.Now().Add(30 * time.Second)
	for {
		infos, err := c.Kafka.DescribeTopics(context.Background(), []string{topics.Raw()}, []string{c.Config.Group("hold")})
		if err != nil {
			t.Fatal(err)
		}
		behind := 0
		for _, p := range infos[0].Partitions {
			behind += int(p.EndOffset - p.Committed[c.Config.Group("hold")])
		}
		if behind == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d offsets left uncommitted", behind)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stage returned %v", err)
	}
	seen := map[string]bool{}
	for _, m := range got {
		seen[string(m.Value)] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("V%d", i)] {
			t.Fatalf("record v%d missing from the enriched topic (got %d records)", i, len(got))
		}
	}
	var dl record.DeadLetter
	if len(dlq) != 1 || record.Decode(dlq[0].Value, &dl) != nil || string(dl.Value) != "permanent" || dl.Attempts != 1 {
		t.Fatalf("want the permanent failure in the DLQ once, got %d: %+v", len(dlq), dl)
	}
	if _, ok := last["gone"]; ok {
		t.Fatalf("a record whose state is gone was written: %q", last["gone"])
	}
	if states >= n/2 {
		t.Fatalf("%d state records for %d messages: not held back", states, n)
	}
}

// A record whose value is still to be taken from Current is refused by the
// producer: written as it is, its nil value would be a tombstone.
func TestIntegrationProducerRefusesUnmadeValue(t *testing.T) {
	c := pipelinetest.New(t)
	p := c.Kafka.NewProducer("unmade", 0)
	defer p.Close()
	err := p.ProduceSync(context.Background(), pipeline.Output{Topic: c.Kafka.Topics().Prospects(), Key: []byte("p1"),
		Current: func() ([]byte, bool) { return []byte("state"), true }})
	if err == nil || !strings.Contains(err.Error(), "Output.Current") {
		t.Fatalf("want the record refused, got %v", err)
	}
}
