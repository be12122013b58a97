// Package appstore is the app-store reviews connector: customer reviews of
// listed apps from Apple's public customer-reviews feed (per app and
// storefront) and, for your own Android apps, from the Google Play Developer
// API (reviews.list, with a service account), with rating, app version,
// country and language.
package appstore

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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
const Type = "appstore"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "App Store customer reviews (public feed, per app and country) and Google Play reviews of your own apps (Developer API, service account)",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds an appstore connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fill()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("appstore connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps, time.Now)
}

// Connector polls app reviews.
type Connector struct {
	cfg       Config
	deps      connectors.Deps
	log       *slog.Logger
	transport *http.Transport
	client    *http.Client
	metrics   metrics
	now       func() time.Time
	google    *tokenSource // nil without Google Play packages

	run progress.Lifecycle

	mu      sync.Mutex
	loaded  bool
	targets []*target
}

type metrics struct {
	reviews  *prometheus.CounterVec // connector, store, result: received, emitted, duplicate, acked, failed, rejected
	requests *prometheus.CounterVec // connector, store, result: ok, rate_limited, server_error, malformed, credentials, unavailable, error
}

// target is one app in one storefront (Apple) or one package (Google).
// Its delivery state is guarded by Connector.mu.
type target struct {
	key   string // apple:<id>:<country> or google:<package>
	store string // apple or google_play
	fetch func(ctx context.Context, token string, page int) (*pageResult, error)

	seq      *progress.Sequence
	versions *progress.Versions
	inflight map[uint64]uint64
	floor    *progress.Position
	dirty    bool
}

// pageResult is one page of reviews, newest first.
type pageResult struct {
	reviews []review
	next    string // token or URL of the next page; "" at the end
}

// review is one review of a page: a record, or a malformed item.
type review struct {
	pos     string // updated time | id, fixed width
	id      string
	content uint64
	rec     *record.Mention
	bad     error
	raw     []byte
}

type checkpoint struct {
	Mark     string `json:"mark"`
	Versions []byte `json:"versions"`
}

func newConnector(cfg Config, deps connectors.Deps, now func() time.Time) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("appstore connector needs a checkpoint store")
	}
	policy, err := netguard.NewPolicy(cfg.AllowNetworks)
	if err != nil {
		return nil, fmt.Errorf("building network guard: %w", err)
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := policy.Transport(netguard.TransportOptions{ResponseHeaderTimeout: cfg.Timeout})
	ms := promx.NewSet(deps.Registerer)
	c := &Connector{
		cfg:       cfg,
		deps:      deps,
		log:       log.With("component", "connector", "type", Type, "connector", deps.Name),
		transport: tr,
		client:    &http.Client{Transport: tr, Timeout: cfg.Timeout},
		now:       now,
		metrics: metrics{
			reviews: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "appstore", Name: "reviews_total",
				Help: "App reviews by store and outcome: received, emitted, duplicate, acked, failed, rejected."}, "connector", "store", "result"),
			requests: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "appstore", Name: "requests_total",
				Help: "Store requests by store and result: ok, rate_limited, server_error, malformed, credentials, unavailable, error."}, "connector", "store", "result"),
		},
	}
	if err := ms.Err(); err != nil {
		return nil, fmt.Errorf("appstore connector %q: %w", deps.Name, err)
	}
	return c, nil
}

func (c *Connector) checkpointKey(t string) string { return c.deps.Name + "/appstore/" + t }

// Connect loads the checkpoints and starts the poller. Connecting a running
// connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run.Running() {
		return nil
	}
	if len(c.cfg.GooglePlay.Packages) > 0 && c.google == nil {
		// Read at Connect, not at construction: the key is a secret the
		// host may provide only where the connector runs.
		key, err := loadServiceAccount(c.cfg.GooglePlay)
		if err != nil {
			return &CredentialError{Store: "Google Play", What: err.Error()}
		}
		c.google = newTokenSource(key, c.cfg.GooglePlay.TokenURL, c.client, c.now)
	}
	if !c.loaded {
		if err := c.load(ctx); err != nil {
			return err
		}
		c.loaded = true
	}
	runCtx, out, _ := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 16,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	c.run.Go(func() { c.poll(runCtx, out) })
	return nil
}

// load builds the targets with their checkpoints; c.mu is held.
func (c *Connector) load(ctx context.Context) error {
	c.targets = nil
	for _, app := range c.cfg.Apple.Apps {
		for _, cc := range app.Countries {
			t := &target{key: "apple:" + app.ID + ":" + cc, store: storeApple}
			t.fetch = func(ctx context.Context, token string, page int) (*pageResult, error) {
				return c.applePage(ctx, app, cc, token, page)
			}
			if err := c.addTarget(ctx, t); err != nil {
				return err
			}
		}
	}
	for _, p := range c.cfg.GooglePlay.Packages {
		t := &target{key: "google:" + p.Package, store: storeGoogle}
		t.fetch = func(ctx context.Context, token string, page int) (*pageResult, error) {
			return c.googlePage(ctx, p, token)
		}
		if err := c.addTarget(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connector) addTarget(ctx context.Context, t *target) error {
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey(t.key))
	if err != nil {
		return fmt.Errorf("loading appstore checkpoint %q: %w", t.key, err)
	}
	var cp checkpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding appstore checkpoint %q: %w", t.key, err)
		}
	}
	t.seq = progress.NewSequence(cp.Mark, strings.Compare)
	t.versions = progress.NewVersions(c.cfg.Remember)
	t.inflight = map[uint64]uint64{}
	if err := t.versions.UnmarshalBinary(cp.Versions); err != nil {
		return fmt.Errorf("decoding appstore checkpoint %q: %w", t.key, err)
	}
	c.targets = append(c.targets, t)
	return nil
}

func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]byte{}
	for _, t := range c.targets {
		if !t.dirty {
			continue
		}
		v, _ := t.versions.MarshalBinary()
		if raw, err := json.Marshal(checkpoint{Mark: t.seq.Mark(), Versions: v}); err == nil {
			out[c.checkpointKey(t.key)] = raw
			t.dirty = false
		}
	}
	return out
}

// Read returns the next new or edited review.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops polling and saves the checkpoints. Reviews handed out and not
// acknowledged stay above the mark: the next run reads them again.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() { c.transport.CloseIdleConnections() })
	c.mu.Lock()
	c.loaded = false
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("saving appstore checkpoints: %w", err)
	}
	return nil
}

// poll runs rounds over every target until the run ends.
func (c *Connector) poll(ctx context.Context, out *progress.Outbox) {
	var backoff time.Duration
	for {
		err := c.round(ctx, out)
		if ctx.Err() != nil {
			return
		}
		wait := c.cfg.Interval
		var ce *CredentialError
		var re *retryableError
		switch {
		case err == nil:
			backoff = 0
		case errors.As(err, &ce):
			c.log.Error(ce.Error())
			out.Fail(ce)
			wait = c.cfg.BackoffMax
		default:
			backoff = min(max(2*backoff, c.cfg.BackoffMin), c.cfg.BackoffMax)
			wait = min(backoff, c.cfg.Interval)
			if errors.As(err, &re) && re.RetryAfter > wait {
				wait = re.RetryAfter
			}
			c.log.Warn("polling app reviews", "err", err, "retry_in", wait)
		}
		if connectors.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// round polls every target once; a target's own failure (unknown app,
// unreachable store) does not stop the others, a credential error does.
func (c *Connector) round(ctx context.Context, out *progress.Outbox) error {
	c.mu.Lock()
	targets := c.targets
	c.mu.Unlock()
	var first error
	for _, t := range targets {
		err := c.pass(ctx, out, t)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ue *unavailableError
		var ce *CredentialError
		switch {
		case err == nil:
		case errors.As(err, &ue):
			c.log.Warn("app reviews not available", "target", t.key, "err", err)
		case errors.As(err, &ce):
			return err
		default:
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// pass reads a target's reviews newest first down to its mark (or the last
// page) and offers the new and edited ones.
func (c *Connector) pass(ctx context.Context, out *progress.Outbox, t *target) error {
	c.mu.Lock()
	mark := t.seq.Mark()
	if t.floor == nil {
		t.floor = t.seq.Add(mark)
	}
	c.mu.Unlock()
	maxPages := c.cfg.Apple.MaxPages
	if t.store == storeGoogle {
		maxPages = c.cfg.GooglePlay.MaxPages
	}
	token := ""
	for page := 1; page <= maxPages; page++ {
		res, err := c.withRetries(ctx, func() (*pageResult, error) { return t.fetch(ctx, token, page) })
		if err != nil {
			var me *malformedError
			if errors.As(err, &me) {
				return c.reject(ctx, out, t, fmt.Sprintf("%s page %d", t.key, page), me.Body, err)
			}
			return err
		}
		reached := false
		for i := range res.reviews {
			r := &res.reviews[i]
			if r.bad != nil {
				if err := c.reject(ctx, out, t, fmt.Sprintf("%s page %d review %q", t.key, page, r.id), r.raw, r.bad); err != nil {
					return err
				}
				continue
			}
			if mark != "" && r.pos <= mark {
				reached = true
			}
			if err := c.offer(ctx, out, t, r); err != nil {
				return err
			}
		}
		if reached || res.next == "" || len(res.reviews) == 0 {
			break
		}
		token = res.next
	}
	// The pass read down to the mark, or as deep as the store serves.
	c.mu.Lock()
	if t.seq.Done(t.floor) {
		t.dirty = true
	}
	t.floor = nil
	c.mu.Unlock()
	return nil
}

// withRetries retries 429, 5xx and network errors up to four attempts.
func (c *Connector) withRetries(ctx context.Context, fn func() (*pageResult, error)) (*pageResult, error) {
	backoff := c.cfg.BackoffMin
	for attempt := 1; ; attempt++ {
		res, err := fn()
		var re *retryableError
		if !errors.As(err, &re) || attempt == 4 {
			return res, err
		}
		wait := max(backoff, re.RetryAfter)
		backoff = min(2*backoff, c.cfg.BackoffMax)
		if err := connectors.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// offer hands out a review unless it was delivered with this content, or it
// is below the mark and no longer remembered.
func (c *Connector) offer(ctx context.Context, out *progress.Outbox, t *target, r *review) error {
	c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "received").Inc()
	key := progress.Hash(r.id)
	c.mu.Lock()
	delivered, known := t.versions.Get(key)
	inflight, handed := t.inflight[key]
	below := t.seq.Mark() != "" && r.pos <= t.seq.Mark()
	if (known && delivered == r.content) || (!known && below) || (handed && inflight == r.content) {
		c.mu.Unlock()
		c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "duplicate").Inc()
		return nil
	}
	p := t.seq.Add(r.pos)
	t.inflight[key] = r.content
	c.mu.Unlock()
	if known {
		r.rec.Fields["edit"] = "true"
	}
	c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "emitted").Inc()
	content := r.content
	return out.Put(ctx, &progress.Item{Record: r.rec, Done: func(err error) { c.done(t, p, key, content, err) }})
}

// done records a delivery's outcome; a record the host gave up on keeps its
// position open so the next run reads it again.
func (c *Connector) done(t *target, p *progress.Position, key, content uint64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.inflight[key] == content {
		delete(t.inflight, key)
	}
	if err != nil {
		c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "failed").Inc()
		c.log.Error("giving up delivering app review", "target", t.key, "err", err)
		return
	}
	c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "acked").Inc()
	t.versions.Put(key, content)
	t.seq.Done(p)
	t.dirty = true
}

// reject dead-letters a malformed payload with its reason.
func (c *Connector) reject(ctx context.Context, out *progress.Outbox, t *target, where string, raw []byte, err error) error {
	c.metrics.reviews.WithLabelValues(c.deps.Name, t.store, "rejected").Inc()
	c.log.Warn("dead-lettering malformed app review payload", "where", where, "err", err)
	if len(raw) > 64<<10 {
		raw = raw[:64<<10]
	}
	return out.Put(ctx, &progress.Item{Rejected: &connectors.RejectedError{Position: "appstore " + where, Raw: raw, Err: err}})
}

// position orders reviews by time, then id; fixed width so that positions
// compare as strings.
func position(at time.Time, id string) string {
	return at.UTC().Format("2006-01-02T15:04:05.000000000Z") + "|" + id
}
