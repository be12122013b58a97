package privacy

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is the `privacy` section.
type Config struct {
	// Secret keys the subjects (keyed hashes of identifiers) and wraps the
	// data keys in the keys topic. Every process of one deployment needs
	// the same one; set it from the environment (${EARSHOT_PRIVACY_SECRET}).
	// The embedded mode generates one into its data directory when empty.
	Secret string `yaml:"secret"`
}

// DefaultConfig has no secret: the embedded mode generates one.
func DefaultConfig() Config { return Config{} }

// Validate checks the secret's length.
func (c Config) Validate() error {
	if c.Secret != "" && len(c.Secret) < 16 {
		return errors.New("privacy.secret: must be at least 16 characters")
	}
	return nil
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
		if len(s) < 16 {
			return "", fmt.Errorf("reading privacy secret %s: shorter than 16 characters", path)
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
