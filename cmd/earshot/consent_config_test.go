package main

import (
	"strings"
	"testing"
)

// The consent keys of the Mastodon connector and the forms' double opt-in
// are checked by `earshot config check`, each error at its key.
func TestConfigCheckValidatesConsentKeys(t *testing.T) {
	p := writeConfig(t, `connectors:
  - name: masto
    type: mastodon
    config:
      servers:
        - url: https://mastodon.example
          hashtags: [earshot]
          brand_account: "not an account"
      consent:
        track: 0
        check_interval: -1m
  - name: intake
    type: forms
    config:
      double_opt_in:
        secret: short
        smtp: {host: smtp.example.com, from: nobody}
      forms:
        - id: newsletter
          fields: [{name: email, maps_to: email, required: true}]
          consent: {field: consent, text: Newsletter please., double_opt_in: true}
`)
	code, _, errOut := runCLI(t, "config", "check", "-c", p)
	if code == 0 {
		t.Fatal("a config with broken consent keys passed the check")
	}
	for _, w := range []string{
		"connectors[0].config.servers[0].brand_account: ",
		"connectors[0].config.consent.track: ",
		"connectors[0].config.consent.check_interval: ",
		"connectors[1].config.double_opt_in",
		"secret: want at least 32 characters",
		"smtp.from: ",
	} {
		if !strings.Contains(errOut, w) {
			t.Errorf("no error %q in:\n%s", w, errOut)
		}
	}
	ok := writeConfig(t, `connectors:
  - name: masto
    type: mastodon
    config:
      servers: [{url: "https://mastodon.example", hashtags: [earshot], brand_account: earshot@mastodon.example}]
      consent: {prospects: true, check_interval: 0s}
`)
	if code, out, errOut := runCLI(t, "config", "check", "-c", ok); code != 0 {
		t.Fatalf("a valid consent config failed: %s%s", out, errOut)
	}
}
