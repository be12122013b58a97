package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/earshothq/earshot/internal/testcerts"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

func TestSecurityConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcerts.Generate(dir, "cfg", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	external := func(edit func(*pipeline.Config)) pipeline.Config {
		cfg := pipeline.DefaultConfig()
		cfg.Embedded.Enabled = false
		cfg.Brokers = []string{"kafka.example:9093"}
		edit(&cfg)
		return cfg
	}
	cases := []struct {
		name string
		cfg  pipeline.Config
		want string
	}{
		{"embedded with sasl", func() pipeline.Config {
			c := pipeline.DefaultConfig()
			c.SASL = pipeline.SASLConfig{Mechanism: "PLAIN", Username: "u", Password: "p"}
			return c
		}(), "kafka.embedded.enabled: the embedded broker speaks plaintext"},
		{"unknown mechanism", external(func(c *pipeline.Config) {
			c.SASL = pipeline.SASLConfig{Mechanism: "GSSAPI", Username: "u", Password: "p"}
		}), `kafka.sasl.mechanism: "GSSAPI" is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`},
		{"no password", external(func(c *pipeline.Config) {
			c.SASL = pipeline.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "u"}
		}), "kafka.sasl.password: required with sasl.mechanism SCRAM-SHA-512"},
		{"credentials without mechanism", external(func(c *pipeline.Config) {
			c.SASL = pipeline.SASLConfig{Username: "u", Password: "p"}
		}), "kafka.sasl.mechanism: a username or password is set but no mechanism"},
		{"missing CA file", external(func(c *pipeline.Config) {
			c.TLS = pipeline.TLSConfig{Enabled: true, CAFile: filepath.Join(dir, "nope.pem")}
		}), "kafka.tls: reading ca_file: open " + filepath.Join(dir, "nope.pem")},
		{"CA file without PEM", external(func(c *pipeline.Config) {
			c.TLS = pipeline.TLSConfig{Enabled: true, CAFile: notPEM}
		}), "kafka.tls: ca_file " + notPEM + " holds no PEM certificate"},
		{"cert without key", external(func(c *pipeline.Config) {
			c.TLS = pipeline.TLSConfig{Enabled: true, CertFile: certs.ClientCertFile}
		}), "kafka.tls: cert_file and key_file go together"},
		{"key of another cert", external(func(c *pipeline.Config) {
			c.TLS = pipeline.TLSConfig{Enabled: true, CertFile: certs.ClientCertFile, KeyFile: certs.ServerKeyFile}
		}), "kafka.tls: loading client certificate"},
		{"tls settings while disabled", external(func(c *pipeline.Config) {
			c.TLS = pipeline.TLSConfig{CAFile: certs.CAFile}
		}), "kafka.tls.enabled: tls settings are given but tls.enabled is false"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	ok := external(func(c *pipeline.Config) {
		c.TLS = pipeline.TLSConfig{Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile}
		c.SASL = pipeline.SASLConfig{Mechanism: "scram-sha-256", Username: "u", Password: "p"}
	})
	if err := ok.Validate(); err != nil {
		t.Errorf("valid TLS and SASL settings: %v", err)
	}
}

// secureBroker is an embedded broker with a TLS listener and SASL users.
func secureBroker(t *testing.T, certs *testcerts.Set, requireClient bool, users ...[3]string) string {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.TLS(certs.ServerTLS(requireClient))}
	if len(users) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range users {
			opts = append(opts, kfake.Superuser(u[0], u[1], u[2]))
		}
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("starting TLS broker: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

func secureConfig(broker string, tlsCfg pipeline.TLSConfig, saslCfg pipeline.SASLConfig) pipeline.Config {
	cfg := pipelinetest.TestConfig()
	cfg.Embedded.Enabled = false
	cfg.Brokers = []string{broker}
	cfg.TLS = tlsCfg
	cfg.SASL = saslCfg
	cfg.DialTimeout = 5 * time.Second
	return cfg
}

func TestSecureKafkaProducesConsumesAndCommitsOverTLSAndSASL(t *testing.T) {
	certs, err := testcerts.Generate(t.TempDir(), "kafka", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{pipeline.MechanismPlain, pipeline.MechanismScramSHA256, pipeline.MechanismScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			broker := secureBroker(t, certs, true, [3]string{mech, "earshot", "s3cret-" + mech})
			cfg := secureConfig(broker,
				pipeline.TLSConfig{Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile},
				pipeline.SASLConfig{Mechanism: mech, Username: "earshot", Password: "s3cret-" + mech})
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			RoundTripSecure(t, cfg)
		})
	}
}

// RoundTripSecure creates the topics, produces records, consumes them in a
// consumer group and checks the group committed everything it read.
func RoundTripSecure(t *testing.T, cfg pipeline.Config) {
	t.Helper()
	k := pipeline.NewKafka(cfg, nil, nil, nil)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := k.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := k.EnsureTopics(ctx); err != nil {
		t.Fatalf("creating topics: %v", err)
	}
	const n = 200
	var outs []pipeline.Output
	want := map[string]bool{}
	for i := range n {
		v := fmt.Sprintf("zamówienie %d — 咖啡机 %d", i, i)
		want[v] = true
		outs = append(outs, pipeline.Output{Topic: k.Topics().Raw(), Key: []byte(fmt.Sprintf("k%d", i%7)), Value: []byte(v)})
	}
	p := k.NewProducer("secure-test", 0)
	if err := p.ProduceSync(ctx, outs...); err != nil {
		t.Fatalf("producing over TLS/SASL: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	sink := &collectSink{want: n, done: make(chan struct{}), seen: map[string]bool{}}
	runCtx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- k.RunSink(runCtx, pipeline.SinkConfig{Name: "secure", Topics: []string{k.Topics().Raw()}, Sink: sink})
	}()
	select {
	case <-sink.done:
	case <-ctx.Done():
		stop()
		t.Fatalf("consumed %d of %d records", sink.count(), n)
	}
	for v := range want {
		if !sink.has(v) {
			t.Fatalf("record %q never consumed", v)
		}
	}
	// The group's committed offsets reach the end of every partition.
	deadline := time.Now().Add(30 * time.Second)
	for {
		infos, err := k.DescribeTopics(ctx, []string{k.Topics().Raw()}, []string{cfg.Group("secure")})
		if err != nil {
			t.Fatal(err)
		}
		lag := int64(0)
		for _, pi := range infos[0].Partitions {
			lag += pi.EndOffset - pi.Committed[cfg.Group("secure")]
		}
		if lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("group lag still %d after consuming everything", lag)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("sink: %v", err)
	}
}

type collectSink struct {
	mu   sync.Mutex
	want int
	seen map[string]bool
	done chan struct{}
}

func (s *collectSink) WriteBatch(_ context.Context, batch []pipeline.Message) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range batch {
		s.seen[string(m.Value)] = true
	}
	if len(s.seen) == s.want {
		close(s.done)
	}
	return make([]error, len(batch))
}

func (s *collectSink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.seen) }
func (s *collectSink) has(v string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[v]
}

// misconfigurations are what people get wrong, and what the error must say.
func TestSecureKafkaMisconfigurationsAreExplained(t *testing.T) {
	certs, err := testcerts.Generate(t.TempDir(), "kafka", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := testcerts.Generate(t.TempDir(), "other", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	broker := secureBroker(t, certs, false, [3]string{pipeline.MechanismScramSHA512, "earshot", "right"})
	plainBroker := func() string {
		e, err := pipeline.StartEmbedded(pipeline.EmbeddedConfig{Enabled: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Close)
		return e.Addr()
	}()
	trust := pipeline.TLSConfig{Enabled: true, CAFile: certs.CAFile}
	scram := pipeline.SASLConfig{Mechanism: pipeline.MechanismScramSHA512, Username: "earshot", Password: "right"}
	cases := []struct {
		name   string
		broker string
		tls    pipeline.TLSConfig
		sasl   pipeline.SASLConfig
		fatal  bool // ErrKafkaAuth, not retried
		want   []string
	}{
		{"untrusted certificate", broker, pipeline.TLSConfig{Enabled: true, CAFile: other.CAFile}, scram, true,
			[]string{"the certificate of " + broker + " is not signed by a CA Earshot trusts (kafka.tls.ca_file " + other.CAFile + ")", "set kafka.tls.ca_file"}},
		{"system roots do not know a private CA", broker, pipeline.TLSConfig{Enabled: true}, scram, true,
			[]string{"not signed by a CA Earshot trusts (the system's roots)"}},
		{"wrong server name", broker, pipeline.TLSConfig{Enabled: true, CAFile: certs.CAFile, ServerName: "kafka.example.com"}, scram, true,
			[]string{"is not valid for the name Earshot checked", "set kafka.tls.server_name"}},
		// The embedded broker closes the connection on a failed login where
		// Apache Kafka answers SASL_AUTHENTICATION_FAILED (the real-Kafka
		// tier checks that text), so the hint is all there is to give.
		{"wrong password", broker, trust, pipeline.SASLConfig{Mechanism: scram.Mechanism, Username: "earshot", Password: "wrong"}, false,
			[]string{broker + " closed the connection", "check kafka.sasl.mechanism, username and password"}},
		{"a mechanism the user has no credentials for", broker, trust, pipeline.SASLConfig{Mechanism: pipeline.MechanismPlain, Username: "earshot", Password: "right"}, false,
			[]string{"check kafka.sasl.mechanism, username and password"}},
		{"TLS to a plaintext listener", plainBroker, trust, pipeline.SASLConfig{}, false,
			[]string{plainBroker + " did not complete a TLS handshake", "set kafka.tls.enabled: false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkExplained(t, secureConfig(c.broker, c.tls, c.sasl), c.fatal, c.want)
		})
	}
	// TLS without verification connects (tests only), and warns.
	insecure := secureConfig(broker, pipeline.TLSConfig{Enabled: true, InsecureSkipVerify: true}, scram)
	k := pipeline.NewKafka(insecure, nil, nil, nil)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := k.Ping(ctx); err != nil {
		t.Fatalf("insecure_skip_verify: %v", err)
	}
}

// checkExplained pings with cfg and wants an error holding every phrase.
// A fatal one is ErrKafkaAuth and WaitReachable returns it at once (no
// retry loop); any other is retried, so one Ping shows it.
func checkExplained(t *testing.T, cfg pipeline.Config, fatal bool, want []string) {
	t.Helper()
	k := pipeline.NewKafka(cfg, nil, nil, nil)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	if fatal {
		err = k.WaitReachable(ctx)
		if ctx.Err() != nil {
			t.Fatalf("WaitReachable retried until the deadline instead of failing at once: %v", err)
		}
	} else {
		err = k.Ping(ctx)
	}
	if err == nil {
		t.Fatal("connected; want an error")
	}
	if errors.Is(err, pipeline.ErrKafkaAuth) != fatal {
		t.Errorf("errors.Is(err, ErrKafkaAuth) = %v, want %v: %v", !fatal, fatal, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not say %q", err, w)
		}
	}
	if cfg.SASL.Password != "" && strings.Contains(err.Error(), cfg.SASL.Password) {
		t.Errorf("error reveals the password: %v", err)
	}
}
