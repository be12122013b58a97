package connectors

import (
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/internal/confx"
)

// DecodeConfig decodes a connector's `config:` node into dst strictly:
// unknown keys and wrongly typed values are errors naming their line, with
// keys relative to the mapping (as Validate reports them).
// Factories call it before applying defaults and validating.
func DecodeConfig(node *yaml.Node, dst any) error {
	return confx.Decode("", "", node, dst)
}
