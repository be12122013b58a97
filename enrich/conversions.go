package enrich

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Converter is the part of the identity half that closes a prospect when
// its person becomes a customer (enrich/identity implements it).
type Converter interface {
	// Convert returns the prospects customer c converts.
	Convert(c *record.Customer) []*record.Prospect
	// ConvertAll returns the open prospects that already belong to a
	// customer (after the tables are loaded).
	ConvertAll() []*record.Prospect
}

// conversions writes converted prospects to the prospects topic. Every
// enrich instance follows the whole customers topic, so every instance
// converts: the records are deterministic (the same content for the same
// customer and prospect), so the compacted topic keeps one. Writes are
// retried until Kafka acknowledges them or the stage stops.
type conversions struct {
	k      *pipeline.Kafka
	conv   Converter
	logger *slog.Logger
	prod   *pipeline.Producer

	mu      sync.Mutex
	pending []*record.Prospect
	ready   bool // the tables are loaded: convert as customers arrive
	wake    chan struct{}
}

func newConversions(k *pipeline.Kafka, conv Converter, logger *slog.Logger) *conversions {
	return &conversions{k: k, conv: conv, logger: logger, prod: k.NewProducer("enrich-conversions", 0), wake: make(chan struct{}, 1)}
}

// customer is told of every customer record the tables apply.
func (c *conversions) customer(_ string, cust *record.Customer) {
	c.mu.Lock()
	ready := c.ready
	c.mu.Unlock()
	if cust == nil || !ready {
		return // before loading ends, the pass in run covers everyone
	}
	c.add(c.conv.Convert(cust))
}

func (c *conversions) add(ps []*record.Prospect) {
	if len(ps) == 0 {
		return
	}
	c.mu.Lock()
	c.pending = append(c.pending, ps...)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run converts what the loaded tables already show, then writes
// conversions as customers arrive, until ctx ends.
func (c *conversions) run(ctx context.Context) {
	c.mu.Lock()
	c.ready = true
	c.mu.Unlock()
	c.add(c.conv.ConvertAll())
	backoff := 100 * time.Millisecond
	for {
		c.mu.Lock()
		batch := c.pending
		c.pending = nil
		c.mu.Unlock()
		if len(batch) > 0 {
			if err := c.write(ctx, batch); err != nil {
				if ctx.Err() != nil {
					return
				}
				c.logger.Warn("writing prospect conversions; retrying", "prospects", len(batch), "error", err)
				c.mu.Lock()
				c.pending = append(batch, c.pending...)
				c.mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 10*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			for _, p := range batch {
				c.logger.Info("prospect converted", "prospect", p.ID, "customer", p.CustomerID)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
	}
}

func (c *conversions) write(ctx context.Context, ps []*record.Prospect) error {
	outs := make([]pipeline.Output, 0, len(ps))
	for _, p := range ps {
		v, err := record.Encode(p)
		if err != nil {
			return err
		}
		outs = append(outs, pipeline.Output{Topic: c.k.Topics().Prospects(), Key: []byte(p.ID), Value: v})
	}
	return c.prod.ProduceSync(ctx, outs...)
}

func (c *conversions) close() { _ = c.prod.Close() }

// Decider is the part of the identity half that applies people's
// decisions on possible matches (enrich/identity implements it).
type Decider interface {
	// ApplyDecision applies one decision (nil: a tombstone) and returns the
	// prospects a confirmation converts.
	ApplyDecision(key string, d *record.MatchDecision) []*record.Prospect
}

// followDecisions follows the match-decisions topic into dec until ctx
// ends, writing the conversions confirmations cause; it returns once the
// decisions made so far are applied.
func followDecisions(ctx context.Context, k *pipeline.Kafka, dec Decider, cw *conversions, logger *slog.Logger) error {
	t, _, err := followTable(ctx, k, k.Topics().MatchDecisions(), logger, func(key string, d *record.MatchDecision) {
		cw.add(dec.ApplyDecision(key, d))
	})
	if err != nil {
		return err
	}
	return t.WaitCaughtUp(ctx)
}
