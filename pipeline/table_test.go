package pipeline_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// A table outlives a broker outage: its followers keep retrying through the
// read errors the client reports, and pick up records written after the
// broker is back (same port, same data). Before, the first reported error
// froze the partition for the life of the process.
func TestTableKeepsFollowingAcrossABrokerRestart(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	start := func() *pipeline.Embedded {
		e, err := pipeline.StartEmbedded(pipeline.EmbeddedConfig{Enabled: true, Port: port, DataDir: dir}, nil)
		if err != nil {
			t.Fatalf("starting embedded broker: %v", err)
		}
		return e
	}
	broker := start()
	cfg := pipelinetest.TestConfig()
	cfg.Topics.Partitions = 1
	cfg.DialTimeout = 500 * time.Millisecond
	k := pipeline.NewKafka(cfg, []string{broker.Addr()}, nil, nil)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := k.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	topic := k.Topics().Checkpoints()
	produce := func(key string) {
		t.Helper()
		p := k.NewProducer("table-test", 0)
		defer p.Close()
		if err := p.ProduceSync(ctx, pipeline.Output{Topic: topic, Key: []byte(key), Value: []byte("v")}); err != nil {
			t.Fatalf("producing %s: %v", key, err)
		}
	}
	produce("before")

	var mu sync.Mutex
	seen := map[string]bool{}
	arrived := make(chan string, 16)
	table, err := k.FollowTable(ctx, topic, func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if !seen[string(m.Key)] {
			seen[string(m.Key)] = true
			arrived <- string(m.Key)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := table.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}

	broker.Close()
	// Long enough for the client to give up its first attempts and report
	// an error to the follower (three attempts, backoff up to a second).
	time.Sleep(5 * time.Second)
	broker = start()
	defer broker.Close()
	produce("after")

	deadline := time.After(30 * time.Second)
	for {
		select {
		case key := <-arrived:
			if key == "after" {
				return
			}
		case <-deadline:
			t.Fatal("the record written after the broker came back never reached the table")
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Closing a handle stops its tables: no follower reads, applies or logs
// after Close returns (a role's command returned while a follower still
// wrote to its log, which the race detector caught in a test reading that
// log), and a table cannot be followed on a closed handle.
func TestClosingTheHandleStopsItsTables(t *testing.T) {
	broker, err := pipeline.StartEmbedded(pipeline.EmbeddedConfig{Enabled: true, Port: 0, DataDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	cfg := pipelinetest.TestConfig()
	cfg.Topics.Partitions = 2
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	closed := pipeline.NewKafka(cfg, []string{broker.Addr()}, nil, nil)
	if err := closed.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	topic := closed.Topics().Checkpoints()
	var mu sync.Mutex
	afterClose := false
	var late []string
	table, err := closed.FollowTable(ctx, topic, func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if afterClose {
			late = append(late, string(m.Key))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := table.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	closed.Close()
	mu.Lock()
	afterClose = true
	mu.Unlock()
	if _, err := closed.FollowTable(ctx, topic, func(pipeline.Message) {}); err == nil {
		t.Error("a table was followed on a closed handle")
	}

	// Another handle writes and reads back; the closed handle's followers
	// (their context is still live) must not see it.
	open := pipeline.NewKafka(cfg, []string{broker.Addr()}, nil, nil)
	defer open.Close()
	p := open.NewProducer("table-test", 0)
	defer p.Close()
	for _, key := range []string{"a", "b", "c", "d"} {
		if err := p.ProduceSync(ctx, pipeline.Output{Topic: topic, Key: []byte(key), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	var seen sync.Map
	reader, err := open.FollowTable(ctx, topic, func(m pipeline.Message) { seen.Store(string(m.Key), true) })
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // what a stray follower would need to fetch them too
	mu.Lock()
	defer mu.Unlock()
	if len(late) > 0 {
		t.Fatalf("the closed handle's table applied %v after Close returned", late)
	}
}
