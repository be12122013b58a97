package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/web"
)

func init() {
	addCommand(newConnectCmd)
	addCommand(newEnrichCmd)
	addCommand(newServeCmd)
}

// roleCommand builds a command for one role of the distributed mode: it
// opens the hub, serves health and metrics (and whatever the role mounts)
// on its listen address, and runs the role until a signal. The HTTP
// listener stops first, so requests in flight finish before the role drains.
func roleCommand(app *App, use, short string, defaultListen func(*Config) string, build func(h *hub, srv *web.Server) ([]role, error)) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			h, err := app.openHub(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			addr := listen
			if addr == "" {
				addr = defaultListen(h.cfg)
			}
			srv := h.newServer(addr)
			roles, err := build(h, srv)
			if err != nil {
				return err
			}
			httpRole := []role{{name: "http", run: func(ctx context.Context) error { return srv.Serve(ctx, nil) }}}
			return runPhases(ctx, h.logger, httpRole, roles)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address for health, metrics and the role's HTTP endpoints")
	return cmd
}

func newConnectCmd(app *App) *cobra.Command {
	return roleCommand(app, "connect", "Run the connectors (and the forms intake) into the raw topic",
		func(c *Config) string { return c.Connect.Listen },
		func(h *hub, srv *web.Server) ([]role, error) {
			conns, err := h.buildConnectors(h.startCtx, srv)
			if err != nil {
				return nil, err
			}
			return []role{{name: "connectors", run: conns.run}}, nil
		})
}

func newEnrichCmd(app *App) *cobra.Command {
	return roleCommand(app, "enrich", "Run the enrichment stage: raw → enriched (+ prospects)",
		func(*Config) string { return "127.0.0.1:9101" },
		func(h *hub, _ *web.Server) ([]role, error) {
			return []role{{name: "enrich", run: h.runEnrich}}, nil
		})
}

func newServeCmd(app *App) *cobra.Command {
	return roleCommand(app, "serve", "Serve the JSON API",
		func(c *Config) string { return c.HTTP.Listen },
		func(h *hub, srv *web.Server) ([]role, error) {
			roles, err := h.apiRoles(srv)
			if err != nil {
				return nil, err
			}
			alerting, err := h.alertRoles(context.Background())
			return append(roles, alerting...), err
		})
}
