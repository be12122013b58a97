package all_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/earshothq/earshot/connectors"
	_ "github.com/earshothq/earshot/connectors/all"
)

// typeOfFolder names the connectors whose type differs from their folder:
// the crawler lives in webcrawl (not to be confused with the HTTP package web)
// but keeps the type "web", because record ids hash the source name.
var typeOfFolder = map[string]string{"webcrawl": "web"}

// Every folder under connectors/ that holds a sample.yaml is a connector and
// must be registered under its folder name (or its typeOfFolder entry), with
// its sample embedded.
func TestEveryConnectorFolderIsRegistered(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", e.Name(), "sample.yaml")); err != nil {
			continue
		}
		found++
		typ := e.Name()
		if t, ok := typeOfFolder[typ]; ok {
			typ = t
		}
		reg, ok := connectors.Lookup(typ)
		if !ok {
			t.Errorf("connector folder %s is not registered (add it to connectors/all/all.go and call connectors.Register in its init)", e.Name())
			continue
		}
		if len(reg.Sample) == 0 {
			t.Errorf("connector %s registers no sample config", e.Name())
		}
		readme, err := os.ReadFile(filepath.Join("..", e.Name(), "README.md"))
		if err != nil {
			t.Errorf("connector %s has no README.md", e.Name())
		} else if !containsSample(readme, reg.Sample) {
			t.Errorf("connector %s: README.md does not show its sample.yaml", e.Name())
		}
	}
	if found == 0 {
		t.Fatal("no connector folders found; is the test running from connectors/all?")
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
