package main

import (
	"strings"
	"testing"
)

// brokenConfig has one mistake per section and per connector type; every
// one must be reported at its own line and full key, although the
// connector factories and the search section wrap their validation errors.
const brokenConfig = `kafka:
  brokers: [localhost]
  topics:
    partitions: 0
http:
  listen: "nohostport"
enrich:
  analysis:
    languages: [english]
  identity:
    max_block_size: 0
search:
  backend: embedded
  stage:
    batch_size: 0
connectors:
  - name: news
    type: feed
    config:
      feeds:
        - url: https://example.com/feed.xml
          interval: -1s
  - name: masto
    type: mastodon
    config:
      servers:
        - url: ftp://x
          hashtags: [ok]
        - url: https://mastodon.example
          page_size: 100
          hashtags: [ok]
  - name: site
    type: web
    config:
      sites:
        - name: forum
          start_urls: [https://forum.example/]
          max_body_bytes: 10
  - name: intake
    type: forms
    config:
      forms:
        - id: "Kontakt Form"
          fields: [{name: email, maps_to: email}]
  - name: backfill
    type: file
    config:
      path: x.jsonl
      fromat: jsonl
`

func TestConfigCheckPlacesEveryErrorOnItsLineAndKey(t *testing.T) {
	p := writeConfig(t, brokenConfig)
	code, _, errOut := runCLI(t, "config", "check", "-c", p)
	if code == 0 {
		t.Fatal("a broken config passed the check")
	}
	want := []string{
		":2: kafka.brokers[0]: ",
		":4: kafka.topics.partitions: ",
		":6: http.listen: ",
		":9: enrich.analysis.languages[0]: ",
		":11: enrich.identity.max_block_size: ",
		":15: search.stage.batch_size: ",
		":22: connectors[0].config.feeds[0].interval: ",
		":27: connectors[1].config.servers[0].url: ",
		":30: connectors[1].config.servers[1].page_size: ",
		":38: connectors[2].config.sites[0].max_body_bytes: ",
		":43: connectors[3].config.forms[0].id: ",
		":49: connectors[4].config.fromat: unknown key",
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(errOut, "earshot: ")), "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, p+w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error %q in:\n%s", p+w, errOut)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("%d errors reported, want %d:\n%s", len(lines), len(want), errOut)
	}
}

// yaml.v3 reports an indentation slip at the line its block began; the
// check names the line of the slip.
func TestConfigCheckNamesTheLineOfAYAMLSyntaxError(t *testing.T) {
	p := writeConfig(t, "kafka:\n  embedded:\n    enabled: true\n      port: 9092\n")
	code, _, errOut := runCLI(t, "config", "check", "-c", p)
	if code == 0 || !strings.Contains(errOut, p+":4: YAML syntax: ") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
