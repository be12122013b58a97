package forms

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/internal/smtpsend"
	"github.com/nyaruka/phonenumbers"
)

// Config is the `config:` mapping of a forms connector.
type Config struct {
	// PublicURL is the scheme and host the forms are reachable at from the
	// outside (e.g. https://forms.example.com). The embed snippet posts
	// there; when empty it is derived from the request.
	PublicURL string `yaml:"public_url"`
	// DefaultRegion is the ISO 3166-1 region used to read phone numbers
	// written without a country code; a form may override it.
	DefaultRegion string `yaml:"default_region"`
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For / X-Forwarded-Proto headers are believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// AllowedOrigins are the browser origins (scheme://host[:port]) allowed
	// to post cross-origin; a form may override them. "*" allows any.
	AllowedOrigins []string    `yaml:"allowed_origins"`
	Limits         Limits      `yaml:"limits"`
	Timeouts       Timeouts    `yaml:"timeouts"`
	RateLimit      RateLimits  `yaml:"rate_limit"`
	TimeTrap       TimeTrap    `yaml:"time_trap"`
	Idempotency    Idempotency `yaml:"idempotency"`
	QueueSize      int         `yaml:"queue_size"`
	// OptIn is how double opt-in confirmations are signed and mailed
	// (optin.go); used by forms whose consent asks for it.
	OptIn OptInConfig  `yaml:"double_opt_in"`
	Forms []FormConfig `yaml:"forms"`
}

// Limits cap what one submission may contain.
type Limits struct {
	// MaxBodyBytes is the largest request body accepted (413 above it).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxFields is the largest number of distinct fields in one submission.
	MaxFields int `yaml:"max_fields"`
	// Uploads says what happens to file parts of multipart bodies:
	// "refuse" (400, the default) or "metadata" (the file's name, size,
	// type and SHA-256 are recorded in Fields; its content is not stored).
	Uploads string `yaml:"uploads"`
	// MaxUploadBytes caps one file part in "metadata" mode (413 above it).
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
}

// Timeouts of the intake. ReadHeader, Idle and MaxHeaderBytes must be set on
// the http.Server by the host (ApplyServerTimeouts does it); the others are
// enforced per request by the handler itself.
type Timeouts struct {
	// ReadHeader bounds reading the request line and headers (slowloris).
	ReadHeader time.Duration `yaml:"read_header"`
	// BodyRead bounds reading the request body, from the handler's start.
	BodyRead time.Duration `yaml:"body_read"`
	// Handoff bounds how long a submission waits for the pipeline to take
	// it; when it is not taken in time the answer is 503.
	Handoff time.Duration `yaml:"handoff"`
	// Ack bounds how long a taken submission waits for Kafka's ack.
	Ack time.Duration `yaml:"ack"`
	// Idle is the keep-alive idle timeout the host should use.
	Idle time.Duration `yaml:"idle"`
	// MaxHeaderBytes is the header size limit the host should use.
	MaxHeaderBytes int `yaml:"max_header_bytes"`
	// RetryAfter is the Retry-After given with 503 answers.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Bucket is a token bucket: Rate tokens per second refill up to Burst.
// A zero Rate disables the limit.
type Bucket struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// RateLimits are the token buckets applied before a body is read.
type RateLimits struct {
	// PerIP is one bucket per client address (IPv6 by /64), across forms.
	PerIP Bucket `yaml:"per_ip"`
	// PerForm is one bucket per form (a form may override it).
	PerForm Bucket `yaml:"per_form"`
	// MaxClients bounds the number of per-IP buckets kept in memory.
	MaxClients int `yaml:"max_clients"`
}

// TimeTrap is the signed render-time token that catches bots posting faster
// than a person can type.
type TimeTrap struct {
	// Secret signs the tokens (HMAC-SHA256). Every instance behind one
	// load balancer must share it; when empty a random per-process secret
	// is used, which is only right for a single instance.
	Secret string `yaml:"secret"`
	// Min is the least time between rendering and posting a form; faster
	// posts are dropped quietly. Zero disables the time trap.
	Min time.Duration `yaml:"min"`
	// MaxAge is how long a rendered form stays valid.
	MaxAge time.Duration `yaml:"max_age"`
}

// Idempotency bounds the memory of answered Idempotency-Keys.
type Idempotency struct {
	TTL        time.Duration `yaml:"ttl"`
	MaxEntries int           `yaml:"max_entries"`
}

// FormConfig is one form: its fields and what to do with a submission.
type FormConfig struct {
	// ID is the form's URL name: POST /f/{id}. Also the record's Channel.
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
	Version string `yaml:"version"`
	// Lang is the BCP 47 language the form is written in, if known.
	Lang string `yaml:"lang"`
	// RedirectURL is where browser posts are sent (303) after success;
	// when empty they go to the connector's own thank-you page.
	RedirectURL string `yaml:"redirect_url"`
	// ThankYou is the text of the built-in thank-you page and of JSON answers.
	ThankYou       string        `yaml:"thank_you"`
	DefaultRegion  string        `yaml:"default_region"`
	AllowedOrigins []string      `yaml:"allowed_origins"`
	Fields         []FieldConfig `yaml:"fields"`
	Consent        *ConsentField `yaml:"consent"`
	// Honeypot is the name of the hidden field people never fill.
	Honeypot string `yaml:"honeypot"`
	// TimeTrap set to false disables the time trap for this form (for
	// script clients that post without rendering the form).
	TimeTrap *bool   `yaml:"time_trap"`
	PerForm  *Bucket `yaml:"rate_limit"`
	// Typeform enables POST /f/{id}/typeform with Typeform's signature.
	Typeform *WebhookConfig `yaml:"typeform"`
	// Webhook enables POST /f/{id}/webhook with Earshot's signed-webhook scheme.
	Webhook *WebhookConfig `yaml:"webhook"`
}

// WebhookConfig is a webhook receiver's shared secret.
type WebhookConfig struct {
	Secret string `yaml:"secret"`
	// Tolerance is the replay window of the generic webhook's timestamp.
	Tolerance time.Duration `yaml:"tolerance"`
}

// ConsentField is the form's consent checkbox and what it said.
type ConsentField struct {
	Field    string `yaml:"field"`
	Label    string `yaml:"label"`
	Text     string `yaml:"text"`
	Version  string `yaml:"version"`
	Required bool   `yaml:"required"`
	// DoubleOptIn mails the person a confirmation link; until they open
	// it the submission is stored but no prospect is handed to sales.
	DoubleOptIn bool `yaml:"double_opt_in"`
	// ConfirmSubject and ConfirmText are the confirmation e-mail's
	// subject and text (the link follows the text), in the form's language.
	ConfirmSubject string `yaml:"confirm_subject"`
	ConfirmText    string `yaml:"confirm_text"`
}

// Field targets: where a posted field goes in the record.
const (
	TargetEmail      = "email"
	TargetName       = "name"
	TargetFirstName  = "first_name"
	TargetLastName   = "last_name"
	TargetPhone      = "phone"
	TargetCompany    = "company"
	TargetMessage    = "message"
	TargetTitle      = "title"
	TargetCity       = "city"
	TargetCountry    = "country"
	TargetPostalCode = "postal_code"
	TargetCustom     = "custom"
)

var targets = map[string]bool{
	TargetEmail: true, TargetName: true, TargetFirstName: true, TargetLastName: true,
	TargetPhone: true, TargetCompany: true, TargetMessage: true, TargetTitle: true,
	TargetCity: true, TargetCountry: true, TargetPostalCode: true, TargetCustom: true,
}

// FieldConfig is one posted field and its rules.
type FieldConfig struct {
	// Name is the posted field name (for Typeform: the field's ref).
	Name string `yaml:"name"`
	// MapsTo is the record target (email, name, first_name, last_name,
	// phone, company, message, title, city, country, postal_code, custom);
	// custom fields land in Fields under Name.
	MapsTo   string `yaml:"maps_to"`
	Label    string `yaml:"label"`
	Required bool   `yaml:"required"`
	// MaxLength caps the value in characters (after normalisation); zero
	// takes the target's default.
	MaxLength int `yaml:"max_length"`
	// Allowed restricts the value to a list (matched case-insensitively,
	// stored as written here); the embed renders a <select>.
	Allowed []string `yaml:"allowed"`
	// Multiple accepts several values (checkbox groups), stored joined
	// with ", ".
	Multiple bool `yaml:"multiple"`
}

// DefaultConfig returns a Config with every default filled in.
func DefaultConfig() Config {
	return Config{
		DefaultRegion: "US",
		Limits: Limits{
			MaxBodyBytes:   64 << 10,
			MaxFields:      64,
			Uploads:        "refuse",
			MaxUploadBytes: 1 << 20,
		},
		Timeouts: Timeouts{
			ReadHeader:     5 * time.Second,
			BodyRead:       10 * time.Second,
			Handoff:        2 * time.Second,
			Ack:            15 * time.Second,
			Idle:           60 * time.Second,
			MaxHeaderBytes: 16 << 10,
			RetryAfter:     5 * time.Second,
		},
		RateLimit: RateLimits{
			PerIP:      Bucket{PerSecond: 0.5, Burst: 10},
			PerForm:    Bucket{PerSecond: 200, Burst: 400},
			MaxClients: 100_000,
		},
		TimeTrap:    TimeTrap{Min: 3 * time.Second, MaxAge: 24 * time.Hour},
		Idempotency: Idempotency{TTL: 24 * time.Hour, MaxEntries: 100_000},
		QueueSize:   1024,
		OptIn:       OptInConfig{LinkTTL: 72 * time.Hour, SMTP: SMTPConfig{Port: 587, Security: smtpsend.STARTTLS}, SendTimeout: 15 * time.Second},
	}
}

var (
	formIDPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	fieldNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-\[\]]{0,63}$`)
)

// defaultMaxLength is each target's length cap in characters.
func defaultMaxLength(target string) int {
	switch target {
	case TargetEmail:
		return 254
	case TargetPhone:
		return 40
	case TargetMessage:
		return 10_000
	case TargetName, TargetFirstName, TargetLastName, TargetCompany, TargetTitle, TargetCity, TargetCountry:
		return 200
	case TargetPostalCode:
		return 20
	}
	return 1_000
}

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, confx.Keyf(key, format, args...)) }
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("public_url", "want an absolute http(s) URL, got %q", c.PublicURL)
		}
	}
	if !validRegion(c.DefaultRegion) {
		add("default_region", "not a region phone numbers are known for, got %q", c.DefaultRegion)
	}
	if _, err := parsePrefixes(c.TrustedProxies); err != nil {
		add("trusted_proxies", "%w", err)
	}
	if err := validateOrigins(c.AllowedOrigins); err != nil {
		add("allowed_origins", "%w", err)
	}
	if c.Limits.MaxBodyBytes < 1024 {
		add("limits.max_body_bytes", "want at least 1024, got %d", c.Limits.MaxBodyBytes)
	}
	if c.Limits.MaxFields < 1 {
		add("limits.max_fields", "want at least 1, got %d", c.Limits.MaxFields)
	}
	switch c.Limits.Uploads {
	case "refuse", "metadata":
	default:
		add("limits.uploads", "want refuse or metadata, got %q", c.Limits.Uploads)
	}
	if c.Limits.MaxUploadBytes < 1 {
		add("limits.max_upload_bytes", "want a positive size, got %d", c.Limits.MaxUploadBytes)
	}
	t := c.Timeouts
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read_header", t.ReadHeader}, {"body_read", t.BodyRead}, {"handoff", t.Handoff}, {"ack", t.Ack}, {"idle", t.Idle}, {"retry_after", t.RetryAfter}} {
		if d.v <= 0 {
			add(fmt.Sprintf("timeouts.%s", d.name), "want a positive duration, got %s", d.v)
		}
	}
	if t.MaxHeaderBytes < 1024 {
		add("timeouts.max_header_bytes", "want at least 1024, got %d", t.MaxHeaderBytes)
	}
	for name, b := range map[string]Bucket{"rate_limit.per_ip": c.RateLimit.PerIP, "rate_limit.per_form": c.RateLimit.PerForm} {
		if err := b.validate(); err != nil {
			add(name, "%w", err)
		}
	}
	if c.RateLimit.MaxClients < 1 {
		add("rate_limit.max_clients", "want at least 1, got %d", c.RateLimit.MaxClients)
	}
	if c.TimeTrap.Min < 0 || c.TimeTrap.MaxAge <= c.TimeTrap.Min {
		add("time_trap", "want 0 <= min < max_age, got min %s max_age %s", c.TimeTrap.Min, c.TimeTrap.MaxAge)
	}
	if c.TimeTrap.Secret != "" && len(c.TimeTrap.Secret) < 16 {
		add("time_trap.secret", "want at least 16 characters")
	}
	if c.Idempotency.TTL <= 0 || c.Idempotency.MaxEntries < 1 {
		add("idempotency", "want a positive ttl and max_entries")
	}
	if c.QueueSize < 1 {
		add("queue_size", "want at least 1, got %d", c.QueueSize)
	}
	if len(c.Forms) == 0 {
		add("forms", "want at least one form")
	}
	for i := range c.Forms {
		if f := c.Forms[i]; f.Consent != nil && f.Consent.DoubleOptIn {
			if err := c.OptIn.validate(); err != nil {
				add("double_opt_in", "%w (forms[%d] asks for double opt-in)", err, i)
			}
			break
		}
	}
	seen := map[string]bool{}
	for i := range c.Forms {
		f := &c.Forms[i]
		if seen[f.ID] {
			add(fmt.Sprintf("forms[%d].id", i), "%q is defined twice", f.ID)
		}
		seen[f.ID] = true
		if err := f.validate(); err != nil {
			add(fmt.Sprintf("forms[%d]", i), "%w", err)
		}
	}
	return errors.Join(errs...)
}

func (b Bucket) validate() error {
	if b.PerSecond < 0 {
		return confx.Keyf("per_second", "want zero (off) or more, got %g", b.PerSecond)
	}
	if b.PerSecond > 0 && b.Burst < 1 {
		return confx.Keyf("burst", "want at least 1 when per_second is set, got %d", b.Burst)
	}
	return nil
}

func (f *FormConfig) validate() error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, confx.Keyf(key, format, args...)) }
	if !formIDPattern.MatchString(f.ID) {
		add("id", "want 1-64 of a-z, 0-9, '_' or '-', starting with a letter or digit, got %q", f.ID)
	}
	if f.RedirectURL != "" {
		if u, err := url.Parse(f.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("redirect_url", "want an absolute http(s) URL, got %q", f.RedirectURL)
		}
	}
	if f.DefaultRegion != "" && !validRegion(f.DefaultRegion) {
		add("default_region", "not a region phone numbers are known for, got %q", f.DefaultRegion)
	}
	if err := validateOrigins(f.AllowedOrigins); err != nil {
		add("allowed_origins", "%w", err)
	}
	if f.PerForm != nil {
		if err := f.PerForm.validate(); err != nil {
			add("rate_limit", "%w", err)
		}
	}
	names := map[string]bool{}
	claim := func(what, name string) {
		if !fieldNamePattern.MatchString(name) {
			add(what, "want 1-64 of letters, digits, '_', '.', '-', '[' or ']', not starting with '_', got %q", name)
		}
		if strings.HasPrefix(name, "utm_") || name == fieldToken || name == fieldPage || name == fieldReferrer {
			add(what, "%q is reserved for provenance", name)
		}
		if names[name] {
			add(what, "%q is used twice", name)
		}
		names[name] = true
	}
	if len(f.Fields) == 0 {
		add("fields", "want at least one field")
	}
	single := map[string]bool{}
	for i, fc := range f.Fields {
		claim(fmt.Sprintf("fields[%d].name", i), fc.Name)
		if !targets[fc.MapsTo] {
			add(fmt.Sprintf("fields[%d].maps_to", i), "want one of email, name, first_name, last_name, phone, company, message, title, city, country, postal_code, custom, got %q", fc.MapsTo)
		}
		if fc.MapsTo != TargetCustom {
			if single[fc.MapsTo] {
				add(fmt.Sprintf("fields[%d].maps_to", i), "another field already maps to %q", fc.MapsTo)
			}
			single[fc.MapsTo] = true
			if fc.Multiple {
				add(fmt.Sprintf("fields[%d].multiple", i), "only custom fields may take several values")
			}
		}
		if fc.MaxLength < 0 {
			add(fmt.Sprintf("fields[%d].max_length", i), "want zero (default) or more, got %d", fc.MaxLength)
		}
	}
	if f.Consent != nil {
		claim("consent.field", f.Consent.Field)
		if strings.TrimSpace(f.Consent.Text) == "" {
			add("consent.text", "want the text the person agrees to (it is recorded with the consent)")
		}
		if f.Consent.DoubleOptIn && !slices.ContainsFunc(f.Fields, func(fc FieldConfig) bool { return fc.MapsTo == TargetEmail && fc.Required }) {
			add("consent.double_opt_in", "needs a required field that maps to email (the confirmation is mailed there)")
		}
	}
	if f.Honeypot != "" {
		claim("honeypot", f.Honeypot)
	}
	for name, w := range map[string]*WebhookConfig{"typeform": f.Typeform, "webhook": f.Webhook} {
		if w == nil {
			continue
		}
		if len(w.Secret) < 16 {
			add(fmt.Sprintf("%s.secret", name), "want at least 16 characters")
		}
		if w.Tolerance < 0 {
			add(fmt.Sprintf("%s.tolerance", name), "want a positive duration, got %s", w.Tolerance)
		}
	}
	return errors.Join(errs...)
}

// applyDefaults fills a form's unset options from the connector's.
func (f *FormConfig) applyDefaults(c *Config) {
	if f.Title == "" {
		f.Title = f.ID
	}
	if f.ThankYou == "" {
		f.ThankYou = "Thank you, we received your message."
	}
	if f.DefaultRegion == "" {
		f.DefaultRegion = c.DefaultRegion
	}
	f.DefaultRegion = strings.ToUpper(f.DefaultRegion)
	if f.AllowedOrigins == nil {
		f.AllowedOrigins = c.AllowedOrigins
	}
	if f.Honeypot == "" {
		f.Honeypot = "website"
		for _, fc := range f.Fields {
			if fc.Name == "website" {
				f.Honeypot = "homepage_url"
			}
		}
	}
	if f.Webhook != nil && f.Webhook.Tolerance == 0 {
		f.Webhook.Tolerance = 5 * time.Minute
	}
	for i := range f.Fields {
		if f.Fields[i].MaxLength == 0 {
			f.Fields[i].MaxLength = defaultMaxLength(f.Fields[i].MapsTo)
		}
		if f.Fields[i].Label == "" {
			f.Fields[i].Label = f.Fields[i].Name
		}
	}
}

func validRegion(r string) bool {
	return phonenumbers.GetSupportedRegions()[strings.ToUpper(r)]
}

func validateOrigins(origins []string) error {
	var errs []error
	for i, o := range origins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, confx.Keyf(fmt.Sprintf("[%d]", i), "want scheme://host[:port], got %q", o))
		}
	}
	return errors.Join(errs...)
}

// parsePrefixes reads addresses and CIDR ranges.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q: want an IP address or CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
