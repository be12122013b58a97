package alert

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/earshothq/earshot/record"
)

// SendTest's answers for a channel the configuration does not name, for
// a recipient that is not an e-mail address (a RecipientError) and for
// more recipients than a test takes.
var (
	ErrUnknownChannel    = errors.New("no such channel")
	ErrBadRecipient      = errors.New("not an e-mail address")
	ErrTooManyRecipients = fmt.Errorf("a test goes to at most %d addresses", MaxTestRecipients)
)

// MaxTestRecipients is how many addresses one channel test may name: a
// test checks a channel, it is not a way to send mail.
const MaxTestRecipients = 5

// RecipientError names a recipient that is not an e-mail address.
type RecipientError struct{ Addr string }

func (e *RecipientError) Error() string { return fmt.Sprintf("%q is %s", e.Addr, ErrBadRecipient) }
func (e *RecipientError) Unwrap() error { return ErrBadRecipient }

// SendTest sends a test notification through one of cfg's channels at
// once, outside the delivery log, so whoever sets up alerts sees whether
// the webhook, Slack or mail server takes it: nil, or the error the
// channel gave. by says who asked; to names e-mail recipients (none: the
// channel's smtp.to). Receivers see the kind "test" (webhook type
// "alert.test").
func SendTest(ctx context.Context, cfg Config, channel, by string, to []string) error {
	ch, ok := cfg.Channels[channel]
	if !ok {
		return fmt.Errorf("%w %q in alerts.channels", ErrUnknownChannel, channel)
	}
	if err := checkRecipients(to); err != nil {
		return err
	}
	senders, err := Senders(Config{Delivery: cfg.Delivery, Channels: map[string]ChannelConfig{channel: ch}})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	n := &record.Notification{
		Schema: record.SchemaVersion, ID: record.NotificationID("test", now.Format(time.RFC3339Nano)),
		RuleID: "test", RuleName: "channel test", Kind: record.NotifyTest, Title: "Earshot test notification",
		Reason: fmt.Sprintf("Sent by %s to check the channel %q. Nothing needs doing.", by, channel),
		Link:   cfg.RulesLink(""), Channels: []string{channel}, Recipients: to, CreatedAt: now,
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.Delivery.Timeout)
	defer cancel()
	return senders[channel].Send(sctx, n)
}

// checkRecipients keeps to's addresses alone (nothing else may reach the
// message's headers): at most MaxTestRecipients, each an address.
func checkRecipients(to []string) error {
	if len(to) > MaxTestRecipients {
		return ErrTooManyRecipients
	}
	for i, addr := range to {
		a, err := mail.ParseAddress(addr)
		if err != nil {
			return &RecipientError{Addr: addr}
		}
		to[i] = a.Address
	}
	return nil
}

// SendTest sends a test notification through one of the store's
// configured channels (the package's SendTest), a few per channel at a
// time (TestsTooSoon otherwise): whoever may test may not flood a Slack
// channel or a mailbox with them.
func (s *Store) SendTest(ctx context.Context, channel, by string, to []string) error {
	if _, ok := s.cfg.Channels[channel]; !ok {
		return fmt.Errorf("%w %q in alerts.channels", ErrUnknownChannel, channel)
	}
	if err := checkRecipients(to); err != nil {
		return err // not sent, not counted
	}
	if wait := s.tests.take(channel, s.now()); wait > 0 {
		return &TestsTooSoon{Channel: channel, Wait: wait}
	}
	return SendTest(ctx, s.cfg, channel, by, to)
}

// The tests a channel takes: testsPerMinute in any minute and
// testsPerHour in any hour, sent or failed (either reached the receiver).
const (
	testsPerMinute = 3
	testsPerHour   = 20
)

// TestsTooSoon is a channel test refused because the channel was tested
// often just now; Wait is how long until it takes the next one.
type TestsTooSoon struct {
	Channel string
	Wait    time.Duration
}

func (e *TestsTooSoon) Error() string {
	return fmt.Sprintf("the channel %q was tested often just now; try again in %s", e.Channel, e.Wait.Round(time.Second))
}

// testLimiter keeps the times of each channel's tests in the last hour.
type testLimiter struct {
	mu   sync.Mutex
	sent map[string][]time.Time
}

// take counts a test through channel at now and returns 0, or how long
// until the channel takes one (nothing counted then).
func (l *testLimiter) take(channel string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.sent[channel]
	for len(recent) > 0 && now.Sub(recent[0]) >= time.Hour {
		recent = recent[1:]
	}
	var wait time.Duration
	if n := len(recent); n >= testsPerHour {
		wait = recent[n-testsPerHour].Add(time.Hour).Sub(now)
	}
	if n := len(recent); n >= testsPerMinute {
		wait = max(wait, recent[n-testsPerMinute].Add(time.Minute).Sub(now))
	}
	if wait > 0 {
		l.sent[channel] = recent
		return wait
	}
	if l.sent == nil {
		l.sent = map[string][]time.Time{}
	}
	l.sent[channel] = append(recent, now)
	return 0
}
