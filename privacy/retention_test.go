package privacy

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseAge(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"7d": 7 * day, "13mo": 390 * day, "36h": 36 * time.Hour, "2w": 14 * day, "1y": 365 * day,
		"90m": 90 * time.Minute, "1h30m": 90 * time.Minute, " 30D ": 30 * day, "forever": 0, "off": 0,
	} {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":         "empty",
		"7 days":   "not a period",
		"0d":       "must be positive",
		"-3d":      "must be positive",
		"d":        "not a period",
		"200y":     "more than 100 years",
		"-1h":      "must be positive",
		"tomorrow": "not a period",
	} {
		if _, err := ParseAge(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseAge(%q): error %v; want one saying %q", in, err, msg)
		}
	}
}

func TestRetentionDefaultsAndTopics(t *testing.T) {
	c := DefaultRetention()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"raw": 7 * 86400000, "enriched": 30 * 86400000, "filtered": 30 * 86400000,
		"dlq": 14 * 86400000, "notifications": 30 * 86400000, "erasure-audit": -1}
	got := c.TopicRetention()
	if len(got) != len(want) {
		t.Errorf("topic retention %v; want %v", got, want)
	}
	for role, ms := range want {
		if got[role] != ms {
			t.Errorf("%s: %d ms, want %d", role, got[role], ms)
		}
	}
	if c.Mentions.String() != "13mo" || c.Mentions.Duration() != 390*24*time.Hour {
		t.Errorf("mentions %s (%v)", c.Mentions, c.Mentions.Duration())
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if got := c.Raw.Cutoff(now); !got.Equal(now.Add(-7 * 24 * time.Hour)) {
		t.Errorf("raw cutoff %v", got)
	}
	if !Forever.Cutoff(now).IsZero() || Forever.Millis() != -1 {
		t.Error("forever has a cutoff")
	}
}

func TestRetentionValidateNamesEveryBadKey(t *testing.T) {
	var c RetentionConfig
	src := "raw: 3x\nenriched: 20m\ndlq: [1]\nnotifications: forever\nmentions: 1y\nprospects: 6mo\nerasure_audit: 5y\nsweep_interval: 10s\n"
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`retention.raw: "3x" is not a period`, "retention.enriched: 20m is shorter than the minimum of 1h",
		"retention.dlq: must be a period", "retention.sweep_interval: 10s out of range"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	for _, ok := range []string{"notifications", "mentions", "prospects", "erasure_audit"} {
		if strings.Contains(err.Error(), "retention."+ok) {
			t.Errorf("%s reported:\n%v", ok, err)
		}
	}
	if c.Notifications.Millis() != -1 || c.Mentions.String() != "1y" || c.Prospects.String() != "6mo" {
		t.Errorf("decoded %v %v", c.Notifications, c.Mentions)
	}
}

func TestFormatInterval(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Hour: "1h", 10 * time.Minute: "10m", 90 * time.Minute: "1h30m", 24 * time.Hour: "24h"} {
		if got := FormatInterval(d); got != want {
			t.Errorf("FormatInterval(%v) = %q, want %q", d, got, want)
		}
	}
}
