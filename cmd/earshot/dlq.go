package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

func init() { addCommand(newDLQCmd) }

// deadLetterEntry is a dead letter with its own DLQ position.
type deadLetterEntry struct {
	Partition int                `json:"dlq_partition"`
	Offset    int64              `json:"dlq_offset"`
	Letter    *record.DeadLetter `json:"dead_letter"`
	Err       string             `json:"decode_error,omitempty"`
}

// readDeadLetters reads the whole DLQ as it is now.
func readDeadLetters(ctx context.Context, k *pipeline.Kafka, stage string) ([]deadLetterEntry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var out []deadLetterEntry
	t, err := k.FollowTable(ctx, k.Topics().DLQ(), func(m pipeline.Message) {
		e := deadLetterEntry{Partition: m.Partition, Offset: m.Offset}
		var dl record.DeadLetter
		if err := record.Decode(m.Value, &dl); err != nil {
			e.Err = err.Error()
		} else {
			if stage != "" && dl.Stage != stage {
				return
			}
			e.Letter = &dl
		}
		mu.Lock()
		out = append(out, e)
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	if err := t.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	return out, nil
}

func newDLQCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "dlq", Short: "Inspect and replay the dead-letter queue"}
	var stage string
	var limit int
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List dead letters: stage, reason, origin and a preview of the original bytes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			entries, err := readDeadLetters(ctx, k, stage)
			if err != nil {
				return err
			}
			if limit > 0 && len(entries) > limit {
				entries = entries[len(entries)-limit:]
			}
			if asJSON {
				if entries == nil {
					entries = []deadLetterEntry{} // an empty queue is [], not nothing
				}
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(entries)
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tSTAGE\tORIGIN\tATTEMPTS\tERROR\tVALUE")
			for _, e := range entries {
				if e.Letter == nil {
					fmt.Fprintf(tw, "-\t-\tdlq %d@%d\t-\tundecodable dead letter: %s\t\n", e.Partition, e.Offset, e.Err)
					continue
				}
				d := e.Letter
				origin := d.Position
				if origin == "" {
					origin = fmt.Sprintf("%s/%d@%d", d.Topic, d.Partition, d.Offset)
				}
				value := oneLine(string(d.Value), 60)
				if d.Truncated {
					value = fmt.Sprintf("(%d bytes, cut) %s", d.Size, value)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.At.Format(time.RFC3339), d.Stage, origin, d.Attempts, oneLine(d.Error, 80), value)
			}
			fmt.Fprintln(tw, plural(len(entries), "dead letter", "dead letters"))
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&stage, "stage", "", "only dead letters of this stage (enrich, index, connector:NAME)")
	list.Flags().IntVar(&limit, "limit", 0, "show only the last N")
	list.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")

	var dryRun bool
	var replayStage string
	replay := &cobra.Command{
		Use:   "replay",
		Short: "Send dead letters back to the topic they came from (after fixing the cause)",
		Long: "Re-produces each dead letter's original key and bytes to its original topic. Record ids are\n" +
			"deterministic, so replaying a letter twice overwrites rather than duplicates downstream.\n" +
			"Rejected input that never was a Kafka record (a bad line of an imported file) cannot be\n" +
			"replayed: fix the file and import it again.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Minute)
			defer cancel()
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			entries, err := readDeadLetters(ctx, k, replayStage)
			if err != nil {
				return err
			}
			p := k.NewProducer("dlq-replay", 0)
			defer p.Close()
			var outs []pipeline.Output
			skipped := 0
			for _, e := range entries {
				if e.Letter == nil || e.Letter.Topic == "" {
					skipped++
					continue
				}
				outs = append(outs, pipeline.Output{Topic: e.Letter.Topic, Key: e.Letter.Key, Value: e.Letter.Value})
			}
			if !dryRun && len(outs) > 0 {
				if err := p.ProduceSync(ctx, outs...); err != nil {
					return fmt.Errorf("replaying dead letters: %w", err)
				}
			}
			verb := "replayed"
			if dryRun {
				verb = "would replay"
			}
			fmt.Fprintf(app.Stdout, "%s %d dead letters; skipped %d that have no source topic\n", verb, len(outs), skipped)
			return nil
		},
	}
	replay.Flags().StringVar(&replayStage, "stage", "", "only dead letters of this stage")
	replay.Flags().BoolVar(&dryRun, "dry-run", false, "count what would be replayed without writing")
	cmd.AddCommand(list, replay)
	return cmd
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// plural is "1 mention", "2 mentions".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
