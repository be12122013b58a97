package main

import (
	"strings"
	"testing"
)

// With an external Kafka there is no generated secret: config check and
// every role refuse a config without privacy.secret (or with a short one),
// at the key's file and line, saying how to make one; the embedded mode
// still generates its own.
func TestPrivacySecretRequiredWithExternalKafka(t *testing.T) {
	external := "kafka:\n  brokers: [127.0.0.1:1]\n  embedded: {enabled: false}\n"
	missing := writeConfig(t, external+"privacy:\n  secret: ${EARSHOT_TEST_NO_SUCH_SECRET:-}\n")
	for _, args := range [][]string{{"config", "check"}, {"serve"}, {"enrich"}, {"index"}, {"connect"}, {"run"}} {
		code, _, errOut := runCLI(t, append(args, "-c", missing)...)
		if code == 0 || !strings.Contains(errOut, missing+":5: privacy.secret: required with an external Kafka") ||
			!strings.Contains(errOut, "openssl rand -base64 32") || strings.Contains(errOut, "unreachable") {
			t.Errorf("%v without a secret: exit %d, stderr %q", args, code, errOut)
		}
	}
	absent := writeConfig(t, external)
	if code, _, errOut := runCLI(t, "config", "check", "-c", absent); code == 0 || !strings.Contains(errOut, "privacy.secret: required") {
		t.Errorf("config check with no privacy section: exit %d, stderr %q", code, errOut)
	}
	short := writeConfig(t, external+"privacy:\n  secret: tooshort\n")
	if code, _, errOut := runCLI(t, "config", "check", "-c", short); code == 0 ||
		!strings.Contains(errOut, short+":5: privacy.secret: 8 characters is too short (at least 16)") || !strings.Contains(errOut, "openssl rand") {
		t.Errorf("config check with a short secret: exit %d, stderr %q", code, errOut)
	}
	ok := writeConfig(t, external+"privacy:\n  secret: ${EARSHOT_TEST_SECRET}\n")
	t.Setenv("EARSHOT_TEST_SECRET", "kPq2vW8sXz3bN6mR9tY1uA4eD7gH0jLc")
	if code, out, errOut := runCLI(t, "config", "check", "-c", ok); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("config check with a secret: exit %d, %s %s", code, out, errOut)
	}
	embedded := writeConfig(t, "kafka:\n  embedded: {enabled: true, data_dir: "+t.TempDir()+"}\n")
	if code, out, errOut := runCLI(t, "config", "check", "-c", embedded); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("config check of the embedded mode without a secret: exit %d, %s %s", code, out, errOut)
	}
}
