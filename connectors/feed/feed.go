// Package feed is the RSS/Atom/JSON feed connector: it polls news and blog
// feeds with conditional GET and emits each new or changed entry once,
// remembering delivered entries in its checkpoints.
package feed

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type and the Source of its records.
const Type = "feed"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "RSS, Atom and JSON feeds of news sites and blogs, polled with conditional GET",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a feed connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	cfg.fillFeeds()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("feed connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps)
}

// Connector polls the configured feeds.
type Connector struct {
	cfg       Config
	deps      connectors.Deps
	log       *slog.Logger
	transport *http.Transport
	client    *http.Client
	metrics   metrics

	run progress.Lifecycle

	mu    sync.Mutex
	state map[string]*feedState // by feed name, loaded on first Connect
}

type metrics struct {
	fetches *prometheus.CounterVec // feed, result
	items   *prometheus.CounterVec // feed, result
}

// feedState is what the connector knows about one feed. Guarded by
// Connector.mu.
type feedState struct {
	versions *progress.Versions   // entry key → content delivered
	inflight map[uint64]*inflight // entries being delivered
	// Validators of the last response whose entries were all delivered:
	// only then may a 304 stand for "nothing new".
	etag, lastModified string
	confirmed          uint64 // round that set them
	rounds             uint64 // rounds started
	dirty              bool
}

// inflight is an entry handed out and not yet acknowledged, with the fetch
// rounds waiting for it.
type inflight struct {
	content uint64
	rounds  []*round
}

// round is one 200 response: its validators count once every entry it
// listed was delivered.
type round struct {
	seq                uint64
	etag, lastModified string
	waiting            int
	queued             bool
	failed             bool
}

type checkpoint struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Versions     []byte `json:"versions"`
}

func newConnector(cfg Config, deps connectors.Deps) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("feed connector needs a checkpoint store")
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
		metrics: metrics{
			fetches: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "feed", Name: "fetches_total",
				Help: "Feed fetches by result: ok, not_modified, error."}, "connector", "feed", "result"),
			items: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "feed", Name: "entries_total",
				Help: "Feed entries by outcome: emitted, unchanged, empty, acked, failed."}, "connector", "feed", "result"),
		},
	}
	if err := ms.Err(); err != nil {
		return nil, fmt.Errorf("feed connector %q: %w", deps.Name, err)
	}
	return c, nil
}

func (c *Connector) checkpointKey(feed string) string {
	return c.deps.Name + "/feed/" + feed
}

// Connect loads the checkpoints (once) and starts one poller per feed.
// Connecting a running connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run.Running() {
		return nil
	}
	if c.state == nil {
		state := map[string]*feedState{}
		for _, f := range c.cfg.Feeds {
			st, err := c.load(ctx, f.Name)
			if err != nil {
				return err
			}
			state[f.Name] = st
		}
		c.state = state
	}
	runCtx, out, _ := c.run.Start(ctx, progress.StartOptions{Deps: c.deps, Queue: 16,
		CheckpointInterval: c.cfg.CheckpointInterval, Logger: c.log, Collect: c.collect})
	for _, f := range c.cfg.Feeds {
		st := c.state[f.Name]
		c.run.Go(func() { c.poll(runCtx, f, st, out) })
	}
	return nil
}

func (c *Connector) load(ctx context.Context, feed string) (*feedState, error) {
	st := &feedState{versions: progress.NewVersions(c.cfg.Remember), inflight: map[uint64]*inflight{}}
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey(feed))
	if err != nil {
		return nil, fmt.Errorf("loading checkpoint of feed %q: %w", feed, err)
	}
	if raw == nil {
		return st, nil
	}
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil {
		return nil, fmt.Errorf("decoding checkpoint of feed %q: %w", feed, err)
	}
	if err := st.versions.UnmarshalBinary(cp.Versions); err != nil {
		return nil, fmt.Errorf("decoding checkpoint of feed %q: %w", feed, err)
	}
	st.etag, st.lastModified = cp.ETag, cp.LastModified
	return st, nil
}

// collect returns the checkpoints changed since the last call.
func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]byte{}
	for name, st := range c.state {
		if !st.dirty {
			continue
		}
		v, _ := st.versions.MarshalBinary()
		raw, err := json.Marshal(checkpoint{ETag: st.etag, LastModified: st.lastModified, Versions: v})
		if err != nil {
			continue
		}
		out[c.checkpointKey(name)] = raw
		st.dirty = false
	}
	return out
}

// Read returns the next new or changed feed entry.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops the pollers and saves the checkpoints. Entries handed out and
// not acknowledged are not remembered: the next run emits them again.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() {
		c.mu.Lock()
		for _, st := range c.state {
			clear(st.inflight)
		}
		c.mu.Unlock()
		c.transport.CloseIdleConnections()
	})
	if err != nil {
		return fmt.Errorf("saving feed checkpoints: %w", err)
	}
	return nil
}

// poll fetches one feed every interval, sooner after errors.
func (c *Connector) poll(ctx context.Context, f Feed, st *feedState, out *progress.Outbox) {
	var backoff time.Duration
	for {
		err := c.fetch(ctx, f, st, out)
		if ctx.Err() != nil {
			return
		}
		wait := f.Interval
		if err != nil {
			c.log.Warn("polling feed", "feed", f.Name, "err", err)
			backoff = min(max(2*backoff, time.Second), 5*time.Minute)
			wait = min(backoff, f.Interval)
		} else {
			backoff = 0
		}
		wait += rand.N(wait/10 + 1) // spread feeds sharing an interval
		if connectors.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// fetch polls one feed once and queues its new and changed entries.
func (c *Connector) fetch(ctx context.Context, f Feed, st *feedState, out *progress.Outbox) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
	c.mu.Lock()
	if st.etag != "" {
		req.Header.Set("If-None-Match", st.etag)
	}
	if st.lastModified != "" {
		req.Header.Set("If-Modified-Since", st.lastModified)
	}
	st.rounds++
	r := &round{seq: st.rounds}
	c.mu.Unlock()

	resp, err := c.client.Do(req)
	if err != nil {
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "error").Inc()
		return fmt.Errorf("fetching %s: %w", f.URL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "not_modified").Inc()
		return nil
	case resp.StatusCode != http.StatusOK:
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "error").Inc()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("fetching %s: status %s", f.URL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	resp.Body.Close() // free the connection before waiting on the outbox
	if err != nil {
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "error").Inc()
		return fmt.Errorf("reading %s: %w", f.URL, err)
	}
	if int64(len(body)) > c.cfg.MaxBodyBytes {
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "error").Inc()
		return fmt.Errorf("reading %s: feed larger than max_body_bytes (%d)", f.URL, c.cfg.MaxBodyBytes)
	}
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "error").Inc()
		return fmt.Errorf("parsing %s: %w", f.URL, err)
	}
	c.metrics.fetches.WithLabelValues(c.deps.Name, f.Name, "ok").Inc()
	r.etag, r.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")

	now := time.Now().UTC()
	for _, it := range oldestFirst(parsed.Items) {
		rec, key, content := c.record(f, parsed, it, now)
		if rec == nil {
			c.metrics.items.WithLabelValues(c.deps.Name, f.Name, "empty").Inc()
			continue
		}
		if !c.admit(st, r, key, content) {
			c.metrics.items.WithLabelValues(c.deps.Name, f.Name, "unchanged").Inc()
			continue
		}
		c.metrics.items.WithLabelValues(c.deps.Name, f.Name, "emitted").Inc()
		item := &progress.Item{Record: rec, Done: func(err error) { c.done(f.Name, st, key, content, err) }}
		if err := out.Put(ctx, item); err != nil {
			return err // closing; the round stays unconfirmed
		}
	}
	c.mu.Lock()
	r.queued = true
	c.confirm(st, r)
	c.mu.Unlock()
	return nil
}

// admit decides whether an entry needs delivery and registers it in flight
// (or makes round r wait for the delivery already in flight).
func (c *Connector) admit(st *feedState, r *round, key, content uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := st.versions.Get(key); ok && v == content {
		return false
	}
	r.waiting++
	if in, ok := st.inflight[key]; ok && in.content == content {
		in.rounds = append(in.rounds, r)
		return false
	}
	st.inflight[key] = &inflight{content: content, rounds: []*round{r}}
	return true
}

// done records the outcome of one delivery.
func (c *Connector) done(feed string, st *feedState, key, content uint64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	in, ok := st.inflight[key]
	if !ok || in.content != content {
		return // dropped at Close
	}
	delete(st.inflight, key)
	if err == nil {
		c.metrics.items.WithLabelValues(c.deps.Name, feed, "acked").Inc()
		st.versions.Put(key, content)
		st.dirty = true
	} else {
		// Not remembered: the next poll offers it again.
		c.metrics.items.WithLabelValues(c.deps.Name, feed, "failed").Inc()
		c.log.Error("giving up delivering feed entry", "feed", feed, "err", err)
	}
	for _, r := range in.rounds {
		r.waiting--
		if err != nil {
			r.failed = true
		}
		c.confirm(st, r)
	}
}

// confirm adopts a round's validators once all its entries are delivered.
func (c *Connector) confirm(st *feedState, r *round) {
	if !r.queued || r.waiting > 0 || r.failed || r.seq <= st.confirmed {
		return
	}
	st.confirmed = r.seq
	if st.etag != r.etag || st.lastModified != r.lastModified {
		st.etag, st.lastModified = r.etag, r.lastModified
		st.dirty = true
	}
}

// oldestFirst orders entries by publication when every entry has a date,
// else reverses the document order (feeds list the newest first).
func oldestFirst(items []*gofeed.Item) []*gofeed.Item {
	out := slices.Clone(items)
	dated := true
	for _, it := range out {
		if published(it) == nil {
			dated = false
			break
		}
	}
	if dated {
		slices.SortStableFunc(out, func(a, b *gofeed.Item) int { return published(a).Compare(*published(b)) })
		return out
	}
	slices.Reverse(out)
	return out
}

func published(it *gofeed.Item) *time.Time {
	if it.PublishedParsed != nil {
		return it.PublishedParsed
	}
	return it.UpdatedParsed
}

// record turns an entry into a mention, with the hashes of its key and
// content. It returns nil for an entry with neither title nor text.
func (c *Connector) record(f Feed, fd *gofeed.Feed, it *gofeed.Item, now time.Time) (*record.Mention, uint64, uint64) {
	title := htmltext.String(it.Title, htmltext.Options{})
	body := it.Content
	if strings.TrimSpace(htmltext.String(body, htmltext.Options{})) == "" {
		body = it.Description
	}
	text := htmltext.String(body, htmltext.Options{})
	if text == "" {
		text = title
	}
	if text == "" {
		return nil, 0, 0
	}
	native := strings.TrimSpace(it.GUID)
	if native == "" {
		native = strings.TrimSpace(it.Link)
	}
	updated := it.Updated
	if native == "" {
		native = fmt.Sprintf("sha:%016x", progress.Hash(title+"\x00"+it.Published+"\x00"+text))
	}
	created := now
	if p := published(it); p != nil {
		created = p.UTC()
	}
	lang := fd.Language
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Language) > 0 {
		lang = it.DublinCoreExt.Language[0]
	}
	m := &record.Mention{
		Source:    Type,
		SourceID:  f.Name + "|" + native,
		Channel:   f.Name,
		Kind:      f.Kind,
		Author:    author(it, fd),
		Title:     title,
		Text:      text,
		URL:       strings.TrimSpace(it.Link),
		Lang:      strings.TrimSpace(lang),
		CreatedAt: created,
		FetchedAt: now,
	}
	fields := map[string]string{}
	if fd.Title != "" {
		fields["feed_title"] = htmltext.String(fd.Title, htmltext.Options{})
	}
	if len(it.Categories) > 0 {
		fields["categories"] = strings.Join(it.Categories, ", ")
	}
	if len(fields) > 0 {
		m.Fields = fields
	}
	_ = m.Normalize() // source, source id and kind are always set here
	content := progress.Hash(strings.Join([]string{title, text, m.URL, updated, m.Author.Name}, "\x00"))
	return m, progress.Hash(native), content
}

// author picks the entry's (else the feed's) first author. Addresses that
// are placeholders (noreply@...) are dropped: they identify nobody.
func author(it *gofeed.Item, fd *gofeed.Feed) record.Author {
	people := it.Authors
	if len(people) == 0 && it.Author != nil {
		people = []*gofeed.Person{it.Author}
	}
	if len(people) == 0 {
		people = fd.Authors
	}
	var a record.Author
	for _, p := range people {
		if p == nil {
			continue
		}
		a.Name = strings.TrimSpace(p.Name)
		if addr, err := mail.ParseAddress(strings.TrimSpace(p.Email)); err == nil && !placeholderEmail(addr.Address) {
			a.Email = addr.Address
		}
		if a.Name != "" || a.Email != "" {
			break
		}
	}
	return a
}

func placeholderEmail(addr string) bool {
	l := strings.ToLower(addr)
	for _, p := range []string{"noreply", "no-reply", "donotreply", "do-not-reply", "nobody@", "unknown@", "@example."} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}
