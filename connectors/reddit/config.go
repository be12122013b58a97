package reddit

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/confx"
)

// Config is the `config:` mapping of a reddit connector.
type Config struct {
	// ClientID and ClientSecret of a Reddit app (reddit.com/prefs/apps).
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// Username and Password of the account a "script" app runs as; both
	// empty: application-only OAuth (client_credentials).
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// UserAgent is required by Reddit: unique and descriptive, e.g.
	// "server:earshot-listener:1.0 (by /u/yourname)".
	UserAgent string `yaml:"user_agent"`
	// Subreddits whose new posts are read (names without "r/").
	Subreddits []string `yaml:"subreddits"`
	// Comments also reads the subreddits' new comments.
	Comments bool `yaml:"comments"`
	// Searches are site-wide searches of posts, newest first.
	Searches []string `yaml:"searches"`

	// Prospects lets the authors become sales prospects (off by default:
	// people who posted in public did not ask to be contacted).
	Prospects    bool          `yaml:"prospects"`
	PollInterval time.Duration `yaml:"poll_interval"`
	// Overlap re-reads this much before the checkpoint on every poll;
	// replays are recognised.
	Overlap         time.Duration `yaml:"overlap"`
	InitialLookback time.Duration `yaml:"initial_lookback"`
	PageSize        int           `yaml:"page_size"`
	// MaxPages bounds one poll of one listing (Reddit lists 1,000 items at most).
	MaxPages int `yaml:"max_pages"`
	// RefreshEdits re-reads delivered items younger than this every
	// RefreshInterval, to emit edits (0: off).
	RefreshEdits    time.Duration `yaml:"refresh_edits"`
	RefreshInterval time.Duration `yaml:"refresh_interval"`

	AuthURL            string        `yaml:"auth_url"`
	APIURL             string        `yaml:"api_url"`
	RequestTimeout     time.Duration `yaml:"request_timeout"`
	BackoffMin         time.Duration `yaml:"backoff_min"`
	BackoffMax         time.Duration `yaml:"backoff_max"`
	Remember           int           `yaml:"remember"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// DefaultConfig returns every default, reading nothing.
func DefaultConfig() Config {
	return Config{
		PollInterval:       time.Minute,
		Overlap:            10 * time.Minute,
		InitialLookback:    24 * time.Hour,
		PageSize:           100,
		MaxPages:           10,
		RefreshEdits:       24 * time.Hour,
		RefreshInterval:    10 * time.Minute,
		AuthURL:            "https://www.reddit.com",
		APIURL:             "https://oauth.reddit.com",
		RequestTimeout:     15 * time.Second,
		BackoffMin:         time.Second,
		BackoffMax:         2 * time.Minute,
		Remember:           20000,
		CheckpointInterval: 2 * time.Second,
	}
}

var subredditName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]{1,20}$`)

func (c *Config) fill() {
	for i, s := range c.Subreddits {
		c.Subreddits[i] = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "/"), "r/")
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.ClientID == "" {
		errs = append(errs, confx.Keyf("client_id", "required: the id of a Reddit app (reddit.com/prefs/apps), from ${ENV}"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, confx.Keyf("client_secret", "required, from ${ENV}"))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, confx.Keyf("password", "username and password go together (a script app), or neither (application-only)"))
	}
	switch {
	case strings.TrimSpace(c.UserAgent) == "":
		errs = append(errs, confx.Keyf("user_agent", `required: Reddit asks for a unique, descriptive one such as "server:earshot-listener:1.0 (by /u/yourname)"`))
	case strings.HasPrefix(c.UserAgent, "Go-http-client"), strings.Contains(strings.ToLower(c.UserAgent), "curl/"):
		errs = append(errs, confx.Keyf("user_agent", "%q is a generic client's; Reddit throttles those", c.UserAgent))
	}
	if len(c.Subreddits) == 0 && len(c.Searches) == 0 {
		errs = append(errs, errors.New("nothing to read (set subreddits or searches)"))
	}
	for i, s := range c.Subreddits {
		if !subredditName.MatchString(s) {
			errs = append(errs, confx.Keyf(fmt.Sprintf("subreddits[%d]", i), "%q is not a subreddit name", s))
		}
	}
	for i, q := range c.Searches {
		if strings.TrimSpace(q) == "" || len(q) > 512 {
			errs = append(errs, confx.Keyf(fmt.Sprintf("searches[%d]", i), "empty or longer than 512 characters"))
		}
	}
	for name, d := range map[string]time.Duration{"poll_interval": c.PollInterval, "initial_lookback": c.InitialLookback,
		"refresh_interval": c.RefreshInterval, "request_timeout": c.RequestTimeout, "backoff_min": c.BackoffMin,
		"backoff_max": c.BackoffMax, "checkpoint_interval": c.CheckpointInterval} {
		if d <= 0 {
			errs = append(errs, confx.Keyf(name, "%v must be positive", d))
		}
	}
	if c.Overlap < 0 || c.RefreshEdits < 0 {
		errs = append(errs, errors.New("overlap and refresh_edits must not be negative"))
	}
	if c.BackoffMax < c.BackoffMin {
		errs = append(errs, confx.Keyf("backoff_max", "%v is below backoff_min %v", c.BackoffMax, c.BackoffMin))
	}
	if c.PageSize < 1 || c.PageSize > 100 {
		errs = append(errs, confx.Keyf("page_size", "%d is not between 1 and 100", c.PageSize))
	}
	if c.MaxPages < 1 {
		errs = append(errs, confx.Keyf("max_pages", "%d must be at least 1", c.MaxPages))
	}
	if c.Remember < 1 {
		errs = append(errs, confx.Keyf("remember", "%d must be at least 1", c.Remember))
	}
	for key, v := range map[string]string{"auth_url": c.AuthURL, "api_url": c.APIURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, confx.Keyf(key, "%q is not an http(s) address", v))
		}
	}
	return errors.Join(errs...)
}
