package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// One process stores a new person's key and then writes their record;
// another follows the keys and reads the records independently, so the
// record can come first (on real Kafka a key follower retrying a fresh
// partition's leader did this, and records of new people went missing).
// The reader must wait for the key, never skip the record as erased: here
// its key follower is held still while the records arrive. Both readers
// are checked, a stage and a table.
func TestARecordThatArrivesBeforeItsKeyIsRead(t *testing.T) {
	const people = 5
	broker, err := StartEmbedded(EmbeddedConfig{Enabled: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	cfg := DefaultConfig()
	cfg.TopicPrefix, cfg.Consumer.GroupPrefix = "catchup.", "catchup-"
	cfg.Topics.Partitions = 2
	cfg.Consumer.SessionTimeout = 6 * time.Second
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	handle := func() (*Kafka, *Table) {
		k := NewKafka(cfg, []string{broker.Addr()}, nil, nil)
		t.Cleanup(k.Close)
		if err := k.EnsureTopics(ctx); err != nil {
			t.Fatal(err)
		}
		kr, err := privacy.NewKeyring("catch-up secret 0123456789")
		if err != nil {
			t.Fatal(err)
		}
		keys, err := k.EnableSealing(ctx, kr)
		if err != nil {
			t.Fatal(err)
		}
		return k, keys
	}
	writer, _ := handle()
	reader, readerKeys := handle()
	topics := reader.Topics()

	var mu sync.Mutex
	seen := map[string]map[string]bool{topics.Raw(): {}, topics.Enriched(): {}}
	for topic := range seen {
		if _, err := reader.FollowTable(ctx, topic, func(m Message) {
			var rm record.Mention
			if record.Decode(m.Value, &rm) == nil {
				mu.Lock()
				seen[topic][rm.ID] = true
				mu.Unlock()
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	sctx, stop := context.WithCancel(ctx)
	stageDone := make(chan error, 1)
	go func() {
		stageDone <- reader.RunStage(sctx, StageConfig{Name: "early-record", Topics: []string{topics.Raw()},
			Processor: ProcessorFunc(func(_ context.Context, msg Message) ([]Output, error) {
				return []Output{{Topic: topics.Enriched(), Key: msg.Key, Value: msg.Value}}, nil
			})})
	}()

	// The reader's key follower stands still (it applies under this lock)
	// while each new person's key is stored and their record written.
	readerKeys.mu.Lock()
	pub := writer.NewRawPublisher(writer.NewProducer("raw", 0))
	want := map[string]bool{}
	for i := range people {
		m := &record.Mention{Source: "forms", SourceID: fmt.Sprint(i), Kind: record.KindFormSubmission, Text: "new person",
			Author: record.Author{Email: fmt.Sprintf("person%d@example.com", i)}, CreatedAt: time.Now()}
		if err := m.Normalize(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		if err := pub.Publish(ctx, m, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want[m.ID] = true
	}
	time.Sleep(time.Second) // the records reach the reader first
	if reader.Keyring().Len() != 0 {
		t.Fatal("the held key follower applied keys: the test proves nothing")
	}
	readerKeys.mu.Unlock()

	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := min(len(seen[topics.Raw()]), len(seen[topics.Enriched()]))
		mu.Unlock()
		if n >= people || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-stageDone; err != nil {
		t.Fatalf("stage: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id := range want {
		if !seen[topics.Enriched()][id] {
			t.Errorf("the stage skipped record %s", id)
		}
		if !seen[topics.Raw()][id] {
			t.Errorf("the table skipped record %s", id)
		}
	}
}
