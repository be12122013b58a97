package main

import (
	"github.com/earshothq/earshot/web"
)

// stageRoles are the consuming stages `earshot run` starts behind the intake.
func (h *hub) stageRoles(srv *web.Server) ([]role, error) {
	_ = srv
	return []role{{name: "enrich", run: h.runEnrich}}, nil
}
