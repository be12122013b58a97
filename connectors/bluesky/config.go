package bluesky

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/connectors/internal/keyword"
	"github.com/earshothq/earshot/internal/confx"
)

// DefaultUserAgent identifies Earshot to Jetstream and the AppView.
const DefaultUserAgent = "EarshotBot/1.0 (+https://github.com/earshothq/earshot)"

// Config is the `config:` mapping of a bluesky connector.
type Config struct {
	// Jetstream is the subscribe endpoint (ws:// or wss://).
	Jetstream string `yaml:"jetstream"`
	// AppView answers profile and handle look-ups (public, no login).
	AppView string `yaml:"appview"`
	// Keywords are matched client-side in post text, like the Mastodon
	// connector's (case, accents, inflection, scripts without spaces).
	Keywords []keyword.Keyword `yaml:"keywords"`
	// Hashtags (without '#') matched in the post's tag facets and text.
	Hashtags []string `yaml:"hashtags"`
	// Mentions are the brand's handles or DIDs: posts mentioning them.
	Mentions []string `yaml:"mentions"`
	// Accounts are handles or DIDs whose every post is collected.
	Accounts []string `yaml:"accounts"`
	// RespectOptOuts skips authors who opted out of being read by
	// logged-out clients or bots (see OptOutLabels and OptOutTags).
	RespectOptOuts bool `yaml:"respect_opt_outs"`
	// OptOutLabels are profile labels that mean "do not read me".
	OptOutLabels []string `yaml:"opt_out_labels"`
	// OptOutTags are words in a profile description that mean the same.
	OptOutTags []string `yaml:"opt_out_tags"`
	// Prospects lets the authors become sales prospects (off by default:
	// people who posted in public did not ask to be contacted).
	Prospects bool `yaml:"prospects"`
	// Deletions removes a collected post downstream (topics' state and
	// the index) when its author deletes it.
	Deletions bool `yaml:"deletions"`
	// Backfill searches past posts once, when set.
	Backfill *Backfill `yaml:"backfill"`

	UserAgent      string        `yaml:"user_agent"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// IdleTimeout reconnects a stream that sent nothing for this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// ResumeOverlap rewinds the cursor on every (re)connect, since one
	// commit's events share a time_us; replayed events are recognised.
	ResumeOverlap time.Duration `yaml:"resume_overlap"`
	BackoffMin    time.Duration `yaml:"backoff_min"`
	BackoffMax    time.Duration `yaml:"backoff_max"`
	MaxEventBytes int           `yaml:"max_event_bytes"`
	// ProfileCache and ProfileTTL bound the profiles kept for handles and
	// opt-outs.
	ProfileCache int           `yaml:"profile_cache"`
	ProfileTTL   time.Duration `yaml:"profile_ttl"`
	// Remember is how many delivered posts are remembered against
	// duplicates across reconnects and restarts.
	Remember           int           `yaml:"remember"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// Backfill is an authenticated searchPosts run over a date range.
type Backfill struct {
	// Service is the PDS that signs the account in and proxies the search.
	Service    string `yaml:"service"`
	Identifier string `yaml:"identifier"`
	// AppPassword is an app password (Settings → App passwords), from ${ENV}.
	AppPassword string `yaml:"app_password"`
	// Queries default to the keywords, #hashtags and mentions:handle.
	Queries  []string  `yaml:"queries"`
	Since    time.Time `yaml:"since"`
	Until    time.Time `yaml:"until"`
	PageSize int       `yaml:"page_size"`
}

// DefaultConfig returns every default, watching nothing.
func DefaultConfig() Config {
	return Config{
		Jetstream:          "wss://jetstream2.us-east.bsky.network/subscribe",
		AppView:            "https://public.api.bsky.app",
		RespectOptOuts:     true,
		Deletions:          true,
		OptOutLabels:       []string{"!no-unauthenticated"},
		OptOutTags:         []string{"#nobot", "#noindex"},
		UserAgent:          DefaultUserAgent,
		RequestTimeout:     15 * time.Second,
		IdleTimeout:        60 * time.Second,
		ResumeOverlap:      2 * time.Second,
		BackoffMin:         time.Second,
		BackoffMax:         2 * time.Minute,
		MaxEventBytes:      1 << 20,
		ProfileCache:       20000,
		ProfileTTL:         time.Hour,
		Remember:           8192,
		CheckpointInterval: 2 * time.Second,
	}
}

func (c *Config) fill() {
	for i, h := range c.Hashtags {
		c.Hashtags[i] = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "#"))
	}
	for i, a := range c.Mentions {
		c.Mentions[i] = strings.TrimPrefix(strings.TrimSpace(a), "@")
	}
	for i, a := range c.Accounts {
		c.Accounts[i] = strings.TrimPrefix(strings.TrimSpace(a), "@")
	}
	if b := c.Backfill; b != nil {
		if b.Service == "" {
			b.Service = "https://bsky.social"
		}
		if b.PageSize == 0 {
			b.PageSize = 100
		}
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.Jetstream); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		errs = append(errs, confx.Keyf("jetstream", "%q is not a ws:// or wss:// address", c.Jetstream))
	}
	if !httpURL(c.AppView) {
		errs = append(errs, confx.Keyf("appview", "%q is not an http(s) address", c.AppView))
	}
	if len(c.Keywords) == 0 && len(c.Hashtags) == 0 && len(c.Mentions) == 0 && len(c.Accounts) == 0 {
		errs = append(errs, errors.New("nothing to watch (set keywords, hashtags, mentions or accounts)"))
	}
	for i, k := range c.Keywords {
		if strings.TrimSpace(k.Text) == "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("keywords[%d]", i), "empty keyword"))
		}
	}
	for i, h := range c.Hashtags {
		if h == "" || strings.ContainsAny(h, " \t#") {
			errs = append(errs, confx.Keyf(fmt.Sprintf("hashtags[%d]", i), "%q is not a hashtag", h))
		}
	}
	for key, list := range map[string][]string{"mentions": c.Mentions, "accounts": c.Accounts} {
		for i, a := range list {
			if !validActor(a) {
				errs = append(errs, confx.Keyf(fmt.Sprintf("%s[%d]", key, i), "%q is not a handle (name.bsky.social) or a DID (did:plc:...)", a))
			}
		}
	}
	if c.UserAgent == "" {
		errs = append(errs, confx.Keyf("user_agent", "must not be empty"))
	}
	for name, d := range map[string]time.Duration{"request_timeout": c.RequestTimeout, "idle_timeout": c.IdleTimeout,
		"backoff_min": c.BackoffMin, "backoff_max": c.BackoffMax, "profile_ttl": c.ProfileTTL, "checkpoint_interval": c.CheckpointInterval} {
		if d <= 0 {
			errs = append(errs, confx.Keyf(name, "%v must be positive", d))
		}
	}
	if c.ResumeOverlap < 0 {
		errs = append(errs, confx.Keyf("resume_overlap", "%v must not be negative", c.ResumeOverlap))
	}
	if c.BackoffMax < c.BackoffMin {
		errs = append(errs, confx.Keyf("backoff_max", "%v is below backoff_min %v", c.BackoffMax, c.BackoffMin))
	}
	if c.MaxEventBytes < 4096 {
		errs = append(errs, confx.Keyf("max_event_bytes", "%d is below 4096", c.MaxEventBytes))
	}
	if c.ProfileCache < 1 || c.Remember < 1 {
		errs = append(errs, errors.New("profile_cache and remember must be at least 1"))
	}
	if b := c.Backfill; b != nil {
		errs = append(errs, confx.Prefix("backfill", b.validate()))
	}
	return errors.Join(errs...)
}

func (b *Backfill) validate() error {
	var errs []error
	if !httpURL(b.Service) {
		errs = append(errs, confx.Keyf("service", "%q is not an http(s) address", b.Service))
	}
	if b.Identifier == "" {
		errs = append(errs, confx.Keyf("identifier", "required: the account's handle or e-mail"))
	}
	if b.AppPassword == "" {
		errs = append(errs, confx.Keyf("app_password", "required (an app password, from ${ENV})"))
	}
	if b.Since.IsZero() {
		errs = append(errs, confx.Keyf("since", "required: the start of the range (RFC 3339)"))
	}
	if !b.Until.IsZero() && !b.Until.After(b.Since) {
		errs = append(errs, confx.Keyf("until", "%s is not after since", b.Until.Format(time.RFC3339)))
	}
	if b.PageSize < 1 || b.PageSize > 100 {
		errs = append(errs, confx.Keyf("page_size", "%d is not between 1 and 100", b.PageSize))
	}
	for i, q := range b.Queries {
		if strings.TrimSpace(q) == "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("queries[%d]", i), "empty query"))
		}
	}
	return errors.Join(errs...)
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validActor accepts a DID or a handle (a domain name).
func validActor(a string) bool {
	if strings.HasPrefix(a, "did:") {
		return strings.Count(a, ":") >= 2 && !strings.ContainsAny(a, " /?#")
	}
	return strings.Contains(a, ".") && !strings.ContainsAny(a, " /?#@:")
}
