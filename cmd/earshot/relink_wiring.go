package main

import (
	"context"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/relink"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/record"
)

// wireRelink lets the index stage re-link mentions already indexed when a
// customer arrives or prospects are converted or merged, with identity's
// normalisation (the same keys the enrich stage matched by).
func (h *hub) wireRelink(st *stage.Stage, b index.Backend) error {
	pass, err := relink.New(b, identity.NewKeys(h.cfg.Enrich.Identity))
	if err != nil {
		return err
	}
	logger := h.logger.With("component", "relink")
	st.SetRelink(func(ctx context.Context, customers []*record.Customer, prospects []*record.Prospect) error {
		res, err := pass.Run(ctx, customers, prospects)
		if res.Relinked > 0 {
			logger.Info("re-linked indexed mentions", "customers", len(customers), "prospects", len(prospects),
				"read", res.Read, "relinked", res.Relinked)
		}
		return err
	})
	return nil
}
