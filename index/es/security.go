package es

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// tlsConfig builds the client TLS settings for https addresses: the CAs
// of CAFile, or the CA pinned by CAFingerprint, or the system's roots.
func (c Config) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
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
	if c.CAFingerprint != "" {
		pin, err := parseFingerprint(c.CAFingerprint)
		if err != nil {
			return nil, err
		}
		if c.CAFile != "" {
			return nil, errors.New("set ca_file or ca_fingerprint, not both")
		}
		// The chain is verified against the pinned certificate instead of
		// the system's roots, so Go's own verification is replaced, not
		// skipped: VerifyConnection below fails every other chain.
		tc.InsecureSkipVerify = true //nolint:gosec // replaced by verifyPinned
		tc.VerifyConnection = func(cs tls.ConnectionState) error { return verifyPinned(cs, pin) }
	}
	return tc, nil
}

// parseFingerprint accepts the hex SHA-256 as Elasticsearch prints it,
// with or without colons, in either case.
func parseFingerprint(s string) ([]byte, error) {
	clean := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
	pin, err := hex.DecodeString(clean)
	if err != nil || len(pin) != sha256.Size {
		return nil, fmt.Errorf("ca_fingerprint %q is not a SHA-256 fingerprint (64 hex digits, colons allowed)", s)
	}
	return pin, nil
}

// errFingerprint is a server chain that does not contain the pinned CA.
var errFingerprint = errors.New("no certificate in the server's chain matches search.elasticsearch.ca_fingerprint (check the fingerprint; if the cluster does not send its CA, use ca_file instead)")

// verifyPinned accepts a chain that contains the pinned certificate and in
// which the server's certificate chains up to it (the way Elastic's clients
// use the fingerprint Elasticsearch 8 prints: the name is not checked,
// since the auto-generated certificate rarely lists the name clients use).
func verifyPinned(cs tls.ConnectionState, pin []byte) error {
	if len(cs.PeerCertificates) == 0 {
		return errFingerprint
	}
	var anchor *x509.Certificate
	intermediates := x509.NewCertPool()
	for _, cert := range cs.PeerCertificates {
		sum := sha256.Sum256(cert.Raw)
		if bytes.Equal(sum[:], pin) {
			anchor = cert
		} else {
			intermediates.AddCert(cert)
		}
	}
	if anchor == nil {
		return errFingerprint
	}
	leaf := cs.PeerCertificates[0]
	if leaf == anchor {
		return nil // the server's own certificate is pinned
	}
	roots := x509.NewCertPool()
	roots.AddCert(anchor)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates}); err != nil {
		return fmt.Errorf("server certificate does not chain to the pinned CA: %w", err)
	}
	return nil
}

// validateSecurity names bad TLS and credential settings.
func (c Config) validateSecurity() []error {
	var errs []error
	if c.CAFile != "" || c.CAFingerprint != "" {
		if _, err := c.tlsConfig(); err != nil {
			errs = append(errs, fmt.Errorf("elasticsearch: %w", err))
		}
		https := false
		for _, a := range c.Addresses {
			https = https || strings.HasPrefix(a, "https://")
		}
		if !https {
			errs = append(errs, errors.New("elasticsearch: ca_file or ca_fingerprint is set but no address is https://"))
		}
	}
	if c.APIKey != "" && (c.Username != "" || c.Password != "") {
		errs = append(errs, errors.New("elasticsearch: set api_key or username and password, not both"))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("elasticsearch: username and password go together"))
	}
	return errs
}

// transport is the HTTP transport of the client, with TLS for https.
func (c Config) transport() (*http.Transport, error) {
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		MaxIdleConnsPerHost:   2 * c.Workers,
		ResponseHeaderTimeout: c.Timeout,
		TLSClientConfig:       tc,
		ForceAttemptHTTP2:     false, // Elasticsearch speaks HTTP/1.1
	}, nil
}

// grantedBy finds the privileges Elasticsearch says would allow an action
// ("this action is granted by the index privileges [create_index,manage,all]").
var grantedBy = regexp.MustCompile(`action \[([^\]]+)\] is unauthorized for (?:user|API key id) \[([^\]]+)\].*?(?:on indices \[([^\]]+)\])?, this action is granted by the (cluster|index) privileges \[([^\]]+)\]`)

// authHint explains a 401 or 403 in the terms of Earshot's configuration.
func authHint(status int, reason string) string {
	switch status {
	case http.StatusUnauthorized:
		return "the cluster rejected the credentials: check search.elasticsearch.username and password, or api_key (base64 \"id:key\", as the create API key call returns it as \"encoded\")"
	case http.StatusForbidden:
		m := grantedBy.FindStringSubmatch(reason)
		if m == nil {
			return "the user lacks a privilege Earshot needs: grant the role in index/es/README.md (\"Security\")"
		}
		on := ""
		if m[3] != "" {
			on = " on " + m[3]
		}
		return fmt.Sprintf("%s lacks the %s privilege for %s%s (any of: %s): grant the role in index/es/README.md (\"Security\")",
			m[2], m[4], m[1], on, strings.ReplaceAll(m[5], ",", ", "))
	}
	return ""
}
