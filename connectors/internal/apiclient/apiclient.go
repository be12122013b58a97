// Package apiclient is the JSON-over-HTTP client the polling social
// connectors (bluesky's AppView, hackernews, reddit) share: a User-Agent on
// every request, the platform's rate-limit headers honoured before the
// budget runs out, 429 waited out (Retry-After), 5xx and network errors
// retried with exponential backoff and jitter, credentials errors (401/403)
// named and not retried, and bodies that are not the JSON expected reported
// with their first bytes.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Results reported to Client.Observe, one per response or failed attempt.
const (
	ResultOK          = "ok"
	ResultRateLimited = "rate_limited"
	ResultServerError = "server_error"
	ResultMalformed   = "malformed"
	ResultError       = "error"
	ResultCredentials = "credentials"
)

// CredentialsError is a request the platform refused for its credentials
// (401, 403): retrying does not help, the configuration must change.
type CredentialsError struct {
	Platform string
	Status   int
	Detail   string // the platform's own error text, cut short
}

func (e *CredentialsError) Error() string {
	msg := fmt.Sprintf("%s refused the credentials (HTTP %d)", e.Platform, e.Status)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// MalformedError is a response body that is not the JSON expected.
type MalformedError struct {
	URL  string
	Body []byte // its first bytes, for the dead-letter queue and logs
	Err  error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("decoding response of %s: %v", e.URL, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// StatusError is a non-retryable HTTP error other than credentials (404, 400).
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

// maxWait caps a wait a server demands, against absurd headers.
const maxWait = 15 * time.Minute

// Client performs JSON requests for one platform.
type Client struct {
	Platform  string // named in errors: "bluesky", "reddit", "hacker news"
	HTTP      *http.Client
	UserAgent string
	// Authorize sets credentials on a request (nil: none). It may fetch a
	// token; its error is returned as is.
	Authorize func(ctx context.Context, req *http.Request) error
	// Unauthorized is called after a 401 so a cached token can be dropped;
	// the request is then tried once more before the error is returned.
	Unauthorized func()
	// Budget reads the platform's rate-limit headers of a response and
	// returns until when to hold the next request (zero: no need).
	Budget func(h http.Header, now time.Time) time.Time
	// Observe counts results (see the Result constants); nil: not counted.
	Observe func(result string)
	// BackoffMin and BackoffMax bound the wait between retries.
	BackoffMin, BackoffMax time.Duration
	// Attempts bounds tries of one request on 5xx, network errors and
	// malformed bodies (<= 0: 5). 429s are waited out and do not count.
	Attempts int
	// MaxBody bounds a response body (<= 0: 8 MiB).
	MaxBody int64
	Now     func() time.Time

	mu        sync.Mutex
	holdUntil time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) observe(result string) {
	if c.Observe != nil {
		c.Observe(result)
	}
}

// hold keeps every request of the client waiting until t.
func (c *Client) hold(t time.Time) {
	if lim := c.now().Add(maxWait); t.After(lim) {
		t = lim
	}
	c.mu.Lock()
	if t.After(c.holdUntil) {
		c.holdUntil = t
	}
	c.mu.Unlock()
}

func (c *Client) waitHold(ctx context.Context) error {
	c.mu.Lock()
	d := c.holdUntil.Sub(c.now())
	c.mu.Unlock()
	if d <= 0 {
		return nil
	}
	return sleep(ctx, d)
}

// GetJSON fetches url and decodes its JSON body into dst.
func (c *Client) GetJSON(ctx context.Context, url string, dst any) error {
	return c.Do(ctx, http.MethodGet, url, "", nil, dst)
}

// Do sends a request (body with its content type, or none) and decodes the
// JSON answer into dst, retrying what is worth retrying.
func (c *Client) Do(ctx context.Context, method, url, contentType string, body []byte, dst any) error {
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	backoff := c.BackoffMin
	if backoff <= 0 {
		backoff = time.Second
	}
	reauthorized := false
	var last error
	for try := 0; try < attempts; {
		if err := c.waitHold(ctx); err != nil {
			return err
		}
		raw, status, h, err := c.send(ctx, method, url, contentType, body)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && c.Budget != nil {
			if until := c.Budget(h, c.now()); !until.IsZero() {
				c.hold(until)
			}
		}
		switch {
		case err != nil:
			c.observe(ResultError)
			last = fmt.Errorf("requesting %s: %w", url, err)
		case status == http.StatusTooManyRequests:
			c.observe(ResultRateLimited)
			c.hold(c.retryAfter(h))
			continue // waited out, not counted as a try
		case status == http.StatusUnauthorized && c.Unauthorized != nil && !reauthorized:
			c.Unauthorized()
			reauthorized = true
			continue
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			c.observe(ResultCredentials)
			return &CredentialsError{Platform: c.Platform, Status: status, Detail: detail(raw)}
		case status >= 500:
			c.observe(ResultServerError)
			last = fmt.Errorf("requesting %s: %w", url, &StatusError{Status: status, Body: detail(raw)})
		case status >= 400:
			c.observe(ResultError)
			return fmt.Errorf("requesting %s: %w", url, &StatusError{Status: status, Body: detail(raw)})
		default:
			if dst == nil {
				c.observe(ResultOK)
				return nil
			}
			if derr := json.Unmarshal(raw, dst); derr != nil {
				c.observe(ResultMalformed)
				last = &MalformedError{URL: url, Body: head(raw, 512), Err: derr}
				break
			}
			c.observe(ResultOK)
			return nil
		}
		try++
		if try < attempts {
			if err := sleep(ctx, jitter(backoff)); err != nil {
				return err
			}
			backoff = min(2*backoff, max(c.BackoffMax, backoff))
		}
	}
	return last
}

func (c *Client) send(ctx context.Context, method, url, contentType string, body []byte) ([]byte, int, http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Authorize != nil {
		if err := c.Authorize(ctx, req); err != nil {
			return nil, 0, nil, err
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = 8 << 20
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, 0, nil, fmt.Errorf("response body larger than %d bytes", limit)
	}
	return raw, resp.StatusCode, resp.Header, nil
}

// IsPermanent reports whether err will not go away by retrying the same
// request: refused credentials or a 4xx other than 429.
func IsPermanent(err error) bool {
	var ce *CredentialsError
	var se *StatusError
	return errors.As(err, &ce) || (errors.As(err, &se) && se.Status < 500)
}

// retryAfter is when a refused (429) request may be tried again:
// Retry-After (seconds or an HTTP date), else the platform's budget
// headers' reset, else a minute from now.
func (c *Client) retryAfter(h http.Header) time.Time {
	now := c.now()
	if t, ok := retryAfterHeader(h, now); ok {
		return t
	}
	if c.Budget != nil {
		if t := c.Budget(h, now); !t.IsZero() {
			return t
		}
	}
	return now.Add(time.Minute)
}

func retryAfterHeader(h http.Header, now time.Time) (time.Time, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			return now.Add(time.Duration(n * float64(time.Second))), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func detail(raw []byte) string {
	return strings.TrimSpace(string(head(raw, 200)))
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// jitter returns d plus up to half of it at random, so many connectors
// retrying at once do not knock together.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
