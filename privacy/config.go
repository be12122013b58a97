package privacy

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/earshothq/earshot/internal/confx"
)

// Config is the `privacy` section.
type Config struct {
	// Secret keys the subjects (keyed hashes of identifiers) and wraps the
	// data keys in the keys topic. Every process of one deployment needs
	// the same one; set it from the environment (${EARSHOT_PRIVACY_SECRET}).
	// The embedded mode generates one into its data directory when empty;
	// with any other Kafka it is required (RequireSecret).
	Secret string `yaml:"secret"`
}

// MinSecretLength is the shortest secret accepted. A generated one
// (openssl rand -base64 32) has 44 characters.
const MinSecretLength = 16

// makeSecret says how to make a secret and where to put it.
const makeSecret = "make one with `openssl rand -base64 32`, keep it in the environment " +
	"(export EARSHOT_PRIVACY_SECRET=...) and set `privacy: {secret: ${EARSHOT_PRIVACY_SECRET}}`, " +
	"the same in every process of the deployment and for `earshot customers forget`"

// DefaultConfig has no secret: the embedded mode generates one.
func DefaultConfig() Config { return Config{} }

// Validate checks the secret's length.
func (c Config) Validate() error {
	if c.Secret != "" && len(c.Secret) < MinSecretLength {
		return confx.Keyf("privacy.secret", "%d characters is too short (at least %d): %s", len(c.Secret), MinSecretLength, makeSecret)
	}
	return nil
}

// RequireSecret is Validate for a process with no generated secret to
// fall back on (any Kafka but the embedded broker with a data_dir): there
// a missing secret would mean personal data written in plain text to
// topics that cannot delete single records, out of reach of an erasure.
func (c Config) RequireSecret() error {
	if c.Secret == "" {
		return confx.Keyf("privacy.secret", "required with an external Kafka (kafka.embedded.enabled: false): without it "+
			"personal data would be written unencrypted and `earshot customers forget` could not reach its copies in the "+
			"raw, enriched and dead-letter topics; %s", makeSecret)
	}
	return c.Validate()
}

// SecretFileName is the generated secret's file in an embedded data dir.
const SecretFileName = "earshot-privacy.secret"

// LoadOrCreateSecret reads the secret kept in dir, generating it (32 random
// bytes, base64, mode 0600) on first use.
func LoadOrCreateSecret(dir string) (string, error) {
	path := filepath.Join(dir, SecretFileName)
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < MinSecretLength {
			return "", fmt.Errorf("reading privacy secret %s: shorter than %d characters", path, MinSecretLength)
		}
		return s, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading privacy secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating privacy secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating privacy secret: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadOrCreateSecret(dir)
		}
		return "", fmt.Errorf("creating privacy secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("writing privacy secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing privacy secret: %w", err)
	}
	return s, nil
}
