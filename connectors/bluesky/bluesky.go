// Package bluesky is the Bluesky connector: it follows the public firehose
// through a Jetstream endpoint (JSON over WebSocket, posts only), keeps the
// posts that carry a keyword or hashtag, mention the brand or come from a
// listed account, resolves their authors' handles through the AppView,
// skips authors who opted out, and resumes from its cursor (microseconds)
// after a reconnect or restart with no gap. An optional authenticated
// searchPosts run backfills a date range.
package bluesky

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
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/apiclient"
	"github.com/earshothq/earshot/connectors/internal/keyword"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type and the Source of its records.
const Type = "bluesky"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Bluesky: the Jetstream firehose filtered by keywords, hashtags, brand mentions and accounts, with an optional searchPosts backfill",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a bluesky connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fill()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bluesky connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// Connector follows Jetstream (and searches, when a backfill is set).
type Connector struct {
	cfg      Config
	deps     connectors.Deps
	log      *slog.Logger
	metrics  metrics
	match    *keyword.Matcher
	hashtags map[string]bool
	api      *apiclient.Client // AppView: profiles and handles
	profiles *profiles
	search   *apiclient.Client // the PDS: login and searchPosts
	session  *session
	httpTr   *http.Transport
	now      func() time.Time

	run progress.Lifecycle

	// mu guards everything below.
	mu       sync.Mutex
	loaded   bool
	brand    map[string]bool // DIDs of the mentions watched
	accounts map[string]bool // DIDs of the accounts watched
	seq      *progress.Sequence
	read     int64 // highest time_us read this run (the reconnect cursor)
	seen     *progress.Versions
	inflight map[uint64]uint64
	backfill map[string]*backfillState
	// tracked maps collected posts' URIs to their author's handle (their
	// Kafka key), for deletion records; trackOrder is oldest first.
	tracked    map[string]string
	trackOrder []string
	dirty      bool
}

type metrics struct {
	events   *prometheus.CounterVec // kind: commit, identity, account, malformed
	posts    *prometheus.CounterVec // result: received, emitted, acked, failed, filtered, duplicate, opted_out, deleted, no_profile, rejected
	requests *prometheus.CounterVec // api: appview, search; result: ok, rate_limited, server_error, malformed, error, credentials
	drops    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	ms := promx.NewSet(reg)
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "earshot", Subsystem: "bluesky", Name: name, Help: help}
	}
	m := metrics{
		events:   ms.CounterVec(opts("events_total", "Jetstream events received by kind (commit, identity, account, malformed)."), "connector", "kind"),
		posts:    ms.CounterVec(opts("posts_total", "Posts by outcome: received, emitted, acked, failed, filtered, duplicate, opted_out, deleted, no_profile, rejected."), "connector", "result"),
		requests: ms.CounterVec(opts("requests_total", "HTTP requests by API and result: ok, rate_limited, server_error, malformed, error, credentials."), "connector", "api", "result"),
		drops:    ms.CounterVec(opts("stream_drops_total", "Jetstream connections lost and reconnected."), "connector"),
	}
	return m, ms.Err()
}

// checkpoint is the connector's saved state.
type checkpoint struct {
	// Cursor is the mark: every event at or below this time_us was
	// delivered, acknowledged or passed over.
	Cursor int64 `json:"cursor"`
	// Seen holds delivered posts (URI and CID hashes), so a replayed event
	// is recognised; an edited post (new CID) is delivered again.
	Seen     []byte                    `json:"seen"`
	Backfill map[string]backfillMarker `json:"backfill,omitempty"`
	// Tracked lists collected posts as [URI, handle], oldest first; with
	// a sealer (connectors.Sealer) each pair is in Sealed instead, sealed
	// with its author's key, so a forgotten author's posts are neither
	// named by the checkpoint nor followed any more.
	Tracked [][2]string `json:"tracked,omitempty"`
	Sealed  [][]byte    `json:"sealed,omitempty"`
}

// trackedIdentity is the identity key the records of a tracked post's
// author are sealed with (their deletion record's author).
func trackedIdentity(uri, handle string) string {
	did, _, _ := splitURI(uri)
	return record.AuthorKey(Type, record.Author{Platform: "bluesky", ID: did, Handle: handle})
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("bluesky connector needs a checkpoint store")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(deps.Registerer)
	if err != nil {
		return nil, fmt.Errorf("bluesky connector %q: %w", deps.Name, err)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.RequestTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	c := &Connector{
		cfg:      cfg,
		deps:     deps,
		log:      log.With("component", "connector", "type", Type, "connector", deps.Name),
		metrics:  m,
		match:    keyword.New(cfg.Keywords),
		hashtags: map[string]bool{},
		httpTr:   tr,
		now:      time.Now,
	}
	for _, h := range cfg.Hashtags {
		c.hashtags[h] = true
	}
	c.api = c.newAPI("bluesky appview", "appview")
	c.profiles = newProfiles(c.api, cfg.AppView, cfg.ProfileCache, cfg.ProfileTTL, func() time.Time { return c.now() })
	if cfg.Backfill != nil {
		c.search = c.newAPI("bluesky", "search")
		c.session = &session{cfg: cfg.Backfill, api: c.newAPI("bluesky", "search")}
		c.search.Authorize = c.session.authorize
		c.search.Unauthorized = c.session.drop
	}
	return c, nil
}

func (c *Connector) newAPI(platform, label string) *apiclient.Client {
	return &apiclient.Client{
		Platform:   platform,
		HTTP:       &http.Client{Transport: c.httpTr, Timeout: c.cfg.RequestTimeout},
		UserAgent:  c.cfg.UserAgent,
		Budget:     rateLimitBudget,
		BackoffMin: c.cfg.BackoffMin, BackoffMax: c.cfg.BackoffMax,
		Observe: func(result string) {
			c.metrics.requests.WithLabelValues(c.deps.Name, label, result).Inc()
		},
	}
}

// rateLimitBudget reads the RateLimit-* headers Bluesky's services send:
// when fewer than two requests remain, hold until the reset (Unix seconds).
func rateLimitBudget(h http.Header, now time.Time) time.Time {
	rem, err := strconv.Atoi(h.Get("RateLimit-Remaining"))
	if err != nil || rem > 1 {
		return time.Time{}
	}
	reset, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64)
	if err != nil {
		return now.Add(time.Minute)
	}
	return time.Unix(reset, 0)
}

func (c *Connector) checkpointKey() string { return c.deps.Name + "/bluesky" }

// Connect resolves the watched handles, loads the checkpoint, signs in for
// the backfill (a refused login fails Connect with the reason), starts the
// stream and waits (at most request_timeout) until Jetstream accepted it.
// Connecting a running connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	if c.run.Running() {
		return nil
	}
	if err := c.resolveWatched(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	if !c.loaded {
		if err := c.load(ctx); err != nil {
			c.mu.Unlock()
			return err
		}
		c.loaded = true
	}
	c.mu.Unlock()
	if c.session != nil && !c.backfillDone() {
		if _, err := c.session.token(ctx); err != nil {
			return fmt.Errorf("signing in for the bluesky backfill: %w", err)
		}
	}
	c.mu.Lock()
	runCtx, out, started := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 64,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	c.mu.Unlock()
	if !started {
		return nil
	}
	ready := make(chan struct{})
	c.run.Go(func() { c.stream(runCtx, out, ready) })
	if c.cfg.Backfill != nil {
		c.run.Go(func() { c.runBackfill(runCtx, out) })
	}
	wait := time.NewTimer(c.cfg.RequestTimeout)
	defer wait.Stop()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-wait.C:
		c.log.Warn("jetstream not reached within request_timeout; retrying in the background")
	}
	return nil
}

// resolveWatched turns the configured handles into DIDs, once.
func (c *Connector) resolveWatched(ctx context.Context) error {
	c.mu.Lock()
	done := c.brand != nil
	c.mu.Unlock()
	if done {
		return nil
	}
	brand, accounts := map[string]bool{}, map[string]bool{}
	for _, set := range []struct {
		list []string
		into map[string]bool
	}{{c.cfg.Mentions, brand}, {c.cfg.Accounts, accounts}} {
		for _, a := range set.list {
			did, err := c.profiles.resolveHandle(ctx, a)
			if err != nil {
				return err
			}
			set.into[did] = true
		}
	}
	c.mu.Lock()
	c.brand, c.accounts = brand, accounts
	c.mu.Unlock()
	return nil
}

// load reads the checkpoint (c.mu held).
func (c *Connector) load(ctx context.Context) error {
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey())
	if err != nil {
		return fmt.Errorf("loading bluesky checkpoint: %w", err)
	}
	var cp checkpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding bluesky checkpoint: %w", err)
		}
	}
	c.seen = progress.NewVersions(c.cfg.Remember)
	if err := c.seen.UnmarshalBinary(cp.Seen); err != nil {
		return fmt.Errorf("decoding bluesky checkpoint: %w", err)
	}
	mark := ""
	if cp.Cursor > 0 {
		mark = strconv.FormatInt(cp.Cursor, 10)
	}
	c.seq = progress.NewSequence(mark, compareNumbers)
	c.read = 0
	c.inflight = map[uint64]uint64{}
	c.tracked, c.trackOrder = map[string]string{}, nil
	for _, t := range cp.Tracked {
		c.track(t[0], t[1])
	}
	sealer := c.deps.PersonalSealer()
	for _, v := range cp.Sealed {
		b, err := sealer.Open(v)
		if connectors.Erased(err) {
			continue // its author was forgotten
		}
		var t [2]string
		if err == nil {
			err = json.Unmarshal(b, &t)
		}
		if err != nil {
			return fmt.Errorf("decoding bluesky checkpoint: %w", err)
		}
		c.track(t[0], t[1])
	}
	c.backfill = map[string]*backfillState{}
	for q, m := range cp.Backfill {
		c.backfill[q] = &backfillState{marker: m}
	}
	return nil
}

// collect returns the checkpoint when it changed.
func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty || c.seq == nil {
		return nil
	}
	cp := checkpoint{}
	if m := c.seq.Mark(); m != "" {
		cp.Cursor, _ = strconv.ParseInt(m, 10, 64)
	}
	cp.Seen, _ = c.seen.MarshalBinary()
	var forgotten []string
	for _, uri := range c.trackOrder {
		pair := [2]string{uri, c.tracked[uri]}
		if c.deps.Sealer == nil {
			cp.Tracked = append(cp.Tracked, pair)
			continue
		}
		b, _ := json.Marshal(pair)
		v, err := c.deps.Sealer.Seal(trackedIdentity(pair[0], pair[1]), b)
		if err != nil {
			// connectors.Erased: the author was forgotten since the
			// post was collected; nothing of them is kept.
			if !connectors.Erased(err) {
				c.log.Warn("not keeping a tracked post", "uri", uri, "err", err)
			}
			forgotten = append(forgotten, uri)
			continue
		}
		cp.Sealed = append(cp.Sealed, v)
	}
	for _, uri := range forgotten {
		c.untrack(uri)
	}
	if len(c.backfill) > 0 {
		cp.Backfill = map[string]backfillMarker{}
		for q, st := range c.backfill {
			cp.Backfill[q] = st.saved()
		}
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		return nil
	}
	c.dirty = false
	return map[string][]byte{c.checkpointKey(): raw}
}

// Read returns the next post (or a rejected event for the dead-letter queue).
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops the stream and the backfill and saves the checkpoint. Posts
// handed out and not acknowledged stay above the saved cursor: the next run
// replays them.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		c.httpTr.CloseIdleConnections()
		c.mu.Lock()
		c.loaded = false // a later Connect starts over from the checkpoint
		c.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("saving bluesky checkpoint: %w", err)
	}
	return nil
}

// compareNumbers orders decimal strings without sign by value.
func compareNumbers(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// deliver queues m at the position opened by open (c.mu not held). key
// and content identify the post and its version. A record acknowledged is
// remembered as seen; one given up after repeated delivery failures is
// logged and its position closed so the stream moves on.
func (c *Connector) deliver(ctx context.Context, out *progress.Outbox, m *record.Mention, key, content uint64, done func()) error {
	c.metrics.posts.WithLabelValues(c.deps.Name, "emitted").Inc()
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		c.mu.Lock()
		delete(c.inflight, key)
		if err == nil {
			c.seen.Put(key, content)
			c.track(m.SourceID, m.Author.Handle)
		}
		done()
		c.dirty = true
		c.mu.Unlock()
		if err == nil {
			c.metrics.posts.WithLabelValues(c.deps.Name, "acked").Inc()
		} else {
			c.metrics.posts.WithLabelValues(c.deps.Name, "failed").Inc()
			c.log.Error("giving up a post after repeated delivery failures", "uri", m.SourceID, "error", err)
		}
	}})
}

// track remembers a collected post for its deletion (c.mu held), keeping
// the last remember.
func (c *Connector) track(uri, handle string) {
	if !c.cfg.Deletions {
		return
	}
	if _, ok := c.tracked[uri]; !ok {
		c.trackOrder = append(c.trackOrder, uri)
	}
	c.tracked[uri] = handle
	for len(c.trackOrder) > c.cfg.Remember {
		delete(c.tracked, c.trackOrder[0])
		c.trackOrder = c.trackOrder[1:]
	}
}

// untrack forgets a post (c.mu held), returning its handle if collected.
func (c *Connector) untrack(uri string) (string, bool) {
	h, ok := c.tracked[uri]
	if !ok {
		return "", false
	}
	delete(c.tracked, uri)
	for i, u := range c.trackOrder {
		if u == uri {
			c.trackOrder = append(c.trackOrder[:i], c.trackOrder[i+1:]...)
			break
		}
	}
	return h, true
}

// deletedContent marks a post deleted at its source in the seen set: a
// replay of its creation is not collected again.
const deletedContent = 0

// claim reports whether the post version is new, and marks it in flight
// (c.mu held).
func (c *Connector) claim(key, content uint64) bool {
	if v, ok := c.seen.Get(key); ok && (v == content || v == deletedContent) {
		return false
	}
	if v, ok := c.inflight[key]; ok && v == content {
		return false
	}
	c.inflight[key] = content
	return true
}

// reject queues a malformed item for the dead-letter queue; its ack runs done.
func (c *Connector) reject(ctx context.Context, out *progress.Outbox, position string, raw []byte, cause error, done func()) error {
	c.metrics.posts.WithLabelValues(c.deps.Name, "rejected").Inc()
	return out.Put(ctx, &progress.Item{
		Rejected: &connectors.RejectedError{Position: position, Raw: raw, Err: cause},
		Done: func(error) {
			c.mu.Lock()
			done()
			c.dirty = true
			c.mu.Unlock()
		},
	})
}
