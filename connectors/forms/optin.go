package forms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/internal/smtpsend"
	"github.com/earshothq/earshot/record"
)

// Double opt-in. A submission to a form whose consent asks for it is
// written to Kafka at once, marked consent.opt_in "pending" and no_prospect
// (it is searchable; identity resolution hands no prospect to sales), kept
// in the checkpoint store under its record id, and a signed, expiring link
// is mailed to the address the person gave. Opening the link shows a page
// with one button (mail scanners that follow links confirm nothing); the
// button writes the same record again, confirmed, under the same id — the
// prospect is made then — and deletes the kept copy, so a link works once.
// The kept copy is sealed with the person's data key (connectors.Sealer):
// once the person is forgotten it cannot be read, and its link gets a page
// saying the request no longer exists; nothing is resurrected.

// OptInConfig is the `double_opt_in:` mapping.
type OptInConfig struct {
	// Secret signs the confirmation links (HMAC-SHA256); every instance
	// must share it. At least 32 characters, from ${ENV}.
	Secret string `yaml:"secret"`
	// LinkTTL is how long a confirmation link stays valid.
	LinkTTL time.Duration `yaml:"link_ttl"`
	// SendTimeout bounds mailing one confirmation.
	SendTimeout time.Duration `yaml:"send_timeout"`
	SMTP        SMTPConfig    `yaml:"smtp"`
}

// SMTPConfig is the server the confirmations are sent through.
type SMTPConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Security string `yaml:"security"` // starttls (default), tls, or none (loopback only)
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
	// InsecureSkipVerify accepts any server certificate (test servers only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

func (o OptInConfig) validate() error {
	var errs []error
	if len(o.Secret) < 32 {
		errs = append(errs, confx.Keyf("secret", "want at least 32 characters (it signs the confirmation links)"))
	}
	if o.LinkTTL < time.Minute {
		errs = append(errs, confx.Keyf("link_ttl", "want at least 1m, got %s", o.LinkTTL))
	}
	if o.SendTimeout <= 0 {
		errs = append(errs, confx.Keyf("send_timeout", "want a positive duration, got %s", o.SendTimeout))
	}
	s := o.SMTP
	if s.Host == "" {
		errs = append(errs, confx.Keyf("smtp.host", "required"))
	}
	if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, confx.Keyf("smtp.port", "want 1..65535, got %d", s.Port))
	}
	switch s.Security {
	case smtpsend.STARTTLS, smtpsend.TLS:
	case smtpsend.None:
		if ip := net.ParseIP(s.Host); s.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs = append(errs, confx.Keyf("smtp.security", "none is only allowed for a relay on loopback, not %q", s.Host))
		}
	default:
		errs = append(errs, confx.Keyf("smtp.security", "want starttls, tls or none, got %q", s.Security))
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		errs = append(errs, confx.Keyf("smtp.from", "%q is not an address: %v", s.From, err))
	}
	return errors.Join(errs...)
}

const defaultConfirmSubject = "Please confirm your submission"

const defaultConfirmText = "You (or someone using your address) sent us the form \"%s\" and agreed to:\n\n%s\n\n" +
	"Please confirm by opening the link below. If it was not you, ignore this e-mail: without your confirmation " +
	"nobody will contact you."

// optInEntry is what the checkpoint store keeps of a pending submission.
type optInEntry struct {
	Record  json.RawMessage `json:"record"`
	Expires time.Time       `json:"expires"`
}

func (c *Connector) optInKey(recordID string) string { return c.name + "/forms/opt-in/" + recordID }

// optInLink is a signed confirmation token: form, record id and expiry.
func (c *Connector) optInToken(form, recordID string, expires time.Time) string {
	payload := form + "\n" + recordID + "\n" + strconv.FormatInt(expires.Unix(), 10)
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return enc + "." + base64.RawURLEncoding.EncodeToString(c.optInMAC(enc))
}

func (c *Connector) optInMAC(payload string) []byte {
	m := hmac.New(sha256.New, []byte(c.cfg.OptIn.Secret))
	m.Write([]byte("earshot-forms-opt-in\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Outcomes of reading a confirmation token.
var (
	errLinkForged  = errors.New("the confirmation link is not valid")
	errLinkExpired = errors.New("the confirmation link has expired")
)

// readOptInToken checks the signature, the form and the expiry.
func (c *Connector) readOptInToken(form, token string, now time.Time) (recordID string, err error) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", errLinkForged
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, c.optInMAC(enc)) {
		return "", errLinkForged
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", errLinkForged
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != 3 || parts[0] != form || parts[1] == "" {
		return "", errLinkForged
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", errLinkForged
	}
	if !now.Before(time.Unix(exp, 0)) {
		return "", errLinkExpired
	}
	return parts[1], nil
}

// markPending marks a double opt-in submission and keeps a copy of it
// (before it is handed to the runner, which then owns it).
func (c *Connector) markPending(m *record.Mention) (json.RawMessage, error) {
	if m.Consent == nil {
		m.Consent = &record.Consent{}
	}
	m.Consent.OptIn = record.OptInPending
	m.Consent.NoProspect = true
	return json.Marshal(m)
}

// startOptIn keeps the pending submission and mails the link. An error
// means the person got no link: the submission must be retried.
func (c *Connector) startOptIn(ctx context.Context, r *http.Request, f *form, m json.RawMessage, recordID, identity, to string) error {
	now := c.now()
	expires := now.Add(c.cfg.OptIn.LinkTTL)
	entry, err := json.Marshal(optInEntry{Record: m, Expires: expires})
	if err != nil {
		return err
	}
	// Sealed with the key the submission's record was just sealed with.
	if entry, err = c.sealer.Seal(identity, entry); err != nil {
		return fmt.Errorf("sealing the pending submission: %w", err)
	}
	if err := c.store.Save(ctx, c.optInKey(recordID), entry); err != nil {
		return fmt.Errorf("keeping the pending submission: %w", err)
	}
	link := c.selfOrigin(r) + Prefix + f.cfg.ID + "/confirm?t=" + c.optInToken(f.cfg.ID, recordID, expires)
	msg, err := c.confirmationMail(f, to, recordID, link, now)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, c.cfg.OptIn.SendTimeout)
	defer cancel()
	s := c.cfg.OptIn.SMTP
	err = smtpsend.Send(sctx, smtpsend.Server{Host: s.Host, Port: s.Port, Security: s.Security, Username: s.Username,
		Password: s.Password, InsecureSkipVerify: s.InsecureSkipVerify}, s.From, []string{to}, msg)
	if err != nil {
		return fmt.Errorf("mailing the confirmation link: %w", err)
	}
	c.metrics.optIn.WithLabelValues(f.cfg.ID, "mailed").Inc()
	return nil
}

// confirmationMail is the plain-text confirmation message.
func (c *Connector) confirmationMail(f *form, to, recordID, link string, now time.Time) ([]byte, error) {
	addr, err := mail.ParseAddress(to)
	if err != nil {
		return nil, fmt.Errorf("reading the submitted address: %w", err)
	}
	cons := f.cfg.Consent
	subject := cons.ConfirmSubject
	if subject == "" {
		subject = defaultConfirmSubject
	}
	text := cons.ConfirmText
	if text == "" {
		text = fmt.Sprintf(defaultConfirmText, f.cfg.Title, cons.Text)
	}
	text += "\n\n" + link + "\n\n(" + fmt.Sprintf("valid until %s", now.Add(c.cfg.OptIn.LinkTTL).UTC().Format("2006-01-02 15:04 MST")) + ")\n"
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", c.cfg.OptIn.SMTP.From)
	h("To", addr.Address)
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<opt-in-"+recordID+"@earshot>")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// optInLocks serialises confirmations of one record, so two clicks at
// once cannot both confirm.
type optInLocks struct {
	mu   sync.Mutex
	busy map[string]bool
}

func (l *optInLocks) try(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy == nil {
		l.busy = map[string]bool{}
	}
	if l.busy[id] {
		return false
	}
	l.busy[id] = true
	return true
}

func (l *optInLocks) done(id string) {
	l.mu.Lock()
	delete(l.busy, id)
	l.mu.Unlock()
}

// confirmPage is what the confirmation pages show.
type confirmPage struct {
	Lang, Title, Heading, Message string
	Token                         string // set: show the confirm button
	Action                        string
}

// handleConfirmPage is GET /f/{form}/confirm: the link from the e-mail.
// It changes nothing; it shows the button, or why the link cannot work.
func (c *Connector) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	f, ok := c.optInForm(w, r)
	if !ok {
		return
	}
	token := r.URL.Query().Get("t")
	id, ok := c.checkLink(w, f, token)
	if !ok {
		return
	}
	if entry, ok := c.loadOptIn(w, r, f, id); !ok || entry == nil {
		return
	}
	c.renderConfirm(w, http.StatusOK, f, confirmPage{Heading: "Confirm your submission",
		Message: "Press the button to confirm that you sent the form and agree to: " + f.cfg.Consent.Text,
		Token:   token, Action: Prefix + f.cfg.ID + "/confirm"})
}

// handleConfirm is POST /f/{form}/confirm: the button. The token is the
// capability; the request carries no cookie, so there is nothing for a
// cross-site request to borrow.
func (c *Connector) handleConfirm(w http.ResponseWriter, r *http.Request) {
	f, ok := c.optInForm(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		c.confirmFailed(w, f, http.StatusBadRequest, "This request could not be read. Please open the link from the e-mail again.")
		return
	}
	id, ok := c.checkLink(w, f, r.PostForm.Get("t"))
	if !ok {
		return
	}
	if !c.confirming.try(id) {
		c.confirmFailed(w, f, http.StatusConflict, "This confirmation is being processed. Please wait a moment and reload.")
		return
	}
	defer c.confirming.done(id)
	entry, ok := c.loadOptIn(w, r, f, id)
	if !ok || entry == nil {
		return
	}
	var m record.Mention
	if err := json.Unmarshal(entry.Record, &m); err != nil || m.ID != id {
		c.log.Error("a kept opt-in submission does not decode", "form", f.cfg.ID, "record", id, "err", err)
		c.confirmFailed(w, f, http.StatusInternalServerError, "This submission cannot be confirmed. Please send the form again.")
		return
	}
	now := c.now().UTC()
	if m.Consent == nil {
		m.Consent = &record.Consent{}
	}
	m.Consent.OptIn, m.Consent.ConfirmedAt, m.Consent.NoProspect = record.OptInConfirmed, now, false
	if err := c.deliver(r.Context(), &m); err != nil {
		c.log.Warn("confirmed submission not delivered", "form", f.cfg.ID, "record", id, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(c.cfg.Timeouts.RetryAfter)))
		c.confirmFailed(w, f, http.StatusServiceUnavailable, "Your confirmation could not be saved right now. Please try again in a moment.")
		return
	}
	// The kept copy goes: the link cannot be used again, and the person's
	// data lives on only in the confirmed record.
	if err := c.store.Save(r.Context(), c.optInKey(id), nil); err != nil {
		c.log.Warn("deleting a confirmed opt-in submission", "form", f.cfg.ID, "record", id, "err", err)
	}
	c.metrics.optIn.WithLabelValues(f.cfg.ID, "confirmed").Inc()
	c.renderConfirm(w, http.StatusOK, f, confirmPage{Heading: "Thank you", Message: "Your submission is confirmed. " + f.cfg.ThankYou})
}

// optInForm finds the form of the path; only forms with double opt-in
// have confirmation pages.
func (c *Connector) optInForm(w http.ResponseWriter, r *http.Request) (*form, bool) {
	f, p := c.lookup(r)
	if p == nil && (f.cfg.Consent == nil || !f.cfg.Consent.DoubleOptIn) {
		p = errUnknownForm(r.PathValue("form"))
	}
	if p != nil {
		p.Instance = r.URL.Path
		writeJSONProblem(w, p)
		return nil, false
	}
	return f, true
}

// checkLink reads the token, answering the page that explains a bad one.
func (c *Connector) checkLink(w http.ResponseWriter, f *form, token string) (string, bool) {
	id, err := c.readOptInToken(f.cfg.ID, token, c.now())
	switch {
	case errors.Is(err, errLinkExpired):
		c.metrics.optIn.WithLabelValues(f.cfg.ID, "expired").Inc()
		c.confirmFailed(w, f, http.StatusGone, "This confirmation link has expired. Please send the form again; you will get a new link.")
		return "", false
	case err != nil:
		c.metrics.optIn.WithLabelValues(f.cfg.ID, "invalid").Inc()
		c.confirmFailed(w, f, http.StatusBadRequest, "This confirmation link is not valid. Please open the link exactly as it is in the e-mail.")
		return "", false
	}
	return id, true
}

// loadOptIn reads the kept submission; nil (page answered) when the link
// was used already.
func (c *Connector) loadOptIn(w http.ResponseWriter, r *http.Request, f *form, id string) (*optInEntry, bool) {
	raw, err := c.store.Load(r.Context(), c.optInKey(id))
	if err != nil {
		c.log.Warn("reading a pending opt-in", "form", f.cfg.ID, "record", id, "err", err)
		c.confirmFailed(w, f, http.StatusServiceUnavailable, "Your confirmation cannot be checked right now. Please try again in a moment.")
		return nil, false
	}
	if raw == nil {
		c.metrics.optIn.WithLabelValues(f.cfg.ID, "used").Inc()
		c.confirmFailed(w, f, http.StatusGone, "This confirmation link was already used: your submission is confirmed.")
		return nil, true
	}
	plain, err := c.sealer.Open(raw)
	if connectors.Erased(err) {
		// The person was forgotten: the submission must stay gone. The
		// unreadable copy stays where it is (it reveals nothing), so every
		// later click gets this page rather than "already used".
		c.metrics.optIn.WithLabelValues(f.cfg.ID, "erased").Inc()
		c.confirmFailed(w, f, http.StatusGone, "This request no longer exists: the data it held was erased at the sender's request. Nothing was confirmed. To be contacted, please send the form again.")
		return nil, true
	}
	if err != nil {
		c.log.Error("a kept opt-in submission cannot be opened", "form", f.cfg.ID, "record", id, "err", err)
		c.confirmFailed(w, f, http.StatusInternalServerError, "This submission cannot be confirmed. Please send the form again.")
		return nil, false
	}
	var e optInEntry
	if err := json.Unmarshal(plain, &e); err != nil {
		c.log.Error("a kept opt-in entry does not decode", "form", f.cfg.ID, "record", id, "err", err)
		c.confirmFailed(w, f, http.StatusInternalServerError, "This submission cannot be confirmed. Please send the form again.")
		return nil, false
	}
	return &e, true
}

func (c *Connector) confirmFailed(w http.ResponseWriter, f *form, status int, msg string) {
	c.renderConfirm(w, status, f, confirmPage{Heading: "Confirmation not possible", Message: msg})
}

func (c *Connector) renderConfirm(w http.ResponseWriter, status int, f *form, p confirmPage) {
	p.Lang, p.Title = f.cfg.Lang, f.cfg.Title
	var buf bytes.Buffer
	if err := confirmTemplate.Execute(&buf, p); err != nil {
		c.log.Error("rendering the confirmation page", "err", err)
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var confirmTemplate = template.Must(template.New("confirm").Parse(`<!doctype html>
<html{{if .Lang}} lang="{{.Lang}}"{{end}}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1.2rem}</style></head>
<body><h1>{{.Heading}}</h1><p>{{.Message}}</p>
{{- if .Token}}
<form method="post" action="{{.Action}}"><input type="hidden" name="t" value="{{.Token}}"><button type="submit">Confirm</button></form>
{{- end}}
</body>
</html>
`))
