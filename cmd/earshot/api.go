package main

import (
	"github.com/earshothq/earshot/web"
)

// apiRoles mounts the JSON API on srv and returns the roles it needs.
func (h *hub) apiRoles(srv *web.Server) ([]role, error) {
	_ = srv
	return nil, nil
}
