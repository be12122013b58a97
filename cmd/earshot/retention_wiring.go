package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
)

// retentionRows describes the effective retention of every kind of data:
// the period and where it is enforced (the topics and their retention.ms,
// or the sweep).
func retentionRows(cfg *Config) [][3]string {
	topics := cfg.Kafka.TopicNames()
	sweep := "every " + privacy.FormatInterval(cfg.Retention.SweepInterval) + " and at start"
	var rows [][3]string
	for _, k := range cfg.Retention.Kinds() {
		var where string
		switch {
		case len(k.Roles) > 0:
			names := make([]string, len(k.Roles))
			for i, r := range k.Roles {
				names[i] = topics.Name(r)
			}
			where = fmt.Sprintf("%s (retention.ms=%d)", strings.Join(names, ", "), k.Age.Millis())
			if k.Key == "notifications" && !k.Age.Forever() {
				where += "; finished deliveries in " + topics.Name(pipeline.RoleDeliveries) + " tombstoned, " + sweep
			}
		case k.Key == "mentions":
			where = "index: deleted by creation time, " + sweep
		case k.Key == "prospects":
			where = topics.Prospects() + " tombstones (profile leaves the index), by last activity, " + sweep
		}
		if k.Age.Forever() && len(k.Roles) == 0 {
			where = "kept (no sweep)"
		}
		rows = append(rows, [3]string{k.Key, k.Age.String(), where})
	}
	// Delete-policy topics outside the retention section keep the
	// broker's default; compacted tables keep the latest record per key.
	var others []string
	managed := cfg.Kafka.TopicRetention
	for _, role := range pipeline.Roles {
		if _, ok := managed[role]; !ok && !pipeline.Compacted(role) {
			others = append(others, topics.Name(role))
		}
	}
	if len(others) > 0 {
		rows = append(rows, [3]string{"(other topics)", "broker default", strings.Join(others, ", ") + " (log.retention.ms)"})
	}
	return rows
}

// printRetention writes the effective retention for `config check`.
func printRetention(w io.Writer, cfg *Config) {
	fmt.Fprintln(w, "retention (how long each kind of data is kept):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, r := range retentionRows(cfg) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r[0], r[1], r[2])
	}
	tw.Flush()
}

// logRetention logs the effective retention once at start.
func logRetention(logger *slog.Logger, cfg *Config) {
	args := make([]any, 0, 2*len(cfg.Retention.Kinds())+2)
	for _, k := range cfg.Retention.Kinds() {
		args = append(args, k.Key, k.Age.String())
	}
	args = append(args, "sweep_interval", privacy.FormatInterval(cfg.Retention.SweepInterval))
	logger.Info("retention", args...)
}

// startIndexRetention runs the index stage's retention sweep beside it (at
// start and every sweep_interval) and returns a function that stops it.
func (h *hub) startIndexRetention(ctx context.Context, st *stage.Stage) func() {
	st.SetMentionRetention(h.cfg.Retention.Mentions.Duration())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.RunRetention(ctx, h.cfg.Retention.SweepInterval)
	}()
	return func() {
		cancel()
		<-done
	}
}

// startProspectRetention removes prospects that never converted once they
// had no activity for retention.prospects (the enrich role runs it), and
// returns a function that stops it.
func (h *hub) startProspectRetention(ctx context.Context) func() {
	age := h.cfg.Retention.Prospects
	if age.Forever() {
		return func() {}
	}
	prod := h.kafka.NewProducer("prospect-retention", 0)
	r := crm.NewProspectRetention(h.kafka, prod, age.Duration(), h.logger)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx, h.cfg.Retention.SweepInterval); err != nil {
			h.logger.Warn("prospect retention stopped", "error", err)
		}
	}()
	return func() {
		cancel()
		<-done
		prod.Close()
	}
}
