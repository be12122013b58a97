package feed

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// DefaultUserAgent identifies Earshot to the sites it reads.
const DefaultUserAgent = "EarshotBot/1.0 (+https://github.com/earshothq/earshot)"

// Config is the `config:` mapping of a feed connector.
type Config struct {
	// Feeds to poll.
	Feeds []Feed `yaml:"feeds"`
	// Interval between polls of a feed without its own interval.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one fetch, body included.
	Timeout time.Duration `yaml:"timeout"`
	// UserAgent is sent with every request.
	UserAgent string `yaml:"user_agent"`
	// MaxBodyBytes refuses feeds larger than this.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// AllowNetworks lets requests reach these otherwise refused networks
	// (loopback, private, link-local), e.g. ["10.0.0.0/8"] for an intranet.
	AllowNetworks []string `yaml:"allow_networks"`
	// Remember is how many item versions are kept per feed to skip items
	// already delivered; keep it above the number of items a feed lists.
	Remember int `yaml:"remember"`
	// CheckpointInterval is how often delivered positions are saved.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// Feed is one RSS, Atom or JSON feed.
type Feed struct {
	// Name identifies the feed in record ids and the channel facet; keep it
	// stable (renaming it makes its items new).
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// Interval overrides the connector's interval for this feed.
	Interval time.Duration `yaml:"interval"`
	// Kind of the records: mention (default), comment or review.
	Kind record.Kind `yaml:"kind"`
}

// DefaultConfig returns a configuration with every default set and no feeds.
func DefaultConfig() Config {
	return Config{
		Interval:           15 * time.Minute,
		Timeout:            30 * time.Second,
		UserAgent:          DefaultUserAgent,
		MaxBodyBytes:       10 << 20,
		Remember:           2000,
		CheckpointInterval: 2 * time.Second,
	}
}

// fillFeeds gives every feed the connector-wide defaults it does not set.
func (c *Config) fillFeeds() {
	for i := range c.Feeds {
		f := &c.Feeds[i]
		if f.Name == "" {
			if u, err := url.Parse(f.URL); err == nil {
				f.Name = u.Host + u.Path
			}
		}
		if f.Interval == 0 {
			f.Interval = c.Interval
		}
		if f.Kind == "" {
			f.Kind = record.KindMention
		}
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Feeds) == 0 {
		errs = append(errs, confx.Keyf("feeds", "at least one feed is required"))
	}
	if c.Interval <= 0 {
		errs = append(errs, confx.Keyf("interval", "%v must be positive", c.Interval))
	}
	if c.Timeout <= 0 {
		errs = append(errs, confx.Keyf("timeout", "%v must be positive", c.Timeout))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, confx.Keyf("max_body_bytes", "%d must be positive", c.MaxBodyBytes))
	}
	if c.Remember < 1 {
		errs = append(errs, confx.Keyf("remember", "%d must be at least 1", c.Remember))
	}
	if c.UserAgent == "" {
		errs = append(errs, confx.Keyf("user_agent", "must not be empty"))
	}
	if _, err := netguard.NewPolicy(c.AllowNetworks); err != nil {
		errs = append(errs, confx.Keyf("allow_networks", "%w", err))
	}
	names := map[string]bool{}
	for i := range c.Feeds {
		f := &c.Feeds[i]
		at := fmt.Sprintf("feeds[%d]", i)
		u, err := url.Parse(f.URL)
		switch {
		case f.URL == "":
			errs = append(errs, confx.Keyf(at+".url", "required"))
		case err != nil:
			errs = append(errs, confx.Keyf(at+".url", "%w", err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, confx.Keyf(at+".url", "scheme %q is not http or https", u.Scheme))
		}
		if f.Name == "" {
			errs = append(errs, confx.Keyf(at+".name", "required"))
		}
		if names[f.Name] {
			errs = append(errs, confx.Keyf(at+".name", "%q is used by another feed", f.Name))
		}
		names[f.Name] = true
		if f.Interval <= 0 {
			errs = append(errs, confx.Keyf(at+".interval", "%v must be positive", f.Interval))
		}
		switch f.Kind {
		case record.KindMention, record.KindComment, record.KindReview:
		default:
			errs = append(errs, confx.Keyf(at+".kind", "%q is not mention, comment or review", f.Kind))
		}
	}
	return errors.Join(errs...)
}
