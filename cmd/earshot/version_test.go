package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionShowsTheCommitFromBuildInfo(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/earshothq/earshot", Version: "v0.0.0-20261203101500-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-03T10:15:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}
	out := readBuildVersion(info, true).String()
	for _, want := range []string{
		"earshot v0.0.0-20261203101500-0123456789ab+dirty\n",
		"commit:   0123456789abcdef0123456789abcdef01234567 (with uncommitted changes)",
		"date:     2026-12-03T10:15:00Z",
		"language: compact n-gram model (lean build",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("version output\n%s\nlacks %q", out, want)
		}
	}
	// go run stamps no VCS information: say so instead of inventing one.
	out = readBuildVersion(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true).String()
	if !strings.Contains(out, "earshot devel\n") || !strings.Contains(out, "commit:   unknown (built without VCS information") {
		t.Errorf("devel build: %s", out)
	}
	// A release build's linker-set version wins.
	version = "v1.2.3"
	defer func() { version = "" }()
	if v := readBuildVersion(info, true); v.Version != "v1.2.3" || v.Commit == "" {
		t.Errorf("release build: %+v", v)
	}
}
