package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// An idle hub under CPU load once logged 138 "i/o timeout" warnings in six
// minutes: retryable fetch timeouts are counted and logged at debug level,
// other reader errors stay warnings.
func TestReaderTimeoutsAreDebugAndCounted(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	timeouts := prometheus.NewCounter(prometheus.CounterOpts{Name: "t", Help: "t"})
	log := readerLogger(logger, timeouts)
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: &timeoutErr{}}
	log.Printf("the kafka reader got an unknown error reading partition %d of %s at offset %d: %w", 2, "earshot.raw", 0, timeout)
	log.Printf("the kafka reader got an unknown error reading partition %d of %s at offset %d: %w", 1, "earshot.raw", 7, fmt.Errorf("wrapped: %w", timeout))
	if got := testutil.ToFloat64(timeouts); got != 2 {
		t.Fatalf("timeouts counted %v, want 2", got)
	}
	if buf.Len() != 0 {
		t.Fatalf("a fetch timeout was logged above debug: %s", buf.String())
	}
	log.Printf("the kafka reader got an unknown error reading partition %d of %s at offset %d: %w", 0, "earshot.raw", 3, errors.New("broker gone"))
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "broker gone") {
		t.Fatalf("another error must stay a warning: %q", buf.String())
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }
