package pipeline_test

import (
	"testing"

	"github.com/earshothq/earshot/internal/testcerts"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// TestIntegrationSecureKafka runs against the SASL_SSL listener of the real
// broker (scripts/testenv: mutual TLS with a CA made for the test, PLAIN and
// SCRAM-SHA-512 users): produce, consume and commit with each mechanism,
// then each misconfiguration and the error it gets.
func TestIntegrationSecureKafka(t *testing.T) {
	l := pipelinetest.Secure(t)
	mtls := pipeline.TLSConfig{Enabled: true, CAFile: l.CAFile, CertFile: l.ClientCertFile, KeyFile: l.ClientKeyFile}
	plain := pipeline.SASLConfig{Mechanism: pipeline.MechanismPlain, Username: l.Plain.Username, Password: l.Plain.Password}
	scram := pipeline.SASLConfig{Mechanism: pipeline.MechanismScramSHA512, Username: l.Scram512.Username, Password: l.Scram512.Password}

	t.Run("PLAIN", func(t *testing.T) { RoundTripSecure(t, secureConfig(l.Addr, mtls, plain)) })
	t.Run("SCRAM-SHA-512", func(t *testing.T) { RoundTripSecure(t, secureConfig(l.Addr, mtls, scram)) })

	other, err := testcerts.Generate(t.TempDir(), "other", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	wrong := func(s pipeline.SASLConfig) pipeline.SASLConfig { s.Password += "-wrong"; return s }
	cases := []struct {
		name  string
		tls   pipeline.TLSConfig
		sasl  pipeline.SASLConfig
		fatal bool
		want  []string
	}{
		{"PLAIN wrong password", mtls, wrong(plain), true,
			[]string{"PLAIN at " + l.Addr + ` rejected user "` + plain.Username + `"`, "check kafka.sasl.username and kafka.sasl.password"}},
		{"SCRAM-SHA-512 wrong password", mtls, wrong(scram), true,
			[]string{"SCRAM-SHA-512 at " + l.Addr + ` rejected user "` + scram.Username + `"`, "that the user exists for SCRAM-SHA-512"}},
		{"SCRAM-SHA-512 unknown user", mtls, pipeline.SASLConfig{Mechanism: scram.Mechanism, Username: "nobody", Password: "not-the-password"}, true,
			[]string{`rejected user "nobody"`}},
		{"mechanism the listener does not enable", mtls, pipeline.SASLConfig{Mechanism: pipeline.MechanismScramSHA256, Username: scram.Username, Password: scram.Password}, true,
			[]string{"the listener at " + l.Addr + " does not accept SASL mechanism SCRAM-SHA-256", "set kafka.sasl.mechanism to one the listener enables"}},
		{"untrusted certificate", pipeline.TLSConfig{Enabled: true, CAFile: other.CAFile, CertFile: l.ClientCertFile, KeyFile: l.ClientKeyFile}, scram, true,
			[]string{"the certificate of " + l.Addr + " is not signed by a CA Earshot trusts (kafka.tls.ca_file " + other.CAFile + ")"}},
		{"wrong server name", pipeline.TLSConfig{Enabled: true, CAFile: l.CAFile, CertFile: l.ClientCertFile, KeyFile: l.ClientKeyFile, ServerName: "kafka.example.com"}, scram, true,
			[]string{"not valid for the name Earshot checked", "set kafka.tls.server_name"}},
		{"no client certificate", pipeline.TLSConfig{Enabled: true, CAFile: l.CAFile}, scram, true,
			[]string{l.Addr + " ended the TLS handshake", "set kafka.tls.cert_file and key_file"}},
		{"plaintext to the TLS listener", pipeline.TLSConfig{}, scram, false,
			[]string{l.Addr + " closed the connection", "check kafka.sasl.mechanism"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkExplained(t, secureConfig(l.Addr, c.tls, c.sasl), c.fatal, c.want)
		})
	}
}
