package es

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/internal/testcerts"
)

// tlsFront serves handler over TLS with a certificate from a test CA.
func tlsFront(t *testing.T, handler http.Handler) (*httptest.Server, *testcerts.Set) {
	t.Helper()
	certs, err := testcerts.Generate(t.TempDir(), "es", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some tests
	srv.TLS = certs.ServerTLS(false)
	// Like Elasticsearch 8's auto-configured HTTP layer, send the CA along
	// with the node's certificate (what a fingerprint is checked against).
	srv.TLS.Certificates[0].Certificate = append(srv.TLS.Certificates[0].Certificate, certs.CA.Raw)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, certs
}

// elasticsearchAnswer answers every request like a node with no language
// analysers, as far as EnsureSchema asks.
func fakeNode(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/_analyze") {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"type":"illegal_argument_exception","reason":"failed to find global analyzer"}}`))
		return
	}
	_, _ = w.Write([]byte(`{"acknowledged":true}`))
}

func TestSecurityConfigValidation(t *testing.T) {
	certs, err := testcerts.Generate(t.TempDir(), "cfg", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Addresses = []string{"https://127.0.0.1:9200"}; c.CAFile = "/nonexistent/ca.pem" }, "elasticsearch: reading ca_file: open /nonexistent/ca.pem"},
		{func(c *Config) { c.Addresses = []string{"https://127.0.0.1:9200"}; c.CAFingerprint = "abc" }, `ca_fingerprint "abc" is not a SHA-256 fingerprint`},
		{func(c *Config) { c.CAFile = certs.CAFile }, "ca_file or ca_fingerprint is set but no address is https://"},
		{func(c *Config) {
			c.Addresses = []string{"https://127.0.0.1:9200"}
			c.CAFile, c.CAFingerprint = certs.CAFile, certs.CAFingerprint
		}, "set ca_file or ca_fingerprint, not both"},
		{func(c *Config) { c.APIKey, c.Username, c.Password = "k", "u", "p" }, "set api_key or username and password, not both"},
		{func(c *Config) { c.Username = "earshot" }, "username and password go together"},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	cfg := DefaultConfig()
	cfg.Addresses = []string{"https://127.0.0.1:9200"}
	cfg.CAFingerprint = strings.ToUpper(colons(certs.CAFingerprint)) // as ES prints it
	if err := cfg.Validate(); err != nil {
		t.Errorf("fingerprint with colons: %v", err)
	}
}

func colons(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 2 {
		parts = append(parts, hex[i:i+2])
	}
	return strings.Join(parts, ":")
}

func TestTLSWithCAFileOrFingerprint(t *testing.T) {
	srv, certs := tlsFront(t, http.HandlerFunc(fakeNode))
	_, other := tlsFront(t, http.HandlerFunc(fakeNode))
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" = connects
	}{
		{"CA file", func(c *Config) { c.CAFile = certs.CAFile }, ""},
		{"fingerprint", func(c *Config) { c.CAFingerprint = certs.CAFingerprint }, ""},
		{"fingerprint with colons, upper case", func(c *Config) { c.CAFingerprint = strings.ToUpper(colons(certs.CAFingerprint)) }, ""},
		{"another CA's file", func(c *Config) { c.CAFile = other.CAFile }, "certificate signed by unknown authority"},
		{"another CA's fingerprint", func(c *Config) { c.CAFingerprint = other.CAFingerprint }, "no certificate in the server's chain matches search.elasticsearch.ca_fingerprint"},
		{"system roots", func(*Config) {}, "certificate signed by unknown authority"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Addresses = []string{srv.URL}
			cfg.MaxRetries = 0
			c.edit(&cfg)
			b, err := Open(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = b.EnsureSchema(context.Background())
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("EnsureSchema over TLS: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// The pinned CA must have signed the server's certificate: a server that
// merely sends the pinned CA along with a certificate of another CA fails.
func TestFingerprintNeedsTheChainToReachThePinnedCA(t *testing.T) {
	certs, err := testcerts.Generate(t.TempDir(), "pinned", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := testcerts.Generate(t.TempDir(), "other", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(fakeNode))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = other.ServerTLS(false)
	srv.TLS.Certificates[0].Certificate = append(srv.TLS.Certificates[0].Certificate, certs.CA.Raw)
	srv.StartTLS()
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Addresses = []string{srv.URL}
	cfg.MaxRetries = 0
	cfg.CAFingerprint = certs.CAFingerprint
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.EnsureSchema(context.Background()); err == nil || !strings.Contains(err.Error(), "does not chain to the pinned CA") {
		t.Fatalf("err = %v, want a chain error", err)
	}
}

// Bodies as Elasticsearch 8 sends them for a wrong password and for a user
// without the privilege to create an index.
const (
	body401        = `{"error":{"root_cause":[{"type":"security_exception","reason":"unable to authenticate user [earshot] for REST request [/_index_template/earshot-mentions]"}],"type":"security_exception","reason":"unable to authenticate user [earshot] for REST request [/_index_template/earshot-mentions]"},"status":401}`
	body403        = `{"error":{"root_cause":[{"type":"security_exception","reason":"action [indices:admin/create] is unauthorized for user [earshot] with effective roles [earshot_reader] on indices [earshot-profiles], this action is granted by the index privileges [create_index,manage,all]"}],"type":"security_exception","reason":"action [indices:admin/create] is unauthorized for user [earshot] with effective roles [earshot_reader] on indices [earshot-profiles], this action is granted by the index privileges [create_index,manage,all]"},"status":403}`
	body403Cluster = `{"error":{"type":"security_exception","reason":"action [indices:admin/index_template/put] is unauthorized for user [earshot] with effective roles [earshot_reader], this action is granted by the cluster privileges [manage_index_templates,manage,all]"},"status":403}`
)

func TestAuthErrorsNameTheMissingPrivilege(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"wrong password", 401, body401, []string{"elasticsearch answered 401 security_exception", "the cluster rejected the credentials: check search.elasticsearch.username and password, or api_key"}},
		{"no index privilege", 403, body403, []string{"earshot lacks the index privilege for indices:admin/create on earshot-profiles (any of: create_index, manage, all)", `index/es/README.md ("Security")`}},
		{"no cluster privilege", 403, body403Cluster, []string{"earshot lacks the cluster privilege for indices:admin/index_template/put (any of: manage_index_templates, manage, all)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Elastic-Product", "Elasticsearch")
				if strings.HasSuffix(r.URL.Path, "/_analyze") && c.status == 403 {
					fakeNode(w, r) // the probes pass; the first write is refused
					return
				}
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cfg := DefaultConfig()
			cfg.Addresses = []string{srv.URL}
			cfg.Username, cfg.Password = "earshot", "wrong-secret"
			b, err := Open(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = b.EnsureSchema(context.Background())
			if err == nil {
				t.Fatal("EnsureSchema succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
			if strings.Count(err.Error(), "security_exception") > 1 {
				t.Errorf("the refusal is repeated per probe: %v", err)
			}
			if strings.Contains(err.Error(), "wrong-secret") {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

// TestIntegrationTLSProxyToRealNode puts a TLS-terminating proxy with a
// test CA in front of the real node (whose test build has no TLS of its
// own) and runs writes and reads through it, with the CA file and with the
// CA's fingerprint.
func TestIntegrationTLSProxyToRealNode(t *testing.T) {
	base := realConfig(t)
	target, err := url.Parse(base.Addresses[0])
	if err != nil {
		t.Fatal(err)
	}
	srv, certs := tlsFront(t, httputil.NewSingleHostReverseProxy(target))
	for _, mode := range []string{"ca_file", "ca_fingerprint"} {
		t.Run(mode, func(t *testing.T) {
			cfg := realConfig(t)
			cfg.Addresses = []string{srv.URL}
			if mode == "ca_file" {
				cfg.CAFile = certs.CAFile
			} else {
				cfg.CAFingerprint = colons(certs.CAFingerprint)
			}
			b := openReal(t, cfg)
			ctx := context.Background()
			ms := contract.Mentions()[:3]
			for i, err := range b.UpsertMentions(ctx, ms) {
				if err != nil {
					t.Fatalf("writing mention %d over TLS: %v", i, err)
				}
			}
			if err := b.Refresh(ctx); err != nil {
				t.Fatalf("refreshing over TLS: %v", err)
			}
			got, err := b.GetMention(ctx, ms[1].ID)
			if err != nil {
				t.Fatalf("reading back over TLS: %v", err)
			}
			if got.Text != ms[1].Text {
				t.Fatalf("read %q, wrote %q", got.Text, ms[1].Text)
			}
		})
	}

}
