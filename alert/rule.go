package alert

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// ValidationError is a rule field that is wrong, for API problem details.
// Code and Args name the problem for a translation (the pages say it in
// the reader's language: "alerts.err."+Code with Args); a problem without
// a Code is said in English only.
type ValidationError struct {
	Field   string
	Problem string
	Code    string
	Args    []any
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Problem }

// Resolved is a rule with every default applied and every duration parsed.
type Resolved struct {
	Rule     *record.AlertRule
	Spike    SpikeTest
	Window   time.Duration
	History  time.Duration
	Cooldown time.Duration
	Interval time.Duration // match
	MinScore float64       // prospect
	OnNew    bool          // prospect
	Period   string        // digest
	Hour     int           // digest
	Weekday  time.Weekday  // digest (weekly)
	Location *time.Location
	Quiet    *quietHours
}

type quietHours struct {
	from, to int // minutes after local midnight
	loc      *time.Location
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// Resolve validates r against the configuration and applies the defaults.
func Resolve(cfg Config, r *record.AlertRule) (*Resolved, error) {
	d := cfg.Defaults
	bad := func(field, format string, args ...any) error {
		return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	// badAs is bad with a code for a translation that takes the same args.
	badAs := func(code, field, format string, args ...any) error {
		return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...), Code: code, Args: args}
	}
	if r.Name == "" {
		return nil, badAs("required", "name", "required")
	}
	if len(r.Name) > 200 {
		return nil, badAs("too_long", "name", "at most 200 characters")
	}
	if len(r.Channels) == 0 {
		return nil, badAs("no_channel", "channels", "name at least one configured channel (configured: %s)", strings.Join(sortedKeys(cfg.Channels), ", "))
	}
	for _, ch := range r.Channels {
		if _, ok := cfg.Channels[ch]; !ok {
			return nil, badAs("unknown_channel", "channels", "unknown channel %q (configured: %s)", ch, strings.Join(sortedKeys(cfg.Channels), ", "))
		}
	}
	for _, to := range r.Recipients {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, badAs("recipient", "recipients", "%q is not an e-mail address", to)
		}
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		loc = time.UTC
	}
	res := &Resolved{Rule: r, Location: loc}
	if q := r.QuietHours; q != nil {
		qh, err := parseQuiet(q, loc)
		if err != nil {
			return nil, err
		}
		res.Quiet = qh
	}
	dur := func(field, v string, def time.Duration) (time.Duration, error) {
		if v == "" {
			return def, nil
		}
		x, err := time.ParseDuration(v)
		if err != nil || x < 0 {
			return 0, badAs("duration", field, "want a duration such as 1h or 30m, got %q", v)
		}
		return x, nil
	}
	only := func(kind string) error {
		for field, set := range map[string]bool{
			"spike": r.Spike != nil && kind != record.RuleSpike, "match": r.Match != nil && kind != record.RuleMatch,
			"prospect": r.Prospect != nil && kind != record.RuleProspect, "digest": r.Digest != nil && kind != record.RuleDigest,
		} {
			if set {
				return bad(field, "not allowed on a %s rule", kind)
			}
		}
		return nil
	}
	if err := only(r.Kind); err != nil {
		return nil, err
	}
	switch r.Kind {
	case record.RuleSpike:
		if r.SavedSearchID == "" {
			return nil, badAs("needs_search", "saved_search_id", "a spike rule watches a saved search")
		}
		p := record.SpikeParams{}
		if r.Spike != nil {
			p = *r.Spike
		}
		res.Spike = SpikeTest{Metric: p.Metric, K: p.K, MinCount: p.MinCount, MinIncrease: p.MinIncrease}
		switch res.Spike.Metric {
		case "":
			res.Spike.Metric = record.MetricVolume
		case record.MetricVolume, record.MetricNegativeShare:
		default:
			return nil, bad("spike.metric", "want volume or negative_share, got %q", p.Metric)
		}
		if res.Spike.K == 0 {
			res.Spike.K = d.K
		}
		if res.Spike.K < 0 || res.Spike.K > 20 {
			return nil, badAs("k_range", "spike.k", "want 0 < k ≤ 20, got %v", p.K)
		}
		if p.MinCount == 0 {
			res.Spike.MinCount = d.MinCount
		}
		if p.MinIncrease == 0 {
			res.Spike.MinIncrease = d.MinIncrease
		}
		if res.Spike.MinCount < 0 || res.Spike.MinIncrease < 0 {
			return nil, bad("spike", "min_count and min_increase must not be negative")
		}
		if res.Window, err = dur("spike.window", p.Window, d.Window); err != nil {
			return nil, err
		}
		if res.History, err = dur("spike.history", p.History, d.History); err != nil {
			return nil, err
		}
		if res.Cooldown, err = dur("spike.cooldown", p.Cooldown, d.Cooldown); err != nil {
			return nil, err
		}
		// Windows are made of the index's hourly histogram buckets.
		if res.Window < time.Hour || res.Window%time.Hour != 0 || res.Window > 7*24*time.Hour {
			return nil, badAs("window_hours", "spike.window", "want whole hours from 1h to 168h, got %s", res.Window)
		}
		if res.History%res.Window != 0 || res.History < 3*res.Window || res.History > 90*24*time.Hour {
			return nil, bad("spike.history", "want a multiple of the window, at least 3 windows and at most 90 days, got %s", res.History)
		}
	case record.RuleMatch:
		if r.SavedSearchID == "" {
			return nil, badAs("needs_search", "saved_search_id", "a match rule watches a saved search")
		}
		p := record.MatchParams{}
		if r.Match != nil {
			p = *r.Match
		}
		if res.Interval, err = dur("match.interval", p.Interval, d.MatchInterval); err != nil {
			return nil, err
		}
		if res.Interval < time.Minute || res.Interval > 24*time.Hour {
			return nil, badAs("interval_range", "match.interval", "want 1m to 24h, got %s", res.Interval)
		}
	case record.RuleProspect:
		p := record.ProspectParams{}
		if r.Prospect != nil {
			p = *r.Prospect
		}
		res.MinScore, res.OnNew = p.MinScore, p.OnNew
		if res.MinScore == 0 && !res.OnNew {
			res.MinScore = d.MinScore
		}
		if res.MinScore < 0 || res.MinScore > 1 {
			return nil, badAs("min_score_range", "prospect.min_score", "want 0..1, got %v", p.MinScore)
		}
	case record.RuleDigest:
		p := record.DigestParams{}
		if r.Digest != nil {
			p = *r.Digest
		}
		res.Period = p.Period
		switch res.Period {
		case "":
			res.Period = record.PeriodWeekly
		case record.PeriodDaily, record.PeriodWeekly:
		default:
			return nil, bad("digest.period", "want daily or weekly, got %q", p.Period)
		}
		res.Hour = p.Hour
		if p.Hour == 0 {
			res.Hour = d.DigestHour
		}
		if p.Hour < 0 || p.Hour > 23 {
			return nil, bad("digest.hour", "want 0..23, got %d", p.Hour)
		}
		res.Weekday = time.Monday
		if p.Weekday != "" {
			wd, ok := weekdays[strings.ToLower(p.Weekday)]
			if !ok {
				return nil, bad("digest.weekday", "want monday … sunday, got %q", p.Weekday)
			}
			res.Weekday = wd
		}
		if p.Timezone != "" {
			l, err := time.LoadLocation(p.Timezone)
			if err != nil {
				return nil, bad("digest.timezone", "unknown time zone %q", p.Timezone)
			}
			res.Location = l
		}
	default:
		return nil, bad("kind", "want spike, match, prospect or digest, got %q", r.Kind)
	}
	return res, nil
}

func parseQuiet(q *record.QuietHours, def *time.Location) (*quietHours, error) {
	clock := func(field, v string) (int, error) {
		t, err := time.Parse("15:04", v)
		if err != nil {
			return 0, &ValidationError{Field: "quiet_hours." + field, Problem: fmt.Sprintf("want HH:MM, got %q", v)}
		}
		return t.Hour()*60 + t.Minute(), nil
	}
	from, err := clock("from", q.From)
	if err != nil {
		return nil, err
	}
	to, err := clock("to", q.To)
	if err != nil {
		return nil, err
	}
	loc := def
	if q.Timezone != "" {
		if loc, err = time.LoadLocation(q.Timezone); err != nil {
			return nil, &ValidationError{Field: "quiet_hours.timezone", Problem: fmt.Sprintf("unknown time zone %q", q.Timezone)}
		}
	}
	return &quietHours{from: from, to: to, loc: loc}, nil
}

// until returns when the quiet hours holding t end, or the zero time when t
// is not in quiet hours.
func (q *quietHours) until(t time.Time) time.Time {
	if q == nil || q.from == q.to {
		return time.Time{}
	}
	l := t.In(q.loc)
	m := l.Hour()*60 + l.Minute()
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, q.loc)
	at := func(day time.Time, minutes int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), minutes/60, minutes%60, 0, 0, q.loc)
	}
	if q.from < q.to { // same day, e.g. 12:00–14:00
		if m >= q.from && m < q.to {
			return at(midnight, q.to).UTC()
		}
		return time.Time{}
	}
	switch { // across midnight, e.g. 22:00–07:00
	case m >= q.from:
		return at(midnight.AddDate(0, 0, 1), q.to).UTC()
	case m < q.to:
		return at(midnight, q.to).UTC()
	}
	return time.Time{}
}

// newID is a random rule id (rules are created by people, not derived).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
