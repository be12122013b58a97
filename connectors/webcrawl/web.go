// Package webcrawl is the web page connector: it crawls configured sites with
// colly (robots.txt, per-domain delay and parallelism, bounded frontier),
// extracts items with CSS/XPath rules and schema.org JSON-LD/microdata, and
// emits only new or changed items, recrawling on an interval.
package webcrawl

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type and the Source of its records.
const Type = "web"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Web pages (forums, review lists, blog comments, news) crawled with colly; CSS/XPath items and schema.org reviews",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a web connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fillSites()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// shards splits a site's remembered items over several checkpoint keys so
// no single value grows beyond what a Kafka message holds.
const shards = 16

// Connector crawls the configured sites.
type Connector struct {
	cfg     Config
	deps    connectors.Deps
	log     *slog.Logger
	metrics metrics
	sites   []*site

	run progress.Lifecycle

	// mu guards loaded, active and every site's delivery state.
	mu     sync.Mutex
	loaded bool
	active int // site loops that have not finished for good
}

type metrics struct {
	pages *prometheus.CounterVec // site, result
	items *prometheus.CounterVec // site, result
	links *prometheus.CounterVec // site, result: queued, queue_full, max_pages
}

// site is one configured site with its crawl rules and delivery state.
type site struct {
	c         *Connector
	cfg       Site
	x         *extractor
	follow    []followRule
	filters   []*regexp.Regexp
	excluded  []*regexp.Regexp
	transport *http.Transport
	client    http.RoundTripper

	// Guarded by Connector.mu.
	versions     [shards]*progress.Versions
	dirty        [shards]bool
	lastComplete time.Time
	metaDirty    bool
	inflight     map[uint64]*inflight
}

// inflight is an item handed out and not yet acknowledged, with the crawls
// waiting for it.
type inflight struct {
	content uint64
	crawls  []*crawlRun
}

type siteMeta struct {
	// LastComplete is when the last crawl whose items were all delivered
	// started; the next crawl is due RecrawlInterval after it.
	LastComplete time.Time `json:"last_complete"`
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("web connector needs a checkpoint store")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "earshot", Subsystem: "web", Name: name, Help: help}
	}
	ms := promx.NewSet(deps.Registerer)
	c := &Connector{
		cfg:  cfg,
		deps: deps,
		log:  log.With("component", "connector", "type", Type, "connector", deps.Name),
		metrics: metrics{
			pages: ms.CounterVec(opts("pages_total",
				"Pages by result: ok, robots, refused, too_large, timeout, filtered, canceled, error."), "connector", "site", "result"),
			items: ms.CounterVec(opts("items_total",
				"Items by outcome: emitted, unchanged, acked, failed."), "connector", "site", "result"),
			links: ms.CounterVec(opts("links_total",
				"Links found by outcome: queued, queue_full, max_pages."), "connector", "site", "result"),
		},
	}
	if err := ms.Err(); err != nil {
		return nil, fmt.Errorf("web connector %q: %w", deps.Name, err)
	}
	for _, sc := range cfg.Sites {
		s, err := c.newSite(sc)
		if err != nil {
			return nil, err
		}
		c.sites = append(c.sites, s)
	}
	return c, nil
}

func (c *Connector) newSite(sc Site) (*site, error) {
	policy, err := netguard.NewPolicy(sc.AllowNetworks)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", sc.Name, err)
	}
	s := &site{c: c, cfg: sc, x: newExtractor(sc)}
	for _, f := range sc.Follow {
		r := followRule{sel: compileSelector(f.Selector)}
		if f.Pattern != "" {
			r.pattern = regexp.MustCompile(f.Pattern) // validated
		}
		s.follow = append(s.follow, r)
	}
	for _, f := range sc.URLFilters {
		s.filters = append(s.filters, regexp.MustCompile(f))
	}
	for _, f := range sc.DisallowedURLFilters {
		s.excluded = append(s.excluded, regexp.MustCompile(f))
	}
	s.transport = policy.Transport(netguard.TransportOptions{
		ResponseHeaderTimeout: sc.RequestTimeout,
		MaxConnsPerHost:       sc.Parallelism,
	})
	s.client = &pageTransport{base: s.transport, maxBody: sc.MaxBodyBytes}
	return s, nil
}

func (s *site) key(suffix string) string {
	return s.c.deps.Name + "/web/" + s.cfg.Name + "/" + suffix
}

func shardOf(key uint64) int { return int(key >> 60) }

// Connect loads the checkpoints and starts one crawl loop per site.
// Connecting a running connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run.Running() {
		return nil
	}
	if !c.loaded {
		for _, s := range c.sites {
			if err := c.load(ctx, s); err != nil {
				return err
			}
		}
		c.loaded = true
	}
	runCtx, out, _ := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 16,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	c.active = len(c.sites)
	for _, s := range c.sites {
		c.run.Go(func() { s.run(runCtx, out) })
	}
	return nil
}

// load reads a site's checkpoints (c.mu held).
func (c *Connector) load(ctx context.Context, s *site) error {
	s.inflight = map[uint64]*inflight{}
	per := max(c.cfg.Remember/shards, 1)
	for i := range s.versions {
		s.versions[i] = progress.NewVersions(per)
		raw, err := c.deps.Checkpoints.Load(ctx, s.key(fmt.Sprintf("items/%02x", i)))
		if err != nil {
			return fmt.Errorf("loading checkpoint of site %s: %w", s.cfg.Name, err)
		}
		if err := s.versions[i].UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("decoding checkpoint of site %s: %w", s.cfg.Name, err)
		}
	}
	raw, err := c.deps.Checkpoints.Load(ctx, s.key("meta"))
	if err != nil {
		return fmt.Errorf("loading checkpoint of site %s: %w", s.cfg.Name, err)
	}
	if raw != nil {
		var m siteMeta
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("decoding checkpoint of site %s: %w", s.cfg.Name, err)
		}
		s.lastComplete = m.LastComplete
	}
	return nil
}

// collect returns the checkpoints changed since the last call.
func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]byte{}
	for _, s := range c.sites {
		for i := range s.versions {
			if s.dirty[i] {
				out[s.key(fmt.Sprintf("items/%02x", i))], _ = s.versions[i].MarshalBinary()
				s.dirty[i] = false
			}
		}
		if s.metaDirty {
			out[s.key("meta")], _ = json.Marshal(siteMeta{LastComplete: s.lastComplete})
			s.metaDirty = false
		}
	}
	return out
}

// Read returns the next new or changed item. When every site crawls once
// (recrawl_interval 0) and all are done and delivered, it returns
// connectors.ErrEndOfInput.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops the crawls and saves the checkpoints. Items handed out and
// not acknowledged are not remembered: the next crawl emits them again, and
// a crawl not completed is started again at once.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		c.mu.Lock()
		for _, s := range c.sites {
			clear(s.inflight)
		}
		c.mu.Unlock()
		for _, s := range c.sites {
			s.transport.CloseIdleConnections()
		}
	})
	if err != nil {
		return fmt.Errorf("saving web checkpoints: %w", err)
	}
	return nil
}

// run crawls the site every recrawl interval, or once.
func (s *site) run(ctx context.Context, out *progress.Outbox) {
	c := s.c
	for {
		c.mu.Lock()
		last := s.lastComplete
		c.mu.Unlock()
		if !last.IsZero() {
			if s.cfg.RecrawlInterval == 0 {
				s.finished(out)
				return
			}
			if wait := time.Until(last.Add(s.cfg.RecrawlInterval)); wait > 0 && connectors.Sleep(ctx, wait) != nil {
				return
			}
		}
		run := &crawlRun{started: time.Now(), done: make(chan struct{})}
		s.crawl(ctx, out, run)
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		run.crawled = true
		s.check(run)
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-run.done:
		}
		c.mu.Lock()
		s.lastComplete = run.started
		s.metaDirty = true
		c.mu.Unlock()
		c.log.Info("crawl complete", "site", s.cfg.Name, "pages", run.pages.Load(), "took", time.Since(run.started).Round(time.Millisecond))
	}
}

// finished records a site done for good; the last one ends the input.
func (s *site) finished(out *progress.Outbox) {
	c := s.c
	c.mu.Lock()
	c.active--
	last := c.active == 0
	c.mu.Unlock()
	if last {
		out.Fail(connectors.ErrEndOfInput)
	}
}

// deliver queues an item unless it was delivered (or is in flight) with
// the same content; the crawl run waits for its acknowledgement.
func (s *site) deliver(ctx context.Context, out *progress.Outbox, run *crawlRun, it item) error {
	c := s.c
	c.mu.Lock()
	if v, ok := s.versions[shardOf(it.key)].Get(it.key); ok && v == it.content {
		c.mu.Unlock()
		c.metrics.items.WithLabelValues(c.deps.Name, s.cfg.Name, "unchanged").Inc()
		return nil
	}
	run.waiting++
	if in, ok := s.inflight[it.key]; ok && in.content == it.content {
		in.crawls = append(in.crawls, run)
		c.mu.Unlock()
		return nil
	}
	s.inflight[it.key] = &inflight{content: it.content, crawls: []*crawlRun{run}}
	c.mu.Unlock()
	c.metrics.items.WithLabelValues(c.deps.Name, s.cfg.Name, "emitted").Inc()
	return out.Put(ctx, &progress.Item{Record: it.rec, Done: func(err error) { s.done(it, err) }})
}

func (s *site) done(it item, err error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	in, ok := s.inflight[it.key]
	if !ok || in.content != it.content {
		return // dropped at Close
	}
	delete(s.inflight, it.key)
	if err == nil {
		c.metrics.items.WithLabelValues(c.deps.Name, s.cfg.Name, "acked").Inc()
		sh := shardOf(it.key)
		s.versions[sh].Put(it.key, it.content)
		s.dirty[sh] = true
	} else {
		// Not remembered: the next crawl offers it again.
		c.metrics.items.WithLabelValues(c.deps.Name, s.cfg.Name, "failed").Inc()
		c.log.Error("giving up delivering item", "site", s.cfg.Name, "item", it.rec.SourceID, "err", err)
	}
	for _, r := range in.crawls {
		r.waiting--
		s.check(r)
	}
}

// check closes a run's done channel once it crawled everything and all its
// items were delivered (c.mu held).
func (s *site) check(r *crawlRun) {
	if r.crawled && r.waiting == 0 && !r.closed {
		r.closed = true
		close(r.done)
	}
}
