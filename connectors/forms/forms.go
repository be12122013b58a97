// Package forms is the lead-capture connector: an HTTP intake for website
// forms (urlencoded, multipart and JSON posts), Typeform webhooks and
// generic signed webhooks. A valid submission becomes a form_submission
// mention; the client's 2xx answer is sent only after Kafka acknowledged
// it, and 503 with Retry-After otherwise, so nothing is silently dropped.
package forms

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// Type is the connector type name in the configuration.
const Type = "forms"

// Prefix is the URL path the host mounts the handler under.
const Prefix = "/f/"

//go:embed sample.yaml
var sample []byte

func init() {
	connectors.Register(connectors.Registration{
		Type:        Type,
		Description: "Web forms, Typeform and signed webhooks over HTTP (answers 2xx only after Kafka acked)",
		Factory:     factory,
		Sample:      sample,
	})
}

func factory(node *yaml.Node, deps connectors.Deps) (connectors.Connector, error) {
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(node, &cfg); err != nil {
		return nil, err
	}
	return New(cfg, deps)
}

// Connector is the forms intake. It is both a connectors.Connector (the
// runner Reads submissions from it) and an http.Handler source.
type Connector struct {
	name      string
	cfg       Config
	log       *slog.Logger
	metrics   *metrics
	now       func() time.Time
	forms     map[string]*form
	proxies   proxies
	perIP     *bucketSet
	trap      timeTrap
	spent     *spentTokens
	idem      *idemCache
	publicURL string
	handler   http.Handler
	// store keeps double opt-in submissions until confirmed (optin.go).
	store      connectors.CheckpointStore
	sealer     connectors.Sealer // seals the kept copy with the person's key
	confirming optInLocks

	queue     chan *pending
	slots     chan struct{} // one per submission read and not yet acked
	closed    chan struct{}
	closing   atomic.Bool
	connected atomic.Bool
}

// form is a configured form with its prepared policies.
type form struct {
	cfg      FormConfig
	origins  originPolicy
	limiter  *rate.Limiter // per form; nil when unlimited
	timeTrap bool
}

var _ connectors.HTTPConnector = (*Connector)(nil)

// New builds a forms connector from a decoded configuration.
func New(cfg Config, deps connectors.Deps) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating forms config: %w", err)
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := deps.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newMetrics(reg, deps.Name)
	if err != nil {
		return nil, err
	}
	trusted, _ := parsePrefixes(cfg.TrustedProxies) // validated above
	secret := []byte(cfg.TimeTrap.Secret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	c := &Connector{
		name:      deps.Name,
		cfg:       cfg,
		log:       log.With("component", "connector", "type", Type, "name", deps.Name),
		metrics:   m,
		now:       time.Now,
		forms:     map[string]*form{},
		proxies:   proxies(trusted),
		perIP:     newBucketSet(cfg.RateLimit.PerIP, cfg.RateLimit.MaxClients),
		trap:      timeTrap{secret: secret, min: cfg.TimeTrap.Min, maxAge: cfg.TimeTrap.MaxAge},
		spent:     newSpentTokens(cfg.Idempotency.MaxEntries),
		idem:      newIdemCache(cfg.Idempotency.TTL, cfg.Idempotency.MaxEntries),
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		store:     deps.Checkpoints,
		sealer:    deps.PersonalSealer(),
		queue:     make(chan *pending, cfg.QueueSize),
		slots:     make(chan struct{}, maxInFlight(deps.MaxInFlight, cfg.QueueSize)),
		closed:    make(chan struct{}),
	}
	for i := range cfg.Forms {
		fc := cfg.Forms[i]
		fc.applyDefaults(&c.cfg)
		f := &form{cfg: fc, origins: newOriginPolicy(fc.AllowedOrigins),
			timeTrap: cfg.TimeTrap.Min > 0 && (fc.TimeTrap == nil || *fc.TimeTrap)}
		b := cfg.RateLimit.PerForm
		if fc.PerForm != nil {
			b = *fc.PerForm
		}
		if b.PerSecond > 0 {
			f.limiter = rate.NewLimiter(rate.Limit(b.PerSecond), b.Burst)
		}
		c.forms[fc.ID] = f
	}
	for _, f := range c.forms {
		if f.cfg.Consent != nil && f.cfg.Consent.DoubleOptIn && c.store == nil {
			return nil, fmt.Errorf("forms connector %q: form %q asks for double opt-in, which needs a checkpoint store", deps.Name, f.cfg.ID)
		}
	}
	c.handler = c.routes()
	if cfg.TimeTrap.Secret == "" {
		c.log.Warn("time_trap.secret is not set: tokens are signed with a per-process key, valid for this instance only")
	}
	return c, nil
}

// maxInFlight is the host's bound, or the queue size when it sets none.
func maxInFlight(host, queue int) int {
	if host > 0 {
		return host
	}
	return queue
}

// Prefix is where the host mounts Handler: every path starts with /f/.
func (c *Connector) Prefix() string { return Prefix }

// Handler serves the intake. Its patterns include the /f/ prefix, so the
// host mounts it without stripping: mux.Handle(c.Prefix(), c.Handler()).
func (c *Connector) Handler() http.Handler { return c.handler }

func (c *Connector) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /f/{form}", c.handleSubmit)
	mux.HandleFunc("OPTIONS /f/{form}", c.handlePreflight)
	mux.HandleFunc("GET /f/{form}", c.handlePage)
	mux.HandleFunc("GET /f/{form}/embed", c.handleEmbed)
	mux.HandleFunc("GET /f/{form}/token", c.handleToken)
	mux.HandleFunc("GET /f/{form}/thanks", c.handleThanks)
	mux.HandleFunc("POST /f/{form}/typeform", c.handleTypeform)
	mux.HandleFunc("POST /f/{form}/webhook", c.handleWebhook)
	mux.HandleFunc("GET /f/{form}/confirm", c.handleConfirmPage)
	mux.HandleFunc("POST /f/{form}/confirm", c.handleConfirm)
	return mux
}

// ServerTimeouts returns the timeouts the HTTP server hosting the intake
// must use against slow clients. Body and write deadlines are set by the
// handler itself per request; these are the ones only the server can apply.
func (c *Connector) ServerTimeouts() (readHeader, idle time.Duration, maxHeaderBytes int) {
	t := c.cfg.Timeouts
	return t.ReadHeader, t.Idle, t.MaxHeaderBytes
}

// ApplyServerTimeouts tightens srv's header timeout, idle timeout and header
// size to the intake's limits (keeping any stricter value already set). The
// host calls it, without importing this package, through
// interface{ ApplyServerTimeouts(*http.Server) }.
func (c *Connector) ApplyServerTimeouts(srv *http.Server) {
	t := c.cfg.Timeouts
	if srv.ReadHeaderTimeout <= 0 || srv.ReadHeaderTimeout > t.ReadHeader {
		srv.ReadHeaderTimeout = t.ReadHeader
	}
	if srv.IdleTimeout <= 0 || srv.IdleTimeout > t.Idle {
		srv.IdleTimeout = t.Idle
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > t.MaxHeaderBytes {
		srv.MaxHeaderBytes = t.MaxHeaderBytes
	}
}

// lookup finds the form named in the path.
func (c *Connector) lookup(r *http.Request) (*form, *problem) {
	id := r.PathValue("form")
	if f, ok := c.forms[id]; ok {
		return f, nil
	}
	return nil, errUnknownForm(id)
}

// selfOrigin is the origin the connector's own pages are served from.
func (c *Connector) selfOrigin(r *http.Request) string {
	if c.publicURL != "" {
		return c.publicURL
	}
	return c.proxies.scheme(r) + "://" + r.Host
}

// limit applies the per-IP then the per-form token bucket.
func (c *Connector) limit(f *form, ip netip.Addr, now time.Time) *problem {
	if ip.IsValid() {
		if ok, wait := c.perIP.allow(clientKey(ip), now); !ok {
			return errRateLimited("per-address", wait)
		}
	}
	if ok, wait := take(f.limiter, now); !ok {
		return errRateLimited("per-form", wait)
	}
	return nil
}

// wantsHTML reports a browser form post: a form content type and an
// Accept that asks for HTML. Such posts get a 303 or a re-rendered form;
// everything else gets JSON.
func wantsHTML(r *http.Request) bool {
	return isFormBody(r) && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// handleSubmit is POST /f/{form}: a website form post.
func (c *Connector) handleSubmit(w http.ResponseWriter, r *http.Request) {
	c.bodyDeadlines(w)
	now := c.now()
	f, p := c.lookup(r)
	if p != nil {
		c.refuse(w, r, nil, p, nil, "")
		return
	}
	origin := r.Header.Get("Origin")
	if !f.origins.allows(origin, c.selfOrigin(r)) {
		c.refuse(w, r, f, errOriginNotAllowed(origin), nil, "")
		return
	}
	setCORS(w, origin)
	ip := c.proxies.clientIP(r)
	if p := c.limit(f, ip, now); p != nil {
		c.refuse(w, r, f, p, nil, "")
		return
	}
	values, uploads, p := c.readBody(w, r)
	if p != nil {
		c.refuse(w, r, f, p, values, "")
		return
	}
	if honeypotFilled(values, f.cfg.Honeypot) {
		c.quiet(w, r, f, "honeypot")
		return
	}
	token := first(values, fieldToken)
	var trapRendered time.Time
	if f.timeTrap {
		verdict, rendered := c.trap.check(f.cfg.ID, token, now)
		trapRendered = rendered
		switch verdict {
		case tokenMissing:
			c.refuse(w, r, f, errToken("token-missing", "the form token is missing; load the form and submit it again"), values, "")
			return
		case tokenInvalid:
			c.refuse(w, r, f, errToken("token-invalid", "the form token is not valid; load the form and submit it again"), values, "")
			return
		case tokenExpired:
			c.refuse(w, r, f, errToken("token-expired", "the form has expired; submit it again"), values, "")
			return
		case tokenTooFast:
			c.quiet(w, r, f, "too-fast")
			return
		}
	} else if token != "" {
		if verdict, _ := c.trap.check(f.cfg.ID, token, now); verdict == tokenInvalid {
			token = "" // a token that is not ours derives nothing
		}
	}
	for _, u := range uploads {
		values[u.Field] = append(values[u.Field], fmt.Sprintf("%s (%d bytes, %s, sha256:%s)", u.Filename, u.Size, u.ContentType, u.SHA256))
	}
	mp, ferrs := mapFields(&f.cfg, values)
	if ferrs != nil {
		c.refuse(w, r, f, errValidation(ferrs), values, token)
		return
	}
	in := &intake{form: f, via: "form", values: values, mapped: mp, at: now, received: now, ip: ip,
		userAgent: provenanceText(r.UserAgent()), campaign: campaign(values, r), token: token}
	if p := c.keys(r, in); p != nil {
		c.refuse(w, r, f, p, values, token)
		return
	}
	// One rendering, one submission: a token that already carried other
	// values is refused (the same values again are a retry).
	if f.timeTrap && !c.spent.use(token, fingerprint(values), trapRendered.Add(c.cfg.TimeTrap.MaxAge), now) {
		c.refuse(w, r, f, errToken("token-used", "this form was already sent with other values; load the form and submit it again"), values, "")
		return
	}
	c.accept(w, r, in)
}

// readBody checks the declared size and parses the body within the limits.
func (c *Connector) readBody(w http.ResponseWriter, r *http.Request) (url.Values, []upload, *problem) {
	lim := c.cfg.Limits
	if r.ContentLength > lim.MaxBodyBytes {
		return nil, nil, errBodyTooLarge(lim.MaxBodyBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBodyBytes)
	v, ups, p := parseBody(r, lim)
	if p == nil {
		bodyRead(w)
	}
	return v, ups, p
}

// bodyDeadlines bounds, from the start of a POST, the time to receive the
// body and the time until the answer is written (covering the wait for
// Kafka), whatever the server's own timeouts are: the intake shares its
// listener with the UI. The read deadline stays in place when the body is
// refused, so the server's drain of an unread body cannot hang either.
// Network deadlines use the wall clock, not the connector's clock.
func (c *Connector) bodyDeadlines(w http.ResponseWriter) {
	t := c.cfg.Timeouts
	now := time.Now()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(now.Add(t.BodyRead)) // writers without deadlines (recorders) skip it
	_ = rc.SetWriteDeadline(now.Add(t.BodyRead + t.Handoff + t.Ack + 5*time.Second))
}

// bodyRead lifts the read deadline once the whole body is in.
func bodyRead(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
}

// intake is a validated submission on its way to Kafka.
type intake struct {
	form      *form
	via       string // form, typeform, webhook
	values    url.Values
	mapped    *mapped
	at        time.Time // when the person submitted
	received  time.Time // when the intake got it
	ip        netip.Addr
	userAgent string
	campaign  *record.Campaign
	token     string // the time-trap token the form was rendered with

	fingerprint string // of the posted values, computed once
	idemKey     string // the client's Idempotency-Key
	cacheKey    string // idempotency cache key; empty when retries cannot be recognised
	sourceID    string
}

// keys decides how a retry of this submission is recognised: by the
// client's Idempotency-Key, else by the rendered form's token and values
// (a browser double-submit), else for browser posts by address, agent and
// values within the cache's lifetime. SourceID follows the key, so a retry
// is the same record id wherever it lands.
func (c *Connector) keys(r *http.Request, in *intake) *problem {
	id := in.form.cfg.ID
	if raw := r.Header.Get("Idempotency-Key"); raw != "" {
		key, p := parseIdempotencyKey(raw)
		if p != nil {
			return p
		}
		in.idemKey = key
		in.cacheKey = hashOf("key", id, key)
		in.sourceID = "key-" + in.cacheKey
		return nil
	}
	in.fingerprint = fingerprint(in.values)
	fp := in.fingerprint
	if in.token != "" {
		in.cacheKey = hashOf("token", id, in.token, fp)
		in.sourceID = "tok-" + in.cacheKey
		return nil
	}
	if isFormBody(r) {
		in.cacheKey = hashOf("client", id, in.ip.String(), in.userAgent, fp)
	}
	in.sourceID = "sub-" + randomHex()
	return nil
}

// isFormBody reports a body an HTML form posts (urlencoded or multipart).
func isFormBody(r *http.Request) bool {
	media, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	media = strings.ToLower(strings.TrimSpace(media))
	return media == mediaURLEncoded || media == mediaMultipart
}

// parseIdempotencyKey accepts the key as a structured-field string
// ("...") or bare, 1-255 visible ASCII characters.
func parseIdempotencyKey(raw string) (string, *problem) {
	k := strings.TrimSpace(raw)
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" || len(k) > 255 {
		return "", errIdempotencyKey("the Idempotency-Key must be 1 to 255 characters")
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", errIdempotencyKey("the Idempotency-Key may hold only visible ASCII characters")
		}
	}
	return k, nil
}

func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// accept publishes a validated submission and answers once Kafka acked it.
func (c *Connector) accept(w http.ResponseWriter, r *http.Request, in *intake) {
	f := in.form
	release := func(string, bool) {}
	if in.cacheKey != "" {
		if in.fingerprint == "" {
			in.fingerprint = fingerprint(in.values)
		}
		id, rel, err := c.idem.begin(r.Context(), in.cacheKey, in.fingerprint, in.received)
		switch {
		case err == errKeyReused:
			c.refuse(w, r, f, errIdempotencyReused(), in.values, in.token)
			return
		case err != nil:
			return // the client left while an earlier attempt held the key
		case id != "":
			c.metrics.replayed.WithLabelValues(f.cfg.ID).Inc()
			w.Header().Set("Idempotent-Replayed", "true")
			c.respondAccepted(w, r, f, id)
			return
		}
		release = rel
	}
	m := c.mention(in)
	var pendingCopy []byte
	optInTo, identity := m.Author.Email, m.AuthorKey()
	if cons := f.cfg.Consent; cons != nil && cons.DoubleOptIn {
		var err error
		if pendingCopy, err = c.markPending(m); err != nil {
			release("", false)
			c.refuse(w, r, f, errUnavailable("the submission could not be prepared; please retry", c.cfg.Timeouts.RetryAfter), in.values, in.token)
			return
		}
	}
	c.metrics.received.WithLabelValues(f.cfg.ID, in.via).Inc()
	id := m.ID // m belongs to the runner once handed over
	start := time.Now()
	if err := c.deliver(r.Context(), m); err != nil {
		release("", false)
		cause := deliveryCause(err)
		c.metrics.failed.WithLabelValues(f.cfg.ID, cause).Inc()
		c.log.Warn("submission not delivered", "form", f.cfg.ID, "record", id, "cause", cause, "err", err)
		if cause == "client-gone" {
			return
		}
		c.refuse(w, r, f, errUnavailable(unavailableDetail(err), c.cfg.Timeouts.RetryAfter), in.values, in.token)
		return
	}
	if pendingCopy != nil {
		if err := c.startOptIn(r.Context(), r, f, pendingCopy, id, identity, optInTo); err != nil {
			release("", false)
			c.metrics.optIn.WithLabelValues(f.cfg.ID, "mail_failed").Inc()
			c.log.Warn("double opt-in not started", "form", f.cfg.ID, "record", id, "err", err)
			c.refuse(w, r, f, errUnavailable("the confirmation e-mail could not be sent; please submit the form again in a moment", c.cfg.Timeouts.RetryAfter), in.values, in.token)
			return
		}
	}
	release(id, true)
	c.metrics.acked.WithLabelValues(f.cfg.ID).Inc()
	c.metrics.latency.WithLabelValues(f.cfg.ID).Observe(time.Since(start).Seconds())
	c.log.Debug("submission accepted", "form", f.cfg.ID, "record", id, "via", in.via)
	c.respondAccepted(w, r, f, id)
}

func deliveryCause(err error) string {
	switch {
	case errors.Is(err, errQueueFull):
		return "queue-full"
	case errors.Is(err, errNotTaken):
		return "not-taken"
	case errors.Is(err, errAckTimeout):
		return "ack-timeout"
	case errors.Is(err, errClosed):
		return "closed"
	case errors.Is(err, errClientGone):
		return "client-gone"
	}
	return "ack-error"
}

func unavailableDetail(err error) string {
	switch deliveryCause(err) {
	case "ack-timeout":
		return "the pipeline did not confirm the submission in time; please retry (with the same Idempotency-Key, a retry cannot make a second record)"
	case "ack-error":
		return "the submission could not be written to the pipeline; please retry"
	}
	return "the pipeline cannot take submissions right now; nothing was stored, please retry"
}

// mention builds the record of a validated submission.
func (c *Connector) mention(in *intake) *record.Mention {
	f, mp := &in.form.cfg, in.mapped
	author := mp.author
	author.Platform = Type
	m := &record.Mention{
		Source:    Type,
		SourceID:  in.sourceID,
		Channel:   f.ID,
		Kind:      record.KindFormSubmission,
		Author:    author,
		Title:     mp.title,
		Text:      mp.text,
		Lang:      f.Lang,
		Campaign:  in.campaign,
		CreatedAt: in.at.UTC(),
		FetchedAt: in.received.UTC(),
		Fields:    mp.fields,
		Submission: &record.Submission{
			FormID: f.ID, FormVersion: f.Version, Via: in.via, At: in.at.UTC(),
			UserAgent: in.userAgent, IdempotencyKey: in.idemKey,
		},
	}
	if m.Title == "" {
		m.Title = f.Title
	}
	if in.ip.IsValid() {
		m.Submission.ClientIP = in.ip.String()
	}
	if in.campaign != nil {
		m.URL = in.campaign.LandingPage
	}
	if f.Consent != nil {
		// The consent record: what the person was told, when, from where.
		m.Consent = &record.Consent{Given: mp.consent, Text: f.Consent.Text, Version: f.Consent.Version, At: in.at.UTC(),
			FormID: f.ID, ClientIP: m.Submission.ClientIP, UserAgent: in.userAgent}
	}
	_ = m.Normalize() // source, source id and kind are always set here
	return m
}

// acceptedBody is the JSON answer of an accepted submission.
type acceptedBody struct {
	Status  string `json:"status"`
	ID      string `json:"id"`
	Form    string `json:"form"`
	Message string `json:"message"`
}

// respondAccepted answers success: 303 to the redirect (or thank-you page)
// for browser posts, JSON for scripts.
func (c *Connector) respondAccepted(w http.ResponseWriter, r *http.Request, f *form, id string) {
	if wantsHTML(r) {
		loc := f.cfg.RedirectURL
		if loc == "" {
			loc = Prefix + f.cfg.ID + "/thanks"
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, loc, http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, acceptedBody{Status: "accepted", ID: id, Form: f.cfg.ID, Message: f.cfg.ThankYou})
}

// quiet drops a spam submission while answering exactly as if it had been
// accepted (with a made-up id), so a bot learns nothing from the answer.
func (c *Connector) quiet(w http.ResponseWriter, r *http.Request, f *form, reason string) {
	c.metrics.rejected.WithLabelValues(f.cfg.ID, reason).Inc()
	c.log.Debug("submission dropped as spam", "form", f.cfg.ID, "reason", reason)
	c.respondAccepted(w, r, f, hashOf("quiet", randomHex()))
}

// refuse answers a problem: a re-rendered form for browser posts, problem
// details JSON otherwise.
func (c *Connector) refuse(w http.ResponseWriter, r *http.Request, f *form, p *problem, values url.Values, token string) {
	label := "_unknown"
	if f != nil {
		label = f.cfg.ID
	}
	if p.Status != http.StatusServiceUnavailable {
		c.metrics.rejected.WithLabelValues(label, p.reason).Inc()
	}
	p.Instance = r.URL.Path
	if f != nil && wantsHTML(r) {
		c.renderRefusal(w, r, f, p, values, token)
		return
	}
	writeJSONProblem(w, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handlePreflight answers CORS preflights for POST /f/{form}.
func (c *Connector) handlePreflight(w http.ResponseWriter, r *http.Request) {
	f, p := c.lookup(r)
	if p != nil {
		c.refuse(w, r, nil, p, nil, "")
		return
	}
	origin := r.Header.Get("Origin")
	if origin == "" || !f.origins.allows(origin, c.selfOrigin(r)) {
		c.refuse(w, r, f, errOriginNotAllowed(origin), nil, "")
		return
	}
	preflightHeaders(w, origin)
	w.WriteHeader(http.StatusNoContent)
}

// handleToken is GET /f/{form}/token: a fresh time-trap token for a pasted
// snippet (its inline token may be days old).
func (c *Connector) handleToken(w http.ResponseWriter, r *http.Request) {
	f, p := c.lookup(r)
	if p != nil {
		c.refuse(w, r, nil, p, nil, "")
		return
	}
	origin := r.Header.Get("Origin")
	if !f.origins.allows(origin, c.selfOrigin(r)) {
		c.refuse(w, r, f, errOriginNotAllowed(origin), nil, "")
		return
	}
	setCORS(w, origin)
	writeJSON(w, http.StatusOK, map[string]string{"token": c.trap.issue(f.cfg.ID, c.now())})
}
