package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
