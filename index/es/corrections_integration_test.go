package es

import (
	"testing"

	"github.com/earshothq/earshot/index/contract"
)

func TestIntegrationCorrections(t *testing.T) { contract.RunCorrections(t, newRealBackend(t)) }
