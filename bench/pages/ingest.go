package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// ingester writes new mentions into the index while the pages are
// measured, as a live listening stream does: generated mentions, encoded
// as the enrichment stage publishes them, handed to the index stage's own
// WriteBatch (the code the stage runs for each consumed Kafka batch: the
// same decoding, index write and profile rebuild, with the profile cache
// `earshot index` gives a stage over the embedded index) in the batches its
// consumer would cut at that rate (BatchTimeout's worth of records, at
// most BatchSize). Their times run from the corpus's "now" on, so they
// land in the ranges the pages show. Stop removes them again through
// the same write path, so the index can be reused with the same -n.
//
// With stageless set, the mentions go to the backend's UpsertMentions
// directly (the stage's index write without its profile rebuild, which
// reads each person's newest mentions back every batch): it separates
// what indexing at that rate costs the pages from what the rebuild costs.
type ingester struct {
	stageless bool
	stage     *stage.Stage
	be        index.Backend
	rate      int
	start     time.Time
	gen       *synth.Generator
	cancel    context.CancelFunc
	done      chan struct{}

	mu       sync.Mutex
	ids      []string
	written  int
	failed   int
	lateMax  time.Duration // how far the writer fell behind its schedule
	lateNow  time.Duration // how far behind it started its last batch
	batchDur []time.Duration
}

func startIngest(ctx context.Context, be index.Backend, rate int, now time.Time, seed uint64, stageless bool) (*ingester, error) {
	cfg := stage.DefaultConfig()
	st, err := stage.New(be, pipeline.Topics{Prefix: "earshot."}, cfg, nil, prometheus.NewRegistry())
	if err != nil {
		return nil, err
	}
	// As `earshot index` wires a stage over the embedded index.
	st.SetProfileCache(stage.ProfileCacheMentions, stage.ProfileCacheTTL)
	ctx, cancel := context.WithCancel(ctx)
	in := &ingester{stage: st, be: be, rate: rate, start: now, cancel: cancel, done: make(chan struct{}), stageless: stageless,
		gen: synth.New(synth.Config{Seed: seed + 1000, Start: now, Span: time.Hour})}
	go in.run(ctx, cfg)
	return in, nil
}

func (in *ingester) run(ctx context.Context, cfg stage.Config) {
	defer close(in.done)
	topic := pipeline.Topics{Prefix: "earshot."}.Enriched()
	per := max(1, min(cfg.BatchSize, int(float64(in.rate)*cfg.BatchTimeout.Seconds())))
	every := time.Duration(float64(time.Second) * float64(per) / float64(in.rate))
	began := time.Now()
	for n := 0; ; {
		due := began.Add(time.Duration(n/per) * every)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		} else if ctx.Err() != nil {
			return
		}
		late := time.Since(due)
		batch := make([]pipeline.Message, 0, per)
		ids := make([]string, 0, per)
		ms := in.gen.Batch(per)
		for _, m := range ms {
			m.ID = fmt.Sprintf("live-%d", n+len(batch))
			m.CreatedAt = in.start.Add(time.Since(began))
			v, err := record.Encode(m)
			if err != nil {
				panic(err) // generated records always encode
			}
			batch = append(batch, pipeline.Message{Topic: topic, Key: []byte(m.ID), Value: v, Offset: int64(n + len(batch)), Time: time.Now()})
			ids = append(ids, m.ID)
		}
		t0 := time.Now()
		var errs []error
		if in.stageless {
			errs = in.be.UpsertMentions(ctx, ms)
		} else {
			errs = in.stage.WriteBatch(ctx, batch)
		}
		took := time.Since(t0)
		in.mu.Lock()
		in.ids = append(in.ids, ids...)
		for _, err := range errs {
			if err != nil {
				in.failed++
			} else {
				in.written++
			}
		}
		in.lateMax = max(in.lateMax, late)
		in.lateNow = late
		in.batchDur = append(in.batchDur, took)
		in.mu.Unlock()
		n += per
	}
}

// behind is how late the writer started its last batch.
func (in *ingester) behind() time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.lateNow
}

// mark starts the measured part: report counts from here.
func (in *ingester) mark() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.written, in.failed, in.lateMax, in.batchDur = 0, 0, 0, nil
}

// report says what was written and how fast since mark.
func (in *ingester) report(elapsed time.Duration) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var worst time.Duration
	for _, d := range in.batchDur {
		worst = max(worst, d)
	}
	return fmt.Sprintf("live ingestion: %d mentions written (%d failed) in %s, %.0f/s (aim %d/s), %d batches, slowest batch write %s, writer at most %s behind schedule",
		in.written, in.failed, elapsed.Round(time.Second), float64(in.written)/elapsed.Seconds(), in.rate, len(in.batchDur),
		worst.Round(time.Millisecond), in.lateMax.Round(time.Millisecond))
}

// stop ends the stream and deletes what it wrote.
func (in *ingester) stop(ctx context.Context) error {
	in.cancel()
	<-in.done
	in.mu.Lock()
	ids := in.ids
	in.mu.Unlock()
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		for i, err := range in.be.DeleteMentions(ctx, ids[:n]) {
			if err != nil {
				return fmt.Errorf("removing live mention %s: %w", ids[i], err)
			}
		}
		ids = ids[n:]
	}
	return nil
}
