package youtube

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/internal/confx"
)

// DefaultBaseURL is the YouTube Data API v3 root.
const DefaultBaseURL = "https://www.googleapis.com/youtube/v3"

// Config is the `config:` mapping of a youtube connector.
type Config struct {
	// APIKey is a YouTube Data API key (from ${ENV}); public comments need
	// no OAuth.
	APIKey  string `yaml:"api_key"`
	BaseURL string `yaml:"base_url"`
	// Videos are video ids whose comment threads are followed.
	Videos []string `yaml:"videos"`
	// Channels are channel ids whose videos' comment threads are followed
	// (allThreadsRelatedToChannelId).
	Channels []string `yaml:"channels"`
	// Search finds new videos by keyword and follows their comments.
	Search Search `yaml:"search"`
	// Prospects lets commenters become sales prospects; off by default
	// (issue 15's consent defaults: they were never asked).
	Prospects bool `yaml:"prospects"`
	// Replies fetches the replies of every thread read (comments.list when
	// the thread carries fewer than its reply count).
	Replies bool `yaml:"replies"`
	// Interval between two polls of every video and channel.
	Interval time.Duration `yaml:"interval"`
	// PageSize is maxResults (1-100).
	PageSize int `yaml:"page_size"`
	// MaxPages bounds the pages of threads read per video or channel and poll
	// (the rest is read on the next poll).
	MaxPages int `yaml:"max_pages"`
	// DailyQuota is the budget of quota units per Pacific-time day; the
	// connector makes no call that would pass it.
	DailyQuota int `yaml:"daily_quota"`
	// QuotaRecheck is how often a quota-stopped connector looks at the clock.
	QuotaRecheck time.Duration `yaml:"quota_recheck"`
	Timeout      time.Duration `yaml:"timeout"`
	UserAgent    string        `yaml:"user_agent"`
	MaxBodyBytes int64         `yaml:"max_body_bytes"`
	BackoffMin   time.Duration `yaml:"backoff_min"`
	BackoffMax   time.Duration `yaml:"backoff_max"`
	// Remember is how many delivered comment versions are kept per video or
	// channel against duplicates and to notice edits.
	Remember           int           `yaml:"remember"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	// AllowNetworks lets requests reach otherwise refused networks (a proxy
	// or test server on a private address).
	AllowNetworks []string `yaml:"allow_networks"`
}

// Search is the optional keyword search for new videos (search.list costs
// 100 units a call).
type Search struct {
	Queries  []string      `yaml:"queries"`
	Interval time.Duration `yaml:"interval"`
	// MaxVideos is how many videos found by search are followed at once;
	// the oldest found are dropped beyond it.
	MaxVideos         int    `yaml:"max_videos"`
	RegionCode        string `yaml:"region_code"`
	RelevanceLanguage string `yaml:"relevance_language"`
}

// DefaultConfig returns every default and no videos or channels.
func DefaultConfig() Config {
	return Config{
		BaseURL:            DefaultBaseURL,
		Search:             Search{Interval: 6 * time.Hour, MaxVideos: 50},
		Replies:            true,
		Interval:           15 * time.Minute,
		PageSize:           100,
		MaxPages:           20,
		DailyQuota:         9000,
		QuotaRecheck:       time.Minute,
		Timeout:            30 * time.Second,
		UserAgent:          "EarshotBot/1.0 (+https://github.com/earshothq/earshot)",
		MaxBodyBytes:       8 << 20,
		BackoffMin:         time.Second,
		BackoffMax:         5 * time.Minute,
		Remember:           5000,
		CheckpointInterval: 2 * time.Second,
	}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.APIKey == "" {
		errs = append(errs, confx.Keyf("api_key", "required: a YouTube Data API key, e.g. ${YOUTUBE_API_KEY}"))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, confx.Keyf("base_url", "%q is not an http(s) URL", c.BaseURL))
	}
	if len(c.Videos)+len(c.Channels)+len(c.Search.Queries) == 0 {
		errs = append(errs, confx.Keyf("videos", "list at least one video, channel or search query"))
	}
	seen := map[string]bool{}
	for i, v := range c.Videos {
		if !idPattern.MatchString(v) {
			errs = append(errs, confx.Keyf(fmt.Sprintf("videos[%d]", i), "%q is not a video id", v))
		} else if seen["v"+v] {
			errs = append(errs, confx.Keyf(fmt.Sprintf("videos[%d]", i), "%q is listed twice", v))
		}
		seen["v"+v] = true
	}
	for i, ch := range c.Channels {
		if !idPattern.MatchString(ch) {
			errs = append(errs, confx.Keyf(fmt.Sprintf("channels[%d]", i), "%q is not a channel id", ch))
		} else if seen["c"+ch] {
			errs = append(errs, confx.Keyf(fmt.Sprintf("channels[%d]", i), "%q is listed twice", ch))
		}
		seen["c"+ch] = true
	}
	for i, q := range c.Search.Queries {
		if q == "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("search.queries[%d]", i), "must not be empty"))
		}
	}
	if len(c.Search.Queries) > 0 {
		if c.Search.Interval <= 0 {
			errs = append(errs, confx.Keyf("search.interval", "%v must be positive", c.Search.Interval))
		}
		if c.Search.MaxVideos < 1 {
			errs = append(errs, confx.Keyf("search.max_videos", "%d must be at least 1", c.Search.MaxVideos))
		}
		if c.DailyQuota < costSearch {
			errs = append(errs, confx.Keyf("daily_quota", "%d is below the %d units of one search; raise it or drop search.queries", c.DailyQuota, costSearch))
		}
	}
	if c.PageSize < 1 || c.PageSize > 100 {
		errs = append(errs, confx.Keyf("page_size", "%d is not between 1 and 100", c.PageSize))
	}
	if c.MaxPages < 1 {
		errs = append(errs, confx.Keyf("max_pages", "%d must be at least 1", c.MaxPages))
	}
	if c.DailyQuota < 1 {
		errs = append(errs, confx.Keyf("daily_quota", "%d must be at least 1", c.DailyQuota))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"interval", c.Interval}, {"timeout", c.Timeout}, {"quota_recheck", c.QuotaRecheck},
		{"backoff_min", c.BackoffMin}, {"backoff_max", c.BackoffMax}, {"checkpoint_interval", c.CheckpointInterval}} {
		if d.v <= 0 {
			errs = append(errs, confx.Keyf(d.key, "%v must be positive", d.v))
		}
	}
	if c.BackoffMax < c.BackoffMin {
		errs = append(errs, confx.Keyf("backoff_max", "%v is below backoff_min %v", c.BackoffMax, c.BackoffMin))
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
	return errors.Join(errs...)
}
