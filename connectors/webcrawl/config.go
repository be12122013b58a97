package webcrawl

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/antchfx/xpath"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// DefaultUserAgent identifies Earshot's crawler to the sites it reads.
const DefaultUserAgent = "EarshotBot/1.0 (+https://github.com/earshothq/earshot)"

// Config is the `config:` mapping of a web connector.
type Config struct {
	Sites []Site `yaml:"sites"`
	// UserAgent is sent with every request and matched against robots.txt.
	UserAgent string `yaml:"user_agent"`
	// Remember is how many delivered items are remembered per site to emit
	// only new or changed ones.
	Remember int `yaml:"remember"`
	// CheckpointInterval is how often delivered items are saved.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// Site is one web site: where to start, which links to follow, which
// elements are items and how to read their fields.
type Site struct {
	// Name identifies the site in record ids, channels and checkpoints.
	Name      string   `yaml:"name"`
	StartURLs []string `yaml:"start_urls"`
	// AllowedDomains are the host names that may be fetched; default: the
	// hosts of the start URLs.
	AllowedDomains []string `yaml:"allowed_domains"`
	// URLFilters are regular expressions a URL must match to be fetched
	// (start URLs included); DisallowedURLFilters exclude URLs.
	URLFilters           []string `yaml:"url_filters"`
	DisallowedURLFilters []string `yaml:"disallowed_url_filters"`
	// Follow are the link rules: links found by a selector (and matching
	// its pattern) are crawled — pagination, thread lists, archives.
	Follow []FollowRule `yaml:"follow"`
	// Items are the item rules: which elements are items, and their fields.
	Items []ItemRule `yaml:"items"`
	// SchemaOrg extracts schema.org Review, Comment and AggregateRating from
	// JSON-LD and microdata on every page (default true).
	SchemaOrg *bool `yaml:"schema_org"`
	// Lang is the language of the site's pages when they do not say.
	Lang string `yaml:"lang"`
	// MaxDepth bounds link hops from a start URL (0: unbounded);
	// MaxPages bounds pages per crawl.
	MaxDepth int `yaml:"max_depth"`
	MaxPages int `yaml:"max_pages"`
	// RecrawlInterval is the time between crawl starts; 0 crawls once.
	RecrawlInterval time.Duration `yaml:"recrawl_interval"`
	// Delay (plus up to RandomDelay) separates requests to one domain;
	// Parallelism bounds concurrent requests per domain.
	Delay       time.Duration `yaml:"delay"`
	RandomDelay time.Duration `yaml:"random_delay"`
	Parallelism int           `yaml:"parallelism"`
	// RequestTimeout bounds one page, body included.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// MaxBodyBytes refuses larger pages.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxQueue bounds the crawl frontier; links beyond it are dropped and
	// counted.
	MaxQueue int `yaml:"max_queue"`
	// IgnoreRobotsTxt skips robots.txt (honoured by default).
	IgnoreRobotsTxt bool `yaml:"ignore_robots_txt"`
	// AllowNetworks lets the crawler reach these otherwise refused networks
	// (loopback, private, link-local), e.g. an intranet forum.
	AllowNetworks []string `yaml:"allow_networks"`
}

// FollowRule selects links to crawl.
type FollowRule struct {
	Selector Selector `yaml:"selector"`
	// Pattern is a regular expression the absolute link must match.
	Pattern string `yaml:"pattern"`
}

// ItemRule selects items on a page and reads their fields.
type ItemRule struct {
	Selector Selector    `yaml:"selector"`
	Kind     record.Kind `yaml:"kind"`
	Fields   Fields      `yaml:"fields"`
}

// Fields locate an item's parts relative to the item element.
type Fields struct {
	Author    Selector `yaml:"author"`
	AuthorURL Selector `yaml:"author_url"`
	Text      Selector `yaml:"text"`
	Title     Selector `yaml:"title"`
	Date      Selector `yaml:"date"`
	// DateLayout is the Go time layout of the date (e.g. "02.01.2006
	// 15:04"); empty tries ISO 8601 and common forms.
	DateLayout string   `yaml:"date_layout"`
	Rating     Selector `yaml:"rating"`
	// RatingBest is the top of the rating scale (default 5).
	RatingBest float64  `yaml:"rating_best"`
	Permalink  Selector `yaml:"permalink"`
}

// Selector finds an element by CSS or XPath and reads its text, or an
// attribute. In YAML a plain string is a CSS selector; a mapping has css or
// xpath, and optionally attr.
type Selector struct {
	CSS   string `yaml:"css"`
	XPath string `yaml:"xpath"`
	Attr  string `yaml:"attr"`
}

// UnmarshalYAML accepts a CSS string or a mapping with known keys only.
func (s *Selector) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.CSS = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a selector is a CSS string or a mapping with css or xpath and attr", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch key := n.Content[i].Value; key {
		case "css", "xpath", "attr":
		default:
			return fmt.Errorf("line %d: selector: unknown key %q (want css, xpath, attr)", n.Content[i].Line, key)
		}
	}
	type plain Selector
	return n.Decode((*plain)(s))
}

// IsZero reports an unset selector.
func (s Selector) IsZero() bool { return s.CSS == "" && s.XPath == "" }

func (s Selector) validate() error {
	switch {
	case s.CSS != "" && s.XPath != "":
		return errors.New("set css or xpath, not both")
	case s.CSS != "":
		if _, err := cascadia.Compile(s.CSS); err != nil {
			return fmt.Errorf("css %q: %w", s.CSS, err)
		}
	case s.XPath != "":
		if _, err := xpath.Compile(s.XPath); err != nil {
			return fmt.Errorf("xpath %q: %w", s.XPath, err)
		}
	}
	return nil
}

// DefaultConfig returns a configuration with every default set and no sites.
func DefaultConfig() Config {
	return Config{
		UserAgent:          DefaultUserAgent,
		Remember:           200000,
		CheckpointInterval: 2 * time.Second,
	}
}

// fillSites gives every site the defaults it does not set.
func (c *Config) fillSites() {
	for i := range c.Sites {
		s := &c.Sites[i]
		if len(s.AllowedDomains) == 0 {
			seen := map[string]bool{}
			for _, su := range s.StartURLs {
				if u, err := url.Parse(su); err == nil && u.Hostname() != "" && !seen[u.Hostname()] {
					seen[u.Hostname()] = true
					s.AllowedDomains = append(s.AllowedDomains, u.Hostname())
				}
			}
		}
		if s.Name == "" && len(s.AllowedDomains) > 0 {
			s.Name = s.AllowedDomains[0]
		}
		if s.SchemaOrg == nil {
			t := true
			s.SchemaOrg = &t
		}
		if s.MaxPages == 0 {
			s.MaxPages = 10000
		}
		if s.Parallelism == 0 {
			s.Parallelism = 2
		}
		if s.RequestTimeout == 0 {
			s.RequestTimeout = 30 * time.Second
		}
		if s.MaxBodyBytes == 0 {
			s.MaxBodyBytes = 5 << 20
		}
		if s.MaxQueue == 0 {
			s.MaxQueue = 10000
		}
		for j := range s.Items {
			if s.Items[j].Kind == "" {
				s.Items[j].Kind = record.KindComment
			}
			if s.Items[j].Fields.RatingBest == 0 {
				s.Items[j].Fields.RatingBest = 5
			}
		}
	}
}

// Validate reports every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Sites) == 0 {
		errs = append(errs, confx.Keyf("sites", "at least one site is required"))
	}
	if c.UserAgent == "" {
		errs = append(errs, confx.Keyf("user_agent", "must not be empty"))
	}
	if c.Remember < 16 {
		errs = append(errs, confx.Keyf("remember", "%d is below 16", c.Remember))
	}
	if c.CheckpointInterval <= 0 {
		errs = append(errs, confx.Keyf("checkpoint_interval", "%v must be positive", c.CheckpointInterval))
	}
	names := map[string]bool{}
	for i := range c.Sites {
		s := &c.Sites[i]
		at := fmt.Sprintf("sites[%d]", i)
		if s.Name == "" {
			errs = append(errs, confx.Keyf(at+".name", "required"))
		} else if names[s.Name] {
			errs = append(errs, confx.Keyf(at+".name", "%q is used by another site", s.Name))
		}
		names[s.Name] = true
		errs = append(errs, confx.Prefix(at, s.validate()))
	}
	return errors.Join(errs...)
}

// validate reports the problems of one site, keys relative to it.
func (s *Site) validate() error {
	var errs []error
	if len(s.StartURLs) == 0 {
		errs = append(errs, confx.Keyf("start_urls", "at least one is required"))
	}
	for j, su := range s.StartURLs {
		u, err := url.Parse(su)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("start_urls[%d]", j), "%q is not an http(s) URL", su))
		}
	}
	for j, f := range s.URLFilters {
		if _, err := regexp.Compile(f); err != nil {
			errs = append(errs, confx.Keyf(fmt.Sprintf("url_filters[%d]", j), "%w", err))
		}
	}
	for j, f := range s.DisallowedURLFilters {
		if _, err := regexp.Compile(f); err != nil {
			errs = append(errs, confx.Keyf(fmt.Sprintf("disallowed_url_filters[%d]", j), "%w", err))
		}
	}
	for j, f := range s.Follow {
		if f.Selector.IsZero() {
			errs = append(errs, confx.Keyf(fmt.Sprintf("follow[%d].selector", j), "required"))
		} else if err := f.Selector.validate(); err != nil {
			errs = append(errs, confx.Keyf(fmt.Sprintf("follow[%d].selector", j), "%w", err))
		}
		if f.Pattern != "" {
			if _, err := regexp.Compile(f.Pattern); err != nil {
				errs = append(errs, confx.Keyf(fmt.Sprintf("follow[%d].pattern", j), "%w", err))
			}
		}
	}
	for j, it := range s.Items {
		errs = append(errs, confx.Prefix(fmt.Sprintf("items[%d]", j), it.validate()))
	}
	if len(s.Items) == 0 && (s.SchemaOrg == nil || !*s.SchemaOrg) {
		errs = append(errs, errors.New("no items rules and schema_org off: nothing to extract"))
	}
	if s.MaxDepth < 0 || s.MaxPages < 1 || s.MaxQueue < 1 || s.Parallelism < 1 {
		errs = append(errs, errors.New("max_depth must be >= 0, max_pages, max_queue and parallelism >= 1"))
	}
	if s.RecrawlInterval < 0 || s.Delay < 0 || s.RandomDelay < 0 || s.RequestTimeout <= 0 {
		errs = append(errs, errors.New("recrawl_interval, delay and random_delay must not be negative, request_timeout positive"))
	}
	if s.MaxBodyBytes < 1024 {
		errs = append(errs, confx.Keyf("max_body_bytes", "%d is below 1024", s.MaxBodyBytes))
	}
	if _, err := netguard.NewPolicy(s.AllowNetworks); err != nil {
		errs = append(errs, confx.Keyf("allow_networks", "%w", err))
	}
	if strings.ContainsAny(s.Name, "/") {
		errs = append(errs, confx.Keyf("name", "%q must not contain '/'", s.Name))
	}
	return errors.Join(errs...)
}

// validate reports the problems of one item rule, keys relative to it.
func (it *ItemRule) validate() error {
	var errs []error
	if it.Selector.IsZero() {
		errs = append(errs, confx.Keyf("selector", "required"))
	} else if err := it.Selector.validate(); err != nil {
		errs = append(errs, confx.Keyf("selector", "%w", err))
	}
	switch it.Kind {
	case record.KindComment, record.KindReview, record.KindMention, record.KindReply:
	default:
		errs = append(errs, confx.Keyf("kind", "%q is not comment, review, mention or reply", it.Kind))
	}
	if it.Fields.Text.IsZero() && it.Fields.Title.IsZero() {
		errs = append(errs, confx.Keyf("fields", "text or title is required"))
	}
	for name, sel := range map[string]Selector{"author": it.Fields.Author, "author_url": it.Fields.AuthorURL,
		"text": it.Fields.Text, "title": it.Fields.Title, "date": it.Fields.Date, "rating": it.Fields.Rating,
		"permalink": it.Fields.Permalink} {
		if err := sel.validate(); err != nil {
			errs = append(errs, confx.Keyf("fields."+name, "%w", err))
		}
	}
	if it.Fields.RatingBest <= 0 {
		errs = append(errs, confx.Keyf("fields.rating_best", "%v must be positive", it.Fields.RatingBest))
	}
	return errors.Join(errs...)
}
