package pipelinetest

import (
	"encoding/json"
	"os"
	"testing"
)

// EnvKafkaSecure names the environment variable holding the path of the
// secure.json that scripts/testenv/kafka.sh writes for its SASL_SSL listener.
const EnvKafkaSecure = "EARSHOT_TEST_KAFKA_SECURE"

// SecureListener describes the real broker's SASL_SSL test listener: where
// it is, the files a client needs and the test users.
type SecureListener struct {
	Addr           string `json:"addr"`
	CAFile         string `json:"ca_file"`
	ClientCertFile string `json:"client_cert_file"`
	ClientKeyFile  string `json:"client_key_file"`
	// Mechanisms the listener enables; SCRAM-SHA-256 is deliberately not
	// among them, so tests can check the wrong-mechanism error.
	Mechanisms []string `json:"mechanisms"`
	Plain      User     `json:"plain"`
	Scram512   User     `json:"scram_sha_512"`
}

// User is a SASL test user.
type User struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Secure reads the listener named by EARSHOT_TEST_KAFKA_SECURE and skips
// the test when it is not set (the embedded broker's TLS tests cover the
// code then; `make test-integration` always sets it).
func Secure(t testing.TB) SecureListener {
	t.Helper()
	path := os.Getenv(EnvKafkaSecure)
	if path == "" {
		t.Skipf("%s is not set: no SASL_SSL Kafka listener (scripts/testenv/kafka.sh start writes one)", EnvKafkaSecure)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", EnvKafkaSecure, err)
	}
	var l SecureListener
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return l
}
