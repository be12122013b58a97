package privacy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/internal/confx"
)

// Age is a retention period written for people: "7d", "13mo", "36h", "2w",
// "1y", or "forever" (keep without limit). A day is 24 hours, a week 7
// days, a month 30 days and a year 365 days, so a period is the same
// number of milliseconds on every broker and in every index sweep.
//
// It decodes leniently and keeps what it read: Validate reports a value
// that is not a period at its own key and line.
type Age struct {
	d    time.Duration // 0: forever
	text string
	err  error
}

// Forever keeps data without a time limit.
var Forever = Age{text: "forever"}

// AgeOf returns the period d (0: forever).
func AgeOf(d time.Duration) Age {
	if d <= 0 {
		return Forever
	}
	return Age{d: d, text: formatAge(d)}
}

// Duration is the period; 0 means forever.
func (a Age) Duration() time.Duration { return a.d }

// Forever reports whether the data is kept without limit.
func (a Age) Forever() bool { return a.d == 0 }

// Millis is the Kafka retention.ms of the period (-1: forever).
func (a Age) Millis() int64 {
	if a.d == 0 {
		return -1
	}
	return a.d.Milliseconds()
}

// Cutoff is the oldest time kept at now (zero when kept forever).
func (a Age) Cutoff(now time.Time) time.Time {
	if a.d == 0 {
		return time.Time{}
	}
	return now.Add(-a.d)
}

// String is the period as written in the config ("30d", "forever").
func (a Age) String() string {
	if a.text != "" {
		return a.text
	}
	if a.d == 0 {
		return "forever"
	}
	return formatAge(a.d)
}

// UnmarshalYAML reads a period; a bad one is kept for Validate to report.
func (a *Age) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		*a = Age{err: errors.New("must be a period such as 30d, 13mo, 36h or forever")}
		return nil
	}
	d, err := ParseAge(n.Value)
	*a = Age{d: d, text: strings.TrimSpace(n.Value), err: err}
	return nil
}

// MarshalYAML writes the period as text.
func (a Age) MarshalYAML() (any, error) { return a.String(), nil }

var ageUnits = []struct {
	suffix string
	d      time.Duration
}{
	// Longest suffixes first: "mo" before "m".
	{"mo", 30 * 24 * time.Hour},
	{"y", 365 * 24 * time.Hour},
	{"w", 7 * 24 * time.Hour},
	{"d", 24 * time.Hour},
	{"h", time.Hour},
	{"m", time.Minute},
}

// ParseAge reads "7d", "13mo", "36h", "2w", "1y", "90m" or "forever"
// (0). Go durations with several units ("1h30m") are accepted too.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "":
		return 0, errors.New("empty: give a period such as 30d, 13mo, 36h or forever")
	case "forever", "never", "off":
		return 0, nil
	}
	for _, u := range ageUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			break // "1h30m" and the like: try Go's syntax below
		}
		if n <= 0 {
			return 0, fmt.Errorf("%q must be positive (write forever to keep without limit)", s)
		}
		if n > int64((100*365*24*time.Hour)/u.d) {
			return 0, fmt.Errorf("%q is more than 100 years (write forever to keep without limit)", s)
		}
		return time.Duration(n) * u.d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a period: write a number and a unit (h, d, w, mo, y), e.g. 30d or 13mo, or forever", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive (write forever to keep without limit)", s)
	}
	return d, nil
}

// formatAge writes d in years, days or hours when one divides it.
func formatAge(d time.Duration) string {
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"y", 365 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.suffix
		}
	}
	return d.String()
}

// FormatInterval writes a sweep interval as a person would ("1h", "15m").
func FormatInterval(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// RetentionConfig is the `retention` section: how long each kind of
// personal data is kept (GDPR storage limitation). Topics get the period as
// retention.ms when created and at every start (pipeline); the index
// deletes expired mentions on a schedule (index/stage); prospects that
// never converted are removed after their last activity (enrich/identity/crm).
type RetentionConfig struct {
	// Raw is the raw topic: connectors' records before enrichment.
	Raw Age `yaml:"raw"`
	// Enriched is the enriched topic and the filtered topic (enriched
	// mentions the relevance filter kept out of the index).
	Enriched Age `yaml:"enriched"`
	// DLQ is the dead-letter topic.
	DLQ Age `yaml:"dlq"`
	// Notifications is the alerts' notification topic (it quotes mentions).
	Notifications Age `yaml:"notifications"`
	// Mentions is how long a mention stays in the index, by its creation
	// time at the source.
	Mentions Age `yaml:"mentions"`
	// Prospects is how long a prospect that never became a customer is
	// kept after its last activity (last_seen).
	Prospects Age `yaml:"prospects"`
	// ErasureAudit is the erasure audit log (no personal data): kept
	// forever by default so every erasure can be shown later.
	ErasureAudit Age `yaml:"erasure_audit"`
	// SweepInterval is how often the index and prospect sweeps run (they
	// also run at start).
	SweepInterval time.Duration `yaml:"sweep_interval"`
}

// DefaultRetention is the conservative default (privacy/README.md says why).
func DefaultRetention() RetentionConfig {
	day := 24 * time.Hour
	return RetentionConfig{
		Raw:           Age{d: 7 * day, text: "7d"},
		Enriched:      Age{d: 30 * day, text: "30d"},
		DLQ:           Age{d: 14 * day, text: "14d"},
		Notifications: Age{d: 30 * day, text: "30d"},
		Mentions:      Age{d: 13 * 30 * day, text: "13mo"},
		Prospects:     Age{d: 12 * 30 * day, text: "12mo"},
		ErasureAudit:  Forever,
		SweepInterval: time.Hour,
	}
}

// minAge is the shortest period accepted: a topic emptied faster could
// lose records a stage stopped for a restart had not read yet.
const minAge = time.Hour

// Validate names every bad period at its key.
func (c RetentionConfig) Validate() error {
	var errs []error
	for _, k := range c.Kinds() {
		switch {
		case k.Age.err != nil:
			errs = append(errs, confx.Keyf("retention."+k.Key, "%w", k.Age.err))
		case !k.Age.Forever() && k.Age.d < minAge:
			errs = append(errs, confx.Keyf("retention."+k.Key, "%s is shorter than the minimum of 1h", k.Age))
		}
	}
	if c.SweepInterval < time.Minute || c.SweepInterval > 24*time.Hour {
		errs = append(errs, confx.Keyf("retention.sweep_interval", "%s out of range 1m..24h", c.SweepInterval))
	}
	return errors.Join(errs...)
}

// RetentionKind is one kind of data with its period and where it lives.
type RetentionKind struct {
	Key string // the config key under retention
	Age Age
	// Roles are the topic roles (pipeline.Role*) the period applies to as
	// retention.ms; empty for data outside Kafka's delete policy.
	Roles []string
	What  string
}

// Kinds lists every kind in the order `config check` shows them. The
// topic roles are written out (not imported from pipeline, which imports
// this package).
func (c RetentionConfig) Kinds() []RetentionKind {
	return []RetentionKind{
		{"raw", c.Raw, []string{"raw"}, "connectors' records before enrichment"},
		{"enriched", c.Enriched, []string{"enriched", "filtered"}, "enriched mentions, and those the relevance filter kept out"},
		{"dlq", c.DLQ, []string{"dlq"}, "dead letters"},
		{"notifications", c.Notifications, []string{"notifications"}, "alert notifications (they quote mentions)"},
		{"mentions", c.Mentions, nil, "mentions in the index, by creation time"},
		{"prospects", c.Prospects, nil, "prospects that never converted, after their last activity"},
		{"erasure_audit", c.ErasureAudit, []string{"erasure-audit"}, "the erasure audit log (no personal data)"},
	}
}

// TopicRetention maps topic roles to their retention.ms (-1: forever).
func (c RetentionConfig) TopicRetention() map[string]int64 {
	out := map[string]int64{}
	for _, k := range c.Kinds() {
		for _, role := range k.Roles {
			out[role] = k.Age.Millis()
		}
	}
	return out
}
