package appstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	storeApple  = "apple"
	storeGoogle = "google_play"
)

// CredentialError is a store refusing the connector's credentials: it cannot
// work until the configuration changes.
type CredentialError struct {
	Store string
	What  string
}

func (e *CredentialError) Error() string { return e.Store + " credentials rejected: " + e.What }

// unavailableError is an app the store will not list (unknown id, a
// storefront where it is not sold): the target is skipped this poll.
type unavailableError struct{ Msg string }

func (e *unavailableError) Error() string { return e.Msg }

// malformedError is a 200 answer that is not the documented JSON.
type malformedError struct {
	Body []byte
	Err  error
}

func (e *malformedError) Error() string { return "decoding response: " + e.Err.Error() }
func (e *malformedError) Unwrap() error { return e.Err }

// retryableError is a 429 or 5xx answer, or a network error.
type retryableError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *retryableError) Error() string { return e.Err.Error() }
func (e *retryableError) Unwrap() error { return e.Err }

// get fetches u with optional bearer token and returns the body of a 200
// answer; other answers are typed errors (the body is returned with them for
// the caller to read the store's reason).
func (c *Connector) get(ctx context.Context, store, u, bearer string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.metrics.requests.WithLabelValues(c.deps.Name, store, "error").Inc()
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, 0, &retryableError{Err: fmt.Errorf("requesting %s reviews: %w", store, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		c.metrics.requests.WithLabelValues(c.deps.Name, store, "error").Inc()
		return nil, resp.StatusCode, &retryableError{Err: fmt.Errorf("reading %s reviews: %w", store, err)}
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if int64(len(body)) > c.cfg.MaxBodyBytes {
			c.metrics.requests.WithLabelValues(c.deps.Name, store, "malformed").Inc()
			return nil, resp.StatusCode, &malformedError{Body: body[:4096], Err: fmt.Errorf("answer larger than max_body_bytes (%d)", c.cfg.MaxBodyBytes)}
		}
		return body, resp.StatusCode, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		c.metrics.requests.WithLabelValues(c.deps.Name, store, "rate_limited").Inc()
		return body, resp.StatusCode, &retryableError{Err: fmt.Errorf("%s: HTTP 429", store), RetryAfter: retryAfter(resp.Header, c.now())}
	case resp.StatusCode >= 500:
		c.metrics.requests.WithLabelValues(c.deps.Name, store, "server_error").Inc()
		return body, resp.StatusCode, &retryableError{Err: fmt.Errorf("%s: HTTP %d", store, resp.StatusCode), RetryAfter: retryAfter(resp.Header, c.now())}
	}
	return body, resp.StatusCode, nil // the caller classifies other statuses
}

// decoded counts a successfully decoded page.
func (c *Connector) decoded(store string) {
	c.metrics.requests.WithLabelValues(c.deps.Name, store, "ok").Inc()
}

func (c *Connector) malformed(store string, body []byte, err error) error {
	c.metrics.requests.WithLabelValues(c.deps.Name, store, "malformed").Inc()
	return &malformedError{Body: body, Err: err}
}

// retryAfter reads Retry-After (seconds or an HTTP date); 0 when absent.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
