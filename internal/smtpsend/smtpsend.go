// Package smtpsend delivers one prepared MIME message over SMTP (STARTTLS,
// implicit TLS or, on loopback only, plain), for the alerts' e-mail channel
// and the forms' double opt-in alike.
package smtpsend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
)

// Connection security.
const (
	STARTTLS = "starttls" // plain connection upgraded with STARTTLS (port 587)
	TLS      = "tls"      // TLS from the first byte (port 465)
	None     = "none"     // only for a relay on loopback
)

// Server is where and how to connect.
type Server struct {
	Host     string
	Port     int
	Security string
	Username string
	Password string
	// InsecureSkipVerify accepts any server certificate (test servers only).
	InsecureSkipVerify bool
}

// Error is a failed delivery; Permanent when the server's 5xx reply or the
// addresses say that retrying cannot help.
type Error struct {
	Err       error
	Permanent bool
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Send delivers msg from from to every address of to.
func Send(ctx context.Context, s Server, from string, to []string, msg []byte) error {
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tlsConfig := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in for test servers
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if s.Security == TLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &Error{Err: fmt.Errorf("connecting to SMTP server %s: %w", addr, err)}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return replyError("greeting", err)
	}
	defer c.Close()
	if err := c.Hello("earshot"); err != nil {
		return replyError("saying hello", err)
	}
	if s.Security == STARTTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &Error{Err: fmt.Errorf("SMTP server %s does not offer STARTTLS (security: starttls)", addr), Permanent: true}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return replyError("starting TLS", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return replyError("authenticating", err)
		}
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return &Error{Err: fmt.Errorf("reading from address: %w", err), Permanent: true}
	}
	if err := c.Mail(fromAddr.Address); err != nil {
		return replyError("sending MAIL FROM", err)
	}
	for _, rcpt := range to {
		a, err := mail.ParseAddress(rcpt)
		if err != nil {
			return &Error{Err: fmt.Errorf("reading recipient %q: %w", rcpt, err), Permanent: true}
		}
		if err := c.Rcpt(a.Address); err != nil {
			return replyError("sending RCPT TO "+a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyError("starting DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return replyError("writing message", err)
	}
	if err := w.Close(); err != nil {
		return replyError("ending DATA", err)
	}
	if err := c.Quit(); err != nil {
		return replyError("quitting", err)
	}
	return nil
}

// replyError classifies a server reply: 5xx is permanent, 4xx and network
// errors are worth retrying.
func replyError(step string, err error) error {
	e := &Error{Err: fmt.Errorf("%s: %w", step, err)}
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		e.Permanent = true
	}
	return e
}
