package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// runCLI runs earshot in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "earshot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultConfigsAreValid(t *testing.T) {
	t.Setenv("EARSHOT_PRIVACY_SECRET", "sample-secret-0123456789-0123456789") // the distributed one requires it
	for _, p := range []string{"../../configs/earshot.yaml", "../../configs/earshot.distributed.yaml"} {
		code, out, errOut := runCLI(t, "config", "check", "-c", p)
		if code != 0 || !strings.Contains(out, "OK") {
			t.Errorf("%s: exit %d, %s %s", p, code, out, errOut)
		}
	}
}

// The index stage's batch size follows the backend unless the file names
// it: 1,000 on the embedded index, 5,000 on Elasticsearch.
func TestStageBatchSizeFollowsTheBackendUnlessNamed(t *testing.T) {
	for body, want := range map[string]int{
		"":                               1000,
		"search:\n  backend: embedded\n": 1000,
		"search:\n  backend: elasticsearch\n  elasticsearch:\n    addresses: [http://127.0.0.1:9200]\n":                                backend.ElasticsearchBatchSize,
		"search:\n  backend: elasticsearch\n  elasticsearch:\n    addresses: [http://127.0.0.1:9200]\n  stage:\n    batch_size: 700\n": 700,
		"search:\n  backend: embedded\n  stage:\n    batch_size: 300\n":                                                                300,
	} {
		cfg, err := ParseConfig("e.yaml", []byte(body))
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if got := cfg.Search.Stage.BatchSize; got != want {
			t.Errorf("%q: stage batch size %d; want %d", body, got, want)
		}
	}
}

func TestConfigTypoIsNamedWithFileAndLine(t *testing.T) {
	p := writeConfig(t, "kafka:\n  embedded:\n    enabled: true\n    prot: 9092\n")
	code, _, errOut := runCLI(t, "config", "check", "-c", p)
	if code == 0 || !strings.Contains(errOut, p+":4: kafka.embedded.prot: unknown key (did you mean \"port\"?)") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "config", "check", "-c", filepath.Join(t.TempDir(), "missing.yaml"))
	if code == 0 || !strings.Contains(errOut, "reading config") {
		t.Fatalf("a missing file must be named: exit %d, %q", code, errOut)
	}
}

func TestUnreachableBrokerIsAClearError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  dial_timeout: 1s\n  embedded: {enabled: false}\n", addr))
	start := time.Now()
	code, _, errOut := runCLI(t, "topics", "-c", p)
	if code == 0 || !strings.Contains(errOut, "kafka unreachable at "+addr) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if time.Since(start) > 20*time.Second {
		t.Fatalf("giving up on an unreachable broker took %v", time.Since(start))
	}
}

// topics, dlq list and dlq replay against a cluster holding a dead letter.
func TestIntegrationTopicsAndDeadLetterReplay(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	dl := &record.DeadLetter{Stage: "enrich", Error: "decoding record: unexpected end of JSON input", Attempts: 1,
		Topic: topics.Raw(), Partition: 2, Offset: 41, Key: []byte("email:ana@example.pt"), Value: []byte(`{"schema":1,"text":"Olá"}`), At: time.Now()}
	v, _ := record.Encode(dl)
	c.Produce(t, pipeline.Output{Topic: topics.DLQ(), Key: dl.Key, Value: v})
	p := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\n",
		strings.Join(c.Brokers, ","), c.Config.TopicPrefix))

	code, out, errOut := runCLI(t, "topics", "-c", p)
	if code != 0 || !strings.Contains(out, topics.DLQ()) || !strings.Contains(out, topics.Raw()) {
		t.Fatalf("topics: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "dlq", "list", "-c", p, "--json")
	if code != 0 {
		t.Fatalf("dlq list: %s", errOut)
	}
	var entries []deadLetterEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != 1 || entries[0].Letter == nil || entries[0].Letter.Offset != 41 || entries[0].Letter.Stage != "enrich" {
		t.Fatalf("dlq list --json: %v %q", err, out)
	}
	code, out, _ = runCLI(t, "dlq", "list", "-c", p)
	if code != 0 || !strings.Contains(out, "1 dead letter\n") {
		t.Fatalf("dlq list: %q", out)
	}
	code, out, _ = runCLI(t, "dlq", "list", "-c", p, "--json", "--stage", "nobody")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("an empty dlq list --json must print []: %q", out)
	}
	code, out, _ = runCLI(t, "topics", "-c", p, "--json")
	if code != 0 || !strings.Contains(out, `"name":"`+topics.DLQ()+`"`) || !strings.Contains(out, `"end_offset":1`) || strings.Contains(out, `"Name"`) {
		t.Fatalf("topics --json uses Go field names: %q", out)
	}
	code, out, _ = runCLI(t, "dlq", "replay", "-c", p, "--dry-run")
	if code != 0 || !strings.Contains(out, "would replay 1 dead letters") {
		t.Fatalf("dry run: %q", out)
	}
	if got := totalEnd(t, c.Kafka, topics.Raw()); got != 0 {
		t.Fatalf("a dry run wrote %d records", got)
	}
	code, out, _ = runCLI(t, "dlq", "replay", "-c", p)
	if code != 0 || !strings.Contains(out, "replayed 1 dead letters") {
		t.Fatalf("replay: %q", out)
	}
	back := c.ReadN(t, topics.Raw(), 1, 10*time.Second)
	if len(back) != 1 || string(back[0].Value) != string(dl.Value) || string(back[0].Key) != string(dl.Key) {
		t.Fatalf("replayed record differs: %+v", back)
	}
}
