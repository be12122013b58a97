package forms

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu     sync.Mutex
	to     [][]string
	bodies []string
	refuse bool
}

type mailSession struct {
	box *mailbox
	to  []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error {
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	if s.box.refuse {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.to = append(s.box.to, s.to)
	s.box.bodies = append(s.box.bodies, string(b))
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

func startMailbox(t *testing.T) (*mailbox, int) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: box}, nil }))
	srv.Domain = "127.0.0.1"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port
}

func (b *mailbox) messages() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.bodies...)
}

const optInConfig = `
default_region: PL
public_url: https://forms.example.com
rate_limit:
  per_ip: {per_second: 1000, burst: 1000}
  per_form: {per_second: 1000, burst: 1000}
timeouts: {handoff: 300ms, ack: 300ms, body_read: 300ms, retry_after: 7s}
double_opt_in:
  secret: opt-in-secret-0123456789-0123456789
  link_ttl: 48h
  smtp: {host: 127.0.0.1, port: PORT, security: none, from: "Earshot <noreply@example.com>"}
forms:
  - id: newsletter
    title: Newsletter
    time_trap: false
    fields:
      - {name: email, maps_to: email, required: true}
      - {name: name, maps_to: name}
      - {name: message, maps_to: message}
    consent:
      field: consent
      text: I want the monthly newsletter and may be contacted by sales.
      version: "2026-11"
      required: true
      double_opt_in: true
      confirm_subject: Potwierdź zapis
`

func newOptInHarness(t *testing.T) (*harness, *mailbox) {
	box, port := startMailbox(t)
	return newHarness(t, strings.Replace(optInConfig, "PORT", strconv.Itoa(port), 1)), box
}

// decodeAndValidate decodes a config as the factory does and validates it.
func decodeAndValidate(t *testing.T, text string) error {
	t.Helper()
	cfg := DefaultConfig()
	if err := connectors.DecodeConfig(decodeNode(t, text), &cfg); err != nil {
		return err
	}
	return cfg.Validate()
}

var confirmLinkPattern = regexp.MustCompile(`https://forms\.example\.com/f/newsletter/confirm\?t=[A-Za-z0-9_.-]+`)

// linkIn decodes the mail body and finds the confirmation link.
func linkIn(t *testing.T, msg string) string {
	t.Helper()
	_, body, _ := strings.Cut(msg, "\r\n\r\n")
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	link := confirmLinkPattern.FindString(string(dec))
	if link == "" {
		t.Fatalf("no confirmation link in the mail:\n%s", dec)
	}
	return link
}

func (h *harness) submitNewsletter(t *testing.T, email string) *record.Mention {
	t.Helper()
	w := h.do(req{path: "/f/newsletter", contentType: mediaURLEncoded,
		body:   url.Values{"email": {email}, "name": {"Ola Kowalska"}, "message": {"Proszę o newsletter"}, "consent": {"yes"}}.Encode(),
		header: map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/133.0"}, remote: "203.0.113.9:51234"})
	a := acceptedOf(t, w)
	recs := h.records()
	m := recs[len(recs)-1]
	if m.ID != a.ID {
		t.Fatalf("published %s, answered %s", m.ID, a.ID)
	}
	return m
}

// The consent record holds what the person was told, when and from where.
func TestConsentRecordStoredWithTheSubmission(t *testing.T) {
	h := newHarness(t, testConfig)
	w := h.do(req{path: "/f/contact", contentType: mediaURLEncoded, body: h.validContact().Encode(),
		header: map[string]string{"User-Agent": "Mozilla/5.0 (Android 14) Chrome/131"}, remote: "198.51.100.7:40000"})
	a := acceptedOf(t, w)
	recs := h.records()
	m := recs[len(recs)-1]
	c := m.Consent
	if m.ID != a.ID || c == nil {
		t.Fatalf("record %s consent %+v", m.ID, c)
	}
	want := record.Consent{Given: true, Text: "I agree to be contacted.", Version: "c2", At: h.clock.Now().UTC(), FormID: "contact",
		ClientIP: "198.51.100.7", UserAgent: "Mozilla/5.0 (Android 14) Chrome/131"}
	if *c != want {
		t.Fatalf("consent record\n got %+v\nwant %+v", *c, want)
	}
	if c.NoProspect || c.OptIn != "" {
		t.Fatalf("a form without double opt-in is marked %+v", c)
	}
}

// Double opt-in: the submission is stored at once but marked pending (no
// prospect); the mailed link confirms it once, writing the same record
// confirmed; a second use, an expired link and a forged one get a page
// that says so.
func TestDoubleOptInConfirmsOnce(t *testing.T) {
	h, box := newOptInHarness(t)
	m := h.submitNewsletter(t, "Ola.Kowalska@Example.PL")
	if m.Consent == nil || m.Consent.OptIn != record.OptInPending || !m.Consent.NoProspect {
		t.Fatalf("pending submission consent %+v", m.Consent)
	}
	if m.Consent.ClientIP != "203.0.113.9" || m.Consent.FormID != "newsletter" || m.Consent.Version != "2026-11" {
		t.Fatalf("consent record %+v", m.Consent)
	}
	msgs := box.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	if !strings.Contains(msgs[0], "\r\nTo: "+m.Author.Email+"\r\n") || box.to[0][0] != m.Author.Email {
		t.Fatalf("mail not addressed to the submitter:\n%s", msgs[0])
	}
	if !strings.Contains(msgs[0], "Subject: =?utf-8?q?Potwierd=C5=BA_zapis?=") {
		t.Fatalf("mail subject not the form's:\n%s", msgs[0])
	}
	link := linkIn(t, msgs[0])
	if strings.Contains(strings.ToLower(link), "kowalska") || strings.Contains(strings.ToLower(link), "example.pl") {
		t.Fatalf("the link carries the address: %s", link)
	}
	path := strings.TrimPrefix(link, "https://forms.example.com")

	// Opening the link changes nothing; it shows the button.
	page := h.do(req{method: http.MethodGet, path: path})
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `<button type="submit">Confirm</button>`) {
		t.Fatalf("confirmation page: %d\n%s", page.Code, page.Body)
	}
	if page.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Error("the confirmation page leaks its token through the referrer")
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("opening the link published %d records", n-1)
	}
	token := strings.TrimPrefix(path, "/f/newsletter/confirm?t=")
	confirm := func() *httptestRecorder {
		return h.do(req{path: "/f/newsletter/confirm", contentType: mediaURLEncoded, body: url.Values{"t": {token}}.Encode()})
	}
	h.clock.Advance(time.Hour)
	w := confirm()
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "confirmed") {
		t.Fatalf("confirming: %d\n%s", w.Code, w.Body)
	}
	recs := h.records()
	if len(recs) != 2 {
		t.Fatalf("%d records after the confirmation, want 2", len(recs))
	}
	c := recs[1]
	if c.ID != m.ID || c.Consent.OptIn != record.OptInConfirmed || c.Consent.NoProspect || !c.Consent.ConfirmedAt.Equal(h.clock.Now().UTC()) {
		t.Fatalf("confirmed record %s consent %+v", c.ID, c.Consent)
	}
	if c.Text != m.Text || c.Author.Email != m.Author.Email {
		t.Fatalf("the confirmed record is not the submission: %+v", c)
	}
	if raw, _ := h.c.store.Load(context.Background(), h.c.optInKey(m.ID)); raw != nil {
		t.Fatal("the pending copy is still kept after the confirmation")
	}

	again := confirm()
	if again.Code != http.StatusGone || !strings.Contains(again.Body.String(), "already used") {
		t.Fatalf("second use: %d\n%s", again.Code, again.Body)
	}
	if n := len(h.records()); n != 2 {
		t.Fatalf("the second use published again (%d records)", n)
	}
}

func TestDoubleOptInRefusesExpiredAndForgedLinks(t *testing.T) {
	h, box := newOptInHarness(t)
	h.submitNewsletter(t, "jan@example.com")
	link := linkIn(t, box.messages()[0])
	token := link[strings.Index(link, "?t=")+3:]
	post := func(tok string) *httptestRecorder {
		return h.do(req{path: "/f/newsletter/confirm", contentType: mediaURLEncoded, body: url.Values{"t": {tok}}.Encode()})
	}
	forged := []string{
		"", "garbage", token + "x", strings.Replace(token, ".", ".A", 1),
		h.c.optInToken("contact", "some-record", h.clock.Now().Add(time.Hour)), // the right key, another form
	}
	other := &Connector{cfg: h.c.cfg}
	other.cfg.OptIn.Secret = "another-secret-0123456789-0123456789"
	forged = append(forged, other.optInToken("newsletter", "r1", h.clock.Now().Add(time.Hour)))
	for _, tok := range forged {
		if tok == forged[4] {
			continue // signed for a form without double opt-in: checked below
		}
		w := post(tok)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not valid") {
			t.Errorf("forged %q: %d\n%s", tok, w.Code, w.Body)
		}
	}
	if w := post(forged[4]); w.Code != http.StatusBadRequest {
		t.Errorf("a token of another form: %d", w.Code)
	}
	h.clock.Advance(49 * time.Hour)
	for _, w := range []*httptestRecorder{post(token), h.do(req{method: http.MethodGet, path: "/f/newsletter/confirm?t=" + token})} {
		if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "expired") {
			t.Errorf("expired link: %d\n%s", w.Code, w.Body)
		}
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("refused links published %d records", n-1)
	}
	if h.counter(h.c.metrics.optIn, "newsletter", "expired") != 2 || h.counter(h.c.metrics.optIn, "newsletter", "invalid") < 5 {
		t.Error("refusals not counted")
	}
}

// When the confirmation cannot be mailed the person is asked to retry
// (they would otherwise wait for a mail that never comes).
func TestDoubleOptInMailFailureAsksForARetry(t *testing.T) {
	h, box := newOptInHarness(t)
	box.mu.Lock()
	box.refuse = true
	box.mu.Unlock()
	w := h.do(req{path: "/f/newsletter", contentType: mediaURLEncoded,
		body: url.Values{"email": {"jan@example.com"}, "consent": {"yes"}}.Encode()})
	p := wantProblem(t, w, http.StatusServiceUnavailable, "unavailable")
	if !strings.Contains(p.Detail, "confirmation e-mail") {
		t.Fatalf("detail %q", p.Detail)
	}
	if h.counter(h.c.metrics.optIn, "newsletter", "mail_failed") != 1 {
		t.Error("mail failure not counted")
	}
}

func TestDoubleOptInConfigIsValidated(t *testing.T) {
	for _, tc := range []struct{ edit, want string }{
		{"secret: opt-in-secret-0123456789-0123456789", "double_opt_in.secret"},
		{"security: none", "double_opt_in.smtp.security"},
		{"from: \"Earshot <noreply@example.com>\"", "double_opt_in.smtp.from"},
	} {
		cfg := strings.Replace(optInConfig, "PORT", "2525", 1)
		switch tc.want {
		case "double_opt_in.secret":
			cfg = strings.Replace(cfg, tc.edit, "secret: short", 1)
		case "double_opt_in.smtp.security":
			cfg = strings.Replace(strings.Replace(cfg, "host: 127.0.0.1", "host: mail.example.com", 1), tc.edit, "security: none", 1)
		default:
			cfg = strings.Replace(cfg, tc.edit, "from: not an address", 1)
		}
		if err := decodeAndValidate(t, cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to name %s", tc.want, err, tc.want)
		}
	}
	noEmail := strings.Replace(strings.Replace(optInConfig, "PORT", "2525", 1), "{name: email, maps_to: email, required: true}", "{name: email, maps_to: email}", 1)
	if err := decodeAndValidate(t, noEmail); err == nil || !strings.Contains(err.Error(), "consent.double_opt_in") {
		t.Errorf("double opt-in without a required e-mail field: %v", err)
	}
}

// The kept copy of a pending submission is sealed with the person's key:
// the checkpoint's bytes hold nothing of them, and once they are forgotten
// (their key deleted) the link can no longer confirm anything: its page
// says the request no longer exists (on every click) and no record is
// written.
func TestDoubleOptInCopyIsSealedAndForgetEndsIt(t *testing.T) {
	h, box := newOptInHarness(t)
	kr, err := privacy.NewKeyring("forms-test-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	h.c.sealer = connectors.KeyringSealer(kr)
	// The record of the submission is sealed (by the pipeline) before the
	// copy is kept: its key exists by then.
	sk, err := kr.NewKey(kr.Subject("email:ola.kowalska@example.pl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Apply(sk.Key, sk.Value); err != nil {
		t.Fatal(err)
	}
	m := h.submitNewsletter(t, "Ola.Kowalska@Example.PL")
	raw, err := h.c.store.Load(context.Background(), h.c.optInKey(m.ID))
	if err != nil || raw == nil {
		t.Fatalf("the pending copy is not kept: %v", err)
	}
	if !privacy.IsSealed(raw) {
		t.Fatalf("the pending copy is kept in plain text: %.80q", raw)
	}
	for _, trace := range []string{"kowalska", "Ola", "newsletter", "203.0.113.9"} {
		if strings.Contains(strings.ToLower(string(raw)), strings.ToLower(trace)) {
			t.Fatalf("the sealed copy shows %q", trace)
		}
	}
	link := linkIn(t, box.messages()[0])
	path := strings.TrimPrefix(link, "https://forms.example.com")
	token := strings.TrimPrefix(path, "/f/newsletter/confirm?t=")
	if page := h.do(req{method: http.MethodGet, path: path}); page.Code != http.StatusOK {
		t.Fatalf("before the erasure the page answers %d:\n%s", page.Code, page.Body)
	}

	if err := kr.Apply(sk.Key, nil); err != nil { // forget: the key's tombstone
		t.Fatal(err)
	}
	for _, w := range []*httptestRecorder{
		h.do(req{method: http.MethodGet, path: path}),
		h.do(req{path: "/f/newsletter/confirm", contentType: mediaURLEncoded, body: url.Values{"t": {token}}.Encode()}),
	} {
		if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "no longer exists") {
			t.Fatalf("after the erasure: %d\n%s", w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "<button") {
			t.Fatal("the page still offers to confirm")
		}
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("the link of a forgotten person wrote %d records", n-1)
	}
	if h.counter(h.c.metrics.optIn, "newsletter", "erased") != 2 {
		t.Error("the erased submission is not counted")
	}
}

// A person forgotten between their record and the kept copy (no key any
// more) gets no kept copy: the submission is refused and may be retried.
func TestDoubleOptInKeepsNothingOfAPersonWithoutAKey(t *testing.T) {
	h, box := newOptInHarness(t)
	kr, err := privacy.NewKeyring("forms-test-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	h.c.sealer = connectors.KeyringSealer(kr)
	w := h.do(req{path: "/f/newsletter", contentType: mediaURLEncoded,
		body: url.Values{"email": {"jan@example.com"}, "consent": {"yes"}}.Encode()})
	wantProblem(t, w, http.StatusServiceUnavailable, "unavailable")
	if len(box.messages()) != 0 {
		t.Fatal("a link was mailed for a submission that was not kept")
	}
}
