package all_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/earshothq/earshot/connectors"
	_ "github.com/earshothq/earshot/connectors/all"
)

// Every folder under connectors/ that holds a sample.yaml is a connector and
// must be registered with that sample embedded (the type may differ from
// the folder: webcrawl registers "web", the source name its ids hash), and
// every registered type must come from such a folder.
func TestEveryConnectorFolderIsRegistered(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	bySample := map[string]string{}
	for _, typ := range connectors.Types() {
		reg, _ := connectors.Lookup(typ)
		if len(reg.Sample) == 0 {
			t.Errorf("connector %s registers no sample config", typ)
			continue
		}
		bySample[string(reg.Sample)] = typ
	}
	found := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sample, err := os.ReadFile(filepath.Join("..", e.Name(), "sample.yaml"))
		if err != nil {
			continue
		}
		typ, ok := bySample[string(sample)]
		if !ok {
			t.Errorf("connector folder %s is not registered with its sample.yaml (add it to connectors/all/all.go and call connectors.Register in its init with the embedded sample)", e.Name())
			continue
		}
		found[typ] = true
		readme, err := os.ReadFile(filepath.Join("..", e.Name(), "README.md"))
		if err != nil {
			t.Errorf("connector %s has no README.md", e.Name())
		} else if !containsSample(readme, sample) {
			t.Errorf("connector %s: README.md does not show its sample.yaml", e.Name())
		}
	}
	if len(found) == 0 {
		t.Fatal("no connector folders found; is the test running from connectors/all?")
	}
	for _, typ := range connectors.Types() {
		if !found[typ] {
			t.Errorf("connector type %s has no folder under connectors/ with its sample.yaml", typ)
		}
	}
}

// containsSample reports whether the README quotes the sample's first
// non-empty line (READMEs show the sample in a code block).
func containsSample(readme, sample []byte) bool {
	for _, line := range bytes.Split(sample, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			return bytes.Contains(readme, line)
		}
	}
	return false
}
