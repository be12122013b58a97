//go:build !lingua

package lang

import (
	"fmt"
	"strings"
)

// LinguaBuilt reports whether this binary carries lingua-go's models.
const LinguaBuilt = false

// newFallback fails in the default build: lingua-go's models would add
// 137 MB to every binary for languages few configurations use.
func newFallback(codes, uncovered []string) (fallback, error) {
	return nil, fmt.Errorf("%s not in the compact model, and telling %s apart needs lingua-go's models: "+
		"build with `go build -tags lingua ./cmd/earshot` (a 200 MB binary), or remove %s from the configured languages",
		strings.Join(uncovered, ", "), strings.Join(codes, ", "), strings.Join(uncovered, ", "))
}
