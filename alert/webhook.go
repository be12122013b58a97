package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// Sender delivers a notification to one channel. An error may be a
// *SendError saying whether to retry and when.
type Sender interface {
	Send(ctx context.Context, n *record.Notification) error
}

// SendError is a failed attempt as the deliverer needs to see it.
type SendError struct {
	Err        error
	HTTPStatus int
	// RetryAfter is the receiver's Retry-After, 0 when it gave none.
	RetryAfter time.Duration
	// Permanent: retrying the same request cannot succeed (a 4xx other
	// than 408, 425 and 429, an address the server refuses).
	Permanent bool
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// maxResponseBody is how much of an error response is kept for the log.
const maxResponseBody = 512

// postJSON posts body and classifies the response.
func postJSON(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &SendError{Err: fmt.Errorf("building request: %w", err), Permanent: true}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Earshot-Alerts/1")
	resp, err := client.Do(req)
	if err != nil {
		// The client's error names the whole URL, secret path and all: keep
		// only what went wrong (the delivery log and the alerts page show it).
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &SendError{Err: fmt.Errorf("posting to %s: %w", redactURL(url), err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &SendError{
		Err:        fmt.Errorf("posting to %s: HTTP %d: %s", redactURL(url), resp.StatusCode, strings.TrimSpace(string(snippet))),
		HTTPStatus: resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	switch s := resp.StatusCode; {
	case s == http.StatusRequestTimeout, s == http.StatusTooEarly, s == http.StatusTooManyRequests, s >= 500:
	default:
		e.Permanent = true
	}
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redactURL keeps scheme and host: webhook paths are secrets (Slack's are).
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "(webhook)"
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/…"
}

// Webhook posts notifications as JSON signed per the Standard Webhooks
// convention: headers webhook-id (the notification id, the same on every
// retry so receivers can de-duplicate), webhook-timestamp (Unix seconds of
// the attempt) and webhook-signature ("v1," + base64 HMAC-SHA256 of
// "id.timestamp.body" under the secret).
type Webhook struct {
	URL     string
	Secret  []byte // decoded; nil sends unsigned
	Headers map[string]string
	Client  *http.Client
	Now     func() time.Time
}

// WebhookEvent is the body of a webhook delivery.
type WebhookEvent struct {
	Type      string               `json:"type"`
	Timestamp time.Time            `json:"timestamp"`
	Data      *record.Notification `json:"data"`
}

// EventType names a notification for receivers ("alert.spike", "prospect.handoff").
func EventType(n *record.Notification) string {
	switch n.Kind {
	case record.RuleProspect:
		return "prospect.alert"
	case record.NotifyHandoff:
		return "prospect.handoff"
	case record.RuleDigest:
		return "digest"
	}
	return "alert." + n.Kind
}

// Send posts one signed event.
func (w *Webhook) Send(ctx context.Context, n *record.Notification) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now().UTC()
	body, err := json.Marshal(WebhookEvent{Type: EventType(n), Timestamp: n.CreatedAt.UTC(), Data: n})
	if err != nil {
		return &SendError{Err: fmt.Errorf("encoding webhook body: %w", err), Permanent: true}
	}
	h := http.Header{}
	for k, v := range w.Headers {
		h.Set(k, v)
	}
	h.Set("webhook-id", n.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	if w.Secret != nil {
		h.Set("webhook-signature", Sign(w.Secret, n.ID, ts, body))
	}
	return postJSON(ctx, w.Client, w.URL, body, h)
}

// Sign is the Standard Webhooks v1 signature of one delivery.
func Sign(secret []byte, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// decodeSecret reads a "whsec_<base64>" secret.
func decodeSecret(s string) ([]byte, error) {
	raw, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return nil, errors.New(`want "whsec_" followed by base64 (e.g. from ${EARSHOT_WEBHOOK_SECRET})`)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("decoding base64 after whsec_: %w", err)
	}
	if len(key) < 24 {
		return nil, fmt.Errorf("key is %d bytes; use at least 24 random bytes", len(key))
	}
	return key, nil
}
