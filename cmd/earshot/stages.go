package main

import (
	"github.com/earshothq/earshot/web"
)

// stageRoles mounts the API and returns the consuming stages `earshot run`
// starts behind the intake.
func (h *hub) stageRoles(srv *web.Server) ([]role, error) {
	if _, err := h.apiRoles(srv); err != nil {
		return nil, err
	}
	return []role{{name: "enrich", run: h.runEnrich}, {name: "index", run: h.runIndex}}, nil
}
