package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() { addCommand(newHealthcheckCmd) }

// newHealthcheckCmd asks a running role whether it is ready: the container
// image has no curl, so docker-compose and Kubernetes exec probes call this.
func newHealthcheckCmd(app *App) *cobra.Command {
	var timeout time.Duration
	var live bool
	cmd := &cobra.Command{
		Use:   "healthcheck [HOST:PORT]",
		Short: "Exit 0 when the role listening on HOST:PORT (default 127.0.0.1:8080) is ready (/readyz), 1 otherwise",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr := "127.0.0.1:8080"
			if len(args) == 1 {
				addr = args[0]
			}
			path := "/readyz"
			if live {
				path = "/healthz"
			}
			url := addr + path
			if !strings.Contains(addr, "://") {
				url = "http://" + url
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("building the request to %s: %w", url, err)}
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("asking %s: %w", url, err)}
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
			if res.StatusCode != http.StatusOK {
				return &exitError{code: 1, err: fmt.Errorf("%s answered %s: %s", url, res.Status, strings.TrimSpace(string(body)))}
			}
			fmt.Fprintf(app.Stdout, "%s: ready\n", url)
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	cmd.Flags().BoolVar(&live, "live", false, "ask /healthz (the process answers) instead of /readyz (its dependencies answer)")
	return cmd
}
