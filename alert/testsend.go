package alert

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/earshothq/earshot/record"
)

// SendTest's answers for a channel the configuration does not name and
// for a recipient that is not an e-mail address.
var (
	ErrUnknownChannel = errors.New("no such channel")
	ErrBadRecipient   = errors.New("not an e-mail address")
)

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
	for i, addr := range to {
		a, err := mail.ParseAddress(addr)
		if err != nil {
			return fmt.Errorf("%q is %w", addr, ErrBadRecipient)
		}
		to[i] = a.Address // the address alone: nothing else reaches the message's headers
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

// SendTest sends a test notification through one of the store's
// configured channels (the package's SendTest).
func (s *Store) SendTest(ctx context.Context, channel, by string, to []string) error {
	return SendTest(ctx, s.cfg, channel, by, to)
}
