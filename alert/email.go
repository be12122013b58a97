package alert

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/smtpsend"
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
	err := smtpsend.Send(ctx, smtpsend.Server{Host: s.Host, Port: s.Port, Security: s.Security,
		Username: s.Username, Password: s.Password, InsecureSkipVerify: s.InsecureSkipVerify}, s.From, to, msg)
	var se *smtpsend.Error
	if errors.As(err, &se) {
		return &SendError{Err: se.Err, Permanent: se.Permanent}
	}
	return err
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
