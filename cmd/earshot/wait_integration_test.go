package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// `earshot run` with an Elasticsearch that accepts connections and never
// answers waits for it, says so, and on SIGTERM exits within 2 s with an
// error naming Elasticsearch and its address (it once took 42 s).
func TestIntegrationSIGTERMWhileWaitingForElasticsearch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and hold every connection, answering nothing
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	addr := "http://" + ln.Addr().String()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 1}
http:
  listen: 127.0.0.1:0
search:
  backend: elasticsearch
  elasticsearch: {addresses: [%q], timeout: 30s}
connectors: []
`, filepath.Join(dir, "kafka"), addr)
	cfgPath := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	child, logs := startChild(t, "run", "-c", cfgPath)
	waitFor(t, "the wait for Elasticsearch to be logged", 60*time.Second, logs, func() bool {
		return strings.Contains(logs.String(), "waiting for Elasticsearch at "+addr) ||
			strings.Contains(logs.String(), "embedded Kafka broker started")
	})
	time.Sleep(500 * time.Millisecond) // inside the first, unanswered request
	start := time.Now()
	if err := child.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		_ = child.Process.Kill()
		<-exited
		t.Fatalf("still running 2s after SIGTERM; log:\n%s", logs)
	}
	took := time.Since(start)
	if out := logs.String(); !strings.Contains(out, "Elasticsearch at "+addr) {
		t.Fatalf("exited after %v without naming Elasticsearch and its address; log:\n%s", took, out)
	}
	t.Logf("exited %v after SIGTERM:\n%s", took.Round(time.Millisecond), logs)
}
