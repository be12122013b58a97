package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// A person's record is sealed on the raw topic, opened by a stage, sealed
// again in what the stage writes, and its dead letter is sealed too; once
// the person's key is deleted, no copy is readable and the stages skip
// them. Embedded broker, or real Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationSealingReachesOutputsAndDeadLetters(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	kr, err := privacy.NewKeyring("integration secret 0123456789")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.Kafka.EnableSealing(ctx, kr); err != nil {
		t.Fatal(err)
	}
	pub := c.Kafka.NewRawPublisher(c.Kafka.NewProducer("raw", 0))
	publish := func(m *record.Mention) {
		done := make(chan error, 1)
		if err := pub.Publish(ctx, m, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	anna := &record.Mention{Source: "forms", SourceID: "1", Kind: record.KindFormSubmission, Text: "tokenannaone good coffee",
		Author: record.Author{Email: "anna@example.com"}, CreatedAt: time.Now()}
	bad := &record.Mention{Source: "forms", SourceID: "2", Kind: record.KindFormSubmission, Text: "tokenannafail please fail",
		Author: record.Author{Email: "anna@example.com"}, CreatedAt: time.Now()}
	for _, m := range []*record.Mention{anna, bad} {
		if err := m.Normalize(); err != nil {
			t.Fatal(err)
		}
		publish(m)
	}
	proc := pipeline.ProcessorFunc(func(_ context.Context, msg pipeline.Message) ([]pipeline.Output, error) {
		var m record.Mention
		if err := record.Decode(msg.Value, &m); err != nil {
			return nil, pipeline.Permanent(err)
		}
		if bytes.Contains(msg.Value, []byte("please fail")) {
			return nil, pipeline.Permanent(errors.New("refusing " + m.Text))
		}
		v, err := record.Encode(&record.EnrichedMention{Mention: m, EnrichedAt: time.Now()})
		return []pipeline.Output{{Topic: topics.Enriched(), Key: msg.Key, Value: v}}, err
	})
	sctx, stop := context.WithCancel(ctx)
	stageDone := make(chan error, 1)
	go func() {
		stageDone <- c.Kafka.RunStage(sctx, pipeline.StageConfig{Name: "seal-test", Topics: []string{topics.Raw()}, Processor: proc})
	}()
	enriched := c.ReadN(t, topics.Enriched(), 1, time.Minute)
	dead := c.ReadN(t, topics.DLQ(), 1, time.Minute)
	stop()
	<-stageDone
	if len(enriched) != 1 || len(dead) != 1 {
		t.Fatalf("got %d enriched, %d dead letters; want 1 and 1", len(enriched), len(dead))
	}
	// Read through the sealing handle: plaintext again.
	if !bytes.Contains(enriched[0].Value, []byte("tokenannaone")) || enriched[0].Subject == "" {
		t.Fatalf("enriched record not opened: %q", enriched[0].Value)
	}
	var dl record.DeadLetter
	if err := record.Decode(dead[0].Value, &dl); err != nil {
		t.Fatalf("dead letter: %v", err)
	}
	if !privacy.IsSealed(dl.Value) {
		t.Fatal("the dead letter's original bytes are not the sealed record")
	}
	// Read as stored (a handle without the keys): nothing in plain text.
	plain := pipeline.NewKafka(c.Config, c.Brokers, nil, nil)
	defer plain.Close()
	stored := func() map[string][]pipeline.Message {
		out := map[string][]pipeline.Message{}
		for _, topic := range []string{topics.Raw(), topics.Enriched(), topics.DLQ()} {
			tb, err := plain.FollowTable(ctx, topic, func(m pipeline.Message) { out[topic] = append(out[topic], m) })
			if err != nil {
				t.Fatal(err)
			}
			if err := tb.WaitCaughtUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for topic, ms := range stored() {
		for _, m := range ms {
			if !privacy.IsSealed(m.Value) || bytes.Contains(m.Value, []byte("tokenanna")) || bytes.Contains(m.Key, []byte("anna")) {
				t.Fatalf("%s holds a record in plain text: key %q value %q", topic, m.Key, m.Value)
			}
		}
	}
	// Erase Anna: tombstone her keys. The sealing handle then skips her records.
	subject := kr.Subject("email:anna@example.com")
	var tombs []pipeline.Output
	for _, id := range kr.Serials(subject) {
		tombs = append(tombs, pipeline.Output{Topic: topics.Keys(), Key: []byte(id)})
	}
	if len(tombs) == 0 {
		t.Fatal("no key stored for Anna")
	}
	c.Produce(t, tombs...)
	deadline := time.Now().Add(time.Minute)
	for kr.Has(subject) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if kr.Has(subject) {
		t.Fatal("the key tombstone never reached the keyring")
	}
	if got := c.ReadN(t, topics.Enriched(), 1, 3*time.Second); len(got) != 0 {
		t.Fatalf("an erased person's record was read: %q", got[0].Value)
	}
	if _, _, err := kr.Open(dl.Value); !errors.Is(err, privacy.ErrShredded) {
		t.Fatalf("opening the dead letter after erasure: %v", err)
	}
}

// The checkpoint store keeps what a connector sealed as sealed, also when
// it loads it back from the topic: opened in memory, a forgotten person's
// kept data would outlive their key. Embedded broker, or real Kafka.
func TestIntegrationCheckpointsKeepSealedValuesSealed(t *testing.T) {
	c := pipelinetest.New(t)
	kr, err := privacy.NewKeyring("integration secret 0123456789")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Kafka.EnableSealing(ctx, kr); err != nil {
		t.Fatal(err)
	}
	subject := kr.Subject("email:anna@example.com")
	if err := c.Kafka.EnsureKey(ctx, subject); err != nil {
		t.Fatal(err)
	}
	sealed, err := kr.SealFor("email:anna@example.com", []byte(`{"record":"tokenanna"}`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Kafka.OpenCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.Save(ctx, "forms/opt-in/1", sealed); err != nil {
		t.Fatal(err)
	}
	load := func() []byte {
		s, err := c.Kafka.OpenCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		v, err := s.Load(ctx, "forms/opt-in/1")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := load(); !privacy.IsSealed(v) || bytes.Contains(v, []byte("tokenanna")) {
		t.Fatalf("a store loading the topic holds %q; want it sealed", v)
	}
	var outs []pipeline.Output
	for _, k := range kr.Serials(subject) {
		outs = append(outs, pipeline.Output{Topic: c.Kafka.Topics().Keys(), Key: []byte(k)})
	}
	c.Produce(t, outs...)
	deadline := time.Now().Add(30 * time.Second)
	for kr.Has(subject) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	v := load()
	if !privacy.IsSealed(v) {
		t.Fatalf("after the erasure the store holds %q; want the unreadable sealed copy", v)
	}
	if _, err := kr.OpenValue(v); !errors.Is(err, privacy.ErrShredded) {
		t.Fatalf("opening the kept copy after the erasure: %v, want ErrShredded", err)
	}
}
