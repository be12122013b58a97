package main

import (
	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/analysis"
)

// newEnrichStage assembles the enrich stage from the config.
func (h *hub) newEnrichStage() (*enrich.Stage, error) {
	logger := h.logger.With("component", "enrich")
	a, err := analysis.New(h.cfg.Enrich.Analysis, logger)
	if err != nil {
		return nil, err
	}
	if err := a.RegisterMetrics(h.registry); err != nil {
		return nil, err
	}
	return &enrich.Stage{Analyzer: a, Logger: logger}, nil
}
