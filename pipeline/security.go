package pipeline

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// TLSConfig encrypts the connections to the brokers (the SSL and SASL_SSL
// listeners of managed Kafka).
type TLSConfig struct {
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of the CAs that signed the brokers'
	// certificates; empty trusts the system's roots (managed clusters).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate (mutual TLS).
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName is checked against the brokers' certificates instead of
	// the host each broker advertises.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify accepts any certificate: for tests only, it
	// defeats the point of TLS.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASLConfig authenticates the client to the brokers.
type SASLConfig struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: none.
	Mechanism string `yaml:"mechanism"`
	Username  string `yaml:"username"`
	// Password comes from the environment (${KAFKA_PASSWORD}); it is never logged.
	Password string `yaml:"password"`
}

// SASL mechanisms Earshot speaks.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// validate names every bad TLS or SASL setting; files must be readable and
// hold what they claim, so a typo fails `config check`, not the first dial.
func (c Config) validateSecurity(bad func(key, format string, args ...any)) {
	if c.Embedded.Enabled && (c.TLS.Enabled || c.SASL.Mechanism != "") {
		bad("embedded.enabled", "the embedded broker speaks plaintext on loopback only; set embedded.enabled: false to use tls or sasl with kafka.brokers")
	}
	if c.TLS.Enabled {
		if _, err := c.TLS.build(); err != nil {
			bad("tls", "%v", err)
		}
	} else if c.TLS.CAFile != "" || c.TLS.CertFile != "" || c.TLS.KeyFile != "" || c.TLS.ServerName != "" || c.TLS.InsecureSkipVerify {
		bad("tls.enabled", "tls settings are given but tls.enabled is false")
	}
	switch strings.ToUpper(c.SASL.Mechanism) {
	case "":
		if c.SASL.Username != "" || c.SASL.Password != "" {
			bad("sasl.mechanism", "a username or password is set but no mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
		}
		return
	case MechanismPlain, MechanismScramSHA256, MechanismScramSHA512:
	default:
		bad("sasl.mechanism", "%q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.SASL.Mechanism)
		return
	}
	if c.SASL.Username == "" {
		bad("sasl.username", "required with sasl.mechanism %s", c.SASL.Mechanism)
	}
	if c.SASL.Password == "" {
		bad("sasl.password", "required with sasl.mechanism %s (set it from the environment, e.g. ${KAFKA_PASSWORD})", c.SASL.Mechanism)
	}
}

// build turns the settings into a crypto/tls configuration.
func (c TLSConfig) build() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // opt-in, documented as tests only
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", c.CAFile)
		}
		tc.RootCAs = pool
	}
	switch {
	case c.CertFile != "" && c.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading client certificate %s and key %s: %w", c.CertFile, c.KeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case c.CertFile != "" || c.KeyFile != "":
		return nil, errors.New("cert_file and key_file go together (a client certificate needs its key)")
	}
	return tc, nil
}

// mechanism builds the kafka-go SASL mechanism, or nil for none.
func (c SASLConfig) mechanism() (sasl.Mechanism, error) {
	switch strings.ToUpper(c.Mechanism) {
	case "":
		return nil, nil
	case MechanismPlain:
		return plain.Mechanism{Username: c.Username, Password: c.Password}, nil
	case MechanismScramSHA256:
		return scram.Mechanism(scram.SHA256, c.Username, c.Password)
	case MechanismScramSHA512:
		return scram.Mechanism(scram.SHA512, c.Username, c.Password)
	}
	return nil, fmt.Errorf("unknown sasl mechanism %q", c.Mechanism)
}

// security is what every connection of a Kafka handle dials with.
type security struct {
	tls  *tls.Config
	sasl sasl.Mechanism
}

// newSecurity builds the dial settings; Validate has checked them, so an
// error here means a file changed since (it is reported on first use).
func newSecurity(cfg Config) (security, error) {
	var s security
	if cfg.TLS.Enabled {
		tc, err := cfg.TLS.build()
		if err != nil {
			return s, fmt.Errorf("kafka.tls: %w", err)
		}
		s.tls = tc
	}
	m, err := cfg.SASL.mechanism()
	if err != nil {
		return s, fmt.Errorf("kafka.sasl: %w", err)
	}
	s.sasl = m
	return s, nil
}

// ErrKafkaAuth marks errors that retrying will not fix: the brokers refused
// the credentials, the mechanism or the certificate.
var ErrKafkaAuth = errors.New("kafka refused the connection's security settings")

// explainDialError turns the errors a misconfigured TLS or SASL connection
// produces into one that names the brokers and what to check. Other errors
// come back unchanged.
func explainDialError(err error, brokers []string, cfg Config) error {
	if err == nil {
		return nil
	}
	at := strings.Join(brokers, ",")
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		recordHeader     tls.RecordHeaderError
	)
	ca := "the system's roots"
	if cfg.TLS.CAFile != "" {
		ca = "kafka.tls.ca_file " + cfg.TLS.CAFile
	}
	switch {
	case errors.Is(err, kafka.SASLAuthenticationFailed):
		return fmt.Errorf("%w: %s at %s rejected user %q: check kafka.sasl.username and kafka.sasl.password, and that the user exists for %s on the cluster: %w",
			ErrKafkaAuth, strings.ToUpper(cfg.SASL.Mechanism), at, cfg.SASL.Username, strings.ToUpper(cfg.SASL.Mechanism), err)
	case errors.Is(err, kafka.UnsupportedSASLMechanism):
		return fmt.Errorf("%w: the listener at %s does not accept SASL mechanism %s: set kafka.sasl.mechanism to one the listener enables (its sasl.enabled.mechanisms): %w",
			ErrKafkaAuth, at, strings.ToUpper(cfg.SASL.Mechanism), err)
	case errors.Is(err, kafka.IllegalSASLState):
		return fmt.Errorf("%w: the listener at %s does not expect SASL: remove kafka.sasl or use the broker's SASL listener: %w", ErrKafkaAuth, at, err)
	case errors.As(err, &unknownAuthority):
		return fmt.Errorf("%w: the certificate of %s is not signed by a CA Earshot trusts (%s): set kafka.tls.ca_file to the cluster's CA bundle: %w",
			ErrKafkaAuth, at, ca, err)
	case errors.As(err, &hostname):
		return fmt.Errorf("%w: the certificate of %s is not valid for the name Earshot checked: set kafka.tls.server_name to a name the certificate lists, or use that name in kafka.brokers: %w",
			ErrKafkaAuth, at, err)
	case errors.As(err, &invalid):
		return fmt.Errorf("%w: the certificate of %s is not valid (%s): check the broker's certificate and the machine's clock: %w", ErrKafkaAuth, at, invalid.Detail, err)
	case errors.As(err, &recordHeader):
		return fmt.Errorf("%w: %s did not answer with TLS: set kafka.tls.enabled: false or use the broker's TLS listener: %w", ErrKafkaAuth, at, err)
	}
	if cfg.TLS.Enabled && isTLSAlert(err) {
		return fmt.Errorf("%w: %s ended the TLS handshake: if its listener requires client certificates (ssl.client.auth=required), set kafka.tls.cert_file and key_file: %w", ErrKafkaAuth, at, err)
	}
	// What follows may also be a broker restarting, so it is retried; the
	// hint says what to check if it persists.
	switch {
	case cfg.SASL.Mechanism != "" && isClosed(err):
		return fmt.Errorf("%s closed the connection (if this persists, the broker may be rejecting the SASL handshake: check kafka.sasl.mechanism, username and password): %w", at, err)
	case cfg.TLS.Enabled && (isClosed(err) || isTimeout(err)):
		return fmt.Errorf("%s did not complete a TLS handshake (if this persists, the listener may not speak TLS: set kafka.tls.enabled: false or use its TLS port): %w", at, err)
	case !cfg.TLS.Enabled && isClosed(err):
		return fmt.Errorf("%s closed the connection without a Kafka answer (a TLS listener does that to plaintext: then set kafka.tls.enabled): %w", at, err)
	}
	return err
}

// isTLSAlert reports a handshake the server aborted (a bad or missing
// client certificate shows up as "tls: ... alert").
func isTLSAlert(err error) bool {
	var alert tls.AlertError
	return errors.As(err, &alert) || strings.Contains(err.Error(), "remote error: tls:")
}

// isClosed reports a connection the peer closed without a Kafka answer.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
