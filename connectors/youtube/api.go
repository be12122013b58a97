package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Quota costs per call, from the API's quota cost table
// (developers.google.com/youtube/v3/determine_quota_cost).
const (
	costCommentThreads = 1
	costComments       = 1
	costSearch         = 100
)

// The YouTube Data API v3 resources the connector reads.

type commentThreadList struct {
	NextPageToken string          `json:"nextPageToken"`
	Items         []commentThread `json:"items"`
}

type commentThread struct {
	ID      string `json:"id"`
	Snippet struct {
		ChannelID       string   `json:"channelId"`
		VideoID         string   `json:"videoId"`
		TopLevelComment *comment `json:"topLevelComment"`
		TotalReplyCount int      `json:"totalReplyCount"`
		IsPublic        *bool    `json:"isPublic"`
	} `json:"snippet"`
	Replies struct {
		Comments []comment `json:"comments"`
	} `json:"replies"`
}

type commentList struct {
	NextPageToken string    `json:"nextPageToken"`
	Items         []comment `json:"items"`
}

type comment struct {
	ID      string `json:"id"`
	Snippet struct {
		AuthorDisplayName string `json:"authorDisplayName"`
		AuthorChannelURL  string `json:"authorChannelUrl"`
		AuthorChannelID   struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		ChannelID        string    `json:"channelId"`
		VideoID          string    `json:"videoId"`
		TextDisplay      string    `json:"textDisplay"`
		TextOriginal     string    `json:"textOriginal"`
		ParentID         string    `json:"parentId"`
		LikeCount        int       `json:"likeCount"`
		ModerationStatus string    `json:"moderationStatus"`
		PublishedAt      time.Time `json:"publishedAt"`
		UpdatedAt        time.Time `json:"updatedAt"`
	} `json:"snippet"`
}

type searchList struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		ID struct {
			Kind    string `json:"kind"`
			VideoID string `json:"videoId"`
		} `json:"id"`
		Snippet struct {
			PublishedAt time.Time `json:"publishedAt"`
			ChannelID   string    `json:"channelId"`
			Title       string    `json:"title"`
		} `json:"snippet"`
	} `json:"items"`
}

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Reason string `json:"reason"`
			Domain string `json:"domain"`
		} `json:"errors"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

func (e *apiError) reasons() []string {
	var out []string
	for _, x := range e.Error.Errors {
		out = append(out, x.Reason)
	}
	for _, x := range e.Error.Details {
		out = append(out, x.Reason)
	}
	return out
}

// CredentialError is the API refusing the key: the connector cannot work
// until the configuration changes.
type CredentialError struct {
	Status int
	Reason string
	Msg    string
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("YouTube rejected the API key (HTTP %d, %s: %s): check api_key (e.g. ${YOUTUBE_API_KEY}) and that the YouTube Data API v3 is enabled for its project", e.Status, e.Reason, e.Msg)
}

// QuotaError says the daily quota is spent (by this connector's count or by
// the API's answer) until Reset.
type QuotaError struct {
	Used, Limit, Cost int
	Reset             time.Time
	ByServer          bool
}

func (e *QuotaError) Error() string {
	if e.ByServer {
		return fmt.Sprintf("YouTube answered quotaExceeded: the project's daily quota is spent; pausing until it resets at midnight Pacific time (%s)", e.Reset.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("YouTube daily quota budget reached: %d of daily_quota %d units used, the next call costs %d; pausing until the quota resets at midnight Pacific time (%s)",
		e.Used, e.Limit, e.Cost, e.Reset.UTC().Format(time.RFC3339))
}

// unavailableError is a resource the API will not list (comments disabled,
// video or channel not found): the target is skipped this poll.
type unavailableError struct {
	Status int
	Reason string
	Msg    string
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Reason, e.Msg)
}

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
	Limited    bool // 429 or rateLimitExceeded
}

func (e *retryableError) Error() string { return e.Err.Error() }
func (e *retryableError) Unwrap() error { return e.Err }

// quota counts the units spent in the current Pacific-time day.
type quota struct {
	mu    sync.Mutex
	limit int
	day   string
	used  int
	dirty bool
	now   func() time.Time
}

// spend reserves cost units, or returns a *QuotaError when they would pass
// the limit (or the server said the quota is spent today).
func (q *quota) spend(cost int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	if day := pacificDay(now); day != q.day {
		q.day, q.used, q.dirty = day, 0, true
	}
	if q.used+cost > q.limit {
		return &QuotaError{Used: q.used, Limit: q.limit, Cost: cost, Reset: nextPacificMidnight(now)}
	}
	q.used += cost
	q.dirty = true
	return nil
}

// exhaust records the server's quotaExceeded: nothing more today.
func (q *quota) exhaust() *QuotaError {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	q.day, q.used, q.dirty = pacificDay(now), max(q.used, q.limit), true
	return &QuotaError{Used: q.used, Limit: q.limit, Reset: nextPacificMidnight(now), ByServer: true}
}

// pacificOffset is the US Pacific offset at t: PDT (-7h) from the second
// Sunday of March 2:00 local to the first Sunday of November 2:00 local,
// else PST (-8h). Computed here so the binary needs no time zone database.
func pacificOffset(t time.Time) time.Duration {
	y := t.UTC().Year()
	start := nthSunday(y, time.March, 2).Add(2*time.Hour + 8*time.Hour)  // 2:00 PST in UTC
	end := nthSunday(y, time.November, 1).Add(2*time.Hour + 7*time.Hour) // 2:00 PDT in UTC
	if !t.Before(start) && t.Before(end) {
		return -7 * time.Hour
	}
	return -8 * time.Hour
}

func nthSunday(year int, month time.Month, n int) time.Time {
	d := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	d = d.AddDate(0, 0, (7-int(d.Weekday()))%7)
	return d.AddDate(0, 0, 7*(n-1))
}

// pacificDay is the Pacific-time date of t, the quota's day.
func pacificDay(t time.Time) string {
	return t.UTC().Add(pacificOffset(t)).Format(time.DateOnly)
}

// nextPacificMidnight is when the quota of t's day resets.
func nextPacificMidnight(t time.Time) time.Time {
	local := t.UTC().Add(pacificOffset(t))
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, time.UTC)
	reset := midnight.Add(-pacificOffset(t))
	// Across a DST change the offset at midnight differs from t's.
	return midnight.Add(-pacificOffset(reset))
}

// call makes one GET of the API and decodes the answer into dst, spending
// cost quota units first. Errors are typed: *QuotaError, *CredentialError,
// *unavailableError, *malformedError, *retryableError.
func (c *Connector) call(ctx context.Context, resource string, params url.Values, cost int, dst any) error {
	if err := c.quota.spend(cost); err != nil {
		return err
	}
	c.metrics.quota.WithLabelValues(c.deps.Name, resource).Add(float64(cost))
	params.Set("key", c.cfg.APIKey)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/"+resource+"?"+params.Encode(), nil)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		c.metrics.requests.WithLabelValues(c.deps.Name, "error").Inc()
		// The URL carries the key: report the resource only.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return &retryableError{Err: fmt.Errorf("requesting %s: %w", resource, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		c.metrics.requests.WithLabelValues(c.deps.Name, "error").Inc()
		return &retryableError{Err: fmt.Errorf("reading %s: %w", resource, err)}
	}
	if resp.StatusCode == http.StatusOK {
		if int64(len(body)) > c.cfg.MaxBodyBytes {
			c.metrics.requests.WithLabelValues(c.deps.Name, "malformed").Inc()
			return &malformedError{Body: body[:4096], Err: fmt.Errorf("%s answer larger than max_body_bytes (%d)", resource, c.cfg.MaxBodyBytes)}
		}
		if err := json.Unmarshal(body, dst); err != nil {
			c.metrics.requests.WithLabelValues(c.deps.Name, "malformed").Inc()
			return &malformedError{Body: body, Err: fmt.Errorf("%s: %w", resource, err)}
		}
		c.metrics.requests.WithLabelValues(c.deps.Name, "ok").Inc()
		return nil
	}
	var ae apiError
	_ = json.Unmarshal(body, &ae)
	reason := ""
	if rs := ae.reasons(); len(rs) > 0 {
		reason = rs[0]
	}
	msg := ae.Error.Message
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	has := func(want ...string) bool {
		for _, r := range ae.reasons() {
			for _, w := range want {
				if r == w {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("quotaExceeded", "dailyLimitExceeded"):
		c.metrics.requests.WithLabelValues(c.deps.Name, "quota_exceeded").Inc()
		return c.quota.exhaust()
	case resp.StatusCode == http.StatusTooManyRequests || has("rateLimitExceeded", "userRateLimitExceeded"):
		c.metrics.requests.WithLabelValues(c.deps.Name, "rate_limited").Inc()
		return &retryableError{Err: fmt.Errorf("%s: HTTP %d %s", resource, resp.StatusCode, reason), RetryAfter: retryAfter(resp.Header, c.quota.now()), Limited: true}
	case resp.StatusCode >= 500:
		c.metrics.requests.WithLabelValues(c.deps.Name, "server_error").Inc()
		return &retryableError{Err: fmt.Errorf("%s: HTTP %d %s", resource, resp.StatusCode, msg), RetryAfter: retryAfter(resp.Header, c.quota.now())}
	case has("keyInvalid", "API_KEY_INVALID", "keyExpired", "accessNotConfigured", "SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED", "ipRefererBlocked"),
		resp.StatusCode == http.StatusUnauthorized:
		c.metrics.requests.WithLabelValues(c.deps.Name, "credentials").Inc()
		return &CredentialError{Status: resp.StatusCode, Reason: reason, Msg: msg}
	default:
		c.metrics.requests.WithLabelValues(c.deps.Name, "unavailable").Inc()
		return &unavailableError{Status: resp.StatusCode, Reason: reason, Msg: msg}
	}
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
