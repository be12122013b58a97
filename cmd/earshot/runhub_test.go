package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
)

// runningHub is `earshot run` started by a test: the embedded broker, the
// embedded index and a contact form (email, name, message).
type runningHub struct {
	dir       string // the hub's data lives here (kafka/, index/)
	kafkaAddr string
	api       string // http://host:port
	logs      *testlog.Buffer
}

// startRunWithContactForm starts `earshot run` in a temporary directory and
// waits for its banner; the hub is stopped when the test ends.
func startRunWithContactForm(t *testing.T) *runningHub {
	t.Helper()
	h := &runningHub{dir: t.TempDir()}
	cfgPath := filepath.Join(h.dir, "earshot.yaml")
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 3}
http:
  listen: 127.0.0.1:0
search:
  embedded: {path: %q}
connectors:
  - name: forms
    type: forms
    config:
      forms:
        - id: contact
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: name, maps_to: name}
            - {name: message, maps_to: message, required: true}
`, filepath.Join(h.dir, "kafka"), filepath.Join(h.dir, "index"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	child, logs := startChild(t, "run", "-c", cfgPath)
	t.Cleanup(func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		_ = child.Wait()
	})
	h.logs = logs
	waitFor(t, "the banner", 30*time.Second, logs, func() bool {
		km, hm := bannerKafka.FindStringSubmatch(logs.String()), bannerHTTP.FindStringSubmatch(logs.String())
		if km == nil || hm == nil {
			return false
		}
		h.kafkaAddr, h.api = km[1], "http://"+hm[1]
		return true
	})
	return h
}
