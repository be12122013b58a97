// Package web is Earshot's HTTP side: the JSON API, health and readiness,
// Prometheus metrics, and the mount point for HTTP connectors (forms).
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/earshothq/earshot/internal/confx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
	}
}

// Validate names bad settings.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return confx.Keyf("http.listen", "%q is not host:port: %w", c.Listen, err)
	}
	if c.ReadHeaderTimeout <= 0 || c.ReadTimeout <= 0 {
		return confx.Keyf("http", "read_header_timeout and read_timeout must be positive")
	}
	return nil
}

// Check is a readiness probe: nil when the dependency is usable.
type Check func(ctx context.Context) error

// Server is the single HTTP listener of a process.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	logger *slog.Logger

	mu     sync.RWMutex
	checks map[string]Check
	routes []string
	addr   string
	hooks  []func(*http.Server)
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
	s.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	s.Handle("GET /readyz", http.HandlerFunc(s.readyz))
	if gatherer != nil {
		s.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	}
	s.Handle("GET /{$}", http.HandlerFunc(s.index))
	return s
}

// Handle mounts h on a ServeMux pattern ("POST /api/customers", "/f/").
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mu.Lock()
	s.routes = append(s.routes, pattern)
	s.mu.Unlock()
	s.mux.Handle(pattern, h)
}

// AddCheck adds a readiness check under a name.
func (s *Server) AddCheck(name string, c Check) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = c
}

// Handler is the server's root handler (tests mount it on httptest).
func (s *Server) Handler() http.Handler { return s.mux }

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

func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	routes := append([]string(nil), s.routes...)
	s.mu.RUnlock()
	sort.Strings(routes)
	writeJSON(w, http.StatusOK, map[string]any{"service": "earshot", "routes": routes})
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
		Handler:           s.mux,
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
	go func() { errc <- srv.Serve(ln) }()
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
