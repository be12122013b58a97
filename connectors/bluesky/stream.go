package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// stream keeps a Jetstream subscription open until ctx ends: it dials from
// the resume cursor, consumes events, and after any drop reconnects with
// backoff from the highest time_us read (rewound by resume_overlap; replays
// are recognised), so nothing between the drop and the reconnect is missed.
func (c *Connector) stream(ctx context.Context, out *progress.Outbox, ready chan struct{}) {
	readyOnce := false
	backoff := c.cfg.BackoffMin
	for ctx.Err() == nil {
		cursor := c.resumeCursor()
		conn, err := c.dial(ctx, cursor)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.Warn("connecting to jetstream", "error", err)
			c.metrics.requests.WithLabelValues(c.deps.Name, "jetstream", "error").Inc()
			_ = connectors.Sleep(ctx, jitter(backoff))
			backoff = min(2*backoff, c.cfg.BackoffMax)
			continue
		}
		if !readyOnce {
			close(ready)
			readyOnce = true
		}
		got, err := c.consume(ctx, conn, out)
		conn.Close()
		if ctx.Err() != nil {
			return
		}
		c.metrics.drops.WithLabelValues(c.deps.Name).Inc()
		c.log.Info("jetstream connection lost, resuming from the cursor", "error", err, "events", got)
		if got > 0 {
			backoff = c.cfg.BackoffMin
		}
		_ = connectors.Sleep(ctx, jitter(backoff))
		backoff = min(2*backoff, c.cfg.BackoffMax)
	}
}

// resumeCursor is where a (re)connection starts, in microseconds: the
// highest time_us read this run, else the saved mark, else now (a first
// start reads from its own start on), rewound by resume_overlap.
func (c *Connector) resumeCursor() int64 {
	c.mu.Lock()
	cur := c.read
	if cur == 0 {
		cur, _ = strconv.ParseInt(c.seq.Mark(), 10, 64)
	}
	first := cur == 0
	c.mu.Unlock()
	if first {
		cur = c.now().UnixMicro()
		c.mu.Lock()
		if c.read == 0 {
			c.read = cur
		}
		c.mu.Unlock()
	}
	cur -= c.cfg.ResumeOverlap.Microseconds()
	return max(cur, 1)
}

func (c *Connector) dial(ctx context.Context, cursor int64) (*websocket.Conn, error) {
	u, _ := url.Parse(c.cfg.Jetstream) // validated
	q := u.Query()
	q.Set("wantedCollections", postCollection)
	q.Set("cursor", strconv.FormatInt(cursor, 10))
	q.Set("maxMessageSizeBytes", strconv.Itoa(c.cfg.MaxEventBytes))
	c.mu.Lock()
	if len(c.cfg.Keywords) == 0 && len(c.cfg.Hashtags) == 0 && len(c.brand) == 0 {
		for did := range c.accounts { // only listed accounts: let the server filter
			q.Add("wantedDids", did)
		}
	}
	c.mu.Unlock()
	u.RawQuery = q.Encode()
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.cfg.RequestTimeout}
	hdr := http.Header{"User-Agent": []string{c.cfg.UserAgent}}
	conn, resp, err := d.DialContext(ctx, u.String(), hdr)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() // the handshake's answer; the stream runs on conn
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dialling %s: HTTP %d: %w", c.cfg.Jetstream, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dialling %s: %w", c.cfg.Jetstream, err)
	}
	conn.SetReadLimit(int64(c.cfg.MaxEventBytes))
	return conn, nil
}

// consume reads events until the connection fails or ctx ends, returning
// how many it read.
func (c *Connector) consume(ctx context.Context, conn *websocket.Conn, out *progress.Outbox) (int, error) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	n := 0
	for {
		_ = conn.SetReadDeadline(time.Now().Add(c.cfg.IdleTimeout))
		kind, frame, err := conn.ReadMessage()
		if err != nil {
			return n, err
		}
		if kind != websocket.TextMessage && kind != websocket.BinaryMessage {
			continue
		}
		n++
		if err := c.handle(ctx, frame, out); err != nil {
			return n, err
		}
	}
}

// handle processes one Jetstream message. Every message takes a position
// at its time_us: passed at once when nothing is delivered, open until
// acknowledged otherwise.
func (c *Connector) handle(ctx context.Context, frame []byte, out *progress.Outbox) error {
	var ev event
	if err := json.Unmarshal(frame, &ev); err != nil || ev.TimeUS <= 0 {
		c.metrics.events.WithLabelValues(c.deps.Name, "malformed").Inc()
		if err == nil {
			err = errors.New("event without time_us")
		}
		return c.rejectAt(ctx, out, 0, frame, fmt.Errorf("decoding jetstream event: %w", err))
	}
	c.metrics.events.WithLabelValues(c.deps.Name, ev.Kind).Inc()
	c.mu.Lock()
	c.read = max(c.read, ev.TimeUS)
	c.mu.Unlock()
	at := strconv.FormatInt(ev.TimeUS, 10)
	switch {
	case ev.Kind == "identity" && ev.Identity != nil:
		c.profiles.rename(ev.DID, ev.Identity.Handle)
	case ev.Kind == "account" && ev.Account != nil && !ev.Account.Active:
		c.profiles.forget(ev.DID)
	case ev.Kind == "commit" && ev.Commit != nil && ev.Commit.Collection == postCollection:
		return c.handleCommit(ctx, &ev, frame, out)
	}
	c.pass(at)
	return nil
}

func (c *Connector) pass(at string) {
	c.mu.Lock()
	c.seq.Pass(at)
	c.dirty = true
	c.mu.Unlock()
}

// rejectAt dead-letters a malformed message at time_us t (0: unknown, the
// position of the last message read is held instead).
func (c *Connector) rejectAt(ctx context.Context, out *progress.Outbox, t int64, frame []byte, cause error) error {
	c.mu.Lock()
	if t <= 0 {
		t = c.read
	}
	at := strconv.FormatInt(t, 10)
	pos := c.seq.Add(at)
	c.mu.Unlock()
	return c.reject(ctx, out, "jetstream@"+at, frame, cause, func() { c.seq.Done(pos) })
}

func (c *Connector) handleCommit(ctx context.Context, ev *event, frame []byte, out *progress.Outbox) error {
	at := strconv.FormatInt(ev.TimeUS, 10)
	cm := ev.Commit
	if cm.Operation == "delete" {
		return c.deleted(ctx, out, ev, at)
	}
	if cm.Operation != "create" && cm.Operation != "update" {
		c.pass(at)
		return nil
	}
	c.metrics.posts.WithLabelValues(c.deps.Name, "received").Inc()
	if ev.DID == "" || cm.RKey == "" {
		return c.rejectAt(ctx, out, ev.TimeUS, frame, errors.New("post event without did or rkey"))
	}
	p, err := decodePost(cm.Record)
	if err != nil {
		return c.rejectAt(ctx, out, ev.TimeUS, frame, err)
	}
	via, ok := c.wanted(ev.DID, p)
	if !ok {
		c.metrics.posts.WithLabelValues(c.deps.Name, "filtered").Inc()
		c.pass(at)
		return nil
	}
	prof, err := c.profile(ctx, ev.DID)
	if err != nil {
		if errors.Is(err, errNoProfile) {
			c.metrics.posts.WithLabelValues(c.deps.Name, "no_profile").Inc()
			c.pass(at)
			return nil
		}
		return err // ctx ended
	}
	if c.cfg.RespectOptOuts {
		if why := optedOut(prof, c.cfg.OptOutLabels, c.cfg.OptOutTags); why != "" {
			c.metrics.posts.WithLabelValues(c.deps.Name, "opted_out").Inc()
			c.log.Debug("author opted out", "did", ev.DID, "reason", why)
			c.pass(at)
			return nil
		}
	}
	m := toRecord(c.deps.Name, ev.DID, cm.RKey, cm.CID, p, prof, engagement{}, via, c.cfg.Prospects, c.now().UTC())
	if cm.Operation == "update" {
		m.Fields["edited"] = "true"
	}
	key, content := progress.Hash(m.SourceID), progress.Hash(cm.CID+"\x00"+m.Text)
	c.mu.Lock()
	if !c.claim(key, content) {
		c.seq.Pass(at)
		c.dirty = true
		c.mu.Unlock()
		c.metrics.posts.WithLabelValues(c.deps.Name, "duplicate").Inc()
		return nil
	}
	pos := c.seq.Add(at)
	c.mu.Unlock()
	return c.deliver(ctx, out, m, key, content, func() { c.seq.Done(pos) })
}

// deleted emits the deletion record of a collected post, keyed like the
// post (its author's handle when collected), at the event's position.
func (c *Connector) deleted(ctx context.Context, out *progress.Outbox, ev *event, at string) error {
	uri := postURI(ev.DID, ev.Commit.RKey)
	c.mu.Lock()
	handle, ok := c.untrack(uri)
	if !ok {
		c.seq.Pass(at)
		c.dirty = true
		c.mu.Unlock()
		return nil
	}
	pos := c.seq.Add(at)
	c.mu.Unlock()
	m, err := record.NewDeletion(Type, uri, c.deps.Name, record.Author{Platform: "bluesky", ID: ev.DID, Handle: handle},
		record.DeletedAtSource, time.UnixMicro(ev.TimeUS))
	if err != nil {
		return err
	}
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		c.mu.Lock()
		if err != nil {
			c.track(uri, handle) // a later delete event (a replay) tries again
		} else {
			c.seen.Put(progress.Hash(uri), deletedContent) // a replayed creation is not collected again
		}
		c.seq.Done(pos)
		c.dirty = true
		c.mu.Unlock()
		if err == nil {
			c.metrics.posts.WithLabelValues(c.deps.Name, "deleted").Inc()
		} else {
			c.log.Error("giving up delivering a deletion", "uri", uri, "error", err)
		}
	}})
}

// wanted reports why a post concerns the brand: "account", "mention",
// "hashtag" or "keyword:<text>".
func (c *Connector) wanted(did string, p *post) (string, bool) {
	c.mu.Lock()
	account := c.accounts[did]
	var mention bool
	for _, d := range p.mentioned() {
		mention = mention || c.brand[d]
	}
	c.mu.Unlock()
	switch {
	case account:
		return "account", true
	case mention:
		return "mention", true
	}
	for _, t := range p.tags() {
		if c.hashtags[t] {
			return "hashtag:" + t, true
		}
	}
	if !c.match.Empty() {
		lang := ""
		if len(p.Langs) > 0 {
			lang = p.Langs[0]
		}
		if k, ok := c.match.Match(p.Text, lang); ok {
			return "keyword:" + k, true
		}
	}
	return "", false
}

// profile resolves an author, retrying the AppView with backoff until it
// answers (the stream waits: Jetstream replays from the cursor if it drops
// us meanwhile). It returns errNoProfile for unknown authors.
func (c *Connector) profile(ctx context.Context, did string) (*profile, error) {
	backoff := c.cfg.BackoffMin
	for {
		p, err := c.profiles.get(ctx, did)
		if err == nil || errors.Is(err, errNoProfile) {
			return p, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.log.Warn("resolving a post's author", "did", did, "error", err)
		if err := connectors.Sleep(ctx, jitter(backoff)); err != nil {
			return nil, err
		}
		backoff = min(2*backoff, c.cfg.BackoffMax)
	}
}

// jitter adds up to half of d at random.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}
