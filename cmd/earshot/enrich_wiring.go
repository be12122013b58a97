package main

import (
	"github.com/earshothq/earshot/enrich"
)

// newEnrichStage assembles the enrich stage from the config.
func (h *hub) newEnrichStage() (*enrich.Stage, error) {
	return &enrich.Stage{Logger: h.logger.With("component", "enrich")}, nil
}
