// Package mastodon is the Mastodon connector: per configured server it
// streams hashtags, keywords (matched client-side on the public stream) and
// the brand account's mentions, polls listed accounts, and catches up over
// REST (min_id) at start and after every reconnect, so nothing posted while
// disconnected is missed. Records are keyed by the status URI, so a status
// seen by several watches, or boosted many times, is one record.
package mastodon

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	gomasto "github.com/mattn/go-mastodon"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/keyword"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type and the Source of its records.
const Type = "mastodon"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Mastodon servers: hashtags, keywords, brand mentions and listed accounts, streamed with REST catch-up",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a mastodon connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fillServers()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mastodon connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// Connector watches the configured Mastodon servers.
type Connector struct {
	cfg     Config
	deps    connectors.Deps
	log     *slog.Logger
	metrics metrics
	servers []*server
	now     func() time.Time

	run progress.Lifecycle

	// mu guards loaded and every watch's and server's delivery state
	// (sequences, cursors, gaps, seen and in-flight sets).
	mu     sync.Mutex
	loaded bool
}

type metrics struct {
	statuses  *prometheus.CounterVec // server, result: emitted, duplicate, filtered, acked, failed
	requests  *prometheus.CounterVec // server, result: ok, rate_limited, server_error, malformed, error
	drops     *prometheus.CounterVec // server, watch
	malformed *prometheus.CounterVec // server, where: stream, rest
	truncated *prometheus.CounterVec // server, watch
	skipped   *prometheus.CounterVec // server, reason: bot, opt_out_tag, noindex, not_opted_in, unknown_account
	followed  *prometheus.CounterVec // server, change: deletion, edit; via: stream, check
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	ms := promx.NewSet(reg)
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "earshot", Subsystem: "mastodon", Name: name, Help: help}
	}
	m := metrics{
		statuses: ms.CounterVec(opts("statuses_total", "Statuses by outcome: emitted, duplicate, filtered, acked, failed."),
			"connector", "server", "result"),
		requests: ms.CounterVec(opts("requests_total", "REST requests by result: ok, rate_limited, server_error, malformed, error."),
			"connector", "server", "result"),
		drops: ms.CounterVec(opts("stream_drops_total", "Streams dropped and reconnected."),
			"connector", "server", "watch"),
		malformed: ms.CounterVec(opts("malformed_total", "Events or responses that were not valid JSON."),
			"connector", "server", "where"),
		truncated: ms.CounterVec(opts("catchup_truncated_total", "Catch-ups stopped at max_backfill_pages."),
			"connector", "server", "watch"),
		skipped: ms.CounterVec(opts("consent_skipped_total", "Statuses left out under the consent rules, by reason."),
			"connector", "server", "reason"),
		followed: ms.CounterVec(opts("followed_changes_total", "Deletions and edits of collected statuses passed on, by change and how they were found."),
			"connector", "server", "change", "via"),
	}
	return m, ms.Err()
}

// server is one configured Mastodon server with its clients and watches.
type server struct {
	c       *Connector
	cfg     Server
	host    string
	rest    *gomasto.Client // REST: request timeout, rate limits
	stream  *gomasto.Client // streams: no overall timeout, idle detection
	idle    []*http.Transport
	limits  *limits
	match   *keyword.Matcher
	visible map[string]bool
	watches []*watch
	brand   string // brand_account, lower case
	// accounts caches authors' discovery and opt-out flags.
	accounts *accountCache

	// Guarded by Connector.mu.
	seen     *progress.Versions // status key → content delivered
	inflight map[uint64]uint64  // status key → content being delivered
	dirty    bool
	// tracked are the collected posts whose deletion and edits are
	// followed, by status id, oldest first in trackOrder.
	tracked    map[string]*tracked
	trackOrder []string
}

// checkpoint is a server's saved state.
type checkpoint struct {
	// Marks is each watch's position: everything at or below it delivered.
	Marks map[string]string `json:"marks"`
	// Seen holds the delivered statuses (key and content hashes), so a
	// status met again after a restart is not emitted twice.
	Seen []byte `json:"seen"`
	// Posts are the tracked posts (deletions.go), oldest first.
	Posts []tracked `json:"posts,omitempty"`
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("mastodon connector needs a checkpoint store")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(deps.Registerer)
	if err != nil {
		return nil, fmt.Errorf("mastodon connector %q: %w", deps.Name, err)
	}
	c := &Connector{
		cfg:     cfg,
		deps:    deps,
		log:     log.With("component", "connector", "type", Type, "connector", deps.Name),
		metrics: m,
		now:     time.Now,
	}
	for _, sc := range cfg.Servers {
		c.servers = append(c.servers, c.newServer(sc))
	}
	return c, nil
}

func (c *Connector) newServer(sc Server) *server {
	u, _ := url.Parse(sc.URL) // validated
	s := &server{
		c:       c,
		cfg:     sc,
		host:    u.Host,
		match:   keyword.New(sc.Keywords),
		visible: map[string]bool{},
		brand:   sc.BrandAccount,

		accounts: &accountCache{max: max(c.cfg.Remember, 256)},
	}

	for _, v := range sc.Visibility {
		s.visible[v] = true
	}
	s.limits = &limits{reserve: 1, now: c.now, onThrottle: func() {
		c.metrics.requests.WithLabelValues(c.deps.Name, sc.Name, "rate_limited").Inc()
	}}
	dial := (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	restTr := &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: dial, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: c.cfg.RequestTimeout, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
	}
	streamTr := &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: dial, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: c.cfg.RequestTimeout, IdleConnTimeout: 90 * time.Second,
	}
	s.idle = []*http.Transport{restTr, streamTr}
	mcfg := &gomasto.Config{Server: sc.URL, AccessToken: sc.AccessToken}
	s.rest = gomasto.NewClient(mcfg)
	s.rest.Client = http.Client{
		Transport: &userAgent{ua: c.cfg.UserAgent, base: &rateLimited{base: restTr, limits: s.limits}},
		Timeout:   c.cfg.RequestTimeout,
	}
	s.rest.UserAgent = c.cfg.UserAgent
	s.stream = gomasto.NewClient(&gomasto.Config{Server: sc.URL, AccessToken: sc.AccessToken})
	s.stream.Client = http.Client{ // no Timeout: a stream lives for hours
		Transport: &userAgent{ua: c.cfg.UserAgent, base: &rateLimited{
			base:   &streamBodies{base: streamTr, idle: c.cfg.StreamIdleTimeout, maxEventBytes: c.cfg.MaxEventBytes},
			limits: s.limits,
		}},
	}
	s.stream.UserAgent = c.cfg.UserAgent
	s.watches = s.newWatches()
	return s
}

func (s *server) checkpointKey() string {
	return s.c.deps.Name + "/mastodon/" + s.cfg.Name
}

// Connect loads the checkpoints (once), starts every watch's supervisor and
// waits (at most request_timeout, or until ctx ends) until each watch is
// subscribed and has caught up, so a status posted after Connect returns is
// never before a first start's cut-off. A server still unreachable then is
// logged and retried in the background. Connecting a running connector does
// nothing: streams reconnect by themselves.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	if c.run.Running() {
		c.mu.Unlock()
		return nil
	}
	if !c.loaded {
		for _, s := range c.servers {
			if err := c.load(ctx, s); err != nil {
				c.mu.Unlock()
				return err
			}
		}
		c.loaded = true
	}
	runCtx, out, _ := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 64,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	var ready []<-chan struct{}
	for _, s := range c.servers {
		for _, w := range s.watches {
			w.ready = make(chan struct{})
			w.readyOnce = sync.Once{}
			ready = append(ready, w.ready)
			c.run.Go(func() { w.run(runCtx, out) })
		}
		c.run.Go(func() { s.checkLoop(runCtx, out) })
	}
	c.mu.Unlock()

	wait := time.NewTimer(c.cfg.RequestTimeout)
	defer wait.Stop()
	for _, r := range ready {
		select {
		case <-r:
		case <-ctx.Done():
			return nil // the supervisors go on; Close stops them
		case <-wait.C:
			c.log.Warn("not every watch caught up within request_timeout; continuing in the background")
			return nil
		}
	}
	return nil
}

// load reads a server's checkpoint into its watches (c.mu held).
func (c *Connector) load(ctx context.Context, s *server) error {
	raw, err := c.deps.Checkpoints.Load(ctx, s.checkpointKey())
	if err != nil {
		return fmt.Errorf("loading checkpoint of server %s: %w", s.cfg.Name, err)
	}
	var cp checkpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding checkpoint of server %s: %w", s.cfg.Name, err)
		}
	}
	s.seen = progress.NewVersions(c.cfg.Remember)
	if err := s.seen.UnmarshalBinary(cp.Seen); err != nil {
		return fmt.Errorf("decoding checkpoint of server %s: %w", s.cfg.Name, err)
	}
	s.inflight = map[uint64]uint64{}
	s.tracked, s.trackOrder = map[string]*tracked{}, nil
	for _, p := range cp.Posts {
		t, err := p.opened(c.deps.Sealer)
		if connectors.Erased(err) {
			continue // its author was forgotten: not followed any more
		}
		if err != nil {
			return fmt.Errorf("decoding checkpoint of server %s: %w", s.cfg.Name, err)
		}
		s.tracked[t.ID] = &t
		s.trackOrder = append(s.trackOrder, t.ID)
	}
	for _, w := range s.watches {
		mark := cp.Marks[w.key]
		w.seq = progress.NewSequence(mark, compareIDs)
		w.cursor = mark
	}
	return nil
}

// collect returns the checkpoints changed since the last call.
func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]byte{}
	for _, s := range c.servers {
		if !s.dirty {
			continue
		}
		cp := checkpoint{Marks: map[string]string{}}
		for _, w := range s.watches {
			if m := w.seq.Mark(); m != "" {
				cp.Marks[w.key] = m
			}
		}
		cp.Seen, _ = s.seen.MarshalBinary()
		var forgotten []string
		for _, id := range s.trackOrder {
			p, err := s.tracked[id].sealed(c.deps.Sealer)
			if err != nil {
				// connectors.Erased: the author was forgotten since the
				// post was collected; nothing of them is kept.
				if !connectors.Erased(err) {
					c.log.Warn("not keeping a tracked post", "server", s.cfg.Name, "status", id, "err", err)
				}
				forgotten = append(forgotten, id)
				continue
			}
			cp.Posts = append(cp.Posts, p)
		}
		for _, id := range forgotten {
			s.untrack(id)
		}
		raw, err := json.Marshal(cp)
		if err != nil {
			continue
		}
		out[s.checkpointKey()] = raw
		s.dirty = false
	}
	return out
}

// Read returns the next status.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops every stream and poller and saves the checkpoints. Statuses
// handed out and not acknowledged stay below the saved marks: the next run
// fetches them again.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		for _, s := range c.servers {
			for _, tr := range s.idle {
				tr.CloseIdleConnections()
			}
		}
		// A later Connect starts over from the saved checkpoints, as a
		// restart does: positions still open here are fetched again.
		c.mu.Lock()
		c.loaded = false
		for _, s := range c.servers {
			for _, w := range s.watches {
				w.gap = nil
			}
		}
		c.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("saving mastodon checkpoints: %w", err)
	}
	return nil
}

// compareIDs orders Mastodon ids: numeric strings by value, other id
// schemes (Pleroma flake ids) by length then bytes, as go-mastodon does.
func compareIDs(a, b string) int { return gomasto.ID(a).Compare(gomasto.ID(b)) }

// userAgent sets the User-Agent on requests without one (go-mastodon sets
// it on REST requests, not on stream requests).
type userAgent struct {
	ua   string
	base http.RoundTripper
}

func (t *userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", t.ua)
	}
	return t.base.RoundTrip(req)
}

// applyConsent records on rec whether its author may become a prospect.
func (c *Connector) applyConsent(rec *record.Mention) {
	if rec.Consent == nil {
		rec.Consent = &record.Consent{Basis: "legitimate_interest"}
	}
	rec.Consent.NoProspect = !c.cfg.Consent.Prospects
}
