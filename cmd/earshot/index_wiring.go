package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/web"
)

func init() { addCommand(newIndexCmd) }

func newIndexCmd(app *App) *cobra.Command {
	return roleCommand(app, "index", "Run the index stage: enriched, customers, prospects, erasures → search backend",
		func(*Config) string { return "127.0.0.1:9102" },
		func(h *hub, srv *web.Server) ([]role, error) {
			return []role{{name: "index", run: h.runIndex}}, nil
		})
}

// searchBackend opens the configured backend once per process: in `earshot
// run` the index stage and the API share it (the embedded index belongs to
// one process). A cluster that is down at start is waited for, like Kafka,
// up to brokerWait or until ctx (the signal context) ends; the error names
// Elasticsearch and its addresses.
func (h *hub) searchBackend(ctx context.Context) (index.Backend, error) {
	h.searchOnce.Do(func() {
		if ctx == nil {
			ctx = context.Background()
		}
		wctx, cancel := context.WithTimeout(ctx, brokerWait)
		defer cancel()
		logger := h.logger.With("component", "search")
		if h.cfg.Search.Backend != backend.KindElasticsearch {
			h.search, h.searchErr = backend.Open(wctx, h.cfg.Search, logger, h.registry)
			return
		}
		where := "Elasticsearch at " + strings.Join(h.cfg.Search.Elasticsearch.Addresses, ", ")
		backoff := 250 * time.Millisecond
		for {
			h.search, h.searchErr = backend.Open(wctx, h.cfg.Search, logger, h.registry)
			if h.searchErr == nil {
				return
			}
			if wctx.Err() != nil {
				break
			}
			logger.Warn("waiting for "+where, "error", firstLine(h.searchErr), "retry_in", backoff)
			if connectors.Sleep(wctx, backoff) != nil {
				break
			}
			backoff = min(backoff*2, 10*time.Second)
		}
		switch {
		case ctx.Err() != nil:
			h.searchErr = fmt.Errorf("stopped while waiting for %s (last error: %s)", where, firstLine(h.searchErr))
		default:
			h.searchErr = fmt.Errorf("%s did not answer within %s: %w", where, brokerWait, h.searchErr)
		}
	})
	return h.search, h.searchErr
}

// firstLine is an error's first line (client errors can run to dozens).
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// runIndex runs the index stage until ctx ends.
func (h *hub) runIndex(ctx context.Context) error {
	b, err := h.searchBackend(ctx)
	if err != nil {
		return err
	}
	st, err := stage.New(b, h.kafka.Topics(), h.cfg.Search.Stage, h.logger, h.registry)
	if err != nil {
		return err
	}
	if h.cfg.Search.Backend == backend.KindEmbedded {
		// The embedded index has one writer, this stage: it may keep the
		// prolific people's mentions for their profile rebuilds.
		st.SetProfileCache(stage.ProfileCacheMentions, stage.ProfileCacheTTL)
	}
	if err := h.wireRelink(st, b); err != nil {
		return err
	}
	if err := h.wireCorrections(ctx, st); err != nil {
		return err
	}
	stopRetention := h.startIndexRetention(ctx, st)
	defer stopRetention()
	return st.Run(ctx, h.kafka)
}

// searchState is the hub's lazily opened search backend.
type searchState struct {
	searchOnce sync.Once
	search     index.Backend
	searchErr  error
}

func (s *searchState) closeSearch() {
	if s.search != nil {
		s.search.Close()
	}
}
