// Package youtube is the YouTube comments connector: it polls the comment
// threads and replies of listed videos and channels (and of videos found by
// keyword search) through the YouTube Data API v3 with an API key, counting
// quota units so it stops before the daily budget and resumes after the
// Pacific-time reset.
package youtube

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
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
const Type = "youtube"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "YouTube comments and replies on listed videos and channels (and videos found by search), quota-aware",
		Factory:     New,
		Sample:      sample,
	})
}

// New builds a youtube connector from its config node.
func New(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("youtube connector %q: %w", deps.Name, err)
	}
	return newConnector(cfg, deps, time.Now)
}

// Connector polls YouTube comment threads.
type Connector struct {
	cfg       Config
	deps      connectors.Deps
	log       *slog.Logger
	transport *http.Transport
	client    *http.Client
	metrics   metrics
	quota     *quota

	run progress.Lifecycle

	mu         sync.Mutex
	loaded     bool
	targets    map[string]*target // by key: video:ID, channel:ID
	found      []foundVideo       // videos found by search, newest first
	lastSearch time.Time
	searchDirt bool
	quotaShown time.Time // reset time of the last quota stop logged
}

type metrics struct {
	comments *prometheus.CounterVec // connector, result: received, emitted, duplicate, acked, failed, rejected
	requests *prometheus.CounterVec // connector, result: ok, rate_limited, server_error, malformed, quota_exceeded, credentials, unavailable, error
	quota    *prometheus.CounterVec // connector, resource: units spent
	stops    *prometheus.CounterVec // connector: quota stops
}

// target is one video or channel whose threads are polled. Guarded by
// Connector.mu.
type target struct {
	key      string
	param    string // videoId or allThreadsRelatedToChannelId
	id       string
	seq      *progress.Sequence // positions "publishedAt|thread[|publishedAt|reply]"
	versions *progress.Versions // comment id → content delivered
	inflight map[uint64]uint64  // comment id → content handed out
	dirty    bool
	// resume is the page token where a poll that hit max_pages before the
	// mark stopped: the next poll goes on from there, so a backlog larger
	// than max_pages pages is read in full, oldest part last.
	resume string
	// floor is an open position at the mark a pass started from: the mark
	// cannot rise over comments below the newest ones until the pass has
	// read down to it (pages come newest first, so acks of the newest would
	// otherwise lift the mark over older comments not read yet).
	floor *progress.Position
}

type targetCheckpoint struct {
	Mark     string `json:"mark"`
	Versions []byte `json:"versions"`
}

type foundVideo struct {
	ID      string    `json:"id"`
	Query   string    `json:"query"`
	FoundAt time.Time `json:"found_at"`
}

type searchCheckpoint struct {
	LastSearch time.Time    `json:"last_search"`
	Videos     []foundVideo `json:"videos"`
}

type quotaCheckpoint struct {
	Day  string `json:"day"`
	Used int    `json:"used"`
}

func newConnector(cfg Config, deps connectors.Deps, now func() time.Time) (*Connector, error) {
	if deps.Checkpoints == nil {
		return nil, errors.New("youtube connector needs a checkpoint store")
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
		quota:     &quota{limit: cfg.DailyQuota, now: now},
		metrics: metrics{
			comments: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "youtube", Name: "comments_total",
				Help: "YouTube comments by outcome: received, emitted, duplicate, acked, failed, rejected."}, "connector", "result"),
			requests: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "youtube", Name: "requests_total",
				Help: "YouTube Data API calls by result: ok, rate_limited, server_error, malformed, quota_exceeded, credentials, unavailable, error."}, "connector", "result"),
			quota: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "youtube", Name: "quota_units_total",
				Help: "YouTube Data API quota units spent, by resource."}, "connector", "resource"),
			stops: ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "youtube", Name: "quota_stops_total",
				Help: "Times polling stopped because the daily quota budget was reached."}, "connector"),
		},
	}
	if err := ms.Err(); err != nil {
		return nil, fmt.Errorf("youtube connector %q: %w", deps.Name, err)
	}
	return c, nil
}

func (c *Connector) checkpointKey(part string) string { return c.deps.Name + "/youtube/" + part }

// Connect loads the checkpoints and starts the poller. Connecting a running
// connector does nothing.
func (c *Connector) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run.Running() {
		return nil
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

// load reads every checkpoint; c.mu is held.
func (c *Connector) load(ctx context.Context) error {
	c.targets = map[string]*target{}
	c.found, c.lastSearch = nil, time.Time{}
	var q quotaCheckpoint
	if err := c.loadJSON(ctx, "quota", &q); err != nil {
		return err
	}
	c.quota.mu.Lock()
	c.quota.day, c.quota.used = q.Day, q.Used
	c.quota.mu.Unlock()
	var s searchCheckpoint
	if err := c.loadJSON(ctx, "search", &s); err != nil {
		return err
	}
	c.found, c.lastSearch = s.Videos, s.LastSearch
	for _, v := range c.cfg.Videos {
		if err := c.addTarget(ctx, "video:"+v, "videoId", v); err != nil {
			return err
		}
	}
	for _, ch := range c.cfg.Channels {
		if err := c.addTarget(ctx, "channel:"+ch, "allThreadsRelatedToChannelId", ch); err != nil {
			return err
		}
	}
	for _, f := range c.found {
		if err := c.addTarget(ctx, "video:"+f.ID, "videoId", f.ID); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connector) loadJSON(ctx context.Context, part string, dst any) error {
	raw, err := c.deps.Checkpoints.Load(ctx, c.checkpointKey(part))
	if err != nil {
		return fmt.Errorf("loading youtube checkpoint %q: %w", part, err)
	}
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("decoding youtube checkpoint %q: %w", part, err)
	}
	return nil
}

// addTarget adds a video or channel with its checkpoint; c.mu is held.
func (c *Connector) addTarget(ctx context.Context, key, param, id string) error {
	if _, ok := c.targets[key]; ok {
		return nil
	}
	var cp targetCheckpoint
	if err := c.loadJSON(ctx, key, &cp); err != nil {
		return err
	}
	t := &target{key: key, param: param, id: id, seq: progress.NewSequence(cp.Mark, strings.Compare),
		versions: progress.NewVersions(c.cfg.Remember), inflight: map[uint64]uint64{}}
	if err := t.versions.UnmarshalBinary(cp.Versions); err != nil {
		return fmt.Errorf("decoding youtube checkpoint %q: %w", key, err)
	}
	c.targets[key] = t
	return nil
}

// collect returns the checkpoints changed since its last call.
func (c *Connector) collect() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]byte{}
	for key, t := range c.targets {
		if !t.dirty {
			continue
		}
		v, _ := t.versions.MarshalBinary()
		if raw, err := json.Marshal(targetCheckpoint{Mark: t.seq.Mark(), Versions: v}); err == nil {
			out[c.checkpointKey(key)] = raw
			t.dirty = false
		}
	}
	if c.searchDirt {
		if raw, err := json.Marshal(searchCheckpoint{LastSearch: c.lastSearch, Videos: c.found}); err == nil {
			out[c.checkpointKey("search")] = raw
			c.searchDirt = false
		}
	}
	c.quota.mu.Lock()
	if c.quota.dirty {
		if raw, err := json.Marshal(quotaCheckpoint{Day: c.quota.day, Used: c.quota.used}); err == nil {
			out[c.checkpointKey("quota")] = raw
			c.quota.dirty = false
		}
	}
	c.quota.mu.Unlock()
	return out
}

// Read returns the next new or edited comment.
func (c *Connector) Read(ctx context.Context) (*record.Mention, connectors.AckFunc, error) {
	return c.run.Read(ctx)
}

// Close stops polling and saves the checkpoints. Comments handed out and not
// acknowledged stay above the mark: the next run reads them again.
func (c *Connector) Close(ctx context.Context) error {
	err := c.run.Stop(ctx, func() { c.transport.CloseIdleConnections() })
	c.mu.Lock()
	c.loaded = false // a later Connect starts again from the saved checkpoints
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("saving youtube checkpoints: %w", err)
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
		var qe *QuotaError
		var ce *CredentialError
		var re *retryableError
		switch {
		case err == nil:
			backoff = 0
		case errors.As(err, &qe):
			c.mu.Lock()
			first := !c.quotaShown.Equal(qe.Reset)
			c.quotaShown = qe.Reset
			c.mu.Unlock()
			if first {
				c.metrics.stops.WithLabelValues(c.deps.Name).Inc()
				c.log.Warn(qe.Error())
			}
			wait = min(max(qe.Reset.Sub(c.quota.now()), 0), c.cfg.QuotaRecheck)
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
			c.log.Warn("polling youtube", "err", err, "retry_in", wait)
		}
		if connectors.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// round searches when due, then polls every target once. It stops at the
// first error that concerns the whole connector (quota, credentials,
// unreachable API).
func (c *Connector) round(ctx context.Context, out *progress.Outbox) error {
	if len(c.cfg.Search.Queries) > 0 {
		c.mu.Lock()
		due := c.quota.now().Sub(c.lastSearch) >= c.cfg.Search.Interval
		c.mu.Unlock()
		if due {
			if err := c.search(ctx); err != nil {
				return err
			}
		}
	}
	c.mu.Lock()
	keys := make([]string, 0, len(c.targets))
	for _, v := range c.cfg.Videos {
		keys = append(keys, "video:"+v)
	}
	for _, ch := range c.cfg.Channels {
		keys = append(keys, "channel:"+ch)
	}
	for _, f := range c.found {
		keys = append(keys, "video:"+f.ID)
	}
	c.mu.Unlock()
	for _, key := range keys {
		c.mu.Lock()
		t := c.targets[key]
		c.mu.Unlock()
		if t == nil {
			continue
		}
		err := c.pollTarget(ctx, out, t)
		var ue *unavailableError
		if errors.As(err, &ue) {
			c.log.Warn("youtube comments not available", "target", key, "err", err)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// search finds videos for every query published since the last search.
func (c *Connector) search(ctx context.Context) error {
	c.mu.Lock()
	since := c.lastSearch
	c.mu.Unlock()
	started := c.quota.now()
	var found []foundVideo
	for _, q := range c.cfg.Search.Queries {
		params := url.Values{"part": {"snippet"}, "q": {q}, "type": {"video"}, "order": {"date"}, "maxResults": {"50"}}
		if !since.IsZero() {
			params.Set("publishedAfter", since.UTC().Format(time.RFC3339))
		}
		if c.cfg.Search.RegionCode != "" {
			params.Set("regionCode", c.cfg.Search.RegionCode)
		}
		if c.cfg.Search.RelevanceLanguage != "" {
			params.Set("relevanceLanguage", c.cfg.Search.RelevanceLanguage)
		}
		var res searchList
		if err := c.fetch(ctx, "search", params, costSearch, &res); err != nil {
			var me *malformedError
			if errors.As(err, &me) {
				c.log.Warn("youtube search answer malformed, searching again next round", "query", q, "err", err)
				return nil
			}
			return err
		}
		for _, it := range res.Items {
			if it.ID.VideoID != "" && idPattern.MatchString(it.ID.VideoID) {
				found = append(found, foundVideo{ID: it.ID.VideoID, Query: q, FoundAt: started})
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	listed := map[string]bool{}
	for _, v := range c.cfg.Videos {
		listed[v] = true
	}
	for _, f := range c.found {
		listed[f.ID] = true
	}
	for _, f := range found {
		if listed[f.ID] {
			continue
		}
		listed[f.ID] = true
		if err := c.addTarget(ctx, "video:"+f.ID, "videoId", f.ID); err != nil {
			return err
		}
		c.found = append([]foundVideo{f}, c.found...)
	}
	for len(c.found) > c.cfg.Search.MaxVideos {
		drop := c.found[len(c.found)-1]
		c.found = c.found[:len(c.found)-1]
		delete(c.targets, "video:"+drop.ID)
	}
	c.lastSearch, c.searchDirt = started, true
	return nil
}

// fetch is call with retries of 429, 5xx and network errors.
func (c *Connector) fetch(ctx context.Context, resource string, params url.Values, cost int, dst any) error {
	backoff := c.cfg.BackoffMin
	for attempt := 1; ; attempt++ {
		err := c.call(ctx, resource, params, cost, dst)
		var re *retryableError
		if !errors.As(err, &re) || attempt == 4 {
			return err
		}
		wait := max(backoff, re.RetryAfter)
		backoff = min(2*backoff, c.cfg.BackoffMax)
		if err := connectors.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// pollTarget reads a target's threads newest first until it reaches the
// mark (everything at or below it was delivered) or max_pages.
func (c *Connector) pollTarget(ctx context.Context, out *progress.Outbox, t *target) error {
	c.mu.Lock()
	mark, token := t.seq.Mark(), t.resume
	t.resume = ""
	if t.floor == nil {
		t.floor = t.seq.Add(mark)
	}
	c.mu.Unlock()
	for page := 1; ; page++ {
		if page > c.cfg.MaxPages {
			c.mu.Lock()
			t.resume = token
			c.mu.Unlock()
			return nil
		}
		params := url.Values{"part": {"snippet,replies"}, t.param: {t.id}, "order": {"time"},
			"maxResults": {fmt.Sprint(c.cfg.PageSize)}, "textFormat": {"plainText"}}
		if token != "" {
			params.Set("pageToken", token)
		}
		var res commentThreadList
		if err := c.fetch(ctx, "commentThreads", params, costCommentThreads, &res); err != nil {
			var me *malformedError
			var ue *unavailableError
			switch {
			case errors.As(err, &me):
				return c.reject(ctx, out, fmt.Sprintf("%s commentThreads page %d", t.key, page), me.Body, err)
			case !errors.As(err, &ue):
				// Quota, network, server: go on from this page next time
				// rather than spend units on pages already read.
				c.mu.Lock()
				t.resume = token
				c.mu.Unlock()
			}
			return err
		}
		reached := false
		for i := range res.Items {
			th := &res.Items[i]
			top := th.Snippet.TopLevelComment
			if th.ID == "" || top == nil || top.ID == "" || top.Snippet.PublishedAt.IsZero() {
				raw, _ := json.Marshal(th)
				if err := c.reject(ctx, out, fmt.Sprintf("%s thread %q", t.key, th.ID), raw, errors.New("comment thread without id, top-level comment or publishedAt")); err != nil {
					return err
				}
				continue
			}
			pos := position(top.Snippet.PublishedAt, th.ID)
			if mark != "" && pos <= mark {
				reached = true
			}
			if err := c.offer(ctx, out, t, pos, th, top, th.Snippet.TotalReplyCount); err != nil {
				return err
			}
			if c.cfg.Replies && th.Snippet.TotalReplyCount > 0 {
				if err := c.replies(ctx, out, t, pos, th); err != nil {
					return err
				}
			}
		}
		if reached || res.NextPageToken == "" {
			c.mu.Lock()
			if t.seq.Done(t.floor) {
				t.dirty = true
			}
			t.floor = nil
			c.mu.Unlock()
			return nil
		}
		token = res.NextPageToken
	}
}

// replies offers a thread's replies, listing them with comments.list when
// the thread carries fewer than its reply count.
func (c *Connector) replies(ctx context.Context, out *progress.Outbox, t *target, threadPos string, th *commentThread) error {
	list := th.Replies.Comments
	if len(list) < th.Snippet.TotalReplyCount {
		list = nil
		token := ""
		for page := 1; page <= c.cfg.MaxPages; page++ {
			params := url.Values{"part": {"snippet"}, "parentId": {th.ID}, "maxResults": {fmt.Sprint(c.cfg.PageSize)}, "textFormat": {"plainText"}}
			if token != "" {
				params.Set("pageToken", token)
			}
			var res commentList
			if err := c.fetch(ctx, "comments", params, costComments, &res); err != nil {
				var me *malformedError
				if errors.As(err, &me) {
					return c.reject(ctx, out, fmt.Sprintf("%s replies of %s page %d", t.key, th.ID, page), me.Body, err)
				}
				return err
			}
			list = append(list, res.Items...)
			if res.NextPageToken == "" {
				break
			}
			token = res.NextPageToken
		}
	}
	for i := range list {
		r := &list[i]
		if r.ID == "" || r.Snippet.PublishedAt.IsZero() {
			raw, _ := json.Marshal(r)
			if err := c.reject(ctx, out, fmt.Sprintf("%s reply %q of %s", t.key, r.ID, th.ID), raw, errors.New("reply without id or publishedAt")); err != nil {
				return err
			}
			continue
		}
		if err := c.offer(ctx, out, t, threadPos+"|"+position(r.Snippet.PublishedAt, r.ID), th, r, 0); err != nil {
			return err
		}
	}
	return nil
}

// position orders comments by publication, then id; fixed width so that
// positions compare as strings.
func position(at time.Time, id string) string {
	return at.UTC().Format("2006-01-02T15:04:05.000000000Z") + "|" + id
}

// offer hands out a comment unless it was delivered with this content, or it
// is below the mark and not remembered (delivered before the memory's
// horizon). An edited comment is handed out again under the same id.
func (c *Connector) offer(ctx context.Context, out *progress.Outbox, t *target, pos string, th *commentThread, cm *comment, replies int) error {
	c.metrics.comments.WithLabelValues(c.deps.Name, "received").Inc()
	if cm.Snippet.ModerationStatus != "" && cm.Snippet.ModerationStatus != "published" {
		return nil // held for review or rejected: not public
	}
	key := progress.Hash(cm.ID)
	content := progress.Hash(text(cm) + "\x00" + cm.Snippet.UpdatedAt.UTC().Format(time.RFC3339Nano))
	c.mu.Lock()
	delivered, known := t.versions.Get(key)
	inflight, handed := t.inflight[key]
	below := t.seq.Mark() != "" && pos <= t.seq.Mark()
	if (known && delivered == content) || (!known && below) || (handed && inflight == content) {
		c.mu.Unlock()
		c.metrics.comments.WithLabelValues(c.deps.Name, "duplicate").Inc()
		return nil
	}
	p := t.seq.Add(pos)
	t.inflight[key] = content
	c.mu.Unlock()
	rec := c.record(t, th, cm, replies, known)
	c.metrics.comments.WithLabelValues(c.deps.Name, "emitted").Inc()
	return out.Put(ctx, &progress.Item{Record: rec, Done: func(err error) { c.done(t, p, key, content, err) }})
}

// done records a delivery's outcome. A record the host gave up on keeps its
// position open: the mark stays below it, and the next run reads it again.
func (c *Connector) done(t *target, p *progress.Position, key, content uint64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.inflight[key] == content {
		delete(t.inflight, key)
	}
	if err != nil {
		c.metrics.comments.WithLabelValues(c.deps.Name, "failed").Inc()
		c.log.Error("giving up delivering youtube comment", "target", t.key, "err", err)
		return
	}
	c.metrics.comments.WithLabelValues(c.deps.Name, "acked").Inc()
	t.versions.Put(key, content)
	t.seq.Done(p)
	t.dirty = true
}

// reject dead-letters a malformed payload with its reason.
func (c *Connector) reject(ctx context.Context, out *progress.Outbox, where string, raw []byte, err error) error {
	c.metrics.comments.WithLabelValues(c.deps.Name, "rejected").Inc()
	c.log.Warn("dead-lettering malformed youtube payload", "where", where, "err", err)
	if len(raw) > 64<<10 {
		raw = raw[:64<<10]
	}
	return out.Put(ctx, &progress.Item{Rejected: &connectors.RejectedError{Position: "youtube " + where, Raw: raw, Err: err}})
}

func text(cm *comment) string {
	if s := strings.TrimSpace(cm.Snippet.TextDisplay); s != "" {
		return s
	}
	return strings.TrimSpace(cm.Snippet.TextOriginal)
}

// record maps a comment to a mention.
func (c *Connector) record(t *target, th *commentThread, cm *comment, replies int, edited bool) *record.Mention {
	s := &cm.Snippet
	video := s.VideoID
	if video == "" {
		video = th.Snippet.VideoID
	}
	channel := s.ChannelID
	if channel == "" {
		channel = th.Snippet.ChannelID
	}
	m := &record.Mention{
		Source:    Type,
		SourceID:  cm.ID,
		Channel:   channel,
		Kind:      record.KindComment,
		Author:    author(cm),
		Text:      text(cm),
		CreatedAt: s.PublishedAt.UTC(),
		FetchedAt: c.quota.now().UTC(),
		Consent:   &record.Consent{Basis: "legitimate_interest", NoProspect: !c.cfg.Prospects},
		Fields:    map[string]string{"thread_id": th.ID, "target": t.key},
	}
	if video != "" {
		m.URL = "https://www.youtube.com/watch?v=" + url.QueryEscape(video) + "&lc=" + url.QueryEscape(cm.ID)
		m.Fields["video_id"] = video
	}
	if s.ParentID != "" || cm.ID != th.Snippet.TopLevelComment.ID {
		parent := s.ParentID
		if parent == "" {
			parent = th.ID
		}
		m.Kind = record.KindReply
		m.InReplyTo = record.RecordID(Type, parent)
		m.Fields["parent_id"] = parent
	}
	if !s.UpdatedAt.IsZero() && s.UpdatedAt.After(s.PublishedAt) {
		m.Fields["edited_at"] = s.UpdatedAt.UTC().Format(time.RFC3339)
	}
	if edited {
		m.Fields["edit"] = "true"
	}
	if s.LikeCount > 0 || replies > 0 {
		m.Engagement = &record.Engagement{Favourites: s.LikeCount, Replies: replies}
	}
	_ = m.Normalize() // source, source id and kind are set
	return m
}

// author is the commenter: the channel id, the @handle (from the display
// name, else the channel URL) and the channel URL as profile.
func author(cm *comment) record.Author {
	s := &cm.Snippet
	a := record.Author{Platform: Type, ID: s.AuthorChannelID.Value, Name: strings.TrimSpace(s.AuthorDisplayName), ProfileURL: s.AuthorChannelURL}
	switch {
	case strings.HasPrefix(a.Name, "@"):
		a.Handle = a.Name
	case strings.Contains(s.AuthorChannelURL, "/@"):
		h := s.AuthorChannelURL[strings.Index(s.AuthorChannelURL, "/@")+1:]
		if i := strings.IndexAny(h, "/?#"); i >= 0 {
			h = h[:i]
		}
		a.Handle, _ = url.PathUnescape(h)
	default:
		a.Handle = a.ID
	}
	return a
}
