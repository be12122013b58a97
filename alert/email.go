package alert

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// Email sends notifications over SMTP as multipart/alternative: a plain-text
// part and an HTML part (multipart/related with the chart images, for
// digests).
type Email struct {
	SMTP SMTPConfig
	Now  func() time.Time
}

// Send delivers one message to the notification's recipients, or the
// channel's when the rule names none.
func (e *Email) Send(ctx context.Context, n *record.Notification) error {
	to := n.Recipients
	if len(to) == 0 {
		to = e.SMTP.To
	}
	if len(to) == 0 {
		return &SendError{Err: errors.New("sending e-mail: no recipients (set the rule's recipients or the channel's smtp.to)"), Permanent: true}
	}
	r, err := Render(n)
	if err != nil {
		return &SendError{Err: err, Permanent: true}
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	msg, err := BuildMessage(e.SMTP.From, to, n.ID, now(), r)
	if err != nil {
		return &SendError{Err: err, Permanent: true}
	}
	return e.deliver(ctx, to, msg)
}

func (e *Email) deliver(ctx context.Context, to []string, msg []byte) error {
	s := e.SMTP
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tlsConfig := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in for test servers
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if s.Security == SecurityTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &SendError{Err: fmt.Errorf("connecting to SMTP server %s: %w", addr, err)}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return smtpError("greeting", err)
	}
	defer c.Close()
	if err := c.Hello("earshot"); err != nil {
		return smtpError("saying hello", err)
	}
	if s.Security == SecuritySTARTTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &SendError{Err: fmt.Errorf("SMTP server %s does not offer STARTTLS (security: starttls)", addr), Permanent: true}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return smtpError("starting TLS", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return smtpError("authenticating", err)
		}
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return &SendError{Err: fmt.Errorf("reading from address: %w", err), Permanent: true}
	}
	if err := c.Mail(from.Address); err != nil {
		return smtpError("sending MAIL FROM", err)
	}
	for _, rcpt := range to {
		a, err := mail.ParseAddress(rcpt)
		if err != nil {
			return &SendError{Err: fmt.Errorf("reading recipient %q: %w", rcpt, err), Permanent: true}
		}
		if err := c.Rcpt(a.Address); err != nil {
			return smtpError("sending RCPT TO "+a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError("starting DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError("writing message", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("ending DATA", err)
	}
	if err := c.Quit(); err != nil {
		return smtpError("quitting", err)
	}
	return nil
}

// smtpError classifies a server reply: 5xx is permanent, 4xx and network
// errors are worth retrying.
func smtpError(step string, err error) error {
	e := &SendError{Err: fmt.Errorf("%s: %w", step, err)}
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		e.Permanent = true
	}
	return e
}

// BuildMessage assembles the MIME message. The Message-ID is derived from
// the notification id, so a retried delivery is recognisably the same mail.
func BuildMessage(from string, to []string, notificationID string, date time.Time, r *Rendered) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from)
	h("To", strings.Join(to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", r.Subject))
	h("Date", date.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+notificationID+"@earshot>")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	h("X-Earshot-Notification", notificationID)
	alt := multipart.NewWriter(&b)
	if err := alt.SetBoundary(boundary("alt")); err != nil {
		return nil, err
	}
	h("Content-Type", "multipart/alternative; boundary="+alt.Boundary())
	b.WriteString("\r\n")
	if err := writeQP(alt, "text/plain; charset=utf-8", r.Text); err != nil {
		return nil, err
	}
	if len(r.Images) == 0 {
		if err := writeQP(alt, "text/html; charset=utf-8", r.HTML); err != nil {
			return nil, err
		}
	} else {
		relBoundary := boundary("rel")
		part, err := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/related; boundary="` + relBoundary + `"; type="text/html"`}})
		if err != nil {
			return nil, err
		}
		if err := writeRelated(part, relBoundary, r); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeRelated writes the HTML and its images as multipart/related.
func writeRelated(part io.Writer, relBoundary string, r *Rendered) error {
	rel := multipart.NewWriter(part)
	if err := rel.SetBoundary(relBoundary); err != nil {
		return err
	}
	if err := writeQP(rel, "text/html; charset=utf-8", r.HTML); err != nil {
		return err
	}
	for _, img := range r.Images {
		w, err := rel.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"image/png"},
			"Content-Transfer-Encoding": {"base64"},
			"Content-ID":                {"<" + img.ContentID + ">"},
			"Content-Disposition":       {`inline; filename="` + img.Name + `"`},
		})
		if err != nil {
			return err
		}
		enc := b64(img.PNG)
		for len(enc) > 76 {
			if _, err := w.Write([]byte(enc[:76] + "\r\n")); err != nil {
				return err
			}
			enc = enc[76:]
		}
		if _, err := w.Write([]byte(enc + "\r\n")); err != nil {
			return err
		}
	}
	return rel.Close()
}

func writeQP(mw *multipart.Writer, contentType, body string) error {
	w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {contentType}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// boundary is a random MIME boundary (the multipart package's default is
// random too; a named prefix helps reading raw mail).
func boundary(kind string) string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return "earshot-" + kind + "-" + hex.EncodeToString(r[:])
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
