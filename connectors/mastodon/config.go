package mastodon

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/connectors/internal/keyword"
	"github.com/earshothq/earshot/internal/confx"
)

// DefaultUserAgent identifies Earshot to Mastodon servers.
const DefaultUserAgent = "EarshotBot/1.0 (+https://github.com/earshothq/earshot)"

// Config is the `config:` mapping of a mastodon connector.
type Config struct {
	Servers []Server `yaml:"servers"`
	// UserAgent is sent with every request.
	UserAgent string `yaml:"user_agent"`
	// RequestTimeout bounds one REST request (streams have no overall
	// timeout; see StreamIdleTimeout).
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// StreamIdleTimeout reconnects a stream that sent nothing, not even a
	// heartbeat, for this long.
	StreamIdleTimeout time.Duration `yaml:"stream_idle_timeout"`
	// BackoffMin and BackoffMax bound the reconnect and retry backoff
	// (exponential, with jitter).
	BackoffMin time.Duration `yaml:"backoff_min"`
	BackoffMax time.Duration `yaml:"backoff_max"`
	// MaxEventBytes drops a stream whose single event exceeds this size
	// (the status is then fetched over REST).
	MaxEventBytes int `yaml:"max_event_bytes"`
	// Remember is how many delivered statuses are remembered per server to
	// skip duplicates across watches, reconnects and restarts.
	Remember int `yaml:"remember"`
	// CheckpointInterval is how often positions are saved.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	// Consent is what is collected from whom and how deletions and edits
	// are followed (consent.go).
	Consent ConsentConfig `yaml:"consent"`
}

// Server is one Mastodon server and what to watch there.
type Server struct {
	// Name is the channel of its records and part of the checkpoint key;
	// defaults to the host of URL.
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// AccessToken of the brand account (read scope). Required for
	// notifications; most servers also require it for streaming.
	AccessToken string `yaml:"access_token"`
	// Hashtags to stream (without '#').
	Hashtags []string `yaml:"hashtags"`
	// Keywords matched client-side on the public stream.
	Keywords []Keyword `yaml:"keywords"`
	// KeywordTimeline is the stream keywords are matched on: "public"
	// (federated, default) or "local".
	KeywordTimeline string `yaml:"keyword_timeline"`
	// LocalOnly restricts hashtag streams to this server's own posts.
	LocalOnly bool `yaml:"local_only"`
	// Notifications streams the brand account's mentions.
	Notifications bool `yaml:"notifications"`
	// BrandAccount is the brand's own account (user or user@instance):
	// posts mentioning it are addressed to the brand and always collected,
	// whatever the author's discovery settings.
	BrandAccount string `yaml:"brand_account"`
	// Accounts whose posts are all collected, e.g. competitors
	// ("user@instance"), polled every PollInterval.
	Accounts     []string      `yaml:"accounts"`
	PollInterval time.Duration `yaml:"poll_interval"`
	// Visibility lists the visibilities ingested; default only "public".
	// Add "unlisted", "private" or "direct" deliberately.
	Visibility []string `yaml:"visibility"`
	// InitialBackfill is how many recent statuses per watch are fetched the
	// first time (no checkpoint yet); 0 starts with new posts only.
	InitialBackfill int `yaml:"initial_backfill"`
	// PageSize is the REST page size (Mastodon allows up to 40).
	PageSize int `yaml:"page_size"`
	// MaxBackfillPages bounds one catch-up of a watch; 0 means no bound.
	// The keyword (public) timeline is always bounded, by 10 when 0.
	MaxBackfillPages int `yaml:"max_backfill_pages"`
}

// Keyword is a text matched in statuses, case- and accent-insensitively
// (the matcher is shared with the other social connectors).
type Keyword = keyword.Keyword

// DefaultConfig returns a configuration with every default set and no servers.
func DefaultConfig() Config {
	return Config{
		UserAgent:          DefaultUserAgent,
		RequestTimeout:     15 * time.Second,
		StreamIdleTimeout:  90 * time.Second,
		BackoffMin:         time.Second,
		BackoffMax:         2 * time.Minute,
		MaxEventBytes:      1 << 20,
		Remember:           4096,
		CheckpointInterval: 2 * time.Second,
		Consent:            DefaultConsent(),
	}
}

// fillServers gives every server the defaults it does not set.
func (c *Config) fillServers() {
	for i := range c.Servers {
		s := &c.Servers[i]
		if s.Name == "" {
			if u, err := url.Parse(s.URL); err == nil {
				s.Name = u.Host
			}
		}
		if s.KeywordTimeline == "" {
			s.KeywordTimeline = "public"
		}
		if s.PollInterval == 0 {
			s.PollInterval = time.Minute
		}
		if len(s.Visibility) == 0 {
			s.Visibility = []string{"public"}
		}
		if s.PageSize == 0 {
			s.PageSize = 40
		}
		for j, h := range s.Hashtags {
			s.Hashtags[j] = strings.TrimPrefix(strings.TrimSpace(h), "#")
		}
		for j, a := range s.Accounts {
			s.Accounts[j] = strings.TrimPrefix(strings.TrimSpace(a), "@")
		}
		s.BrandAccount = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s.BrandAccount), "@"))
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Servers) == 0 {
		errs = append(errs, confx.Keyf("servers", "at least one server is required"))
	}
	if c.UserAgent == "" {
		errs = append(errs, confx.Keyf("user_agent", "must not be empty"))
	}
	for name, d := range map[string]time.Duration{"request_timeout": c.RequestTimeout, "stream_idle_timeout": c.StreamIdleTimeout,
		"backoff_min": c.BackoffMin, "backoff_max": c.BackoffMax, "checkpoint_interval": c.CheckpointInterval} {
		if d <= 0 {
			errs = append(errs, confx.Keyf(name, "%v must be positive", d))
		}
	}
	if c.BackoffMax < c.BackoffMin {
		errs = append(errs, confx.Keyf("backoff_max", "%v is below backoff_min %v", c.BackoffMax, c.BackoffMin))
	}
	if c.MaxEventBytes < 4096 {
		errs = append(errs, confx.Keyf("max_event_bytes", "%d is below 4096", c.MaxEventBytes))
	}
	if c.Remember < 1 {
		errs = append(errs, confx.Keyf("remember", "%d must be at least 1", c.Remember))
	}
	errs = append(errs, c.Consent.validate())
	names := map[string]bool{}
	for i := range c.Servers {
		s := &c.Servers[i]
		at := fmt.Sprintf("servers[%d]", i)
		if s.Name == "" {
			errs = append(errs, confx.Keyf(at+".name", "required"))
		} else if names[s.Name] {
			errs = append(errs, confx.Keyf(at+".name", "%q is used by another server", s.Name))
		}
		names[s.Name] = true
		errs = append(errs, confx.Prefix(at, s.validate()))
	}
	return errors.Join(errs...)
}

// validate reports the problems of one server, keys relative to it.
func (s *Server) validate() error {
	var errs []error
	u, err := url.Parse(s.URL)
	switch {
	case s.URL == "":
		errs = append(errs, confx.Keyf("url", "required"))
	case err != nil:
		errs = append(errs, confx.Keyf("url", "%w", err))
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		errs = append(errs, confx.Keyf("url", "%q is not an http(s) server address", s.URL))
	}
	if len(s.Hashtags) == 0 && len(s.Keywords) == 0 && !s.Notifications && len(s.Accounts) == 0 {
		errs = append(errs, errors.New("nothing to watch (set hashtags, keywords, notifications or accounts)"))
	}
	for j, h := range s.Hashtags {
		if h == "" || strings.ContainsAny(h, " \t/#?&") {
			errs = append(errs, confx.Keyf(fmt.Sprintf("hashtags[%d]", j), "%q is not a hashtag", h))
		}
	}
	for j, k := range s.Keywords {
		if strings.TrimSpace(k.Text) == "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("keywords[%d]", j), "empty keyword"))
		}
	}
	for j, a := range s.Accounts {
		if a == "" || strings.ContainsAny(a, " /") {
			errs = append(errs, confx.Keyf(fmt.Sprintf("accounts[%d]", j), "%q is not an account (user or user@instance)", a))
		}
	}
	if a := s.BrandAccount; a != "" && (strings.ContainsAny(a, " /") || strings.Count(a, "@") > 1 || strings.HasPrefix(a, "@") || strings.HasSuffix(a, "@")) {
		errs = append(errs, confx.Keyf("brand_account", "%q is not an account (user or user@instance)", a))
	}
	if s.Notifications && s.AccessToken == "" {
		errs = append(errs, confx.Keyf("notifications", "needs access_token"))
	}
	if s.KeywordTimeline != "public" && s.KeywordTimeline != "local" {
		errs = append(errs, confx.Keyf("keyword_timeline", "%q is not public or local", s.KeywordTimeline))
	}
	for j, v := range s.Visibility {
		switch v {
		case "public", "unlisted", "private", "direct":
		default:
			errs = append(errs, confx.Keyf(fmt.Sprintf("visibility[%d]", j), "%q is not public, unlisted, private or direct", v))
		}
	}
	if s.PageSize < 1 || s.PageSize > 80 {
		errs = append(errs, confx.Keyf("page_size", "%d is not between 1 and 80", s.PageSize))
	}
	if s.InitialBackfill < 0 || s.MaxBackfillPages < 0 {
		errs = append(errs, errors.New("initial_backfill and max_backfill_pages must not be negative"))
	}
	if s.PollInterval <= 0 {
		errs = append(errs, confx.Keyf("poll_interval", "%v must be positive", s.PollInterval))
	}
	return errors.Join(errs...)
}
