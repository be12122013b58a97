package bleve

import (
	"testing"

	"github.com/earshothq/earshot/index/contract"
)

func TestCorrections(t *testing.T) { contract.RunCorrections(t, newTestBackend(t)) }
