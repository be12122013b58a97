package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// A form's answer waits for the broker's ack, so HTTP connectors write
// through the producer that sends at once (batch_timeout); connectors
// that read, poll or stream write through the one whose batches wait to
// fill (stream_batch_timeout).
func TestHTTPConnectorsWriteThroughTheProducerThatSendsAtOnce(t *testing.T) {
	c := pipelinetest.New(t)
	cfg, err := ParseConfig("test.yaml", []byte(fmt.Sprintf(`connectors:
  - name: contact
    type: forms
    config:
      forms:
        - id: contact
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: message, maps_to: message, required: true}
  - name: files
    type: file
    config: {path: %q}
`, filepath.Join(t.TempDir(), "mentions.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	h := &hub{cfg: cfg, logger: slog.New(slog.DiscardHandler), registry: prometheus.NewRegistry(), kafka: c.Kafka}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	set, err := h.buildConnectors(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer set.close()
	if set.stream.producer == set.waited.producer {
		t.Fatal("the connectors share one producer")
	}
	want := map[string]connectorOutlet{"contact": set.waited, "files": set.stream}
	if len(set.runners) != len(want) {
		t.Fatalf("%d runners, want %d", len(set.runners), len(want))
	}
	for _, r := range set.runners {
		out := want[r.Name]
		if r.Publisher != out.publisher || r.DeadLetters != out.dead {
			t.Errorf("connector %s writes through the wrong producer", r.Name)
		}
	}
}
