package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/earshothq/earshot/connectors"
	_ "github.com/earshothq/earshot/connectors/all"
	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/web"
)

// hub is what a long-running role needs: config, logger, metrics registry,
// the Kafka handle and, in the embedded mode, the broker itself.
type hub struct {
	cfg      *Config
	logger   *slog.Logger
	registry *prometheus.Registry
	embedded *pipeline.Embedded
	kafka    *pipeline.Kafka
	searchState
	alertState
	// createFirstAdmin is set by `earshot run`: with no users yet, the web
	// app creates "admin" (firstAdmin, shown in the banner).
	createFirstAdmin bool
	firstAdmin       *firstAdmin
	// startCtx is the command's signal context: waits for a dependency
	// while roles are built (the search cluster) end with it.
	startCtx context.Context
}

// brokerWait bounds how long a role waits for an external cluster at start.
const brokerWait = 60 * time.Second

// openHub loads the config, starts the embedded broker when configured,
// waits for the cluster and creates the topics.
func (a *App) openHub(ctx context.Context) (*hub, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	if err := cfg.checkPrivacySecret(); err != nil {
		return nil, err
	}
	// Every stage allocates per record; a GC target of 200% instead of 100%
	// trades heap headroom for CPU (embedded indexing at 1M mentions: 4,777
	// → 5,399 docs/s). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	h := &hub{cfg: cfg, logger: a.Logger(), registry: prometheus.NewRegistry(), startCtx: ctx}
	h.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var brokers []string
	if cfg.Kafka.Embedded.Enabled {
		h.embedded, err = pipeline.StartEmbedded(cfg.Kafka.Embedded, h.logger)
		if err != nil {
			return nil, err
		}
		brokers = []string{h.embedded.Addr()}
		h.logger.Info("embedded Kafka broker started", "addr", h.embedded.Addr(), "data_dir", cfg.Kafka.Embedded.DataDir)
	}
	h.kafka = pipeline.NewKafka(cfg.Kafka, brokers, h.logger, h.registry)
	wctx, cancel := context.WithTimeout(ctx, brokerWait)
	defer cancel()
	if err := h.kafka.WaitReachable(wctx); err != nil {
		h.close()
		return nil, err
	}
	if err := h.kafka.EnsureTopics(ctx); err != nil {
		h.close()
		return nil, err
	}
	logRetention(h.logger, cfg)
	if err := h.enableHubSealing(ctx); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

func (h *hub) close() {
	h.closeAlerts()
	h.closeSearch()
	if h.kafka != nil {
		h.kafka.Close()
	}
	if h.embedded != nil {
		h.embedded.Close()
	}
}

// newServer creates an HTTP server on listen with metrics and a Kafka
// readiness check.
func (h *hub) newServer(listen string) *web.Server {
	cfg := h.cfg.HTTP
	cfg.Listen = listen
	srv := web.NewServer(cfg, h.registry, h.logger)
	srv.AddCheck("kafka", h.kafka.Ping)
	return srv
}

// connectorSet is the connectors of a process, built before anything
// serves so HTTP connectors are mounted (and tighten the listener's
// timeouts) before the first request.
type connectorSet struct {
	runners []*connectors.Runner
	store   *pipeline.CheckpointStore
	// stream writes what connectors poll, stream, crawl or read; waited
	// writes what an HTTP connector's caller waits for (a form's answer
	// comes after the broker's ack), without waiting for a batch to fill.
	stream, waited connectorOutlet
}

// connectorOutlet is a producer with the publisher and dead letters that
// write through it.
type connectorOutlet struct {
	producer  *pipeline.Producer
	publisher *pipeline.RawPublisher
	dead      *pipeline.DeadLetters
}

func newConnectorOutlet(k *pipeline.Kafka, p *pipeline.Producer) connectorOutlet {
	return connectorOutlet{producer: p, publisher: k.NewRawPublisher(p), dead: k.NewDeadLetters(p)}
}

// buildConnectors opens the checkpoint store and builds every enabled
// connector, mounting HTTP connectors on srv.
func (h *hub) buildConnectors(ctx context.Context, srv *web.Server) (*connectorSet, error) {
	if len(h.cfg.Connectors) == 0 {
		h.logger.Warn("no connectors configured")
	}
	store, err := h.kafka.OpenCheckpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("opening checkpoints: %w", err)
	}
	set := &connectorSet{store: store,
		stream: newConnectorOutlet(h.kafka, h.kafka.NewStreamProducer("connectors", 0)),
		waited: newConnectorOutlet(h.kafka, h.kafka.NewProducer("connectors-http", 0))}
	metrics := connectors.NewRunnerMetrics(h.registry)
	for _, e := range h.cfg.Connectors {
		if !e.IsEnabled() {
			continue
		}
		reg, _ := connectors.Lookup(e.Type) // validated at load
		node := e.Config
		c, err := reg.Factory(&node, connectors.Deps{
			Name:        e.Name,
			Logger:      h.logger.With("connector", e.Name),
			Checkpoints: store,
			Sealer:      connectors.KeyringSealer(h.kafka.Keyring()),
			// Connectors label their series with "connector" themselves.
			Registerer:  h.registry,
			MaxInFlight: e.MaxInFlight,
		})
		if err != nil {
			set.close()
			return nil, fmt.Errorf("building connector %s: %w", e.Name, err)
		}
		out := set.stream
		if hc, ok := c.(connectors.HTTPConnector); ok {
			out = set.waited
			if srv != nil {
				srv.Handle(hc.Prefix(), hc.Handler())
				if t, ok := c.(interface{ ApplyServerTimeouts(*http.Server) }); ok {
					srv.ConfigureHTTP(t.ApplyServerTimeouts)
				}
			}
		}
		set.runners = append(set.runners, &connectors.Runner{
			Name: e.Name, Connector: c, Publisher: out.publisher, DeadLetters: out.dead,
			Logger: h.logger, Metrics: metrics, MaxInFlight: e.MaxInFlight,
		})
	}
	return set, nil
}

// run runs every connector until ctx ends (finite sources stop on their
// own), then flushes the producer and the checkpoint store.
func (s *connectorSet) run(ctx context.Context) error {
	defer s.close()
	var wg sync.WaitGroup
	errs := make([]error, len(s.runners))
	for i, r := range s.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Run(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *connectorSet) close() {
	s.stream.producer.Close()
	s.waited.producer.Close()
	s.store.Close()
}

// runEnrich runs the enrich stage until ctx ends.
func (h *hub) runEnrich(ctx context.Context) error {
	stage, err := h.newEnrichStage(ctx)
	if err != nil {
		return err
	}
	stopRetention := h.startProspectRetention(ctx)
	defer stopRetention()
	return enrich.Run(ctx, h.kafka, stage)
}
