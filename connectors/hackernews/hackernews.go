// Package hackernews is the Hacker News connector: it polls the public
// Algolia HN search API (search_by_date with numericFilters on created_at_i)
// for each configured query, reads stories and comments oldest first, and
// keeps a per-query checkpoint by time and object id, so a restart resumes
// with no gap and no duplicate. Item HTML is cleaned to text.
package hackernews

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/apiclient"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type and the Source of its records.
const Type = "hackernews"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Hacker News stories and comments matching queries, from the Algolia HN search API",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a hackernews connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("hackernews connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// Connector polls the search API for each query.
type Connector struct {
	cfg     Config
	deps    connectors.Deps
	log     *slog.Logger
	metrics metrics
	api     *apiclient.Client
	httpTr  *http.Transport
	now     func() time.Time

	run progress.Lifecycle

	// mu guards everything below.
	mu       sync.Mutex
	loaded   bool
	marks    map[string]*progress.Sequence // query → positions "TIME.ID"
	seen     *progress.Versions            // item id → content delivered
	inflight map[uint64]uint64
	dirty    bool
}

type metrics struct {
	items    *prometheus.CounterVec // result: received, emitted, acked, failed, duplicate, deleted, rejected
	requests *prometheus.CounterVec // result: ok, rate_limited, server_error, malformed, error
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	ms := promx.NewSet(reg)
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "earshot", Subsystem: "hackernews", Name: name, Help: help}
	}
	m := metrics{
		items:    ms.CounterVec(opts("items_total", "Stories and comments by outcome: received, emitted, acked, failed, duplicate, deleted, rejected."), "connector", "result"),
		requests: ms.CounterVec(opts("requests_total", "Search requests by result: ok, rate_limited, server_error, malformed, error."), "connector", "result"),
	}
	return m, ms.Err()
}

// checkpoint is the connector's saved state.
type checkpoint struct {
	// Marks is each query's position "TIME.ID": every item at or below it
	// was delivered or passed over.
	Marks map[string]string `json:"marks"`
	// Seen holds delivered items (id and content hashes): the overlap
	// re-read recognises them, an edited text is delivered again.
	Seen []byte `json:"seen"`
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("hackernews connector needs a checkpoint store")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(deps.Registerer)
	if err != nil {
		return nil, fmt.Errorf("hackernews connector %q: %w", deps.Name, err)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.RequestTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	c := &Connector{cfg: cfg, deps: deps, metrics: m, httpTr: tr, now: time.Now,
		log: log.With("component", "connector", "type", Type, "connector", deps.Name)}
	c.api = &apiclient.Client{
		Platform:   "hacker news search",
		HTTP:       &http.Client{Transport: tr, Timeout: cfg.RequestTimeout},
		UserAgent:  cfg.UserAgent,
		BackoffMin: cfg.BackoffMin, BackoffMax: cfg.BackoffMax,
		Observe: func(r string) { m.requests.WithLabelValues(deps.Name, r).Inc() },
	}
	return c, nil
}

func (c *Connector) checkpointKey() string { return c.deps.Name + "/hackernews" }

// Connect loads the checkpoint and starts one poller per query. Connecting
// a running connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	if c.run.Running() {
		c.mu.Unlock()
		return nil
	}
	if !c.loaded {
		if err := c.load(ctx); err != nil {
			c.mu.Unlock()
			return err
		}
		c.loaded = true
	}
	runCtx, out, _ := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 64,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	for _, q := range c.cfg.Queries {
		c.run.Go(func() { c.poll(runCtx, out, q) })
	}
	c.mu.Unlock()
	return nil
}

func (c *Connector) load(ctx context.Context) error {
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey())
	if err != nil {
		return fmt.Errorf("loading hackernews checkpoint: %w", err)
	}
	var cp checkpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding hackernews checkpoint: %w", err)
		}
	}
	c.seen = progress.NewVersions(c.cfg.Remember)
	if err := c.seen.UnmarshalBinary(cp.Seen); err != nil {
		return fmt.Errorf("decoding hackernews checkpoint: %w", err)
	}
	c.inflight = map[uint64]uint64{}
	c.marks = map[string]*progress.Sequence{}
	for _, q := range c.cfg.Queries {
		c.marks[q] = progress.NewSequence(cp.Marks[q], strings.Compare)
	}
	return nil
}

func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	cp := checkpoint{Marks: map[string]string{}}
	for q, s := range c.marks {
		if m := s.Mark(); m != "" {
			cp.Marks[q] = m
		}
	}
	cp.Seen, _ = c.seen.MarshalBinary()
	raw, err := json.Marshal(cp)
	if err != nil {
		return nil
	}
	c.dirty = false
	return map[string][]byte{c.checkpointKey(): raw}
}

// Read returns the next item (or a malformed hit for the dead-letter queue).
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops the pollers and saves the checkpoint; items handed out and
// not acknowledged are read again by the next run.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		c.httpTr.CloseIdleConnections()
		c.mu.Lock()
		c.loaded = false
		c.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("saving hackernews checkpoint: %w", err)
	}
	return nil
}

// position orders items by creation time, then id: "TTTTTTTTTTTT.IIIIIIIIIIII".
func position(t int64, id int64) string { return fmt.Sprintf("%012d.%012d", t, id) }

// markTime is the creation time of a position ("" → 0).
func markTime(pos string) int64 {
	t, _, _ := strings.Cut(pos, ".")
	n, _ := strconv.ParseInt(t, 10, 64)
	return n
}

// poll searches q every poll_interval until ctx ends.
func (c *Connector) poll(ctx context.Context, out *progress.Outbox, q string) {
	for {
		if err := c.pollOnce(ctx, out, q); err != nil && ctx.Err() == nil {
			c.log.Warn("searching hacker news", "query", q, "error", err)
		}
		if connectors.Sleep(ctx, c.cfg.PollInterval) != nil {
			return
		}
	}
}

// pollOnce sweeps everything created since the query's mark (less the
// overlap) and queues it oldest first.
func (c *Connector) pollOnce(ctx context.Context, out *progress.Outbox, q string) error {
	c.mu.Lock()
	seq := c.marks[q]
	mark := seq.Mark()
	c.mu.Unlock()
	since := c.now().Add(-c.cfg.InitialLookback).Unix()
	if mark != "" {
		since = markTime(mark) - int64(c.cfg.Overlap/time.Second)
	}
	hits, err := c.sweep(ctx, q, since)
	if err != nil {
		return err
	}
	for _, h := range hits {
		if err := c.handle(ctx, out, q, seq, h); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connector) handle(ctx context.Context, out *progress.Outbox, q string, seq *progress.Sequence, h rawHit) error {
	c.metrics.items.WithLabelValues(c.deps.Name, "received").Inc()
	if h.err != nil {
		// Remembered once dead-lettered, so the overlap re-read does not
		// dead-letter it again.
		rk := progress.Hash("rejected\x00" + string(h.raw))
		c.mu.Lock()
		if _, done := c.seen.Get(rk); done {
			seq.Pass(h.pos)
			c.mu.Unlock()
			return nil
		}
		pos := seq.Add(h.pos)
		c.mu.Unlock()
		c.metrics.items.WithLabelValues(c.deps.Name, "rejected").Inc()
		return out.Put(ctx, &progress.Item{
			Rejected: &connectors.RejectedError{Position: h.where, Raw: h.raw, Err: h.err},
			Done: func(error) {
				c.mu.Lock()
				c.seen.Put(rk, 1)
				seq.Done(pos)
				c.dirty = true
				c.mu.Unlock()
			},
		})
	}
	m := toRecord(c.deps.Name, q, h.hit, c.cfg.Prospects, c.now().UTC())
	if m == nil { // deleted: no text left
		c.metrics.items.WithLabelValues(c.deps.Name, "deleted").Inc()
		c.mu.Lock()
		seq.Pass(h.pos)
		c.dirty = true
		c.mu.Unlock()
		return nil
	}
	key, content := progress.Hash(m.SourceID), contentHash(m)
	c.mu.Lock()
	prev, known := c.seen.Get(key)
	fl, flying := c.inflight[key]
	if (known && prev == content) || (flying && fl == content) {
		seq.Pass(h.pos)
		c.dirty = true
		c.mu.Unlock()
		c.metrics.items.WithLabelValues(c.deps.Name, "duplicate").Inc()
		return nil
	}
	if known {
		m.Fields["edited"] = "true"
	}
	c.inflight[key] = content
	pos := seq.Add(h.pos)
	c.mu.Unlock()
	c.metrics.items.WithLabelValues(c.deps.Name, "emitted").Inc()
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		c.mu.Lock()
		delete(c.inflight, key)
		if err == nil {
			c.seen.Put(key, content)
		}
		seq.Done(pos)
		c.dirty = true
		c.mu.Unlock()
		if err == nil {
			c.metrics.items.WithLabelValues(c.deps.Name, "acked").Inc()
		} else {
			c.metrics.items.WithLabelValues(c.deps.Name, "failed").Inc()
			c.log.Error("giving up an item after repeated delivery failures", "id", m.SourceID, "error", err)
		}
	}})
}
