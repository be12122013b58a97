package mastodon

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gomasto "github.com/mattn/go-mastodon"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// watch is one timeline followed on a server: a hashtag, the public
// timeline (for keywords), the brand account's notifications, or a listed
// account. Streamed watches keep an SSE stream open; polled ones fetch
// every poll interval. Both catch up over REST from their cursor.
type watch struct {
	srv   *server
	key   string // checkpoint key within the server, e.g. "hashtag:earshot"
	label string // shown in records' fields
	// stream opens the watch's stream; nil for polled watches.
	stream func(ctx context.Context) (chan gomasto.Event, error)
	// page fetches one REST page of the timeline.
	page func(ctx context.Context, pg *gomasto.Pagination) ([]entry, error)
	// notifications: stream events are notifications, not statuses.
	notifications bool
	// filter keeps statuses (and names the keyword that matched); nil keeps all.
	filter   func(o *gomasto.Status, text string) (string, bool)
	maxPages int

	// ready is closed after the first completed catch-up of a run.
	ready     chan struct{}
	readyOnce sync.Once

	// Guarded by Connector.mu.
	seq    *progress.Sequence
	cursor string // highest position read in this run
	gap    *gap   // an unfinished catch-up
}

// gap is a catch-up in progress: its marker, an open position at the
// cursor it started from, keeps the watch's mark from passing anything the
// catch-up has yet to fetch.
type gap struct {
	from   string
	marker *progress.Position
}

// entry is one position of a timeline with the status to deliver there
// (nil for a notification that is not a mention).
type entry struct {
	pos    string
	status *gomasto.Status
	kind   record.Kind
}

// newWatches builds the watches a server's config asks for.
func (s *server) newWatches() []*watch {
	var ws []*watch
	for _, tag := range s.cfg.Hashtags {
		ws = append(ws, &watch{
			srv: s, key: "hashtag:" + strings.ToLower(tag), label: "hashtag:" + tag,
			stream: func(ctx context.Context) (chan gomasto.Event, error) {
				return s.stream.StreamingHashtag(ctx, tag, s.cfg.LocalOnly)
			},
			page: func(ctx context.Context, pg *gomasto.Pagination) ([]entry, error) {
				sts, err := s.rest.GetTimelineHashtag(ctx, tag, s.cfg.LocalOnly, pg)
				return statusEntries(sts), err
			},
			maxPages: s.cfg.MaxBackfillPages,
		})
	}
	if !s.match.Empty() {
		local := s.cfg.KeywordTimeline == "local"
		maxPages := s.cfg.MaxBackfillPages
		if maxPages == 0 {
			maxPages = 10 // the public timeline never runs dry
		}
		ws = append(ws, &watch{
			srv: s, key: "keywords:" + s.cfg.KeywordTimeline, label: "keywords",
			stream: func(ctx context.Context) (chan gomasto.Event, error) {
				return s.stream.StreamingPublic(ctx, local)
			},
			page: func(ctx context.Context, pg *gomasto.Pagination) ([]entry, error) {
				sts, err := s.rest.GetTimelinePublic(ctx, local, pg)
				return statusEntries(sts), err
			},
			filter: func(o *gomasto.Status, text string) (string, bool) {
				return s.match.Match(o.SpoilerText+"\n"+text, o.Language)
			},
			maxPages: maxPages,
		})
	}
	if s.cfg.Notifications {
		exclude := []string{"follow", "follow_request", "favourite", "reblog", "poll", "status", "update",
			"admin.sign_up", "admin.report", "severed_relationships", "moderation_warning"}
		ws = append(ws, &watch{
			srv: s, key: "notifications", label: "notifications", notifications: true,
			stream: func(ctx context.Context) (chan gomasto.Event, error) {
				return s.stream.StreamingUser(ctx)
			},
			page: func(ctx context.Context, pg *gomasto.Pagination) ([]entry, error) {
				ns, err := s.rest.GetNotificationsExclude(ctx, &exclude, pg)
				out := make([]entry, 0, len(ns))
				for _, n := range ns {
					out = append(out, notificationEntry(n))
				}
				return out, err
			},
			maxPages: s.cfg.MaxBackfillPages,
		})
	}
	for _, acct := range s.cfg.Accounts {
		var mu sync.Mutex
		var id gomasto.ID
		ws = append(ws, &watch{
			srv: s, key: "account:" + strings.ToLower(acct), label: "account:" + acct,
			page: func(ctx context.Context, pg *gomasto.Pagination) ([]entry, error) {
				mu.Lock()
				defer mu.Unlock()
				if id == "" {
					a, err := s.rest.AccountLookup(ctx, acct)
					if err != nil {
						return nil, err
					}
					id = a.ID
				}
				sts, err := s.rest.GetAccountStatuses(ctx, id, pg)
				return statusEntries(sts), err
			},
			maxPages: s.cfg.MaxBackfillPages,
		})
	}
	return ws
}

func statusEntries(sts []*gomasto.Status) []entry {
	out := make([]entry, 0, len(sts))
	for _, st := range sts {
		if st != nil {
			out = append(out, entry{pos: string(st.ID), status: st})
		}
	}
	return out
}

func notificationEntry(n *gomasto.Notification) entry {
	e := entry{pos: string(n.ID)}
	if n.Type == "mention" && n.Status != nil {
		e.status = n.Status
	}
	return e
}

// run supervises the watch until ctx ends.
func (w *watch) run(ctx context.Context, out *progress.Outbox) {
	if w.stream == nil {
		w.poll(ctx, out)
		return
	}
	trigger := make(chan struct{}, 1)
	var catchUps sync.WaitGroup
	catchUps.Add(1)
	go func() { defer catchUps.Done(); w.catchUpOnSignal(ctx, out, trigger) }()
	defer catchUps.Wait()

	cfg := w.srv.c.cfg
	backoff := cfg.BackoffMin
	for ctx.Err() == nil {
		sctx, cancel := context.WithCancel(ctx)
		sctx, connected := withConnectedSignal(sctx)
		started := time.Now()
		events, err := w.stream(sctx)
		if err == nil {
			err = w.consume(sctx, out, events, connected, trigger)
		}
		cancel()
		for range events { // let go-mastodon's stream goroutine finish
		}
		if ctx.Err() != nil {
			return
		}
		w.srv.c.metrics.drops.WithLabelValues(w.srv.c.deps.Name, w.srv.cfg.Name, w.key).Inc()
		if time.Since(started) > time.Minute {
			backoff = cfg.BackoffMin // it was healthy for a while
		}
		wait := jitter(backoff)
		w.srv.c.log.Warn("stream dropped, reconnecting", "server", w.srv.cfg.Name, "watch", w.key, "err", err, "retry_in", wait)
		if connectors.Sleep(ctx, wait) != nil {
			return
		}
		backoff = min(2*backoff, cfg.BackoffMax)
	}
}

// consume reads stream events until the stream drops. The catch-up is
// triggered once the server has accepted the stream (so nothing falls
// between the catch-up and the stream) and after a malformed event (whose
// status is then fetched over REST).
func (w *watch) consume(ctx context.Context, out *progress.Outbox, events chan gomasto.Event, connected <-chan struct{}, trigger chan<- struct{}) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-connected:
			connected = nil
			signal(trigger)
		case ev, ok := <-events:
			if !ok {
				return errStreamEnded
			}
			var e entry
			switch ev := ev.(type) {
			case *gomasto.ErrorEvent:
				if !streamDropped(ev.Err) {
					w.srv.c.metrics.malformed.WithLabelValues(w.srv.c.deps.Name, w.srv.cfg.Name, "stream").Inc()
					w.srv.c.log.Warn("malformed stream event, catching up over REST", "server", w.srv.cfg.Name, "watch", w.key, "err", ev.Err)
					signal(trigger)
					continue
				}
				return ev.Err
			case *gomasto.UpdateEvent:
				if w.notifications || ev.Status == nil {
					continue // home timeline updates on the user stream
				}
				e = entry{pos: string(ev.Status.ID), status: ev.Status}
			case *gomasto.UpdateEditEvent:
				if w.notifications || ev.Status == nil || !w.srv.c.cfg.Consent.Edits {
					continue
				}
				e = entry{pos: string(ev.Status.ID), status: ev.Status}
			case *gomasto.DeleteEvent:
				if err := w.srv.deleted(ctx, out, string(ev.ID), record.DeletedAtSource, "stream"); err != nil {
					return err
				}
				continue
			case *gomasto.NotificationEvent:
				if !w.notifications || ev.Notification == nil {
					continue
				}
				e = notificationEntry(ev.Notification)
			default:
				continue // conversations, announcements
			}
			if err := w.deliver(ctx, out, e); err != nil {
				return err
			}
		}
	}
}

// poll catches up every poll interval (listed accounts).
func (w *watch) poll(ctx context.Context, out *progress.Outbox) {
	for {
		w.catchUp(ctx, out)
		if connectors.Sleep(ctx, w.srv.cfg.PollInterval+rand.N(w.srv.cfg.PollInterval/10+1)) != nil {
			return
		}
	}
}

func (w *watch) catchUpOnSignal(ctx context.Context, out *progress.Outbox, trigger <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-trigger:
			w.catchUp(ctx, out)
		}
	}
}

// catchUp runs one catch-up, retrying with backoff until it completes.
func (w *watch) catchUp(ctx context.Context, out *progress.Outbox) {
	cfg := w.srv.c.cfg
	backoff := cfg.BackoffMin
	for {
		err := w.backfill(ctx, out)
		if err == nil || ctx.Err() != nil {
			return
		}
		wait := jitter(backoff)
		w.srv.c.log.Warn("catching up over REST", "server", w.srv.cfg.Name, "watch", w.key, "err", err, "retry_in", wait)
		if connectors.Sleep(ctx, wait) != nil {
			return
		}
		backoff = min(2*backoff, cfg.BackoffMax)
	}
}

// backfill fetches everything after the watch's cursor (or, on a first
// start, the latest statuses) and delivers it. An unfinished backfill keeps
// its gap open; the next one resumes from the same position.
func (w *watch) backfill(ctx context.Context, out *progress.Outbox) error {
	c := w.srv.c
	c.mu.Lock()
	if w.gap == nil {
		w.gap = &gap{from: w.cursor, marker: w.seq.Add(w.cursor)}
	}
	g := w.gap
	c.mu.Unlock()
	var err error
	if g.from == "" {
		err = w.latest(ctx, out)
	} else {
		err = w.since(ctx, out, g.from)
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	if w.gap == g {
		w.seq.Done(g.marker)
		w.gap = nil
		w.srv.dirty = true
	}
	c.mu.Unlock()
	w.readyOnce.Do(func() { close(w.ready) })
	return nil
}

// since pages forward from position from with min_id, oldest page first,
// following the Link header's "prev" page.
func (w *watch) since(ctx context.Context, out *progress.Outbox, from string) error {
	s := w.srv
	minID := from
	for pages := 0; ; pages++ {
		if w.maxPages > 0 && pages >= w.maxPages {
			s.c.metrics.truncated.WithLabelValues(s.c.deps.Name, s.cfg.Name, w.key).Inc()
			s.c.log.Warn("catch-up stopped at max_backfill_pages; older statuses of the gap are skipped",
				"server", s.cfg.Name, "watch", w.key, "pages", pages)
			return nil
		}
		var entries []entry
		var link string
		err := s.call(ctx, func(ctx context.Context) error {
			lctx, sink := withLinkSink(ctx)
			pg := &gomasto.Pagination{MinID: gomasto.ID(minID), Limit: int64(s.cfg.PageSize)}
			var err error
			entries, err = w.page(lctx, pg)
			link = sink.get()
			return err
		})
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		slices.SortFunc(entries, func(a, b entry) int { return compareIDs(a.pos, b.pos) })
		for _, e := range entries {
			if err := w.deliver(ctx, out, e); err != nil {
				return err
			}
		}
		next := pageParam(link, "prev", "min_id")
		if next == "" {
			next = entries[len(entries)-1].pos
		}
		if compareIDs(next, minID) <= 0 {
			return nil // no progress: the server ignores min_id
		}
		minID = next
	}
}

// latest fetches the newest statuses on a first start: it delivers the
// newest initial_backfill of them and records the newest position, so a
// later catch-up knows where "now" was.
func (w *watch) latest(ctx context.Context, out *progress.Outbox) error {
	s := w.srv
	want := max(s.cfg.InitialBackfill, 1)
	var all []entry
	var maxID gomasto.ID
	for len(all) < want {
		var entries []entry
		var next gomasto.ID
		err := s.call(ctx, func(ctx context.Context) error {
			pg := &gomasto.Pagination{MaxID: maxID, Limit: int64(min(want-len(all), s.cfg.PageSize))}
			var err error
			entries, err = w.page(ctx, pg)
			next = pg.MaxID // go-mastodon sets the "next" (older) page
			return err
		})
		if err != nil {
			return err
		}
		all = append(all, entries...)
		if len(entries) == 0 || next == "" || next == maxID {
			break
		}
		maxID = next
	}
	slices.SortFunc(all, func(a, b entry) int { return compareIDs(a.pos, b.pos) })
	skip := len(all) - s.cfg.InitialBackfill
	for i, e := range all {
		if i < skip {
			e.status = nil // only moves the cursor
		}
		if err := w.deliver(ctx, out, e); err != nil {
			return err
		}
	}
	return nil
}

// deliver admits an entry and queues its record, blocking while the outbox
// is full (backpressure down to the stream and the REST pages).
func (w *watch) deliver(ctx context.Context, out *progress.Outbox, e entry) error {
	item := w.admit(ctx, e)
	if item == nil {
		return nil
	}
	return out.Put(ctx, item)
}

// admit records position e.pos and decides whether its status is delivered:
// it must be visible as configured, pass the watch's filter and not be
// delivered or in flight already (by this or another watch).
func (w *watch) admit(ctx context.Context, e entry) *progress.Item {
	s, c := w.srv, w.srv.c
	var rec *record.Mention
	result := "filtered"
	if e.status != nil {
		o := original(e.status)
		if s.visible[o.Visibility] {
			text := statusText(o, s.host)
			keyword, ok := "", true
			if w.filter != nil {
				keyword, ok = w.filter(o, text)
			}
			if ok {
				// Consent last: it may ask the server about the author.
				if why := s.scope(ctx, o, w.notifications); why != "" {
					c.metrics.skipped.WithLabelValues(c.deps.Name, s.cfg.Name, why).Inc()
					ok, result = false, "no_consent"
				}
			}
			if ok {
				rec = toRecord(s.cfg.Name, s.host, w, e.status, e.kind, text, c.now().UTC())
				c.applyConsent(rec)
				if keyword != "" {
					rec.Fields["keyword"] = keyword
				}
			}
		}
	}
	var key, content uint64
	if rec != nil {
		key = progress.Hash(rec.SourceID)
		content = progress.Hash(rec.Title + "\x00" + rec.Text + "\x00" + rec.Fields["edited_at"])
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if compareIDs(e.pos, w.cursor) > 0 {
		w.cursor = e.pos
	}
	if rec != nil {
		if v, ok := s.seen.Get(key); ok && v == content {
			rec, result = nil, "duplicate"
		} else if v, ok := s.inflight[key]; ok && v == content {
			rec, result = nil, "duplicate"
		}
	}
	if rec == nil {
		if e.status != nil {
			c.metrics.statuses.WithLabelValues(c.deps.Name, s.cfg.Name, result).Inc()
		}
		if w.seq.Pass(e.pos) {
			s.dirty = true
		}
		return nil
	}
	c.metrics.statuses.WithLabelValues(c.deps.Name, s.cfg.Name, "emitted").Inc()
	p := w.seq.Add(e.pos)
	s.inflight[key] = content
	return &progress.Item{Record: rec, Done: func(err error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if v, ok := s.inflight[key]; ok && v == content {
			delete(s.inflight, key)
		}
		if err == nil {
			c.metrics.statuses.WithLabelValues(c.deps.Name, s.cfg.Name, "acked").Inc()
			s.seen.Put(key, content)
			s.track(rec)
		} else {
			c.metrics.statuses.WithLabelValues(c.deps.Name, s.cfg.Name, "failed").Inc()
			c.log.Error("giving up delivering status", "server", s.cfg.Name, "status", rec.SourceID, "err", err)
		}
		w.seq.Done(p)
		s.dirty = true
	}}
}

// call runs one REST request, retrying after 429 (once the server's reset
// time has passed), and with backoff after 5xx and network errors.
func (s *server) call(ctx context.Context, fn func(ctx context.Context) error) error {
	c := s.c
	backoff := c.cfg.BackoffMin
	failures := 0
	for {
		err := fn(ctx)
		if err == nil {
			c.metrics.requests.WithLabelValues(c.deps.Name, s.cfg.Name, "ok").Inc()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var limited *RateLimitedError
		if errors.As(err, &limited) {
			continue // counted by the transport; the next request waits for the reset
		}
		kind := restFailure(err)
		c.metrics.requests.WithLabelValues(c.deps.Name, s.cfg.Name, kind).Inc()
		if kind == "malformed" {
			c.metrics.malformed.WithLabelValues(c.deps.Name, s.cfg.Name, "rest").Inc()
		}
		if kind != "server_error" {
			return err
		}
		failures++
		if failures >= 5 {
			return err
		}
		if connectors.Sleep(ctx, jitter(backoff)) != nil {
			return ctx.Err()
		}
		backoff = min(2*backoff, c.cfg.BackoffMax)
	}
}

// streamDropped reports an error of the stream's connection or of the
// server's answer, as opposed to one event that did not decode (go-mastodon
// reports both as ErrorEvent; decode errors are not all typed, e.g. a
// created_at that is not a string).
func streamDropped(err error) bool {
	var ue *url.Error
	var api *gomasto.APIError
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &api) || errors.As(err, &ne) ||
		errors.Is(err, errStreamEnded) || errors.Is(err, errStreamIdle) || errors.Is(err, errEventTooLarge) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// restFailure classifies a REST error: "server_error" (5xx or the network:
// retry), "error" (another status: give up this round) or "malformed" (the
// body did not decode).
func restFailure(err error) string {
	var api *gomasto.APIError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &api) && api.StatusCode >= 500, errors.As(err, &ue), errors.As(err, &ne):
		return "server_error"
	case errors.As(err, &api):
		return "error"
	}
	return "malformed"
}

// pageParam returns query parameter param of the Link header's rel link.
func pageParam(link, rel, param string) string {
	for _, part := range strings.Split(link, ",") {
		segs := strings.Split(part, ";")
		if len(segs) < 2 {
			continue
		}
		isRel := false
		for _, seg := range segs[1:] {
			seg = strings.TrimSpace(seg)
			if seg == `rel="`+rel+`"` || seg == "rel="+rel {
				isRel = true
			}
		}
		if !isRel {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(segs[0]), "<>"))
		if err != nil {
			return ""
		}
		return u.Query().Get(param)
	}
	return ""
}

func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}
