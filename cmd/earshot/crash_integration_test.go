package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// childConfig writes a distributed-mode config pointing at the test cluster.
func childConfig(t *testing.T, c *pipelinetest.Cluster) string {
	t.Helper()
	cfg := fmt.Sprintf(`kafka:
  brokers: [%s]
  topic_prefix: %q
  embedded: {enabled: false}
  topics: {partitions: %d}
  producer: {compression: none}
  consumer:
    group_prefix: %q
    session_timeout: 6s
    commit_interval: 100ms
privacy:
  secret: test-privacy-secret-0123456789
http:
  listen: 127.0.0.1:0
connectors: []
`, strings.Join(c.Brokers, ","), c.Config.TopicPrefix, c.Config.Topics.Partitions, c.Config.Consumer.GroupPrefix)
	path := filepath.Join(t.TempDir(), "earshot.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startChild runs `earshot <args>` as a subprocess of the test binary.
func startChild(t *testing.T, args ...string) (*exec.Cmd, *testlog.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "EARSHOT_TEST_AS_CLI=1")
	var logs testlog.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &logs
}

// enrichedCount sums the enriched topic's end offsets.
func enrichedCount(t *testing.T, c *pipelinetest.Cluster) int64 {
	ends, err := c.Kafka.EndOffsets(context.Background(), c.Kafka.Topics().Enriched())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ends {
		n += e
	}
	return n
}

// The enrich stage is killed with SIGKILL mid-stream and restarted:
// afterwards every input record is in the enriched topic, exactly N
// distinct ids (duplicates of the replayed tail are allowed, gaps are not).
func TestIntegrationCrashKill9MidStreamLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	c := pipelinetest.New(t)
	cfgPath := childConfig(t, c)
	const n = 30000
	topics := c.Kafka.Topics()
	text := strings.Repeat("Lumio Beam review text ", 40) // ~1 KB records
	var outs []pipeline.Output
	ids := make(map[string]bool, n)
	for i := range n {
		m := &record.Mention{Source: "crash", SourceID: fmt.Sprint(i), Text: text, Author: record.Author{Handle: fmt.Sprintf("user%d", i%97)}}
		if err := m.Normalize(); err != nil {
			t.Fatal(err)
		}
		ids[m.ID] = true
		v, _ := record.Encode(m)
		outs = append(outs, pipeline.Output{Topic: topics.Raw(), Key: []byte(m.AuthorKey()), Value: v})
	}
	c.Produce(t, outs...)

	child, logs := startChild(t, "enrich", "-c", cfgPath, "--listen", "127.0.0.1:0")
	deadline := time.Now().Add(5 * time.Minute) // a loaded machine analyses slowly; a stuck stage still fails
	for enrichedCount(t, c) < n/10 {
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("stage made no progress; its log:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killedAt := enrichedCount(t, c)
	if killedAt >= n {
		t.Fatalf("the stage finished before it was killed (%d records); the test proves nothing", killedAt)
	}
	t.Logf("killed after %d of %d records", killedAt, n)

	child, logs = startChild(t, "enrich", "-c", cfgPath, "--listen", "127.0.0.1:0")
	defer func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		_ = child.Wait()
	}()
	distinct := map[string]bool{}
	read := 0
	var decodeErr error
	c.ReadUntil(t, topics.Enriched(), 8*time.Minute, func(m pipeline.Message) bool {
		read++
		var em record.EnrichedMention
		if err := record.Decode(m.Value, &em); err != nil || !ids[em.ID] {
			decodeErr = fmt.Errorf("enriched record at offset %d is not one of the inputs (decode error %v)", m.Offset, err)
			return false
		}
		distinct[em.ID] = true
		return len(distinct) < n
	})
	if decodeErr != nil {
		t.Fatal(decodeErr)
	}
	if len(distinct) != n {
		t.Fatalf("after the crash %d distinct ids reached the enriched topic (read %d records), want %d; log:\n%s", len(distinct), read, n, logs)
	}
	t.Logf("%d records read, %d distinct, %d replayed duplicates", read, len(distinct), read-len(distinct))
}
