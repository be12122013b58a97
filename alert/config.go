package alert

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/smtpsend"
)

// Channel types.
const (
	ChannelWebhook = "webhook" // Standard Webhooks signed JSON POST
	ChannelSlack   = "slack"   // Slack-compatible incoming webhook, Block Kit
	ChannelEmail   = "email"   // SMTP, multipart/alternative
)

// SMTP connection security.
const (
	SecuritySTARTTLS = smtpsend.STARTTLS // plain connection upgraded with STARTTLS (port 587)
	SecurityTLS      = smtpsend.TLS      // TLS from the first byte (port 465)
	SecurityNone     = smtpsend.None     // only for a relay on loopback
)

// Config is the alerts section of earshot.yaml.
type Config struct {
	// Enabled runs rule evaluation and delivery in `earshot serve` / `run`.
	Enabled bool `yaml:"enabled"`
	// BaseURL is where links in notifications point (the web app's address).
	BaseURL string `yaml:"base_url"`
	// EvaluateEvery is how often due rules are evaluated.
	EvaluateEvery time.Duration `yaml:"evaluate_every"`
	// Lateness is how long after a window closes it is evaluated, so that
	// mentions still on their way through enrichment are counted; match
	// rules also look this far back for late mentions.
	Lateness time.Duration `yaml:"lateness"`
	// CatchUp bounds how far back missed windows are evaluated after downtime.
	CatchUp  time.Duration            `yaml:"catch_up"`
	Defaults RuleDefaults             `yaml:"defaults"`
	Channels map[string]ChannelConfig `yaml:"channels"`
	// Handoff names webhook channels every prospect is sent to (CRM hand-off).
	Handoff  []string       `yaml:"handoff"`
	Delivery DeliveryConfig `yaml:"delivery"`
	// Timezone is the default zone of quiet hours and digests.
	Timezone string `yaml:"timezone"`
}

// RuleDefaults fill what a rule leaves empty.
type RuleDefaults struct {
	Window        time.Duration `yaml:"window"`
	History       time.Duration `yaml:"history"`
	K             float64       `yaml:"k"`
	MinCount      int           `yaml:"min_count"`
	MinIncrease   float64       `yaml:"min_increase"`
	Cooldown      time.Duration `yaml:"cooldown"`
	MatchInterval time.Duration `yaml:"match_interval"`
	MinScore      float64       `yaml:"min_score"`
	DigestHour    int           `yaml:"digest_hour"`
	TopMentions   int           `yaml:"top_mentions"`
}

// ChannelConfig is one place notifications go.
type ChannelConfig struct {
	Type string `yaml:"type"`
	// URL of a webhook or Slack incoming webhook.
	URL string `yaml:"url"`
	// Secret signs webhook deliveries ("whsec_" + base64), from ${ENV}.
	Secret string     `yaml:"secret"`
	SMTP   SMTPConfig `yaml:"smtp"`
	// Headers are extra HTTP headers for webhooks (e.g. a CRM's API key from ${ENV}).
	Headers map[string]string `yaml:"headers"`
}

// SMTPConfig is an e-mail channel's server and envelope.
type SMTPConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Security string `yaml:"security"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
	// To are the default recipients when a rule names none.
	To []string `yaml:"to"`
	// InsecureSkipVerify accepts any server certificate (test servers only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// DeliveryConfig says how hard a delivery is tried.
type DeliveryConfig struct {
	// Attempts before a delivery is marked failed.
	MaxAttempts    int           `yaml:"max_attempts"`
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	// Timeout of one attempt.
	Timeout time.Duration `yaml:"timeout"`
	// Workers deliver in parallel, so one slow channel blocks no other.
	Workers int `yaml:"workers"`
}

// DefaultConfig is the alerts section with every default filled.
func DefaultConfig() Config {
	return Config{
		Enabled:       true,
		BaseURL:       "http://127.0.0.1:8080",
		EvaluateEvery: 30 * time.Second,
		Lateness:      2 * time.Minute,
		CatchUp:       24 * time.Hour,
		Defaults: RuleDefaults{
			Window:        time.Hour,
			History:       7 * 24 * time.Hour,
			K:             3,
			MinCount:      10,
			MinIncrease:   1.0,
			Cooldown:      6 * time.Hour,
			MatchInterval: 5 * time.Minute,
			MinScore:      0.7,
			DigestHour:    8,
			TopMentions:   5,
		},
		Delivery: DeliveryConfig{
			MaxAttempts:    8,
			InitialBackoff: 5 * time.Second,
			MaxBackoff:     30 * time.Minute,
			Timeout:        10 * time.Second,
			Workers:        4,
		},
		Timezone: "UTC",
		Channels: map[string]ChannelConfig{},
	}
}

// Validate checks the section and names every problem by its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("alerts.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("base_url", "want an http(s) URL, got %q", c.BaseURL)
		}
	}
	positive := map[string]time.Duration{
		"evaluate_every": c.EvaluateEvery, "defaults.window": c.Defaults.Window, "defaults.history": c.Defaults.History,
		"defaults.match_interval": c.Defaults.MatchInterval, "delivery.initial_backoff": c.Delivery.InitialBackoff,
		"delivery.max_backoff": c.Delivery.MaxBackoff, "delivery.timeout": c.Delivery.Timeout,
	}
	for _, key := range sortedKeys(positive) {
		if positive[key] <= 0 {
			bad(key, "must be positive, got %s", positive[key])
		}
	}
	if c.Lateness < 0 || c.CatchUp < 0 || c.Defaults.Cooldown < 0 {
		bad("lateness/catch_up/defaults.cooldown", "must not be negative")
	}
	if c.Defaults.History < 2*c.Defaults.Window {
		bad("defaults.history", "must hold at least two windows (%s), got %s", 2*c.Defaults.Window, c.Defaults.History)
	}
	if c.Defaults.K <= 0 {
		bad("defaults.k", "must be positive, got %v", c.Defaults.K)
	}
	if c.Defaults.MinCount < 0 || c.Defaults.MinIncrease < 0 {
		bad("defaults.min_count/min_increase", "must not be negative")
	}
	if c.Defaults.DigestHour < 0 || c.Defaults.DigestHour > 23 {
		bad("defaults.digest_hour", "want 0..23, got %d", c.Defaults.DigestHour)
	}
	if c.Defaults.TopMentions < 1 || c.Defaults.TopMentions > 50 {
		bad("defaults.top_mentions", "want 1..50, got %d", c.Defaults.TopMentions)
	}
	if c.Delivery.MaxAttempts < 1 {
		bad("delivery.max_attempts", "must be at least 1, got %d", c.Delivery.MaxAttempts)
	}
	if c.Delivery.Workers < 1 {
		bad("delivery.workers", "must be at least 1, got %d", c.Delivery.Workers)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		bad("timezone", "unknown time zone %q", c.Timezone)
	}
	for _, name := range sortedKeys(c.Channels) {
		if err := c.Channels[name].validate(); err != nil {
			bad("channels."+name, "%v", err)
		}
	}
	for _, name := range c.Handoff {
		ch, ok := c.Channels[name]
		switch {
		case !ok:
			bad("handoff", "unknown channel %q (configured: %s)", name, strings.Join(sortedKeys(c.Channels), ", "))
		case ch.Type != ChannelWebhook:
			bad("handoff", "channel %q is %s; CRM hand-off needs a webhook channel", name, ch.Type)
		}
	}
	return errors.Join(errs...)
}

func (ch ChannelConfig) validate() error {
	switch ch.Type {
	case ChannelWebhook, ChannelSlack:
		u, err := url.Parse(ch.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("url: want an http(s) URL, got %q", ch.URL)
		}
		if ch.Type == ChannelWebhook && ch.Secret != "" {
			if _, err := decodeSecret(ch.Secret); err != nil {
				return fmt.Errorf("secret: %w", err)
			}
		}
	case ChannelEmail:
		s := ch.SMTP
		if s.Host == "" {
			return errors.New("smtp.host: required")
		}
		if s.Port <= 0 || s.Port > 65535 {
			return fmt.Errorf("smtp.port: want 1..65535, got %d", s.Port)
		}
		switch s.Security {
		case SecuritySTARTTLS, SecurityTLS:
		case SecurityNone:
			if s.Username != "" {
				return errors.New("smtp.security: none would send the password in clear; use starttls or tls")
			}
		default:
			return fmt.Errorf("smtp.security: want starttls, tls or none, got %q", s.Security)
		}
		if _, err := mail.ParseAddress(s.From); err != nil {
			return fmt.Errorf("smtp.from: %q is not an address: %w", s.From, err)
		}
		for _, to := range s.To {
			if _, err := mail.ParseAddress(to); err != nil {
				return fmt.Errorf("smtp.to: %q is not an address: %w", to, err)
			}
		}
	default:
		return fmt.Errorf("type: want webhook, slack or email, got %q", ch.Type)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
