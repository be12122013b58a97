package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// App carries what every subcommand shares: the config path, the loaded
// config and the logger. Subcommands get it at construction and call
// Config() lazily so `earshot version` works without a config file.
type App struct {
	ConfigPath string
	LogLevel   string
	LogFormat  string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer

	cfg    *Config
	logger *slog.Logger
}

// commandFactories are the subcommands; each file adds its own in init().
var commandFactories []func(*App) *cobra.Command

// addCommand registers a subcommand constructor.
func addCommand(f func(*App) *cobra.Command) { commandFactories = append(commandFactories, f) }

// Config loads (once) and returns the configuration named by --config.
func (a *App) Config() (*Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := LoadConfig(a.ConfigPath)
	if err != nil {
		return nil, err
	}
	a.cfg = cfg
	return cfg, nil
}

// Logger returns the process logger, built from --log-level and --log-format.
func (a *App) Logger() *slog.Logger {
	if a.logger != nil {
		return a.logger
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.LogFormat == "json" {
		a.logger = slog.New(slog.NewJSONHandler(a.Stderr, opts))
	} else {
		a.logger = slog.New(slog.NewTextHandler(a.Stderr, opts))
	}
	return a.logger
}

// signalContext is cancelled on SIGINT or SIGTERM, starting a graceful shutdown.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "earshot",
		Short:         "Social listening and lead capture: connectors → Kafka → enrichment → search",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&app.ConfigPath, "config", "c", defaultConfigPath(), "configuration file (env EARSHOT_CONFIG)")
	root.PersistentFlags().StringVar(&app.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&app.LogFormat, "log-format", "text", "log format: text or json")
	for _, f := range commandFactories {
		root.AddCommand(f(app))
	}
	root.SetIn(app.Stdin)
	root.SetOut(app.Stdout)
	root.SetErr(app.Stderr)
	return root
}

func defaultConfigPath() string {
	if p := os.Getenv("EARSHOT_CONFIG"); p != "" {
		return p
	}
	return "configs/earshot.yaml"
}

// exitError carries a specific exit code (e.g. 2 for usage, 1 for failures).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	root := newRootCmd(app)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(stderr, "earshot:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}
