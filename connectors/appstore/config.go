package appstore

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/internal/confx"
)

// Default endpoints.
const (
	DefaultAppleURL      = "https://itunes.apple.com"
	DefaultGooglePlayURL = "https://androidpublisher.googleapis.com"
	DefaultTokenURL      = "https://oauth2.googleapis.com/token"
)

// Config is the `config:` mapping of an appstore connector.
type Config struct {
	Apple      Apple      `yaml:"apple"`
	GooglePlay GooglePlay `yaml:"google_play"`
	// Prospects lets reviewers become sales prospects; off by default
	// (issue 15's consent defaults: they were never asked).
	Prospects bool `yaml:"prospects"`
	// Interval between two polls of every app.
	Interval     time.Duration `yaml:"interval"`
	Timeout      time.Duration `yaml:"timeout"`
	UserAgent    string        `yaml:"user_agent"`
	MaxBodyBytes int64         `yaml:"max_body_bytes"`
	BackoffMin   time.Duration `yaml:"backoff_min"`
	BackoffMax   time.Duration `yaml:"backoff_max"`
	// Remember is how many delivered review versions are kept per app and
	// country against duplicates and to notice edits.
	Remember           int           `yaml:"remember"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	AllowNetworks      []string      `yaml:"allow_networks"`
}

// Apple reads the public customer-reviews feed of App Store apps.
type Apple struct {
	Apps    []AppleApp `yaml:"apps"`
	BaseURL string     `yaml:"base_url"`
	// MaxPages is how many pages of 50 reviews a poll reads at most (the
	// feed serves 10).
	MaxPages int `yaml:"max_pages"`
}

// AppleApp is one app in some storefronts.
type AppleApp struct {
	// ID is the numeric App Store id (apps.apple.com/.../id<ID>).
	ID string `yaml:"id"`
	// Name labels the records' channel; default the id.
	Name string `yaml:"name"`
	// Countries are storefront codes (ISO 3166-1 alpha-2).
	Countries []string `yaml:"countries"`
}

// GooglePlay reads the reviews of your own apps through the Google Play
// Developer API (reviews.list) with a service account.
type GooglePlay struct {
	Packages []GoogleApp `yaml:"packages"`
	// ServiceAccountJSON is the service account key (the JSON file's
	// contents, from ${ENV}); or ServiceAccountFile, its path.
	ServiceAccountJSON string `yaml:"service_account_json"`
	ServiceAccountFile string `yaml:"service_account_file"`
	BaseURL            string `yaml:"base_url"`
	// TokenURL overrides the key's token_uri.
	TokenURL string `yaml:"token_url"`
	// TranslationLanguage asks Google to translate reviews (e.g. "en");
	// empty keeps the original text.
	TranslationLanguage string `yaml:"translation_language"`
	PageSize            int    `yaml:"page_size"`
	MaxPages            int    `yaml:"max_pages"`
}

// GoogleApp is one Android package.
type GoogleApp struct {
	Package string `yaml:"package"`
	Name    string `yaml:"name"`
}

// DefaultConfig returns every default and no apps.
func DefaultConfig() Config {
	return Config{
		Apple:              Apple{BaseURL: DefaultAppleURL, MaxPages: 10},
		GooglePlay:         GooglePlay{BaseURL: DefaultGooglePlayURL, PageSize: 100, MaxPages: 50},
		Interval:           30 * time.Minute,
		Timeout:            30 * time.Second,
		UserAgent:          "EarshotBot/1.0 (+https://github.com/earshothq/earshot)",
		MaxBodyBytes:       8 << 20,
		BackoffMin:         time.Second,
		BackoffMax:         5 * time.Minute,
		Remember:           5000,
		CheckpointInterval: 2 * time.Second,
	}
}

var (
	appleID     = regexp.MustCompile(`^[0-9]{1,15}$`)
	countryCode = regexp.MustCompile(`^[a-z]{2}$`)
	packageName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
)

// fill gives names their defaults and lower-cases country codes.
func (c *Config) fill() {
	for i := range c.Apple.Apps {
		a := &c.Apple.Apps[i]
		if a.Name == "" {
			a.Name = a.ID
		}
		for j, cc := range a.Countries {
			a.Countries[j] = lower(cc)
		}
	}
	for i := range c.GooglePlay.Packages {
		if c.GooglePlay.Packages[i].Name == "" {
			c.GooglePlay.Packages[i].Name = c.GooglePlay.Packages[i].Package
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, x := range b {
		if x >= 'A' && x <= 'Z' {
			b[i] = x + 'a' - 'A'
		}
	}
	return string(b)
}

func checkURL(errs *[]error, key, raw string) {
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		*errs = append(*errs, confx.Keyf(key, "%q is not an http(s) URL", raw))
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Apple.Apps)+len(c.GooglePlay.Packages) == 0 {
		errs = append(errs, confx.Keyf("apple.apps", "list at least one App Store app or Google Play package"))
	}
	seen := map[string]bool{}
	for i, a := range c.Apple.Apps {
		at := fmt.Sprintf("apple.apps[%d]", i)
		if !appleID.MatchString(a.ID) {
			errs = append(errs, confx.Keyf(at+".id", "%q is not a numeric App Store id", a.ID))
		}
		if len(a.Countries) == 0 {
			errs = append(errs, confx.Keyf(at+".countries", "list at least one storefront, e.g. [us]"))
		}
		for j, cc := range a.Countries {
			if !countryCode.MatchString(cc) {
				errs = append(errs, confx.Keyf(fmt.Sprintf("%s.countries[%d]", at, j), "%q is not a two-letter country code", cc))
			}
			if seen[a.ID+"/"+cc] {
				errs = append(errs, confx.Keyf(fmt.Sprintf("%s.countries[%d]", at, j), "app %s in %q is listed twice", a.ID, cc))
			}
			seen[a.ID+"/"+cc] = true
		}
	}
	if len(c.Apple.Apps) > 0 {
		checkURL(&errs, "apple.base_url", c.Apple.BaseURL)
		if c.Apple.MaxPages < 1 || c.Apple.MaxPages > 10 {
			errs = append(errs, confx.Keyf("apple.max_pages", "%d is not between 1 and 10 (the feed serves 10 pages)", c.Apple.MaxPages))
		}
	}
	g := &c.GooglePlay
	for i, p := range g.Packages {
		at := fmt.Sprintf("google_play.packages[%d].package", i)
		if !packageName.MatchString(p.Package) {
			errs = append(errs, confx.Keyf(at, "%q is not an Android package name", p.Package))
		} else if seen["g:"+p.Package] {
			errs = append(errs, confx.Keyf(at, "%q is listed twice", p.Package))
		}
		seen["g:"+p.Package] = true
	}
	if len(g.Packages) > 0 {
		switch {
		case g.ServiceAccountJSON == "" && g.ServiceAccountFile == "":
			errs = append(errs, confx.Keyf("google_play.service_account_json", "required: the service account key, e.g. ${GOOGLE_PLAY_SERVICE_ACCOUNT}, or service_account_file"))
		case g.ServiceAccountJSON != "" && g.ServiceAccountFile != "":
			errs = append(errs, confx.Keyf("google_play.service_account_file", "set service_account_json or service_account_file, not both"))
		}
		checkURL(&errs, "google_play.base_url", g.BaseURL)
		if g.TokenURL != "" {
			checkURL(&errs, "google_play.token_url", g.TokenURL)
		}
		if g.PageSize < 1 || g.PageSize > 100 {
			errs = append(errs, confx.Keyf("google_play.page_size", "%d is not between 1 and 100", g.PageSize))
		}
		if g.MaxPages < 1 {
			errs = append(errs, confx.Keyf("google_play.max_pages", "%d must be at least 1", g.MaxPages))
		}
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"interval", c.Interval}, {"timeout", c.Timeout}, {"backoff_min", c.BackoffMin}, {"backoff_max", c.BackoffMax}, {"checkpoint_interval", c.CheckpointInterval}} {
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
