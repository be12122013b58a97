package connectors

import (
	"fmt"
	"sort"
	"sync"
)

// Registration describes one connector type.
type Registration struct {
	Type        string
	Description string
	Factory     Factory
	// Sample is the connector's embedded sample.yaml: a commented example of
	// its `config:` mapping, shown by `earshot connectors` and in its README.
	Sample []byte
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Registration{}
)

// Register adds a connector type; connector packages call it from init().
// Registering a type twice is a programming error and panics.
func Register(r Registration) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if r.Type == "" || r.Factory == nil {
		panic("connectors: Register needs a type and a factory")
	}
	if _, dup := registry[r.Type]; dup {
		panic(fmt.Sprintf("connectors: type %q registered twice", r.Type))
	}
	registry[r.Type] = r
}

// Lookup returns the registration of a connector type.
func Lookup(typ string) (Registration, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	r, ok := registry[typ]
	return r, ok
}

// Types lists the registered connector types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
