package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/pipeline"
)

func init() {
	addCommand(newTopicsCmd)
	addCommand(newConfigCmd)
	addCommand(newConnectorsCmd)
}

func newConfigCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the config file: unknown keys, bad values and connector settings, with file and line",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			// What every role needs too (they refuse to start without it);
			// admin commands that hold no personal data do not.
			if err := cfg.checkPrivacySecret(); err != nil {
				return err
			}
			enabled := 0
			for _, c := range cfg.Connectors {
				if c.IsEnabled() {
					enabled++
				}
			}
			mode := "embedded broker on 127.0.0.1:" + fmt.Sprint(cfg.Kafka.Embedded.Port)
			if !cfg.Kafka.Embedded.Enabled {
				mode = "brokers " + strings.Join(cfg.Kafka.Brokers, ",")
			}
			fmt.Fprintf(app.Stdout, "%s: OK (%s; %d connectors enabled)\n", cfg.File(), mode, enabled)
			printRetention(app.Stdout, cfg)
			return nil
		},
	})
	return cmd
}

func newConnectorsCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "connectors [TYPE]",
		Short: "List connector types, or show one type's sample config",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				reg, ok := connectors.Lookup(args[0])
				if !ok {
					return fmt.Errorf("unknown connector type %q (known: %s)", args[0], strings.Join(connectors.Types(), ", "))
				}
				fmt.Fprintf(app.Stdout, "# %s: %s\n%s", reg.Type, reg.Description, reg.Sample)
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			for _, t := range connectors.Types() {
				reg, _ := connectors.Lookup(t)
				fmt.Fprintf(tw, "%s\t%s\n", t, reg.Description)
			}
			return tw.Flush()
		},
	}
}

// openAdmin connects to the configured cluster for a one-shot command. An
// embedded config is reached at its configured port (the hub must run).
func (a *App) openAdmin(ctx context.Context) (*pipeline.Kafka, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	var brokers []string
	if cfg.Kafka.Embedded.Enabled {
		brokers = []string{fmt.Sprintf("127.0.0.1:%d", cfg.Kafka.Embedded.Port)}
	}
	k := pipeline.NewKafka(cfg.Kafka, brokers, a.Logger(), nil)
	if err := k.Ping(ctx); err != nil {
		k.Close()
		if cfg.Kafka.Embedded.Enabled {
			return nil, fmt.Errorf("%w (is `earshot run` running?)", err)
		}
		return nil, err
	}
	if _, err := enableSealing(ctx, cfg, k); err != nil {
		k.Close()
		return nil, fmt.Errorf("enabling personal data encryption: %w", err)
	}
	return k, nil
}

func newTopicsCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "List Earshot's topics with partitions, end offsets and consumer-group lag",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			cfg := k.Config()
			var names []string
			for _, r := range pipeline.Roles {
				names = append(names, k.Topics().Name(r))
			}
			groups := []string{cfg.Group("enrich"), cfg.Group("index")}
			infos, err := k.DescribeTopics(ctx, names, groups)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(app.Stdout).Encode(infos)
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TOPIC\tPARTITIONS\tRECORDS\tEND OFFSETS\tGROUP LAG")
			for _, ti := range infos {
				var ends []string
				var total int64
				lag := map[string]int64{}
				for _, p := range ti.Partitions {
					ends = append(ends, fmt.Sprint(p.EndOffset))
					total += p.EndOffset - p.StartOffset
					for g, off := range p.Committed {
						lag[g] += max(p.EndOffset-off, 0)
					}
				}
				var lags []string
				for g, l := range lag {
					lags = append(lags, fmt.Sprintf("%s=%d", g, l))
				}
				sort.Strings(lags)
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", ti.Name, len(ti.Partitions), total, strings.Join(ends, ","), strings.Join(lags, " "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
