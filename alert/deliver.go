package alert

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/earshothq/earshot/record"
)

// Senders builds one sender per configured channel.
func Senders(cfg Config) (map[string]Sender, error) {
	client := &http.Client{Timeout: cfg.Delivery.Timeout}
	out := map[string]Sender{}
	for name, ch := range cfg.Channels {
		switch ch.Type {
		case ChannelWebhook:
			w := &Webhook{URL: ch.URL, Headers: ch.Headers, Client: client}
			if ch.Secret != "" {
				key, err := decodeSecret(ch.Secret)
				if err != nil {
					return nil, fmt.Errorf("channel %s: secret: %w", name, err)
				}
				w.Secret = key
			}
			out[name] = w
		case ChannelSlack:
			out[name] = &Slack{URL: ch.URL, Client: client}
		case ChannelEmail:
			out[name] = &Email{SMTP: ch.SMTP}
		default:
			return nil, fmt.Errorf("channel %s: unknown type %q", name, ch.Type)
		}
	}
	return out, nil
}

// backoff is the wait before attempt number n+1 after n failed ones:
// exponential from the initial backoff, capped, with jitter (between half
// and all of it) so that retries of many deliveries do not arrive together.
func backoff(cfg DeliveryConfig, failed int, retryAfter time.Duration) time.Duration {
	d := cfg.InitialBackoff
	for i := 1; i < failed && d < cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, cfg.MaxBackoff)
	d = d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
	if retryAfter > d {
		d = min(retryAfter, 24*time.Hour)
	}
	return d
}

// attempt tries one delivery once and returns its next state.
func (s *Service) attempt(ctx context.Context, d *record.Delivery) *record.Delivery {
	next := *d
	next.Attempts = append([]record.DeliveryAttempt(nil), d.Attempts...)
	start := s.now()
	a := record.DeliveryAttempt{At: start.UTC()}
	if d.RetryRequestedBy != "" {
		a.By = "manual retry by " + d.RetryRequestedBy
		next.RetryRequestedBy = ""
	}
	var err error
	sender, ok := s.senders[d.Channel]
	if !ok {
		err = &SendError{Err: fmt.Errorf("channel %q is not configured any more", d.Channel), Permanent: true}
	} else {
		actx, cancel := context.WithTimeout(ctx, s.cfg.Delivery.Timeout)
		n := d.Notification
		err = sender.Send(actx, &n)
		cancel()
	}
	a.DurationMs = s.now().Sub(start).Milliseconds()
	now := s.now().UTC()
	next.UpdatedAt, next.NextAttempt = now, time.Time{}
	var se *SendError
	if err != nil {
		a.Error = err.Error()
		if errors.As(err, &se) {
			a.HTTPStatus = se.HTTPStatus
		}
	}
	next.Attempts = append(next.Attempts, a)
	auto := 0 // attempts since the last one a person asked for
	for i := len(next.Attempts) - 1; i >= 0 && next.Attempts[i].By == ""; i-- {
		auto++
	}
	switch {
	case err == nil:
		next.Status = record.DeliveryDelivered
	case a.By != "" || (se != nil && se.Permanent) || auto >= s.cfg.Delivery.MaxAttempts:
		next.Status = record.DeliveryFailed
	default:
		var retryAfter time.Duration
		if se != nil {
			retryAfter = se.RetryAfter
		}
		next.Status = record.DeliveryRetrying
		next.NextAttempt = now.Add(backoff(s.cfg.Delivery, auto, retryAfter))
	}
	s.metrics.deliveries.WithLabelValues(d.Channel, next.Status).Inc()
	return &next
}
