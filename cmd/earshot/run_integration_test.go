package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

var bannerKafka = regexp.MustCompile(`Kafka \(embedded\): (127\.0\.0\.1:\d+)`)
var bannerHTTP = regexp.MustCompile(`Web app and API:\s+http://(127\.0\.0\.1:\d+)/`)

func waitFor(t *testing.T, what string, timeout time.Duration, logs *testlog.Buffer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; log:\n%s", what, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func totalEnd(t *testing.T, k *pipeline.Kafka, topic string) int64 {
	ends, err := k.EndOffsets(context.Background(), topic)
	if err != nil {
		return -1
	}
	var n int64
	for _, e := range ends {
		n += e
	}
	return n
}

// `earshot run` on the embedded default carries the bundled samples to the
// enriched topic; stopped and started again on the same data directory it
// still has them, and the file connector resumes instead of re-importing.
func TestIntegrationRunEmbeddedEndToEndAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	samples, _ := filepath.Abs("../../configs/samples/mentions.jsonl")
	raw, err := os.ReadFile(samples)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(bytes.Count(raw, []byte("\n")))
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 3}
http:
  listen: 127.0.0.1:0
search:
  embedded: {path: %q}
connectors:
  - name: samples
    type: file
    config: {path: %q}
`, filepath.Join(dir, "kafka"), filepath.Join(dir, "index"), samples)
	cfgPath := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	var password string
	for round := 1; round <= 2; round++ {
		child, logs := startChild(t, "run", "-c", cfgPath)
		var kafkaAddr, httpAddr string
		waitFor(t, "the banner", 30*time.Second, logs, func() bool {
			km, hm := bannerKafka.FindStringSubmatch(logs.String()), bannerHTTP.FindStringSubmatch(logs.String())
			if km == nil || hm == nil {
				return false
			}
			kafkaAddr, httpAddr = km[1], hm[1]
			return true
		})
		// The first run creates the admin and prints the password once; the
		// account survives the restart.
		if round == 1 {
			password = adminPassword(t, logs)
		} else if strings.Contains(logs.String(), "First sign-in") {
			t.Fatalf("the restart created another admin:\n%s", logs)
		}
		client := signIn(t, "http://"+httpAddr, password)
		k := pipeline.NewKafka(pipeline.DefaultConfig(), []string{kafkaAddr}, nil, nil)
		waitFor(t, "every sample in the enriched topic", 60*time.Second, logs, func() bool {
			return totalEnd(t, k, "earshot.enriched") >= want
		})
		// Indexed and searchable through the API, with the analysis filled in:
		// a Polish inflected form finds the Polish review.
		var found struct {
			Total int `json:"total"`
			Hits  []struct {
				Mention record.EnrichedMention `json:"mention"`
			} `json:"hits"`
		}
		waitFor(t, "the Polish review in the search API", 60*time.Second, logs, func() bool {
			r, err := client.Get("http://" + httpAddr + "/api/search?q=dostawy&filter=language:pl")
			if err != nil {
				return false
			}
			defer r.Body.Close()
			return json.NewDecoder(r.Body).Decode(&found) == nil && found.Total >= 1
		})
		if a := found.Hits[0].Mention.Analysis; a.Language == nil || a.Language.Code != "pl" || a.Sentiment == nil {
			t.Fatalf("indexed mention lacks its analysis: %+v", a)
		}
		// The bundled form submissions became prospects with profiles.
		waitFor(t, "prospect profiles", 60*time.Second, logs, func() bool {
			var profiles struct {
				Total int `json:"total"`
			}
			r, err := client.Get("http://" + httpAddr + "/api/profiles?kind=prospect")
			if err != nil {
				return false
			}
			defer r.Body.Close()
			return json.NewDecoder(r.Body).Decode(&profiles) == nil && profiles.Total >= 5
		})
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("readyz: %v %v", resp, err)
		}
		resp.Body.Close()
		if got := totalEnd(t, k, "earshot.raw"); got != want {
			t.Fatalf("round %d: raw has %d records, want %d (a restart must not re-import)", round, got, want)
		}
		k.Close()
		if err := child.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := child.Wait(); err != nil {
			t.Fatalf("round %d: run did not exit cleanly on SIGTERM: %v\n%s", round, err, logs)
		}
		if !strings.Contains(logs.String(), "shutting down") {
			t.Fatalf("no graceful shutdown in the log:\n%s", logs)
		}
	}
}
