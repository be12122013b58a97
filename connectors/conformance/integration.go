package conformance

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// RunIntegration runs the connector through the real runner into Kafka
// (the embedded broker, or EARSHOT_TEST_KAFKA) with checkpoints in the
// compacted checkpoints topic: items published before a first run, a clean
// stop, more items, a second run with a freshly loaded checkpoint store.
// Every item must reach the raw topic exactly once, keyed by its author,
// with the harness's type as source.
func RunIntegration(t *testing.T, h Harness) {
	h.defaults()
	cl := pipelinetest.New(t)
	src := h.NewSource(t)
	name := "it-" + h.Type

	first := src.Publish(t, 10)
	run := startRun(t, cl, h, src, name)
	waitInRaw(t, cl, h, first)
	run.stop(t)

	second := src.Publish(t, 10)
	run = startRun(t, cl, h, src, name)
	waitInRaw(t, cl, h, append(append([]string(nil), first...), second...))
	time.Sleep(h.Quiet) // room for a late duplicate to show up
	run.stop(t)

	counts := map[string]int{}
	for _, m := range rawMentions(t, cl) {
		if m.mention.Source != h.Type {
			t.Errorf("raw record %s has source %q, want %q", m.mention.ID, m.mention.Source, h.Type)
		}
		if m.key != m.mention.AuthorKey() {
			t.Errorf("raw record %s keyed %q, want its author key %q", m.mention.ID, m.key, m.mention.AuthorKey())
		}
		if m.mention.ID != record.RecordID(m.mention.Source, m.mention.SourceID) {
			t.Errorf("raw record %s: id is not RecordID(source, source_id)", m.mention.SourceID)
		}
		counts[m.mention.SourceID]++
	}
	for _, id := range append(first, second...) {
		switch n := counts[id]; n {
		case 1:
		case 0:
			t.Errorf("%s never reached the raw topic (gap)", id)
		default:
			t.Errorf("%s reached the raw topic %d times (duplicate across the restart)", id, n)
		}
	}
	if len(counts) != len(first)+len(second) {
		t.Errorf("raw topic holds %d distinct items, %d were published", len(counts), len(first)+len(second))
	}
}

type integrationRun struct {
	cancel   context.CancelFunc
	done     chan error
	closeAll func()
}

// startRun opens a checkpoint store on the topic (as a restarted process
// does), builds the connector and runs it with the connector runner.
func startRun(t *testing.T, cl *pipelinetest.Cluster, h Harness, src Source, name string) *integrationRun {
	t.Helper()
	storeCtx, stopStore := context.WithCancel(context.Background())
	openCtx, cancelOpen := context.WithTimeout(storeCtx, 30*time.Second)
	defer cancelOpen()
	store, err := cl.Kafka.OpenCheckpoints(openCtx)
	if err != nil {
		stopStore()
		t.Fatalf("opening checkpoints: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := h.NewConnector(t, src, connectors.Deps{Name: name, Logger: logger, Checkpoints: store, MaxInFlight: 64})
	producer := cl.Kafka.NewProducer(name, 0)
	r := &connectors.Runner{
		Name: name, Connector: c, Publisher: cl.Kafka.NewRawPublisher(producer), Logger: logger,
		MaxInFlight: 64, BackoffMin: 20 * time.Millisecond, BackoffMax: 500 * time.Millisecond, ShutdownTimeout: 15 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &integrationRun{cancel: cancel, done: make(chan error, 1), closeAll: func() {
		_ = producer.Close()
		_ = store.Close()
		stopStore()
	}}
	go func() { run.done <- r.Run(ctx) }()
	t.Cleanup(func() { run.stop(t) })
	return run
}

func (r *integrationRun) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("runner: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("runner did not stop within 30s")
	}
	r.closeAll()
}

// waitInRaw follows the raw topic until every source id arrived.
func waitInRaw(t *testing.T, cl *pipelinetest.Cluster, h Harness, ids []string) {
	t.Helper()
	missing := map[string]bool{}
	for _, id := range ids {
		missing[id] = true
	}
	ok := cl.ReadUntil(t, cl.Kafka.Topics().Raw(), h.Timeout, func(msg pipeline.Message) bool {
		var m record.Mention
		if record.Decode(msg.Value, &m) == nil {
			delete(missing, m.SourceID)
		}
		return len(missing) > 0
	})
	if !ok {
		t.Fatalf("%d items never reached the raw topic: %v", len(missing), firstFew(keys(missing)))
	}
}

type rawRecord struct {
	key     string
	mention record.Mention
}

// rawMentions reads the whole raw topic.
func rawMentions(t *testing.T, cl *pipelinetest.Cluster) []rawRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := cl.Kafka.EndOffsets(ctx, cl.Kafka.Topics().Raw())
	if err != nil {
		t.Fatalf("reading end offsets: %v", err)
	}
	total := 0
	for _, e := range ends {
		total += int(e)
	}
	msgs := cl.ReadN(t, cl.Kafka.Topics().Raw(), total, 30*time.Second)
	if len(msgs) != total {
		t.Fatalf("read %d of the %d records in the raw topic", len(msgs), total)
	}
	out := make([]rawRecord, 0, len(msgs))
	for _, msg := range msgs {
		var m record.Mention
		if err := record.Decode(msg.Value, &m); err != nil {
			t.Fatalf("decoding raw record: %v", err)
		}
		out = append(out, rawRecord{key: string(msg.Key), mention: m})
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
