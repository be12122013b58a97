package forms

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// testConfig is the YAML config most tests start from: generous rate
// limits, short delivery timeouts, a fixed time-trap secret.
const testConfig = `
default_region: PL
allowed_origins: [https://www.example.com]
rate_limit:
  per_ip: {per_second: 1000, burst: 1000}
  per_form: {per_second: 1000, burst: 1000}
timeouts: {handoff: 300ms, ack: 300ms, body_read: 300ms, retry_after: 7s}
time_trap: {secret: test-secret-0123456789, min: 3s, max_age: 1h}
forms:
  - id: contact
    title: Kontakt
    version: "7"
    lang: pl
    redirect_url: https://www.example.com/thanks
    fields:
      - {name: email, maps_to: email, label: E-mail, required: true}
      - {name: name, maps_to: name, label: Name, required: true}
      - {name: phone, maps_to: phone, label: Phone}
      - {name: company, maps_to: company}
      - {name: topic, maps_to: custom, allowed: [Offer, Support]}
      - {name: interests, maps_to: custom, multiple: true}
      - {name: message, maps_to: message, max_length: 50}
    consent: {field: consent, text: I agree to be contacted., version: c2, required: true}
  - id: api
    time_trap: false
    fields:
      - {name: email, maps_to: email, required: true}
      - {name: first, maps_to: first_name}
      - {name: last, maps_to: last_name}
      - {name: note, maps_to: message}
    typeform: {secret: typeform-secret-0123456789}
    webhook: {secret: webhook-secret-0123456789, tolerance: 5m}
`

// fakeClock is a settable clock shared by the connector and the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ackMode is what the fake runner does with a record it read.
type ackMode int32

const (
	ackOK    ackMode = iota // acknowledge (Kafka acked)
	ackFail                 // acknowledge with an error (Kafka refused)
	ackNever                // hold the record and never acknowledge
	ackPause                // stop reading altogether
)

// harness runs a connector with a fake runner: a goroutine that Reads and
// acknowledges as told, keeping the records it acknowledged with nil.
type harness struct {
	t     testing.TB
	c     *Connector
	clock *fakeClock
	reg   *prometheus.Registry
	mode  atomic.Int32

	mu         sync.Mutex
	cancelRead context.CancelFunc
	published  []*record.Mention
	cond       *sync.Cond
}

func newHarness(t testing.TB, yamlConfig string, edit ...func(*Config)) *harness {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(yamlConfig), &node); err != nil {
		t.Fatalf("parsing test config: %v", err)
	}
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(&node, &cfg); err != nil {
		t.Fatalf("decoding test config: %v", err)
	}
	for _, e := range edit {
		e(&cfg)
	}
	h := &harness{t: t, clock: &fakeClock{t: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}, reg: prometheus.NewRegistry()}
	h.cond = sync.NewCond(&h.mu)
	c, err := New(cfg, connectors.Deps{Name: "web-forms", Registerer: h.reg, Checkpoints: connectors.NewMemoryCheckpoints()})
	if err != nil {
		t.Fatalf("building connector: %v", err)
	}
	c.now = h.clock.Now
	h.c = c
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go h.runner(ctx, done)
	t.Cleanup(func() {
		cancel()
		<-done
		_ = c.Close(context.Background())
	})
	return h
}

func (h *harness) runner(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		for ackMode(h.mode.Load()) == ackPause {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		readCtx, cancelRead := context.WithCancel(ctx)
		h.mu.Lock()
		h.cancelRead = cancelRead
		h.mu.Unlock()
		if ackMode(h.mode.Load()) == ackPause { // paused before the cancel func was published
			cancelRead()
			continue
		}
		m, ack, err := h.c.Read(readCtx)
		cancelRead()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.Canceled) {
				continue // paused while waiting
			}
			return
		}
		switch ackMode(h.mode.Load()) {
		case ackOK:
			h.mu.Lock()
			h.published = append(h.published, m)
			h.cond.Broadcast()
			h.mu.Unlock()
			if err := ack(ctx, nil); err != nil {
				h.t.Errorf("ack: %v", err)
			}
		case ackFail:
			_ = ack(ctx, errors.New("kafka: broker not available"))
		case ackNever, ackPause:
		}
	}
}

// setMode changes what the runner does; pausing also interrupts a Read
// that is already waiting, so the next submission is not taken.
func (h *harness) setMode(m ackMode) {
	h.mode.Store(int32(m))
	if m == ackPause {
		h.mu.Lock()
		if h.cancelRead != nil {
			h.cancelRead()
		}
		h.mu.Unlock()
	}
}

// records returns what was published so far.
func (h *harness) records() []*record.Mention {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*record.Mention(nil), h.published...)
}

// token renders a form token and moves the clock past the time trap.
func (h *harness) token(form string) string {
	tok := h.c.trap.issue(form, h.clock.Now())
	h.clock.Advance(5 * time.Second)
	return tok
}

// req is one test request.
type req struct {
	method, path, contentType, accept, body string
	header                                  map[string]string
	remote                                  string
}

func (h *harness) do(r req) *httptest.ResponseRecorder {
	h.t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	if r.accept != "" {
		hr.Header.Set("Accept", r.accept)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	w := httptest.NewRecorder()
	h.c.Handler().ServeHTTP(w, hr)
	return w
}

// postForm posts urlencoded values as a script (JSON answers).
func (h *harness) postForm(path string, v url.Values, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(req{path: path, contentType: mediaURLEncoded, body: v.Encode(), header: header})
}

// validContact is a complete, valid contact form submission with a token.
func (h *harness) validContact() url.Values {
	return url.Values{
		"email":   {"Zofia.Nowak@Example.PL"},
		"name":    {"Zofia Nowak"},
		"phone":   {"601 234 567"},
		"consent": {"yes"},
		"message": {"Proszę o ofertę."},
		"_t":      {h.token("contact")},
	}
}

// problemOf decodes a problem details answer.
func problemOf(t *testing.T, w *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, w.Body)
	}
	var p problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("decoding problem: %v; body %s", err, w.Body)
	}
	return p
}

// wantProblem checks status and problem type of an answer.
func wantProblem(t *testing.T, w *httptest.ResponseRecorder, status int, slug string) problem {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	p := problemOf(t, w)
	if p.Type != problemTypeBase+slug || p.Status != status {
		t.Fatalf("problem %s/%d, want %s/%d: %+v", p.Type, p.Status, problemTypeBase+slug, status, p)
	}
	return p
}

func acceptedOf(t *testing.T, w *httptest.ResponseRecorder) acceptedBody {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", w.Code, w.Body)
	}
	var a acceptedBody
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("decoding answer: %v; body %s", err, w.Body)
	}
	return a
}

func (h *harness) counter(c *prometheus.CounterVec, labels ...string) float64 {
	var m dto.Metric
	if err := c.WithLabelValues(labels...).Write(&m); err != nil {
		h.t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type httptestRecorder = httptest.ResponseRecorder

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func httptestRequest(method, path string) *http.Request {
	return httptest.NewRequest(method, path, nil)
}

// newChunkedRequest is a POST whose length is not declared up front.
func newChunkedRequest(path, contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, io.NopCloser(strings.NewReader(body)))
	r.ContentLength = -1
	r.Header.Set("Content-Type", contentType)
	return r
}
