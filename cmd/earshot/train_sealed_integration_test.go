package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationTrainReadsSealedCorrections: corrections quote people's
// texts, so each is sealed with its author's data key. `earshot train
// intent` and `earshot train sentiment` read them from the topic (opened
// with the privacy secret); once an author is forgotten (their key's
// tombstone) their corrections are no longer read, the others still are.
// Embedded broker, or real Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationTrainReadsSealedCorrections(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	cl := pipelinetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kr, err := privacy.NewKeyring(erasureSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Kafka.EnableSealing(ctx, kr); err != nil {
		t.Fatal(err)
	}
	topics := cl.Kafka.Topics()
	p := cl.Kafka.NewProducer("test", 0)
	defer p.Close()
	subjects := map[string]string{"ana": kr.Subject("email:ana@example.com"), "ben": kr.Subject("email:ben@example.com")}
	places := []string{"bakery", "café", "hotel", "deli", "bistro", "restaurant", "canteen", "office", "wine bar", "juice bar"}
	var outs []pipeline.Output
	for who, subject := range subjects {
		for i, place := range places {
			for j, c := range []record.Correction{
				{Field: record.CorrectIntent, Value: "buying", Text: fmt.Sprintf("Can we book a tasting of the Mini at our %s, %s here?", place, who)},
				{Field: record.CorrectSentiment, Value: "negative", Text: fmt.Sprintf("The grinder at our %s broke again, %s is fed up.", place, who)},
			} {
				mid := fmt.Sprintf("%s-%d-%d", who, i, j)
				c.ID, c.MentionID, c.Language, c.By, c.At, c.Subject = record.CorrectionID(mid, c.Field), mid, "en", "mia", time.Unix(0, 0), subject
				b, err := record.Encode(&c)
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, pipeline.Output{Topic: topics.Corrections(), Key: []byte(c.ID), Value: b, Subject: subject})
			}
		}
	}
	if err := p.ProduceSync(ctx, outs...); err != nil {
		t.Fatal(err)
	}
	// Stored sealed: no text of anyone in the topic's bytes.
	plain := pipeline.NewKafka(cl.Config, cl.Brokers, nil, nil)
	defer plain.Close()
	n := 0
	readTopicWith(t, plain, topics.Corrections(), func(m pipeline.Message) {
		n++
		if !privacy.IsSealed(m.Value) || strings.Contains(string(m.Value), "tasting") {
			t.Errorf("correction %s is stored in plain text", m.Key)
		}
	})
	if n != len(outs) {
		t.Fatalf("read %d corrections, wrote %d", n, len(outs))
	}

	dir := t.TempDir()
	cfg := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\nprivacy:\n  secret: %s\n",
		strings.Join(cl.Brokers, ", "), cl.Config.TopicPrefix, erasureSecret))
	train := func(kind string) string {
		t.Helper()
		args := []string{"train", kind, "--corrections-topic", "--hold-back", "0", "--out", filepath.Join(dir, kind+".model"), "-c", cfg}
		if kind == "sentiment" {
			args = append(args, "--no-baseline", "--epochs", "2", "--bags", "1")
		}
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("train %s: exit %d\n%s\n%s", kind, code, out, errOut)
		}
		return out
	}
	if out := train("intent"); !strings.Contains(out, "corrections: 20 intent") {
		t.Fatalf("before the erasure, train intent read:\n%s", out)
	}

	// Forget Ana: her keys' tombstones.
	var forget []pipeline.Output
	for _, k := range kr.Serials(subjects["ana"]) {
		forget = append(forget, pipeline.Output{Topic: topics.Keys(), Key: []byte(k)})
	}
	if len(forget) == 0 {
		t.Fatal("Ana has no data key")
	}
	if err := p.ProduceSync(ctx, forget...); err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string]string{"intent": "corrections: 10 intent", "sentiment": "corrections: 10 sentiment"} {
		if out := train(kind); !strings.Contains(out, want) {
			t.Fatalf("after Ana's erasure, train %s read:\n%s", kind, out)
		}
	}
}

// readTopicWith reads a topic from its beginning to its current end
// through k.
func readTopicWith(t *testing.T, k *pipeline.Kafka, topic string, f func(pipeline.Message)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	msgs := make(chan pipeline.Message, 1024)
	tb, err := k.FollowTable(ctx, topic, func(m pipeline.Message) {
		select {
		case msgs <- m:
		case <-done:
		}
	})
	if err != nil {
		t.Fatalf("reading %s: %v", topic, err)
	}
	waited := make(chan error, 1)
	go func() { waited <- tb.WaitCaughtUp(ctx) }()
	for {
		select {
		case m := <-msgs:
			f(m)
		case err := <-waited:
			for len(msgs) > 0 {
				f(<-msgs)
			}
			close(done)
			if err != nil {
				t.Fatalf("reading %s: %v", topic, err)
			}
			return
		}
	}
}
