package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/bleve"
)

// `search --direct` while another process (a hub) holds the embedded index
// used to hang silently; it now gives up with a message saying the index is
// in use and how to search instead.
func TestSearchDirectWhileTheIndexIsHeldSaysItIsInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	held, err := bleve.Open(bleve.Config{Path: path}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	p := writeConfig(t, fmt.Sprintf("http:\n  listen: 127.0.0.1:1\nsearch:\n  embedded: {path: %q}\n", path))
	start := time.Now()
	code, out, errOut := runCLI(t, "search", "-c", p, "--direct", "lumio")
	if code == 0 || !strings.Contains(errOut, "is in use by a running hub") || !strings.Contains(errOut, path) {
		t.Fatalf("exit %d after %v, stdout %q, stderr %q", code, time.Since(start), out, errOut)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("took %v", took)
	}
}
