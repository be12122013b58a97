package forms

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/internal/confx"
)

func decodeNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func TestSampleConfigIsValidAndRegistered(t *testing.T) {
	reg, ok := connectors.Lookup(Type)
	if !ok || string(reg.Sample) != string(sample) || reg.Description == "" {
		t.Fatalf("forms is not registered with its sample")
	}
	env := map[string]string{"EARSHOT_FORMS_SECRET": "s3cret-s3cret-s3cret", "TYPEFORM_SECRET": "tf-secret-0123456789", "DEMO_WEBHOOK_SECRET": "wh-secret-0123456789",
		"EARSHOT_OPTIN_SECRET": "opt-in-secret-0123456789-0123456789", "SMTP_PASSWORD": "smtp-password"}
	text, err := confx.ExpandEnv(sample, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	c, err := reg.Factory(decodeNode(t, string(text)), connectors.Deps{Name: "sample", Checkpoints: connectors.NewMemoryCheckpoints()})
	if err != nil {
		t.Fatalf("sample config: %v", err)
	}
	fc := c.(*Connector)
	if fc.forms["contact"].cfg.DefaultRegion != "PL" || !fc.forms["contact"].timeTrap || fc.forms["demo"].timeTrap {
		t.Errorf("sample forms %+v", fc.forms)
	}
	if fc.forms["demo"].cfg.Webhook.Tolerance != 5*time.Minute || fc.forms["demo"].limiter == nil {
		t.Errorf("demo form %+v", fc.forms["demo"].cfg)
	}
}

func TestConfigIsStrict(t *testing.T) {
	_, err := factory(decodeNode(t, "forms: [{id: a, fields: [{name: email, maps_to: email}]}]\nrate_limt: {}\n"), connectors.Deps{})
	if err == nil || !strings.Contains(err.Error(), "rate_limt") || !strings.Contains(err.Error(), `did you mean "rate_limit"`) {
		t.Fatalf("unknown key: %v", err)
	}
	_, err = factory(decodeNode(t, "forms: [{id: a, fields: [{name: email, maps_to: email, requird: true}]}]\n"), connectors.Deps{})
	if err == nil || !strings.Contains(err.Error(), "requird") {
		t.Fatalf("unknown nested key: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := func() Config {
		c := DefaultConfig()
		c.Forms = []FormConfig{{ID: "contact", Fields: []FieldConfig{{Name: "email", MapsTo: TargetEmail}}}}
		return c
	}
	if err := func() error { c := base(); return c.Validate() }(); err != nil {
		t.Fatalf("base config: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no forms", func(c *Config) { c.Forms = nil }, "want at least one form"},
		{"bad form id", func(c *Config) { c.Forms[0].ID = "Kontakt Form" }, `forms[0].id: want 1-64 of a-z, 0-9, '_' or '-', starting with a letter or digit, got "Kontakt Form"`},
		{"duplicate form", func(c *Config) { c.Forms = append(c.Forms, c.Forms[0]) }, `forms[1].id: "contact" is defined twice`},
		{"bad target", func(c *Config) { c.Forms[0].Fields[0].MapsTo = "mail" }, `forms[0].fields[0].maps_to: want one of email`},
		{"two emails", func(c *Config) {
			c.Forms[0].Fields = append(c.Forms[0].Fields, FieldConfig{Name: "email2", MapsTo: TargetEmail})
		}, `forms[0].fields[1].maps_to: another field already maps to "email"`},
		{"reserved name", func(c *Config) { c.Forms[0].Fields[0].Name = "utm_source" }, "reserved"},
		{"underscore name", func(c *Config) { c.Forms[0].Fields[0].Name = "_t" }, `"_t"`},
		{"field twice", func(c *Config) {
			c.Forms[0].Fields = append(c.Forms[0].Fields, FieldConfig{Name: "email", MapsTo: TargetCustom})
		}, "used twice"},
		{"honeypot collides", func(c *Config) { c.Forms[0].Honeypot = "email" }, "used twice"},
		{"multiple on email", func(c *Config) { c.Forms[0].Fields[0].Multiple = true }, "only custom fields"},
		{"consent without text", func(c *Config) { c.Forms[0].Consent = &ConsentField{Field: "ok"} }, "consent.text"},
		{"bad region", func(c *Config) { c.DefaultRegion = "XX" }, `default_region: not a region phone numbers are known for, got "XX"`},
		{"bad form region", func(c *Config) { c.Forms[0].DefaultRegion = "ZZ" }, `forms[0].default_region: not a region phone numbers are known for, got "ZZ"`},
		{"bad proxy", func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/33"} }, "trusted_proxies"},
		{"bad origin", func(c *Config) { c.AllowedOrigins = []string{"www.example.com"} }, "allowed_origins"},
		{"origin with path", func(c *Config) { c.Forms[0].AllowedOrigins = []string{"https://example.com/page"} }, "allowed_origins"},
		{"bad redirect", func(c *Config) { c.Forms[0].RedirectURL = "/thanks" }, "redirect_url"},
		{"bad public url", func(c *Config) { c.PublicURL = "forms.example.com" }, "public_url"},
		{"tiny body", func(c *Config) { c.Limits.MaxBodyBytes = 10 }, "max_body_bytes"},
		{"uploads mode", func(c *Config) { c.Limits.Uploads = "keep" }, "limits.uploads"},
		{"zero timeout", func(c *Config) { c.Timeouts.Ack = 0 }, "timeouts.ack"},
		{"negative rate", func(c *Config) { c.RateLimit.PerIP.PerSecond = -1 }, "rate_limit.per_ip.per_second"},
		{"rate without burst", func(c *Config) { c.RateLimit.PerForm = Bucket{PerSecond: 5} }, "burst"},
		{"time trap order", func(c *Config) { c.TimeTrap.MaxAge = time.Second }, "time_trap"},
		{"short secret", func(c *Config) { c.TimeTrap.Secret = "short" }, "time_trap.secret"},
		{"short webhook secret", func(c *Config) { c.Forms[0].Webhook = &WebhookConfig{Secret: "x"} }, "webhook.secret"},
		{"short typeform secret", func(c *Config) { c.Forms[0].Typeform = &WebhookConfig{Secret: "x"} }, "typeform.secret"},
		{"queue", func(c *Config) { c.QueueSize = 0 }, "queue_size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if _, nerr := New(c, connectors.Deps{}); nerr == nil {
				t.Fatal("New accepted an invalid config")
			}
		})
	}
	// Every problem is reported at once.
	c := base()
	c.QueueSize, c.Timeouts.Ack = 0, 0
	if err := c.Validate(); !strings.Contains(err.Error(), "queue_size") || !strings.Contains(err.Error(), "timeouts.ack") {
		t.Fatalf("joined errors: %v", err)
	}
}

func TestApplyServerTimeouts(t *testing.T) {
	h := newHarness(t, testConfig)
	srv := &http.Server{ReadHeaderTimeout: time.Minute, IdleTimeout: time.Second, MaxHeaderBytes: 1 << 20}
	h.c.ApplyServerTimeouts(srv)
	if srv.ReadHeaderTimeout != 5*time.Second || srv.IdleTimeout != time.Second || srv.MaxHeaderBytes != 16<<10 {
		t.Fatalf("server timeouts %v %v %v", srv.ReadHeaderTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
	rh, idle, mhb := h.c.ServerTimeouts()
	if rh != 5*time.Second || idle != 60*time.Second || mhb != 16<<10 {
		t.Fatalf("ServerTimeouts %v %v %v", rh, idle, mhb)
	}
	var _ interface{ ApplyServerTimeouts(*http.Server) } = h.c // what the host type-asserts
}

// TestSlowBodyIsCutOff: a client that sends its headers and then trickles
// (or stops sending) the body is answered 408 when the body read timeout
// passes, on a real server whose own ReadTimeout is much longer.
func TestSlowBodyIsCutOff(t *testing.T) {
	h := newHarness(t, testConfig)
	srv := httptest.NewUnstartedServer(h.c.Handler())
	srv.Config.ReadTimeout = time.Minute
	h.c.ApplyServerTimeouts(srv.Config)
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /f/api HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 100\r\n\r\nemail=a", mediaURLEncoded)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(readAll(t, resp.Body), problemTypeBase+"body-timeout") {
		t.Fatalf("stalled body: %d", resp.StatusCode)
	}
}

// TestSlowHeadersAreCutOff: with the intake's timeouts applied, a client
// that never finishes its headers is disconnected.
func TestSlowHeadersAreCutOff(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.Timeouts.ReadHeader = 200 * time.Millisecond })
	srv := httptest.NewUnstartedServer(h.c.Handler())
	h.c.ApplyServerTimeouts(srv.Config)
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "POST /f/api HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	// The server either closes the connection or answers 408 and closes it.
	if err == nil && !strings.Contains(string(buf[:n]), "408") {
		t.Fatalf("server answered %q to unfinished headers", buf[:n])
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("server kept waiting for headers past its header timeout")
	}
}
