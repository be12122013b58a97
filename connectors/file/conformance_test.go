package file

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
)

// growingFile is a JSONL file the test appends to, and can rotate.
type growingFile struct {
	mu   sync.Mutex
	path string
	next int
}

func (g *growingFile) Publish(t testing.TB, n int) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, err := os.OpenFile(g.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := make([]string, n)
	for i := range n {
		g.next++
		ids[i] = fmt.Sprintf("row-%d", g.next)
		fmt.Fprintf(f, `{"id":%q,"text":"Brewly row %d, kawa pyszna","author":{"name":"Ilze"}}`+"\n", ids[i], g.next)
	}
	return ids
}

// Drop rotates the file as logrotate does: rename, then a new empty file.
func (g *growingFile) Drop(t testing.TB) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := os.Rename(g.path, g.path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: "file",
		NewSource: func(t testing.TB) conformance.Source {
			p := filepath.Join(t.TempDir(), "export.jsonl")
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return &growingFile{path: p}
		},
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			cfg := fmt.Sprintf("path: %s\nfollow: true\npoll_interval: 20ms\n", src.(*growingFile).path)
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(cfg), &node); err != nil {
				t.Fatal(err)
			}
			c, err := New(node.Content[0], deps)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Timeout: 20 * time.Second,
	})
}
