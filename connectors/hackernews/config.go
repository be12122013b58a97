package hackernews

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/confx"
)

// DefaultUserAgent identifies Earshot to the search API.
const DefaultUserAgent = "EarshotBot/1.0 (+https://github.com/earshothq/earshot)"

// Config is the `config:` mapping of a hackernews connector.
type Config struct {
	// API is the base of the Algolia Hacker News search API.
	API string `yaml:"api"`
	// Queries are searched (full text: titles, story and comment texts).
	Queries []string `yaml:"queries"`
	// Tags are the item types read: story, comment (default both),
	// ask_hn, show_hn, poll.
	Tags []string `yaml:"tags"`
	// Prospects lets the authors become sales prospects (off by default:
	// people who posted in public did not ask to be contacted).
	Prospects bool `yaml:"prospects"`
	// PollInterval is the wait between searches of one query.
	PollInterval time.Duration `yaml:"poll_interval"`
	// Overlap re-reads this much before the checkpoint on every poll: the
	// search index takes a while to see new items; replays are recognised.
	Overlap time.Duration `yaml:"overlap"`
	// InitialLookback is how far back the very first poll reads.
	InitialLookback time.Duration `yaml:"initial_lookback"`
	// HitsPerPage is the page size (the API allows up to 1000).
	HitsPerPage int `yaml:"hits_per_page"`
	// MaxHitsPerPoll bounds one poll's sweep; the rest waits for the next.
	MaxHitsPerPoll int `yaml:"max_hits_per_poll"`

	UserAgent          string        `yaml:"user_agent"`
	RequestTimeout     time.Duration `yaml:"request_timeout"`
	BackoffMin         time.Duration `yaml:"backoff_min"`
	BackoffMax         time.Duration `yaml:"backoff_max"`
	Remember           int           `yaml:"remember"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// DefaultConfig returns every default, searching nothing.
func DefaultConfig() Config {
	return Config{
		API:                "https://hn.algolia.com/api/v1",
		Tags:               []string{"story", "comment"},
		PollInterval:       time.Minute,
		Overlap:            10 * time.Minute,
		InitialLookback:    24 * time.Hour,
		HitsPerPage:        100,
		MaxHitsPerPoll:     5000,
		UserAgent:          DefaultUserAgent,
		RequestTimeout:     15 * time.Second,
		BackoffMin:         time.Second,
		BackoffMax:         2 * time.Minute,
		Remember:           20000,
		CheckpointInterval: 2 * time.Second,
	}
}

var knownTags = map[string]bool{"story": true, "comment": true, "ask_hn": true, "show_hn": true, "poll": true, "pollopt": true}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.API); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, confx.Keyf("api", "%q is not an http(s) address", c.API))
	}
	if len(c.Queries) == 0 {
		errs = append(errs, confx.Keyf("queries", "at least one query is required"))
	}
	seen := map[string]bool{}
	for i, q := range c.Queries {
		switch {
		case strings.TrimSpace(q) == "":
			errs = append(errs, confx.Keyf(fmt.Sprintf("queries[%d]", i), "empty query"))
		case seen[q]:
			errs = append(errs, confx.Keyf(fmt.Sprintf("queries[%d]", i), "%q is listed twice", q))
		}
		seen[q] = true
	}
	if len(c.Tags) == 0 {
		errs = append(errs, confx.Keyf("tags", "at least one of story, comment, ask_hn, show_hn, poll"))
	}
	for i, t := range c.Tags {
		if !knownTags[t] {
			errs = append(errs, confx.Keyf(fmt.Sprintf("tags[%d]", i), "%q is not story, comment, ask_hn, show_hn, poll or pollopt", t))
		}
	}
	for name, d := range map[string]time.Duration{"poll_interval": c.PollInterval, "initial_lookback": c.InitialLookback,
		"request_timeout": c.RequestTimeout, "backoff_min": c.BackoffMin, "backoff_max": c.BackoffMax, "checkpoint_interval": c.CheckpointInterval} {
		if d <= 0 {
			errs = append(errs, confx.Keyf(name, "%v must be positive", d))
		}
	}
	if c.Overlap < 0 {
		errs = append(errs, confx.Keyf("overlap", "%v must not be negative", c.Overlap))
	}
	if c.BackoffMax < c.BackoffMin {
		errs = append(errs, confx.Keyf("backoff_max", "%v is below backoff_min %v", c.BackoffMax, c.BackoffMin))
	}
	if c.HitsPerPage < 1 || c.HitsPerPage > 1000 {
		errs = append(errs, confx.Keyf("hits_per_page", "%d is not between 1 and 1000", c.HitsPerPage))
	}
	if c.MaxHitsPerPoll < c.HitsPerPage {
		errs = append(errs, confx.Keyf("max_hits_per_poll", "%d is below hits_per_page %d", c.MaxHitsPerPoll, c.HitsPerPage))
	}
	if c.UserAgent == "" {
		errs = append(errs, confx.Keyf("user_agent", "must not be empty"))
	}
	if c.Remember < 1 {
		errs = append(errs, confx.Keyf("remember", "%d must be at least 1", c.Remember))
	}
	return errors.Join(errs...)
}
