package appstore

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// androidPublisherScope is the OAuth scope of the Google Play Developer API.
const androidPublisherScope = "https://www.googleapis.com/auth/androidpublisher"

// serviceAccount is the part of a Google service account key file the
// connector uses.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	TokenURI     string `json:"token_uri"`

	key *rsa.PrivateKey
}

// loadServiceAccount reads and checks the key from the config. Errors name
// the setting and never quote the key.
func loadServiceAccount(g GooglePlay) (*serviceAccount, error) {
	raw, setting := []byte(g.ServiceAccountJSON), "google_play.service_account_json"
	if g.ServiceAccountFile != "" {
		setting = "google_play.service_account_file"
		b, err := os.ReadFile(g.ServiceAccountFile)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", setting, err)
		}
		raw = b
	}
	var sa serviceAccount
	if err := json.Unmarshal(raw, &sa); err != nil {
		return nil, fmt.Errorf("decoding %s: not a service account key file (JSON): %w", setting, err)
	}
	if sa.Type != "" && sa.Type != "service_account" {
		return nil, fmt.Errorf("%s: key type %q is not service_account", setting, sa.Type)
	}
	if sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, fmt.Errorf("%s: the key has no client_email or private_key", setting)
	}
	block, _ := pem.Decode([]byte(sa.PrivateKey))
	if block == nil {
		return nil, fmt.Errorf("%s: private_key is not PEM", setting)
	}
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("%s: parsing private_key: %w", setting, err)
		}
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: private_key is not an RSA key", setting)
	}
	sa.key = rk
	return &sa, nil
}

// tokenSource exchanges a JWT signed with the service account key (RS256)
// for an access token at the token URL, and caches the token until shortly
// before it expires.
type tokenSource struct {
	sa     *serviceAccount
	url    string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newTokenSource(sa *serviceAccount, tokenURL string, client *http.Client, now func() time.Time) *tokenSource {
	if tokenURL == "" {
		tokenURL = sa.TokenURI
	}
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	return &tokenSource{sa: sa, url: tokenURL, client: client, now: now}
}

// Token returns a valid access token, fetching one when none is cached.
func (ts *tokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && ts.now().Before(ts.expires) {
		return ts.token, nil
	}
	tok, ttl, err := ts.exchange(ctx)
	if err != nil {
		return "", err
	}
	ts.token = tok
	// Renew a minute early so a request never carries an expiring token.
	ts.expires = ts.now().Add(max(ttl-time.Minute, ttl/2))
	return tok, nil
}

// Invalidate drops the cached token (the API answered 401).
func (ts *tokenSource) Invalidate() {
	ts.mu.Lock()
	ts.token = ""
	ts.mu.Unlock()
}

// assertion is the signed JWT of RFC 7523 for the service account.
func (ts *tokenSource) assertion() (string, error) {
	now := ts.now().Unix()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": ts.sa.PrivateKeyID})
	claims, _ := json.Marshal(map[string]any{"iss": ts.sa.ClientEmail, "scope": androidPublisherScope,
		"aud": ts.url, "iat": now, "exp": now + 3600})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, ts.sa.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("signing the service account assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

func (ts *tokenSource) exchange(ctx context.Context) (string, time.Duration, error) {
	jwt, err := ts.assertion()
	if err != nil {
		return "", 0, err
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {jwt}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("building token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", 0, &retryableError{Err: fmt.Errorf("requesting a Google access token: %w", err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, &retryableError{Err: fmt.Errorf("reading the Google token answer: %w", err)}
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &tr)
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return "", 0, &retryableError{Err: fmt.Errorf("requesting a Google access token: HTTP %d", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		return "", 0, &CredentialError{Store: "Google Play", What: fmt.Sprintf(
			"the token endpoint refused service account %s (HTTP %d %s: %s); check google_play.service_account_json or service_account_file and that the key is not revoked",
			ts.sa.ClientEmail, resp.StatusCode, tr.Error, tr.Description)}
	case tr.AccessToken == "":
		return "", 0, &retryableError{Err: errors.New("the Google token answer has no access_token")}
	}
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	return tr.AccessToken, ttl, nil
}
