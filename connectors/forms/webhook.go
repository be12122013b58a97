package forms

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Header names of the generic signed webhook.
const (
	HeaderTimestamp = "X-Earshot-Timestamp" // Unix seconds when the sender signed
	HeaderSignature = "X-Earshot-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	// HeaderTypeform is Typeform's: "sha256=" + base64 HMAC-SHA256(secret, body).
	HeaderTypeform = "Typeform-Signature"
)

// SignWebhook returns the X-Earshot-Signature value for a body sent at ts;
// senders (and tests) use it.
func SignWebhook(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignTypeform returns the Typeform-Signature value of a body.
func SignTypeform(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// readRaw reads a whole webhook body within the size limit and deadline.
func (c *Connector) readRaw(w http.ResponseWriter, r *http.Request) ([]byte, *problem) {
	lim := c.cfg.Limits.MaxBodyBytes
	if r.ContentLength > lim {
		return nil, errBodyTooLarge(lim)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, lim))
	if err != nil {
		return nil, readProblem(err, lim)
	}
	bodyRead(w)
	return body, nil
}

// webhookPrelude is what both receivers do first: find the form, check the
// receiver is enabled, apply the per-form limit and read the body.
func (c *Connector) webhookPrelude(w http.ResponseWriter, r *http.Request, kind string, pick func(*FormConfig) *WebhookConfig) (*form, *WebhookConfig, []byte, time.Time, bool) {
	c.bodyDeadlines(w)
	now := c.now()
	f, p := c.lookup(r)
	if p == nil && pick(&f.cfg) == nil {
		p = newProblem(http.StatusNotFound, "unknown-receiver", "Unknown webhook receiver",
			"form "+strconv.Quote(f.cfg.ID)+" has no "+kind+" receiver configured")
	}
	if p != nil {
		c.refuse(w, r, f, p, nil, "")
		return nil, nil, nil, now, false
	}
	if ok, wait := take(f.limiter, now); !ok {
		c.refuse(w, r, f, errRateLimited("per-form", wait), nil, "")
		return nil, nil, nil, now, false
	}
	body, p := c.readRaw(w, r)
	if p != nil {
		c.refuse(w, r, f, p, nil, "")
		return nil, nil, nil, now, false
	}
	return f, pick(&f.cfg), body, now, true
}

// handleWebhook is POST /f/{form}/webhook: a generic signed webhook whose
// body is a form post (JSON, urlencoded or multipart fields).
func (c *Connector) handleWebhook(w http.ResponseWriter, r *http.Request) {
	f, hook, body, now, ok := c.webhookPrelude(w, r, "webhook", func(fc *FormConfig) *WebhookConfig { return fc.Webhook })
	if !ok {
		return
	}
	if p := verifyWebhook(hook, r.Header, body, now); p != nil {
		c.refuse(w, r, f, p, nil, "")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	values, _, p := parseBody(r, Limits{MaxBodyBytes: c.cfg.Limits.MaxBodyBytes, MaxFields: c.cfg.Limits.MaxFields, Uploads: "refuse"})
	if p != nil {
		c.refuse(w, r, f, p, nil, "")
		return
	}
	mp, ferrs := mapFields(&f.cfg, values)
	if ferrs != nil {
		c.refuse(w, r, f, errValidation(ferrs), nil, "")
		return
	}
	in := &intake{form: f, via: "webhook", values: values, mapped: mp, at: now, received: now, campaign: campaign(values, nil)}
	// The sender's Idempotency-Key, else the body itself, identifies a
	// delivery: a replay inside the window or a re-signed retry of the same
	// body is the same record.
	key := hashOf("webhook-body", string(body))
	if raw := r.Header.Get("Idempotency-Key"); raw != "" {
		k, p := parseIdempotencyKey(raw)
		if p != nil {
			c.refuse(w, r, f, p, nil, "")
			return
		}
		in.idemKey, key = k, hashOf("webhook-key", k)
	}
	in.cacheKey = hashOf("webhook", f.cfg.ID, key)
	in.sourceID = "hook-" + in.cacheKey
	c.accept(w, r, in)
}

// verifyWebhook checks the timestamp is inside the replay window and the
// signature matches (any of several comma-separated ones, for rotation).
func verifyWebhook(hook *WebhookConfig, h http.Header, body []byte, now time.Time) *problem {
	tsRaw, sigRaw := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if tsRaw == "" || sigRaw == "" {
		return errSignature("signature-missing", "the "+HeaderTimestamp+" and "+HeaderSignature+" headers are required")
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(tsRaw), 10, 64)
	if err != nil {
		return errSignature("signature-invalid", HeaderTimestamp+" must be Unix seconds")
	}
	ts := time.Unix(secs, 0)
	if d := now.Sub(ts); d > hook.Tolerance || d < -hook.Tolerance {
		return errSignature("stale-timestamp", "the webhook timestamp is outside the replay window of "+hook.Tolerance.String())
	}
	want := SignWebhook(hook.Secret, ts, body)
	for sig := range strings.SplitSeq(sigRaw, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(want)) {
			return nil
		}
	}
	return errSignature("signature-invalid", "the webhook signature does not match the body")
}

// typeformPayload is the part of Typeform's form_response webhook we read.
type typeformPayload struct {
	EventID      string `json:"event_id"`
	EventType    string `json:"event_type"`
	FormResponse struct {
		FormID      string            `json:"form_id"`
		Token       string            `json:"token"`
		SubmittedAt string            `json:"submitted_at"`
		Hidden      map[string]string `json:"hidden"`
		Answers     []typeformAnswer  `json:"answers"`
	} `json:"form_response"`
}

type typeformAnswer struct {
	Type  string `json:"type"`
	Field struct {
		ID   string `json:"id"`
		Ref  string `json:"ref"`
		Type string `json:"type"`
	} `json:"field"`
	Text        *string          `json:"text"`
	Email       *string          `json:"email"`
	PhoneNumber *string          `json:"phone_number"`
	URL         *string          `json:"url"`
	FileURL     *string          `json:"file_url"`
	Date        *string          `json:"date"`
	Number      *json.Number     `json:"number"`
	Boolean     *bool            `json:"boolean"`
	Choice      *typeformChoice  `json:"choice"`
	Choices     *typeformChoices `json:"choices"`
}

type typeformChoice struct {
	Label string `json:"label"`
	Other string `json:"other"`
}

type typeformChoices struct {
	Labels []string `json:"labels"`
	Other  string   `json:"other"`
}

// values renders an answer as posted form values.
func (a *typeformAnswer) values() []string {
	str := func(p *string) []string {
		if p == nil {
			return nil
		}
		return []string{*p}
	}
	switch {
	case a.Text != nil:
		return str(a.Text)
	case a.Email != nil:
		return str(a.Email)
	case a.PhoneNumber != nil:
		return str(a.PhoneNumber)
	case a.URL != nil:
		return str(a.URL)
	case a.FileURL != nil:
		return str(a.FileURL)
	case a.Date != nil:
		return str(a.Date)
	case a.Number != nil:
		return []string{a.Number.String()}
	case a.Boolean != nil:
		return []string{strconv.FormatBool(*a.Boolean)}
	case a.Choice != nil:
		if a.Choice.Label != "" {
			return []string{a.Choice.Label}
		}
		return []string{a.Choice.Other}
	case a.Choices != nil:
		out := append([]string(nil), a.Choices.Labels...)
		if a.Choices.Other != "" {
			out = append(out, a.Choices.Other)
		}
		return out
	}
	return nil
}

// handleTypeform is POST /f/{form}/typeform: Typeform's webhook, signed with
// HMAC-SHA256 over the body. Answers are matched to the form's fields by
// the Typeform field's ref (or id); hidden fields carry UTM tags.
func (c *Connector) handleTypeform(w http.ResponseWriter, r *http.Request) {
	f, hook, body, now, ok := c.webhookPrelude(w, r, "typeform", func(fc *FormConfig) *WebhookConfig { return fc.Typeform })
	if !ok {
		return
	}
	sig := r.Header.Get(HeaderTypeform)
	if sig == "" {
		c.refuse(w, r, f, errSignature("signature-missing", "the "+HeaderTypeform+" header is required"), nil, "")
		return
	}
	if !hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(SignTypeform(hook.Secret, body))) {
		c.refuse(w, r, f, errSignature("signature-invalid", "the Typeform signature does not match the body"), nil, "")
		return
	}
	var tp typeformPayload
	if err := json.Unmarshal(body, &tp); err != nil {
		c.refuse(w, r, f, errMalformed("the Typeform payload is not valid JSON: %v", err), nil, "")
		return
	}
	if tp.EventType != "form_response" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": "event_type " + strconv.Quote(tp.EventType) + " carries no response"})
		return
	}
	resp := &tp.FormResponse
	if resp.Token == "" {
		c.refuse(w, r, f, errMalformed("the Typeform payload has no form_response.token"), nil, "")
		return
	}
	values := url.Values{}
	for i := range resp.Answers {
		a := &resp.Answers[i]
		vals := a.values()
		if a.Field.Ref != "" {
			values[a.Field.Ref] = append(values[a.Field.Ref], vals...)
		}
		if a.Field.ID != "" && a.Field.ID != a.Field.Ref {
			values[a.Field.ID] = append(values[a.Field.ID], vals...)
		}
	}
	for k, v := range resp.Hidden {
		if _, taken := values[k]; !taken {
			values.Set(k, v)
		}
	}
	mp, ferrs := mapFields(&f.cfg, values)
	if ferrs != nil {
		c.refuse(w, r, f, errValidation(ferrs), nil, "")
		return
	}
	at := now
	if t, err := time.Parse(time.RFC3339, resp.SubmittedAt); err == nil {
		at = t
	}
	in := &intake{form: f, via: "typeform", values: values, mapped: mp, at: at, received: now,
		campaign: campaign(values, nil)}
	in.cacheKey = hashOf("typeform", f.cfg.ID, resp.Token)
	in.sourceID = "typeform-" + resp.Token
	c.accept(w, r, in)
}
