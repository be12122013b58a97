package main

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

// TestMain lets tests run the earshot command as a real subprocess (so it
// can be killed with SIGKILL): the test binary re-executes itself with
// EARSHOT_TEST_AS_CLI=1 and earshot's arguments.
func TestMain(m *testing.M) {
	if os.Getenv("EARSHOT_TEST_AS_CLI") == "1" {
		os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
