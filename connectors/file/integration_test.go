package file

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// A 2 MiB line among normal ones, through the runner into Kafka: the normal
// lines reach the raw topic, the DLQ holds the big line's origin and size
// (its bytes cut to what the broker takes), the checkpoint passes it, and
// after 200,000 more lines the checkpoint record is still under 1 KiB.
func TestIntegrationOversizeLineReachesTheDLQAndTheCheckpointStaysSmall(t *testing.T) {
	const lines = 200_001
	cl := pipelinetest.New(t)
	path := writeLines(t, lines, 3, 2<<20)
	storeCtx, stopStore := context.WithCancel(context.Background())
	defer stopStore()
	store, err := cl.Kafka.OpenCheckpoints(storeCtx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := newConnector(t, "path: "+path, store)
	c.deps.Logger = logger
	producer := cl.Kafka.NewProducer("backfill", 0)
	defer producer.Close()
	r := &connectors.Runner{Name: "backfill", Connector: c, Publisher: cl.Kafka.NewRawPublisher(producer),
		DeadLetters: cl.Kafka.NewDeadLetters(producer), Logger: logger, MaxInFlight: 1000}
	// ~1 minute on a quiet 2-core machine with -race; generous for a loaded one.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if err := r.Run(ctx); err != nil { // ends at the end of the file
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the runner did not reach the end of the file within 15 minutes")
	}

	topics := cl.Kafka.Topics()
	if got := rawCount(t, cl.Kafka, topics.Raw()); got != lines-1 {
		t.Fatalf("raw topic holds %d records, want %d", got, lines-1)
	}
	msgs := cl.ReadN(t, topics.DLQ(), 1, 30*time.Second)
	var dl record.DeadLetter
	if err := record.Decode(msgs[0].Value, &dl); err != nil {
		t.Fatal(err)
	}
	wantSize := int64(len(`{"id":"big","text":""}`) + 2<<20)
	if dl.Stage != "connector:backfill" || dl.Position != "mentions.jsonl:3" || dl.Size != wantSize || !dl.Truncated || len(dl.Value) == 0 {
		t.Fatalf("dead letter: stage %q position %q size %d truncated %v (%d bytes kept), error %q",
			dl.Stage, dl.Position, dl.Size, dl.Truncated, len(dl.Value), dl.Error)
	}
	raw, err := store.Load(ctx, "file/t")
	if err != nil {
		t.Fatal(err)
	}
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil || cp.Line != lines || len(raw) >= 1024 {
		t.Fatalf("checkpoint (%d bytes) %s: %v; want line %d and under 1 KiB", len(raw), raw, err, lines)
	}
	if fi, _ := os.Stat(path); fi.Size() < 2<<20 {
		t.Fatal("the test file lost its big line")
	}
}

func rawCount(t *testing.T, k *pipeline.Kafka, topic string) int64 {
	ends, err := k.EndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ends {
		n += e
	}
	return n
}
