package main

import (
	"context"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/relevance"
)

// newEnrichStage assembles the enrich stage from the config. Sentiment and
// intent model files are watched while ctx lasts: a retrained model replaces the
// running one without a restart.
func (h *hub) newEnrichStage(ctx context.Context) (*enrich.Stage, error) {
	logger := h.logger.With("component", "enrich")
	a, err := analysis.New(h.cfg.Enrich.Analysis, logger)
	if err != nil {
		return nil, err
	}
	if err := a.RegisterMetrics(h.registry); err != nil {
		return nil, err
	}
	if path := h.cfg.Enrich.Analysis.SentimentModel; path != "" {
		go a.WatchModel(ctx, path, h.cfg.Enrich.Analysis.ModelPoll)
	}
	if path := h.cfg.Enrich.Analysis.IntentModel; path != "" {
		go a.WatchIntentModel(ctx, path, h.cfg.Enrich.Analysis.ModelPoll)
	}
	r, err := identity.New(h.cfg.Enrich.Identity, logger, identity.WithRegisterer(h.registry))
	if err != nil {
		return nil, err
	}
	rel, err := relevance.New(h.cfg.Enrich.Analysis.Relevance, a.Brands)
	if err != nil {
		return nil, err
	}
	return &enrich.Stage{Analyzer: a, Resolver: r, Relevance: rel, Logger: logger}, nil
}
