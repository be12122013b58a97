package file

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/connectors"
)

// writeLines writes n JSONL mentions, plus an over-long line at line big
// (0: none), and returns the file's path.
func writeLines(t *testing.T, n int, big int, bigBytes int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mentions.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 1; i <= n; i++ {
		if i == big {
			fmt.Fprintf(w, `{"id":"big","text":"%s"}`+"\n", strings.Repeat("x", bigBytes))
			continue
		}
		fmt.Fprintf(w, `{"id":"m%d","text":"mention %d","author":{"name":"a%d"}}`+"\n", i, i, i%50)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// A row whose delivery failed keeps the checkpoint below it for the run,
// however many rows are acknowledged above it: the checkpoint must stay
// small (it once listed every line above the gap: 109 KB after 20,000).
func TestCheckpointStaysBoundedAboveAFailedRow(t *testing.T) {
	const lines = 50_000
	path := writeLines(t, lines, 0, 0)
	store := connectors.NewMemoryCheckpoints()
	c := newConnector(t, "path: "+path, store)
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	read := 0
	for {
		m, ack, err := c.Read(ctx)
		if errors.Is(err, connectors.ErrEndOfInput) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		read++
		if m.SourceID == "m2" {
			_ = ack(ctx, errors.New("broker refused it"))
			continue
		}
		_ = ack(ctx, nil)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	raw, _ := store.Load(ctx, "file/t")
	if read != lines || len(raw) >= 1024 {
		t.Fatalf("read %d rows; checkpoint is %d bytes (want < 1 KiB): %.200s", read, len(raw), raw)
	}
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil || cp.Line != 1 {
		t.Fatalf("checkpoint %s: %v", raw, err)
	}
	// A restart reads exactly the failed row again.
	again, _ := readAll(t, newConnector(t, "path: "+path, store), -1)
	if len(again) != 1 || again[0].SourceID != "m2" {
		t.Fatalf("after a restart %d rows were read again, want only m2", len(again))
	}
}

// An over-long line is rejected with its full size, and acknowledging the
// rejection moves the checkpoint past it.
func TestOverLongLineIsRejectedWithItsSizeAndPassed(t *testing.T) {
	path := writeLines(t, 5, 3, 2<<20)
	store := connectors.NewMemoryCheckpoints()
	c := newConnector(t, "path: "+path, store)
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	var rej *connectors.RejectedError
	n := 0
	for {
		m, ack, err := c.Read(ctx)
		if errors.Is(err, connectors.ErrEndOfInput) {
			break
		}
		if errors.As(err, &rej) {
			_ = rej.Ack(ctx, nil)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		_ = ack(ctx, nil)
		_ = m
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n != 4 || rej == nil || rej.Position != "mentions.jsonl:3" || rej.Size != int64(len(`{"id":"big","text":""}`)+2<<20) || len(rej.Raw) != 1<<20 {
		t.Fatalf("%d records; rejection %+v (raw %d bytes)", n, rej, len(rej.Raw))
	}
	raw, _ := store.Load(ctx, "file/t")
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil || cp.Line != 5 || len(cp.Above) != 0 {
		t.Fatalf("checkpoint %s: %v", raw, err)
	}
}

func TestCheckpointsOfEarlierVersionsStillLoad(t *testing.T) {
	var cp checkpoint
	if err := json.Unmarshal([]byte(`{"path":"x","line":4,"above":[9,6,7]}`), &cp); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cp.Above) != "[[6 7] [9 9]]" || !cp.Above.contains(6) || cp.Above.contains(8) || !cp.Above.contains(9) {
		t.Fatalf("above %v", cp.Above)
	}
	runs := lineRuns{{1, 2}, {4, 4}, {3, 3}, {10, 12}, {20, 20}}.normalize(2)
	if fmt.Sprint(runs) != "[[1 4] [10 12]]" {
		t.Fatalf("normalize %v", runs)
	}
}
