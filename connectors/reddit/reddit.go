// Package reddit is the Reddit connector: with OAuth2 (a script app's
// password grant, or application-only client credentials) and the
// descriptive User-Agent Reddit requires, it polls the new posts and
// comments of listed subreddits and site-wide searches, reads them oldest
// first with a checkpoint by creation time and fullname, honours the
// X-Ratelimit-* headers, skips deleted and removed items, and re-reads
// recently delivered items to emit their edits.
package reddit

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
	"sort"
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
const Type = "reddit"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Reddit: new posts and comments of subreddits and search results, over OAuth2",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a reddit connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fill()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reddit connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// listingSource is one polled listing: a subreddit's new posts or
// comments, or a search.
type listingSource struct {
	key  string // checkpoint key and fields.watch: "r/sub/new", "r/sub/comments", "search:q"
	path string // with its query
}

// Connector polls the configured listings.
type Connector struct {
	cfg     Config
	deps    connectors.Deps
	log     *slog.Logger
	metrics metrics
	api     *apiclient.Client
	auth    *oauth
	httpTr  *http.Transport
	sources []listingSource
	now     func() time.Time

	run progress.Lifecycle

	// mu guards everything below.
	mu       sync.Mutex
	loaded   bool
	marks    map[string]*progress.Sequence // source key → positions "TIME.ID"
	seen     *progress.Versions            // fullname → content delivered
	inflight map[uint64]uint64
	recent   []recentItem // delivered, for the edit refresh (newest last)
	dirty    bool
}

type recentItem struct {
	fullname string
	created  time.Time
	watch    string
	author   record.Author // the Kafka key of a deletion record
}

type metrics struct {
	items    *prometheus.CounterVec // result: received, emitted, acked, failed, duplicate, edited, deleted, removed, rejected
	requests *prometheus.CounterVec // result: ok, rate_limited, server_error, malformed, error, credentials
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	ms := promx.NewSet(reg)
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "earshot", Subsystem: "reddit", Name: name, Help: help}
	}
	m := metrics{
		items: ms.CounterVec(opts("items_total", "Posts and comments by outcome: received, emitted, acked, failed, duplicate, edited, deleted, removed, rejected."),
			"connector", "result"),
		requests: ms.CounterVec(opts("requests_total", "API requests by result: ok, rate_limited, server_error, malformed, error, credentials."),
			"connector", "result"),
	}
	return m, ms.Err()
}

type checkpoint struct {
	// Marks is each listing's position "CREATED.ID" (creation time, then
	// the fullname's number): everything at or below it is done.
	Marks map[string]string `json:"marks"`
	Seen  []byte            `json:"seen"`
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("reddit connector needs a checkpoint store")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(deps.Registerer)
	if err != nil {
		return nil, fmt.Errorf("reddit connector %q: %w", deps.Name, err)
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
	newAPI := func() *apiclient.Client {
		return &apiclient.Client{
			Platform:   "reddit",
			HTTP:       &http.Client{Transport: tr, Timeout: cfg.RequestTimeout},
			UserAgent:  cfg.UserAgent,
			Budget:     budget,
			BackoffMin: cfg.BackoffMin, BackoffMax: cfg.BackoffMax,
			Observe: func(r string) { m.requests.WithLabelValues(deps.Name, r).Inc() },
		}
	}
	tokenAPI := newAPI()
	tokenAPI.Authorize = func(_ context.Context, req *http.Request) error {
		req.SetBasicAuth(cfg.ClientID, cfg.ClientSecret)
		return nil
	}
	c.auth = &oauth{cfg: &c.cfg, api: tokenAPI}
	c.api = newAPI()
	c.api.Authorize = c.auth.authorize
	c.api.Unauthorized = c.auth.drop
	limit := strconv.Itoa(cfg.PageSize)
	for _, s := range cfg.Subreddits {
		c.sources = append(c.sources, listingSource{key: "r/" + s + "/new", path: "/r/" + url.PathEscape(s) + "/new?limit=" + limit})
		if cfg.Comments {
			c.sources = append(c.sources, listingSource{key: "r/" + s + "/comments", path: "/r/" + url.PathEscape(s) + "/comments?limit=" + limit})
		}
	}
	for _, q := range cfg.Searches {
		c.sources = append(c.sources, listingSource{key: "search:" + q,
			path: "/search?" + url.Values{"q": {q}, "sort": {"new"}, "type": {"link"}, "limit": {limit}}.Encode()})
	}
	return c, nil
}

func (c *Connector) checkpointKey() string { return c.deps.Name + "/reddit" }

// Connect gets an access token (refused credentials fail Connect with the
// reason), loads the checkpoint and starts one poller per listing and the
// edit refresher. Connecting a running connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	if c.run.Running() {
		return nil
	}
	if _, err := c.auth.get(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		if err := c.load(ctx); err != nil {
			return err
		}
		c.loaded = true
	}
	runCtx, out, started := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 64,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	if !started {
		return nil
	}
	for _, src := range c.sources {
		c.run.Go(func() { c.poll(runCtx, out, src) })
	}
	if c.cfg.RefreshEdits > 0 {
		c.run.Go(func() { c.refresh(runCtx, out) })
	}
	return nil
}

func (c *Connector) load(ctx context.Context) error {
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey())
	if err != nil {
		return fmt.Errorf("loading reddit checkpoint: %w", err)
	}
	var cp checkpoint
	if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			return fmt.Errorf("decoding reddit checkpoint: %w", err)
		}
	}
	c.seen = progress.NewVersions(c.cfg.Remember)
	if err := c.seen.UnmarshalBinary(cp.Seen); err != nil {
		return fmt.Errorf("decoding reddit checkpoint: %w", err)
	}
	c.inflight = map[uint64]uint64{}
	c.marks = map[string]*progress.Sequence{}
	for _, s := range c.sources {
		c.marks[s.key] = progress.NewSequence(cp.Marks[s.key], strings.Compare)
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
	for k, s := range c.marks {
		if m := s.Mark(); m != "" {
			cp.Marks[k] = m
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

// Read returns the next post or comment (or a malformed child for the
// dead-letter queue).
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops polling and saves the checkpoint; items handed out and not
// acknowledged are read again by the next run.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		c.httpTr.CloseIdleConnections()
		c.mu.Lock()
		c.loaded = false
		c.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("saving reddit checkpoint: %w", err)
	}
	return nil
}

func position(created float64, fullname string) string {
	return fmt.Sprintf("%012d.%013d", int64(created), base36(fullname))
}

func markTime(pos string) int64 {
	t, _, _ := strings.Cut(pos, ".")
	n, _ := strconv.ParseInt(t, 10, 64)
	return n
}

func (c *Connector) poll(ctx context.Context, out *progress.Outbox, src listingSource) {
	for {
		if err := c.pollOnce(ctx, out, src); err != nil && ctx.Err() == nil {
			c.log.Warn("reading reddit", "listing", src.key, "error", err)
		}
		if connectors.Sleep(ctx, c.cfg.PollInterval) != nil {
			return
		}
	}
}

// read is one listing child as read: a thing, or why it is unusable.
type read struct {
	pos   string
	where string
	raw   []byte
	t     *thing
	err   error
}

// pollOnce pages the listing back to the mark (less the overlap) and
// queues what it found oldest first.
func (c *Connector) pollOnce(ctx context.Context, out *progress.Outbox, src listingSource) error {
	c.mu.Lock()
	seq := c.marks[src.key]
	mark := seq.Mark()
	c.mu.Unlock()
	since := c.now().Add(-c.cfg.InitialLookback).Unix()
	if mark != "" {
		since = markTime(mark) - int64(c.cfg.Overlap/time.Second)
	}
	var items []read
	after := ""
	for pg := 0; ; pg++ {
		if pg == c.cfg.MaxPages {
			c.log.Warn("listing has more new items than max_pages; the oldest wait for the next poll", "listing", src.key)
			break
		}
		path := src.path + "&raw_json=1"
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		var l listing
		if err := c.api.GetJSON(ctx, strings.TrimRight(c.cfg.APIURL, "/")+path, &l); err != nil {
			return fmt.Errorf("reading %s: %w", src.key, err)
		}
		older := false
		for i, raw := range l.Data.Children {
			r := read{where: fmt.Sprintf("%s page %d child %d", src.key, pg, i), raw: raw}
			r.t, r.err = parseThing(raw)
			if r.err != nil {
				r.pos = fmt.Sprintf("%012d.%013d", since, 0)
			} else {
				r.pos = position(r.t.Data.CreatedUTC, r.t.Data.Name)
				if int64(r.t.Data.CreatedUTC) < since {
					older = true
					continue
				}
			}
			items = append(items, r)
		}
		after = l.Data.After
		if older || after == "" || len(l.Data.Children) == 0 {
			break
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].pos < items[j].pos })
	for _, r := range items {
		if err := c.handle(ctx, out, src.key, seq, r); err != nil {
			return err
		}
	}
	return nil
}

func contentHash(m *record.Mention) uint64 { return progress.Hash(m.Title + "\x00" + m.Text) }

// handle queues one listing child; seq is nil for the edit refresh, whose
// items have no position in a listing.
func (c *Connector) handle(ctx context.Context, out *progress.Outbox, watch string, seq *progress.Sequence, r read) error {
	c.metrics.items.WithLabelValues(c.deps.Name, "received").Inc()
	pass := func() {
		if seq != nil {
			seq.Pass(r.pos)
			c.dirty = true
		}
	}
	if r.err != nil {
		rk := progress.Hash("rejected\x00" + string(r.raw))
		c.mu.Lock()
		if _, done := c.seen.Get(rk); done || seq == nil {
			pass()
			c.mu.Unlock()
			return nil
		}
		pos := seq.Add(r.pos)
		c.mu.Unlock()
		c.metrics.items.WithLabelValues(c.deps.Name, "rejected").Inc()
		return out.Put(ctx, &progress.Item{
			Rejected: &connectors.RejectedError{Position: r.where, Raw: r.raw, Err: r.err},
			Done: func(error) {
				c.mu.Lock()
				c.seen.Put(rk, 1)
				seq.Done(pos)
				c.dirty = true
				c.mu.Unlock()
			},
		})
	}
	if why := r.t.Data.gone(); why != "" {
		c.metrics.items.WithLabelValues(c.deps.Name, why).Inc()
		c.mu.Lock()
		pass()
		c.mu.Unlock()
		return nil
	}
	m := toRecord(watch, r.t, c.cfg.Prospects, c.now().UTC())
	key, content := progress.Hash(m.SourceID), contentHash(m)
	c.mu.Lock()
	prev, known := c.seen.Get(key)
	fl, flying := c.inflight[key]
	if (known && prev == content) || (flying && fl == content) {
		pass()
		c.mu.Unlock()
		c.metrics.items.WithLabelValues(c.deps.Name, "duplicate").Inc()
		return nil
	}
	if known {
		m.Fields["edited"] = "true"
		c.metrics.items.WithLabelValues(c.deps.Name, "edited").Inc()
	}
	c.inflight[key] = content
	var pos *progress.Position
	if seq != nil {
		pos = seq.Add(r.pos)
	}
	c.mu.Unlock()
	c.metrics.items.WithLabelValues(c.deps.Name, "emitted").Inc()
	created := m.CreatedAt
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		c.mu.Lock()
		delete(c.inflight, key)
		if err == nil {
			c.seen.Put(key, content)
			if !known {
				c.remember(recentItem{fullname: m.SourceID, created: created, watch: watch, author: m.Author})
			}
		}
		if pos != nil {
			seq.Done(pos)
		}
		c.dirty = true
		c.mu.Unlock()
		if err == nil {
			c.metrics.items.WithLabelValues(c.deps.Name, "acked").Inc()
		} else {
			c.metrics.items.WithLabelValues(c.deps.Name, "failed").Inc()
			c.log.Error("giving up an item after repeated delivery failures", "fullname", m.SourceID, "error", err)
		}
	}})
}

// remember keeps a delivered item for the edit refresh (c.mu held),
// bounded by remember.
func (c *Connector) remember(it recentItem) {
	c.recent = append(c.recent, it)
	if len(c.recent) > c.cfg.Remember {
		c.recent = append(c.recent[:0:0], c.recent[len(c.recent)-c.cfg.Remember:]...)
	}
}

// refresh re-reads, every refresh_interval, the delivered items younger
// than refresh_edits through /api/info (100 fullnames a request) and emits
// those whose text changed; items deleted or removed since are counted.
func (c *Connector) refresh(ctx context.Context, out *progress.Outbox) {
	for connectors.Sleep(ctx, c.cfg.RefreshInterval) == nil {
		cutoff := c.now().Add(-c.cfg.RefreshEdits)
		c.mu.Lock()
		keep := c.recent[:0]
		for _, r := range c.recent {
			if r.created.After(cutoff) {
				keep = append(keep, r)
			}
		}
		c.recent = keep
		batch := append([]recentItem(nil), keep...)
		c.mu.Unlock()
		for len(batch) > 0 {
			n := min(len(batch), 100)
			if err := c.refreshBatch(ctx, out, batch[:n]); err != nil {
				if ctx.Err() == nil {
					c.log.Warn("re-reading reddit items for edits", "error", err)
				}
				break
			}
			batch = batch[n:]
		}
	}
}

func (c *Connector) refreshBatch(ctx context.Context, out *progress.Outbox, items []recentItem) error {
	names := make([]string, len(items))
	byName := map[string]recentItem{}
	for i, it := range items {
		names[i] = it.fullname
		byName[it.fullname] = it
	}
	var l listing
	if err := c.api.GetJSON(ctx, strings.TrimRight(c.cfg.APIURL, "/")+"/api/info?raw_json=1&id="+strings.Join(names, ","), &l); err != nil {
		return err
	}
	for _, raw := range l.Data.Children {
		t, err := parseThing(raw)
		if err != nil {
			continue // malformed on a re-read: the delivered version stands
		}
		it := byName[t.Data.Name]
		if why := t.Data.gone(); why != "" {
			if err := c.deleted(ctx, out, it, why); err != nil {
				return err
			}
			continue
		}
		if err := c.handle(ctx, out, it.watch, nil, read{t: t}); err != nil {
			return err
		}
	}
	return nil
}

// deleted emits the deletion record of a delivered item found deleted or
// removed since, keyed like the item, and stops re-reading it.
func (c *Connector) deleted(ctx context.Context, out *progress.Outbox, it recentItem, why string) error {
	c.mu.Lock()
	for i, r := range c.recent {
		if r.fullname == it.fullname {
			c.recent = append(c.recent[:i], c.recent[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	m, err := record.NewDeletion(Type, it.fullname, "", it.author, record.DeletedAtSource, c.now())
	if err != nil {
		return err
	}
	m.Fields = map[string]string{"why": why}
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		if err != nil {
			c.log.Error("giving up delivering a deletion", "fullname", it.fullname, "error", err)
			return
		}
		c.metrics.items.WithLabelValues(c.deps.Name, "deletion_emitted").Inc()
	}})
}
