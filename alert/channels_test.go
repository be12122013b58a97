package alert

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/earshothq/earshot/record"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func sampleNotification() *record.Notification {
	at := time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC)
	return &record.Notification{
		Schema: 1, ID: record.NotificationID("r1", "spike:2026-03-09T10:00:00Z"), RuleID: "r1", RuleName: "Acme <spikes>",
		Kind: record.RuleSpike, Title: "Spike in “Acme”: 160 mentions in an hour (normally 20)",
		Reason: "Volume Mar 9 10:00–11:00 UTC: 160.0 is 31.3σ above the baseline 20.0 (σ 4.5, threshold 33.4 over 168 windows).",
		Link:   "http://127.0.0.1:8080/dashboard?search=s1&from=2026-03-02&to=2026-03-09",
		Spike: &record.SpikeEvidence{Metric: record.MetricVolume, WindowStart: at.Add(-time.Hour), WindowEnd: at,
			Observed: 160, Baseline: 20, Sigma: 4.5, Threshold: 33.4, K: 3, Count: 160, Windows: 168},
		MentionCount: 160,
		Mentions: []record.NotifiedMention{
			{ID: "m1", Source: "mastodon", Author: "eve <script>alert(1)</script>", Text: "Acme <b>broke</b> & nobody answers <@U123|here>",
				URL: "https://social.example/@eve/1", Sentiment: "negative", CreatedAt: at.Add(-30 * time.Minute)},
			{ID: "m2", Source: "web", Author: "Zofia", Text: "Zamówienie z Acme dotarło po trzech tygodniach.", Sentiment: "negative", CreatedAt: at.Add(-20 * time.Minute)},
		},
		Channels: []string{"hook"}, CreatedAt: at,
	}
}

// verifyStandardWebhook is an independent implementation of the Standard
// Webhooks verification (standardwebhooks.com, spec "Verifying webhooks"):
// strip "whsec_", base64-decode the key, HMAC-SHA256 over
// "{id}.{timestamp}.{payload}", compare against each space-separated
// "v1,<base64>" entry in constant time, reject timestamps outside ±5 min.
func verifyStandardWebhook(secret string, header http.Header, payload []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts, sigs := header.Get("Webhook-Id"), header.Get("Webhook-Timestamp"), header.Get("Webhook-Signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	toSign := []byte(id + "." + ts + "." + string(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write(toSign)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64sig)
		if err == nil && subtle.ConstantTimeCompare(got, want) == 1 {
			return nil
		}
	}
	return errors.New("no matching signature")
}

func TestWebhookSignatureVerifiesIndependently(t *testing.T) {
	var got struct {
		header http.Header
		body   []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.header = r.Header.Clone()
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	key, err := decodeSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	w := &Webhook{URL: srv.URL, Secret: key, Client: srv.Client()}
	n := sampleNotification()
	if err := w.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if err := verifyStandardWebhook(testSecret, got.header, got.body, time.Now()); err != nil {
		t.Fatalf("independent verification failed: %v", err)
	}
	if got.header.Get("Webhook-Id") != n.ID {
		t.Errorf("webhook-id %q, want the notification id %q", got.header.Get("Webhook-Id"), n.ID)
	}
	// A tampered body or another secret must not verify.
	if err := verifyStandardWebhook(testSecret, got.header, append(got.body, ' '), time.Now()); err == nil {
		t.Error("tampered body verified")
	}
	if err := verifyStandardWebhook("whsec_"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)), got.header, got.body, time.Now()); err == nil {
		t.Error("another secret verified")
	}
	var ev struct {
		Type string              `json:"type"`
		Data record.Notification `json:"data"`
	}
	if err := json.Unmarshal(got.body, &ev); err != nil || ev.Type != "alert.spike" || ev.Data.Spike.Baseline != 20 {
		t.Errorf("body: %v %+v", err, ev)
	}
	// The published test vector of the convention.
	vkey, _ := decodeSecret(testSecret)
	sig := Sign(vkey, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if sig != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("test vector: got %s", sig)
	}
}

func TestSecretMustBeWhsec(t *testing.T) {
	for _, s := range []string{"plain", "whsec_!!!", "whsec_" + base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := decodeSecret(s); err == nil {
			t.Errorf("accepted secret %q", s)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := parseRetryAfter("120", now); d != 2*time.Minute {
		t.Errorf("seconds: %s", d)
	}
	if d := parseRetryAfter(now.Add(time.Hour).Format(http.TimeFormat), now); d != time.Hour {
		t.Errorf("date: %s", d)
	}
	if d := parseRetryAfter("soon", now); d != 0 {
		t.Errorf("garbage: %s", d)
	}
	cfg := DefaultConfig().Delivery
	for failed := 1; failed < 20; failed++ {
		d := backoff(cfg, failed, 0)
		if d < cfg.InitialBackoff/2 || d > cfg.MaxBackoff {
			t.Errorf("backoff after %d failures: %s outside [%s, %s]", failed, d, cfg.InitialBackoff/2, cfg.MaxBackoff)
		}
	}
	if d := backoff(cfg, 1, time.Hour); d != time.Hour {
		t.Errorf("Retry-After of an hour not honoured: %s", d)
	}
}

// validateBlockKit checks a message against the Block Kit reference
// (api.slack.com/reference/block-kit): known block types, text objects,
// length limits, at most 50 blocks, button URLs and ids.
func validateBlockKit(t *testing.T, raw []byte) {
	t.Helper()
	var msg map[string]any
	if err := json.Unmarshal(raw, &msg); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	blocks, ok := msg["blocks"].([]any)
	if !ok || len(blocks) == 0 || len(blocks) > 50 {
		t.Fatalf("blocks: want 1..50, got %v", msg["blocks"])
	}
	if s, _ := msg["text"].(string); s == "" {
		t.Error("no top-level text fallback")
	}
	textObj := func(where string, v any, types []string, maxLen int) {
		o, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: not a text object: %v", where, v)
			return
		}
		typ, _ := o["type"].(string)
		found := false
		for _, want := range types {
			found = found || typ == want
		}
		if !found {
			t.Errorf("%s: text type %q not in %v", where, typ, types)
		}
		s, _ := o["text"].(string)
		if n := utf8.RuneCountInString(s); n == 0 || n > maxLen {
			t.Errorf("%s: text length %d not in 1..%d", where, n, maxLen)
		}
		for k := range o {
			if k != "type" && k != "text" && k != "emoji" && k != "verbatim" {
				t.Errorf("%s: unknown text field %q", where, k)
			}
		}
	}
	for i, b := range blocks {
		blk := b.(map[string]any)
		where := fmt.Sprintf("block %d (%v)", i, blk["type"])
		switch blk["type"] {
		case "header":
			textObj(where, blk["text"], []string{"plain_text"}, 150)
		case "section":
			if blk["text"] == nil && blk["fields"] == nil {
				t.Errorf("%s: section needs text or fields", where)
			}
			if blk["text"] != nil {
				textObj(where, blk["text"], []string{"mrkdwn", "plain_text"}, 3000)
			}
			if fs, ok := blk["fields"].([]any); ok {
				if len(fs) > 10 {
					t.Errorf("%s: %d fields (max 10)", where, len(fs))
				}
				for _, f := range fs {
					textObj(where+" field", f, []string{"mrkdwn", "plain_text"}, 2000)
				}
			}
		case "divider":
		case "context":
			els, _ := blk["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				t.Errorf("%s: %d elements (want 1..10)", where, len(els))
			}
			for _, e := range els {
				textObj(where, e, []string{"mrkdwn", "plain_text"}, 3000)
			}
		case "actions":
			els, _ := blk["elements"].([]any)
			if len(els) == 0 || len(els) > 25 {
				t.Errorf("%s: %d elements (want 1..25)", where, len(els))
			}
			for _, e := range els {
				btn := e.(map[string]any)
				if btn["type"] != "button" {
					t.Errorf("%s: element type %v", where, btn["type"])
				}
				textObj(where+" button", btn["text"], []string{"plain_text"}, 75)
				u, _ := btn["url"].(string)
				if !strings.HasPrefix(u, "http") || len(u) > 3000 {
					t.Errorf("%s: button url %q", where, u)
				}
				if id, _ := btn["action_id"].(string); id == "" || len(id) > 255 {
					t.Errorf("%s: action_id %q", where, id)
				}
				if st, ok := btn["style"]; ok && st != "primary" && st != "danger" {
					t.Errorf("%s: style %v", where, st)
				}
			}
		default:
			t.Errorf("%s: unknown block type", where)
		}
	}
}

func TestSlackPayloadIsValidBlockKit(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	n := sampleNotification()
	n.Title = strings.Repeat("Very long title ", 20)
	n.Mentions[1].Text = strings.Repeat("long text ", 500)
	s := &Slack{URL: srv.URL, Client: srv.Client()}
	if err := s.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	validateBlockKit(t, body)
	if !bytes.Contains(body, []byte(`"url":"http://127.0.0.1:8080/dashboard?search=s1`)) {
		t.Error("no link back to Earshot")
	}
	// Mention text is escaped: it cannot ping people or forge links.
	var decoded SlackPayload
	_ = json.Unmarshal(body, &decoded)
	var texts []string
	for _, b := range decoded.Blocks {
		if b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
	}
	joined := strings.Join(texts, "\n")
	if strings.Contains(joined, "<@U123") || !strings.Contains(joined, "&lt;@U123") {
		t.Error("mention text not escaped for mrkdwn")
	}
	// Prospect and digest messages are valid too.
	p := sampleNotification()
	p.Kind, p.Spike, p.Mentions = record.RuleProspect, nil, nil
	p.Prospect = &record.NotifiedProspect{ID: "p1", Name: "Ana", Score: 0.91, Company: "Loja", Emails: []string{"ana@example.com"},
		Evidence: []record.ProspectEvidence{{Source: "forms", Kind: "form", Text: "Quero um orçamento", Intents: []record.Intent{{Name: "purchase"}}}}}
	b, _ := json.Marshal(SlackMessage(p))
	validateBlockKit(t, b)
	b, _ = json.Marshal(SlackMessage(digestNotification(t)))
	validateBlockKit(t, b)
}

func TestFailingSlackIsClassified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
	}))
	defer srv.Close()
	err := (&Slack{URL: srv.URL + "/services/T000/B000/SECRETPATH", Client: srv.Client()}).Send(context.Background(), sampleNotification())
	var se *SendError
	if !errors.As(err, &se) || !se.Permanent || se.HTTPStatus != 400 {
		t.Fatalf("want a permanent 400, got %v", err)
	}
	if strings.Contains(err.Error(), "SECRETPATH") {
		t.Errorf("error leaks the webhook path: %v", err)
	}
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

type mailbox struct {
	mu       sync.Mutex
	messages []received
}

type received struct {
	from    string
	to      []string
	data    []byte
	authed  bool
	tlsUsed bool
}

type smtpSession struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "earshot" || pass != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.cur.authed = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.cur.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	_, s.cur.tlsUsed = s.conn.TLSConnectionState()
	s.box.mu.Lock()
	s.box.messages = append(s.box.messages, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.cur = received{authed: s.cur.authed} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP serves SMTP on loopback with STARTTLS (or implicit TLS) and
// PLAIN auth.
func startSMTP(t *testing.T, implicitTLS bool) (*mailbox, int) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{box: box, conn: c}, nil
	}))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{testCert(t)}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var l net.Listener
	var err error
	if implicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port
}

func TestEmailOverRealSMTPServer(t *testing.T) {
	for _, security := range []string{SecuritySTARTTLS, SecurityTLS} {
		t.Run(security, func(t *testing.T) {
			box, port := startSMTP(t, security == SecurityTLS)
			e := &Email{SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: security, Username: "earshot", Password: "s3cret",
				From: "Earshot <alerts@earshot.test>", To: []string{"marketing@example.com"}, InsecureSkipVerify: true}}
			n := sampleNotification()
			if err := e.Send(context.Background(), n); err != nil {
				t.Fatal(err)
			}
			box.mu.Lock()
			defer box.mu.Unlock()
			if len(box.messages) != 1 {
				t.Fatalf("want 1 message, got %d", len(box.messages))
			}
			m := box.messages[0]
			if !m.tlsUsed || !m.authed || m.from != "alerts@earshot.test" || len(m.to) != 1 || m.to[0] != "marketing@example.com" {
				t.Fatalf("envelope: tls=%v auth=%v from=%q to=%v", m.tlsUsed, m.authed, m.from, m.to)
			}
			text, html := checkMessage(t, m.data, n)
			if !strings.Contains(text, "Baseline:  20.0") || !strings.Contains(text, n.Link) {
				t.Errorf("text part lacks the numbers or the link:\n%s", text)
			}
			if !strings.Contains(html, `href="http://127.0.0.1:8080/dashboard?search=s1&amp;from=2026-03-02&amp;to=2026-03-09"`) {
				t.Errorf("HTML part lacks the link")
			}
			if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
				t.Errorf("HTML part does not escape mention text")
			}
		})
	}
}

func TestEmailRefusesWrongPassword(t *testing.T) {
	_, port := startSMTP(t, false)
	e := &Email{SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecuritySTARTTLS, Username: "earshot", Password: "wrong",
		From: "alerts@earshot.test", To: []string{"m@example.com"}, InsecureSkipVerify: true}}
	err := e.Send(context.Background(), sampleNotification())
	if err == nil || !strings.Contains(err.Error(), "authenticating") {
		t.Fatalf("want an authentication error, got %v", err)
	}
}

// checkMessage parses a raw message, checks its headers and returns its
// plain-text and HTML parts.
func checkMessage(t *testing.T, raw []byte, n *record.Notification) (text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "[Earshot] "+n.Title {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if h.Get("Message-Id") != "<"+n.ID+"@earshot>" || h.Get("Auto-Submitted") != "auto-generated" || h.Get("Date") == "" ||
		h.Get("From") != "Earshot <alerts@earshot.test>" && h.Get("From") != "alerts@earshot.test" {
		t.Errorf("headers: %v", h)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v)", h.Get("Content-Type"), err)
	}
	var parts []string
	var walk func(r io.Reader, boundary string)
	walk = func(r io.Reader, boundary string) {
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if strings.HasPrefix(pt, "multipart/") {
				walk(p, pp["boundary"])
				continue
			}
			b, _ := io.ReadAll(p) // quoted-printable is decoded by multipart
			parts = append(parts, pt)
			switch pt {
			case "text/plain":
				text = string(b)
			case "text/html":
				html = string(b)
			}
		}
	}
	walk(msg.Body, params["boundary"])
	if text == "" || html == "" || parts[0] != "text/plain" {
		t.Fatalf("want text/plain then text/html, got %v", parts)
	}
	return text, html
}
