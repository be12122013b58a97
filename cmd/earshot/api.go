package main

import (
	"context"
	"errors"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/web"
)

// apiRoles opens the search backend and mounts the JSON API on srv.
func (h *hub) apiRoles(srv *web.Server) ([]role, error) {
	b, err := h.searchBackend(context.Background())
	if err != nil {
		return nil, err
	}
	srv.Handle("/api/", web.SearchHandler(b, h.logger))
	srv.AddCheck("search", func(ctx context.Context) error {
		// A lookup that must come back "not found" proves the backend answers.
		if _, err := b.GetMention(ctx, "readiness-probe"); err != nil && !errors.Is(err, index.ErrNotFound) {
			return err
		}
		return nil
	})
	return nil, nil
}
