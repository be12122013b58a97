package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	gomasto "github.com/mattn/go-mastodon"

	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/internal/confx"
)

// ConsentConfig is the `consent:` mapping: what the connector collects from
// whom, and how it follows what people do with their posts afterwards. The
// defaults are the ones the fediverse expects of a tool that reads it.
type ConsentConfig struct {
	// RequireOptIn collects posts not addressed to the brand account only
	// from accounts that opted into discovery or search (discoverable or
	// indexable).
	RequireOptIn bool `yaml:"require_opt_in"`
	// SkipBots never collects unaddressed posts of accounts marked bot.
	SkipBots bool `yaml:"skip_bots"`
	// HonourOptOut never collects unaddressed posts of accounts marked
	// noindex or whose profile note carries #nobot or #noindex.
	HonourOptOut bool `yaml:"honour_opt_out"`
	// Prospects lets fediverse authors become sales prospects.
	Prospects bool `yaml:"prospects"`
	// Deletions removes a collected post downstream (topics' state and the
	// index) when it is deleted: delete events and the REST checks.
	Deletions bool `yaml:"deletions"`
	// Edits updates a collected post in place when it is edited.
	Edits bool `yaml:"edits"`
	// CheckInterval is how often collected posts younger than CheckWindow
	// are fetched again to find deletions and edits missed while no stream
	// was open (0: never).
	CheckInterval time.Duration `yaml:"check_interval"`
	CheckWindow   time.Duration `yaml:"check_window"`
	// Track is how many collected posts are remembered per server so their
	// deletion can be followed.
	Track int `yaml:"track"`
	// AccountTTL is how long an account's discovery and opt-out flags are
	// trusted before they are fetched again.
	AccountTTL time.Duration `yaml:"account_ttl"`
}

// DefaultConsent returns the respectful defaults.
func DefaultConsent() ConsentConfig {
	return ConsentConfig{RequireOptIn: true, SkipBots: true, HonourOptOut: true, Prospects: false,
		Deletions: true, Edits: true, CheckInterval: time.Hour, CheckWindow: 7 * 24 * time.Hour, Track: 2000, AccountTTL: time.Hour}
}

// maxTrack bounds Track: the tracked posts are part of the checkpoint.
const maxTrack = 5000

func (c ConsentConfig) validate() error {
	var errs []error
	if c.CheckInterval < 0 {
		errs = append(errs, confx.Keyf("check_interval", "%v must not be negative", c.CheckInterval))
	}
	if c.CheckInterval > 0 && c.CheckWindow <= 0 {
		errs = append(errs, confx.Keyf("check_window", "%v must be positive when check_interval is set", c.CheckWindow))
	}
	if c.Track < 1 || c.Track > maxTrack {
		errs = append(errs, confx.Keyf("track", "%d is not between 1 and %d", c.Track, maxTrack))
	}
	if c.AccountTTL <= 0 {
		errs = append(errs, confx.Keyf("account_ttl", "%v must be positive", c.AccountTTL))
	}
	return confx.Prefix("consent", errors.Join(errs...))
}

// optOutTag finds #nobot and #noindex in a profile note.
var optOutTag = regexp.MustCompile(`(?i)#no(bot|index)\b`)

func noteOptsOut(noteHTML string) bool {
	if !strings.Contains(noteHTML, "#") && !strings.Contains(noteHTML, "&#") {
		return false
	}
	return optOutTag.MatchString(htmltext.String(noteHTML, htmltext.Options{}))
}

// accountFlags are an account's discovery and opt-out settings. go-mastodon
// does not decode indexable and noindex, so they are read here.
type accountFlags struct {
	Bot          bool   `json:"bot"`
	Discoverable *bool  `json:"discoverable"`
	Indexable    *bool  `json:"indexable"`
	Noindex      *bool  `json:"noindex"`
	Note         string `json:"note"`
}

type cachedFlags struct {
	flags accountFlags
	at    time.Time
}

// accountCache keeps accounts' flags for AccountTTL, at most max of them.
type accountCache struct {
	mu  sync.Mutex
	m   map[string]cachedFlags
	max int
}

func (a *accountCache) get(id string, now time.Time, ttl time.Duration) (accountFlags, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.m[id]
	if !ok || now.Sub(c.at) > ttl {
		return accountFlags{}, false
	}
	return c.flags, true
}

func (a *accountCache) put(id string, f accountFlags, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]cachedFlags{}
	}
	if len(a.m) >= a.max {
		for k := range a.m { // drop an arbitrary entry: a cache, not a record
			delete(a.m, k)
			break
		}
	}
	a.m[id] = cachedFlags{flags: f, at: now}
}

// scope says why status o may not be collected ("" when it may). A post
// addressed to the brand account always may; another only under the
// consent rules.
func (s *server) scope(ctx context.Context, o *gomasto.Status, addressed bool) string {
	cc := s.c.cfg.Consent
	if addressed || s.mentionsBrand(o) {
		return ""
	}
	a := o.Account
	if cc.SkipBots && a.Bot {
		return "bot"
	}
	if cc.HonourOptOut && noteOptsOut(a.Note) {
		return "opt_out_tag"
	}
	if !cc.RequireOptIn && !cc.HonourOptOut {
		return ""
	}
	f, err := s.accountFlags(ctx, string(a.ID))
	if err != nil {
		// Unknown consent is no consent: the post is left out.
		s.c.log.Warn("reading an account's discovery settings; its post is left out", "server", s.cfg.Name, "err", err)
		return "unknown_account"
	}
	switch {
	case cc.SkipBots && f.Bot:
		return "bot"
	case cc.HonourOptOut && f.Noindex != nil && *f.Noindex:
		return "noindex"
	case cc.HonourOptOut && noteOptsOut(f.Note):
		return "opt_out_tag"
	case cc.RequireOptIn && !(f.Discoverable != nil && *f.Discoverable || f.Indexable != nil && *f.Indexable):
		return "not_opted_in"
	}
	return ""
}

// mentionsBrand reports whether o mentions the configured brand account.
// Mastodon writes local accounts without a domain, and a server's account
// domain need not be its web host: a local mention matches when the brand
// has no domain, or the domain is the server's or the mention's host.
func (s *server) mentionsBrand(o *gomasto.Status) bool {
	if s.brand == "" {
		return false
	}
	user, domain, _ := strings.Cut(s.brand, "@")
	for _, m := range o.Mentions {
		acct := strings.ToLower(strings.TrimPrefix(m.Acct, "@"))
		if acct == s.brand {
			return true
		}
		if strings.Contains(acct, "@") || acct != user {
			continue
		}
		if domain == "" || domain == strings.ToLower(s.host) {
			return true
		}
		if u, err := url.Parse(m.URL); err == nil && strings.EqualFold(u.Host, domain) {
			return true
		}
	}
	return false
}

// accountFlags returns the account's flags, from the cache or the server.
func (s *server) accountFlags(ctx context.Context, id string) (accountFlags, error) {
	c := s.c
	if id == "" {
		return accountFlags{}, errors.New("status without an account id")
	}
	if f, ok := s.accounts.get(id, c.now(), c.cfg.Consent.AccountTTL); ok {
		return f, nil
	}
	var f accountFlags
	err := s.call(ctx, func(ctx context.Context) error {
		var err error
		f, err = s.fetchAccount(ctx, id)
		return err
	})
	if err != nil {
		return accountFlags{}, fmt.Errorf("fetching account %s: %w", id, err)
	}
	s.accounts.put(id, f, c.now())
	return f, nil
}

// fetchAccount reads GET /api/v1/accounts/:id, reporting errors as
// go-mastodon does so call classifies them alike.
func (s *server) fetchAccount(ctx context.Context, id string) (accountFlags, error) {
	u := strings.TrimRight(s.cfg.URL, "/") + "/api/v1/accounts/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return accountFlags{}, err
	}
	if s.cfg.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.AccessToken)
	}
	resp, err := s.rest.Client.Do(req)
	if err != nil {
		return accountFlags{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return accountFlags{}, &gomasto.APIError{Message: resp.Status, StatusCode: resp.StatusCode}
	}
	var f accountFlags
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&f); err != nil {
		return accountFlags{}, fmt.Errorf("decoding account: %w", err)
	}
	return f, nil
}
