// Package web is Earshot's HTTP side: the gate (sign-in, roles, CSRF,
// security headers), the JSON API the pages and scripts use, health and
// readiness, Prometheus metrics, and the mount point for HTTP connectors
// (forms). Every route is a row of the table in routes.go.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/internal/confx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/earshothq/earshot/web/auth"
)

// Config is the HTTP listener. The timeouts defend against slow clients
// (slowloris): a request must send its headers and body in bounded time.
type Config struct {
	Listen            string        `yaml:"listen"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	MaxHeaderBytes    int           `yaml:"max_header_bytes"`
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout"`
	// Hosts are the names browsers reach Earshot by; a request for any
	// other Host is refused (DNS rebinding). Empty: the loopback names,
	// which is only allowed while listening on loopback.
	Hosts []string `yaml:"hosts"`
	// MetricsPublic serves /metrics without sign-in (default true); when
	// false it needs an admin session or token.
	MetricsPublic *bool `yaml:"metrics_public"`
	// SecureCookies marks cookies Secure even on plain HTTP: set it when a
	// TLS-terminating proxy sits in front. Over TLS they always are.
	SecureCookies bool `yaml:"secure_cookies"`
	// TLSCertFile and TLSKeyFile serve HTTPS directly.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// Auth is sessions, password hashing and the sign-in throttle.
	Auth auth.Config `yaml:"auth"`
}

func (c Config) metricsPublic() bool { return c.MetricsPublic == nil || *c.MetricsPublic }

// Loopback reports whether Listen is a loopback address.
func (c Config) Loopback() bool {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// allowedHosts are the Host names accepted (lower case, no port).
func (c Config) allowedHosts() []string {
	if len(c.Hosts) == 0 {
		return []string{"localhost", "127.0.0.1", "::1"}
	}
	out := make([]string, len(c.Hosts))
	for i, h := range c.Hosts {
		out[i] = strings.ToLower(strings.Trim(h, "[]"))
	}
	return out
}

// DefaultConfig listens on loopback only; expose it deliberately.
func DefaultConfig() Config {
	return Config{
		Listen:            "127.0.0.1:8080",
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ShutdownTimeout:   15 * time.Second,
		Auth:              auth.DefaultConfig(),
	}
}

// Validate names bad settings.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return confx.Keyf("http.listen", "%q is not host:port: %w", c.Listen, err)
	}
	var errs []error
	if c.ReadHeaderTimeout <= 0 || c.ReadTimeout <= 0 {
		errs = append(errs, confx.Keyf("http", "read_header_timeout and read_timeout must be positive"))
	}
	for i, h := range c.Hosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/: ") && !strings.HasPrefix(h, "[") {
			errs = append(errs, confx.Keyf(fmt.Sprintf("http.hosts[%d]", i), "%q is not a host name (no scheme, port or path)", h))
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, confx.Keyf("http.tls_key_file", "http.tls_cert_file and http.tls_key_file go together"))
	}
	errs = append(errs, c.Auth.Validate())
	return errors.Join(errs...)
}

// Check is a readiness probe: nil when the dependency is usable.
type Check func(ctx context.Context) error

// Server is the single HTTP listener of a process.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	logger *slog.Logger

	mu      sync.RWMutex
	checks  map[string]Check
	routes  []Route
	addr    string
	hooks   []func(*http.Server)
	gate    *gate
	reg     prometheus.Registerer
	handler http.Handler // built from routes on first use
}

// ConfigureHTTP registers a function that adjusts the http.Server before it
// starts (an HTTP connector tightening header timeouts). Call it before Serve.
func (s *Server) ConfigureHTTP(hook func(*http.Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, hook)
}

// NewServer creates the server with /healthz, /readyz and /metrics (from
// gatherer) mounted.
func NewServer(cfg Config, gatherer prometheus.Gatherer, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), logger: logger.With("component", "http"), checks: map[string]Check{}}
	if reg, ok := gatherer.(prometheus.Registerer); ok {
		s.reg = reg
	}
	s.gate = newGate(cfg, nil, s.logger, s.reg)
	var metrics http.Handler
	if gatherer != nil {
		metrics = promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{})
	}
	s.routes = append(s.routes, s.baseRoutes(metrics)...)
	return s
}

// Handle mounts a public handler (an HTTP connector: "/f/") outside the
// route table's roles. Routes under /api/ must go through the table.
func (s *Server) Handle(pattern string, h http.Handler) {
	if isAPI(pattern) || strings.HasPrefix(pattern, "/api/") {
		panic("web: " + pattern + " must be a row of the route table (routes.go), not a public mount")
	}
	s.add(Route{Pattern: pattern, Public: true, Handler: h})
}

func (s *Server) add(rts ...Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handler != nil {
		panic("web: routes added after the server started")
	}
	s.routes = append(s.routes, rts...)
}

// Routes returns the route table as mounted (tests and the OpenAPI check).
func (s *Server) Routes() []Route {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Route(nil), s.routes...)
}

// AddCheck adds a readiness check under a name.
func (s *Server) AddCheck(name string, c Check) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = c
}

// Handler is the server's root handler (tests mount it on httptest). The
// first call fixes the route table.
func (s *Server) Handler() http.Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handler == nil {
		for _, rt := range s.routes {
			if rt.Pattern == "GET /metrics" && s.gate.accounts == nil {
				rt.Public = true // a process without accounts (enrich, connect) has nobody to ask
			}
			if !rt.Public && len(rt.Roles) == 0 {
				panic("web: route " + rt.Pattern + " has no roles and is not public")
			}
			s.mux.Handle(rt.Pattern, s.gate.wrap(rt))
		}
		s.handler = s.gate.outer(compressed(s.mux))
	}
	return s.handler
}

// ListenAddr is the configured listen address.
func (s *Server) ListenAddr() string { return s.cfg.Listen }

// Addr is the bound address once Serve started listening.
func (s *Server) Addr() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.addr
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	s.mu.RLock()
	names := make([]string, 0, len(s.checks))
	for n := range s.checks {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	status, code := map[string]string{}, http.StatusOK
	for _, n := range names {
		s.mu.RLock()
		c := s.checks[n]
		s.mu.RUnlock()
		if err := c(ctx); err != nil {
			status[n] = err.Error()
			code = http.StatusServiceUnavailable
		} else {
			status[n] = "ok"
		}
	}
	writeJSON(w, code, status)
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Serve listens and serves until ctx ends, then shuts down gracefully
// (in-flight requests, e.g. form posts waiting for Kafka, finish first).
// ready, if not nil, receives the bound address once listening.
func (s *Server) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.mu.RLock()
	for _, hook := range s.hooks {
		hook(srv)
	}
	s.mu.RUnlock()
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCertFile != "" {
			errc <- srv.ServeTLS(ln, s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	s.logger.Info("listening", "addr", s.addr)
	if ready != nil {
		ready(s.addr)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
