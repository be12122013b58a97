package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func init() { addCommand(newRunCmd) }

func newRunCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the whole hub in one process: broker (embedded by default), connectors, enrichment, index, API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			h, err := app.openHub(ctx)
			if err != nil {
				return err
			}
			defer h.close()
			h.createFirstAdmin = true
			srv := h.newServer(h.cfg.HTTP.Listen)
			conns, err := h.buildConnectors(ctx, srv)
			if err != nil {
				return err
			}
			stages, err := h.stageRoles(srv)
			if err != nil {
				conns.close()
				return err
			}
			alerting, err := h.alertRoles(ctx)
			if err != nil {
				conns.close()
				return err
			}
			stages = append(stages, alerting...)
			listening := make(chan string, 1)
			intake := []role{
				{name: "http", run: func(ctx context.Context) error {
					return srv.Serve(ctx, func(addr string) { listening <- addr })
				}},
			}
			connectorsRole := []role{{name: "connectors", run: conns.run}}
			go func() {
				select {
				case addr := <-listening:
					h.printBanner(app, addr)
				case <-ctx.Done():
				}
			}()
			return runPhases(ctx, h.logger, intake, connectorsRole, stages)
		},
	}
}

// printBanner tells a new user where to look.
func (h *hub) printBanner(app *App, httpAddr string) {
	t := h.kafka.Topics()
	fmt.Fprintf(app.Stdout, "Earshot is running.\n")
	fmt.Fprintf(app.Stdout, "  Web app and API: http://%s/  (sign in; /api/openapi.json, /healthz, /readyz, /metrics)\n", httpAddr)
	h.printFirstAdmin(app)
	if h.embedded != nil {
		fmt.Fprintf(app.Stdout, "  Kafka (embedded): %s  data in %s\n", h.embedded.Addr(), h.cfg.Kafka.Embedded.DataDir)
	} else {
		fmt.Fprintf(app.Stdout, "  Kafka:            %s\n", strings.Join(h.kafka.Brokers(), ","))
	}
	fmt.Fprintf(app.Stdout, "  Topics:           %s, %s, %s, %s, %s\n", t.Raw(), t.Enriched(), t.Customers(), t.Prospects(), t.DLQ())
	fmt.Fprintf(app.Stdout, "  Inspect:          earshot topics    earshot dlq list\n")
	fmt.Fprintf(app.Stdout, "Stop with Ctrl-C (in-flight records are drained and committed).\n")
}
