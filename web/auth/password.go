package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id's costs. Every hash records its own, so raising
// them later leaves existing passwords verifiable.
type HashParams struct {
	Time      uint32 `yaml:"time"`
	MemoryKiB uint32 `yaml:"memory_kib"`
	Threads   uint8  `yaml:"threads"`
}

// DefaultHashParams follow OWASP's argon2id minimum (19 MiB, 2 passes, 1
// lane): about 30 ms per sign-in on one core.
var DefaultHashParams = HashParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Validate names bad costs.
func (p HashParams) Validate() error {
	if p.Time < 1 || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.Threads < 1 {
		return fmt.Errorf("argon2id costs time=%d memory_kib=%d threads=%d: each must be at least 1 and memory at least 8 KiB per thread", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

const (
	saltLen = 16
	keyLen  = 32
	// MinPasswordLen and MaxPasswordLen bound a password (bytes for the
	// maximum: hashing a megabyte is a denial of service). The web app's
	// pages say the minimum in five languages (pages.MinPasswordLen, kept
	// equal by a test).
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// CheckPasswordPolicy rejects passwords too short, too long, or equal to
// the user name.
func CheckPasswordPolicy(user, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("the password must have at most %d bytes", MaxPasswordLen)
	case strings.EqualFold(strings.TrimSpace(password), user):
		return errors.New("the password must not be the user name")
	}
	return nil
}

// HashPassword returns the argon2id PHC string of password.
func HashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string encoded.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("verifying password: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("verifying password: unsupported argon2 version %q", parts[2])
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("verifying password: reading costs %q: %w", parts[3], err)
	}
	if err := p.Validate(); err != nil {
		return false, fmt.Errorf("verifying password: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("verifying password: decoding salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errors.New("verifying password: decoding hash")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// RandomSecret returns n random bytes, base64url without padding.
func RandomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("reading random bytes: %v", err)) // the OS's CSPRNG does not fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// RandomPassword is a generated password: 26 base32 characters (130 bits).
func RandomPassword() string { return rand.Text() }
