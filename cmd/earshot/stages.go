package main

import (
	"github.com/earshothq/earshot/web"
)

// stageRoles mounts the API and returns the consuming stages `earshot run`
// starts behind the intake.
func (h *hub) stageRoles(srv *web.Server) ([]role, error) {
	api, err := h.apiRoles(srv)
	if err != nil {
		return nil, err
	}
	return append(api, role{name: "enrich", run: h.runEnrich}, role{name: "index", run: h.runIndex}), nil
}
