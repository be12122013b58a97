package all_test

import (
	"context"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/internal/confx"
)

// Every registered connector's sample.yaml, with its ${ENV} references set
// the way an operator would set them, builds a connector; a sample that
// drifts from the config it documents fails here.
func TestEverySampleConfigBuildsItsConnector(t *testing.T) {
	types := connectors.Types()
	if len(types) < 5 {
		t.Fatalf("only %d connector types registered: %v", len(types), types)
	}
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			reg, _ := connectors.Lookup(typ)
			if reg.Description == "" {
				t.Error("registered without a description")
			}
			var refs []string
			text, err := confx.ExpandEnv(reg.Sample, func(name string) (string, bool) {
				refs = append(refs, name)
				return "sample-secret-" + name, true // long enough for every secret rule
			})
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(text, &doc); err != nil {
				t.Fatalf("sample.yaml is not YAML: %v", err)
			}
			if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
				t.Fatal("sample.yaml is not a mapping")
			}
			c, err := reg.Factory(doc.Content[0], connectors.Deps{Name: "sample", Checkpoints: connectors.NewMemoryCheckpoints()})
			if err != nil {
				t.Fatalf("sample.yaml (env %v): %v", refs, err)
			}
			if err := c.Close(context.Background()); err != nil {
				t.Errorf("closing an unconnected connector: %v", err)
			}
		})
	}
}
