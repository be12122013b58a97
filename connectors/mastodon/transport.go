package mastodon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RateLimitedError is returned for a request the server refused with 429;
// Until is when it may be retried (from Retry-After, else X-RateLimit-Reset).
type RateLimitedError struct {
	Until time.Time
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited by server until %s", e.Until.Format(time.RFC3339))
}

// maxRateWait caps a wait demanded by a server, against absurd headers.
const maxRateWait = 15 * time.Minute

// limits is a server's rate-limit state shared by its REST and stream
// clients: when the server says the budget is spent (X-RateLimit-Remaining
// at the reserve, or 429) every request waits until it resets.
type limits struct {
	mu           sync.Mutex
	blockedUntil time.Time
	reserve      int
	now          func() time.Time
	onThrottle   func()
}

func (l *limits) wait(ctx context.Context) error {
	l.mu.Lock()
	until := l.blockedUntil
	l.mu.Unlock()
	d := until.Sub(l.now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (l *limits) block(until time.Time) {
	now := l.now()
	if until.Sub(now) > maxRateWait {
		until = now.Add(maxRateWait)
	}
	l.mu.Lock()
	if until.After(l.blockedUntil) {
		l.blockedUntil = until
	}
	l.mu.Unlock()
	if l.onThrottle != nil {
		l.onThrottle()
	}
}

// observe reads X-RateLimit-Remaining and X-RateLimit-Reset.
func (l *limits) observe(h http.Header) {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err != nil || rem > l.reserve {
		return
	}
	if reset, ok := parseReset(h.Get("X-RateLimit-Reset"), l.now()); ok {
		l.block(reset)
	}
}

// parseReset reads a reset time: an ISO 8601 timestamp (Mastodon), or a
// number, taken as Unix seconds when large and as seconds from now else.
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n > 1e9 {
			return time.Unix(int64(n), 0), true
		}
		return now.Add(time.Duration(n * float64(time.Second))), true
	}
	return time.Time{}, false
}

// retryAfter reads Retry-After (seconds or an HTTP date), else the rate
// limit reset, else a minute from now.
func retryAfter(h http.Header, now time.Time) time.Time {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return now.Add(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	if t, ok := parseReset(h.Get("X-RateLimit-Reset"), now); ok && t.After(now) {
		return t
	}
	return now.Add(time.Minute)
}

// rateLimited is a RoundTripper honouring the shared limits. A 429 becomes a
// *RateLimitedError (so go-mastodon's own blind retry loop never runs).
type rateLimited struct {
	base   http.RoundTripper
	limits *limits
}

func (t *rateLimited) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limits.wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.limits.observe(resp.Header)
	if resp.StatusCode == http.StatusTooManyRequests {
		until := retryAfter(resp.Header, t.limits.now())
		t.limits.block(until)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, &RateLimitedError{Until: until}
	}
	if sink, ok := req.Context().Value(linkSinkKey{}).(*linkSink); ok {
		sink.set(resp.Header.Get("Link"))
	}
	return resp, nil
}

type linkSinkKey struct{}

// linkSink captures the Link header of a REST response made with a context
// from withLinkSink: go-mastodon keeps only the "next" (older) page, the
// forward catch-up needs "prev".
type linkSink struct {
	mu   sync.Mutex
	link string
}

func (s *linkSink) set(v string) {
	s.mu.Lock()
	s.link = v
	s.mu.Unlock()
}

func (s *linkSink) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link
}

func withLinkSink(ctx context.Context) (context.Context, *linkSink) {
	s := &linkSink{}
	return context.WithValue(ctx, linkSinkKey{}, s), s
}

// Errors a stream body reports instead of a clean end, so go-mastodon's
// stream loop hands them to the supervisor (which backfills and reconnects)
// rather than silently reconnecting.
var (
	errStreamEnded   = errors.New("stream ended by server")
	errStreamIdle    = errors.New("stream idle: no event or heartbeat")
	errEventTooLarge = errors.New("stream event larger than max_event_bytes")
)

type connectedKey struct{}

// connectedSignal is closed when a stream request of its context got a 200
// response, i.e. the server has subscribed us: the catch-up may start.
type connectedSignal struct {
	once sync.Once
	ch   chan struct{}
}

func withConnectedSignal(ctx context.Context) (context.Context, <-chan struct{}) {
	s := &connectedSignal{ch: make(chan struct{})}
	return context.WithValue(ctx, connectedKey{}, s), s.ch
}

// streamBodies wraps streaming responses: an idle timeout, a bound on one
// event's size, and an error instead of EOF.
type streamBodies struct {
	base          http.RoundTripper
	idle          time.Duration
	maxEventBytes int
}

func (t *streamBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/api/v1/streaming") {
		return resp, err
	}
	if resp.StatusCode == http.StatusOK {
		if s, ok := req.Context().Value(connectedKey{}).(*connectedSignal); ok {
			s.once.Do(func() { close(s.ch) })
		}
	}
	resp.Body = newStreamBody(resp.Body, t.idle, t.maxEventBytes)
	return resp, nil
}

type streamBody struct {
	rc        io.ReadCloser
	idle      time.Duration
	timer     *time.Timer
	idleFired atomic.Bool
	max       int
	lineLen   int
}

func newStreamBody(rc io.ReadCloser, idle time.Duration, max int) *streamBody {
	b := &streamBody{rc: rc, idle: idle, max: max}
	b.timer = time.AfterFunc(idle, func() {
		b.idleFired.Store(true)
		rc.Close() // unblocks the pending Read
	})
	return b
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.idleFired.Load() {
		return n, errStreamIdle
	}
	if n > 0 {
		b.timer.Reset(b.idle)
		if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
			b.lineLen = n - i - 1
		} else {
			b.lineLen += n
		}
		if b.lineLen > b.max {
			return n, errEventTooLarge
		}
	}
	if errors.Is(err, io.EOF) {
		return n, errStreamEnded
	}
	return n, err
}

func (b *streamBody) Close() error {
	b.timer.Stop()
	return b.rc.Close()
}
