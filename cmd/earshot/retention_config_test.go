package main

import (
	"strings"
	"testing"
)

func TestConfigCheckShowsTheEffectiveRetention(t *testing.T) {
	p := writeConfig(t, "kafka:\n  topic_prefix: acme.\nretention:\n  raw: 3d\n  mentions: 2y\n  notifications: forever\n  prospects: 6mo\n  sweep_interval: 15m\n")
	code, out, errOut := runCLI(t, "config", "check", "-c", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"raw             3d              acme.raw (retention.ms=259200000)",
		"enriched        30d             acme.enriched, acme.filtered (retention.ms=2592000000)",
		"dlq             14d             acme.dlq (retention.ms=1209600000)",
		"mentions        2y              index: deleted by creation time, every 15m and at start",
		"notifications   forever         acme.notifications (retention.ms=-1)\n",
		"prospects       6mo             acme.prospects tombstones (profile leaves the index), by last activity, every 15m and at start",
		"erasure_audit   forever         acme.erasure-audit (retention.ms=-1)",
		"acme.erasures (log.retention.ms)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// With a finite period, the compacted deliveries table is swept too.
	p = writeConfig(t, "retention:\n  notifications: 2w\n")
	if code, out, errOut = runCLI(t, "config", "check", "-c", p); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "earshot.notifications (retention.ms=1209600000); finished deliveries in earshot.deliveries tombstoned, every"; !strings.Contains(out, want) {
		t.Errorf("no %q in:\n%s", want, out)
	}
}

func TestConfigCheckPlacesRetentionErrors(t *testing.T) {
	p := writeConfig(t, "kafka:\n  topics:\n    overrides:\n      raw:\n        retention_ms: 1000\nretention:\n  raw: 7 days\n  dlq: 10m\n  mentoins: 13mo\n")
	code, _, errOut := runCLI(t, "config", "check", "-c", p)
	if code == 0 {
		t.Fatal("a broken retention section passed the check")
	}
	for _, want := range []string{
		p + `:5: kafka.topics.overrides.raw.retention_ms: retention is set per data kind in the retention section`,
		p + `:7: retention.raw: "7 days" is not a period`,
		p + `:8: retention.dlq: 10m is shorter than the minimum of 1h`,
		p + `:9: retention.mentoins: unknown key (did you mean "mentions"?)`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("no %q in:\n%s", want, errOut)
		}
	}
}
