package bleve

import (
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
)

func newTestBackend(t *testing.T) index.Backend {
	t.Helper()
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestContract(t *testing.T) { contract.Run(t, newTestBackend) }
