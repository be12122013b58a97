// Package enrich is the stage between the raw and the enriched topic: it
// runs the analysis (language, sentiment, intent, preferences) and the
// identity resolution (customer match or prospect) on every record.
package enrich

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/relevance"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Analyzer is the analysis half (enrich/analysis implements it).
type Analyzer interface {
	Analyze(m *record.Mention) record.Analysis
}

// Resolver is the identity half (enrich/identity implements it). It is fed
// the whole customers and prospects topics (global tables) before and while
// the stage runs.
type Resolver interface {
	ApplyCustomer(key string, c *record.Customer)
	ApplyProspect(key string, p *record.Prospect)
	Resolve(em *record.EnrichedMention) (record.Identity, []*record.Prospect)
	// Counts is how many customers and prospects the tables hold now
	// (updates and erasures applied).
	Counts() (customers, prospects int)
}

// Stage turns raw records into enriched records (and prospect updates).
// A nil Analyzer or Resolver leaves its fields empty: the records still flow.
type Stage struct {
	Analyzer Analyzer
	Resolver Resolver
	// Relevance, when set, judges every analysed mention; an irrelevant one
	// goes to the filtered topic instead of the enriched one, so neither
	// counts nor alerts see it (nor identity resolution).
	Relevance *relevance.Filter
	Topics    pipeline.Topics
	Logger    *slog.Logger
	// Now is the clock (tests fix it).
	Now func() time.Time
}

// Process enriches one raw record. A record that does not decode is
// permanently failed (it goes to the DLQ on the first attempt).
func (s *Stage) Process(_ context.Context, msg pipeline.Message) ([]pipeline.Output, error) {
	var m record.Mention
	if err := record.Decode(msg.Value, &m); err != nil {
		return nil, pipeline.Permanent(err)
	}
	if m.ID == "" {
		if err := m.Normalize(); err != nil {
			return nil, pipeline.Permanent(fmt.Errorf("raw record without id: %w", err))
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	em := &record.EnrichedMention{Mention: m, EnrichedAt: now().UTC()}
	if m.Deleted() {
		// A deletion is not analysed, filtered or resolved: it passes on
		// to the index under the raw key (the author's), as it came.
		value, err := record.Encode(em)
		if err != nil {
			return nil, err
		}
		return []pipeline.Output{{Topic: s.Topics.Enriched(), Key: msg.Key, Value: value}}, nil
	}
	if s.Analyzer != nil {
		em.Analysis = s.Analyzer.Analyze(&em.Mention)
	}
	if s.Relevance != nil && !s.Relevance.Empty() {
		brands := []string{}
		if p := em.Analysis.Preferences; p != nil && p.Brands != nil {
			brands = p.Brands
		}
		if d := s.Relevance.Decide(&em.Mention, analysis.Text(&em.Mention), brands); d != nil {
			em.Analysis.Relevance = d
			if d.Irrelevant {
				value, err := record.Encode(em)
				if err != nil {
					return nil, err
				}
				return []pipeline.Output{{Topic: s.Topics.Filtered(), Key: []byte(em.ID), Value: value}}, nil
			}
		}
	}
	var outs []pipeline.Output
	key := msg.Key
	if s.Resolver != nil {
		ident, prospects := s.Resolver.Resolve(em)
		em.Identity = &ident
		for _, prospect := range prospects {
			outs = append(outs, s.prospectOutput(prospect))
		}
		// Key enriched records by person, so one person's records (and the
		// profile the index stage aggregates from them) stay on one partition.
		switch {
		case ident.CustomerID != "":
			key = []byte("customer:" + ident.CustomerID)
		case ident.ProspectID != "":
			key = []byte("prospect:" + ident.ProspectID)
		}
	}
	value, err := record.Encode(em)
	if err != nil {
		return nil, err
	}
	return append(outs, pipeline.Output{Topic: s.Topics.Enriched(), Key: key, Value: value}), nil
}

// prospectStates is the part of the identity half that tells a prospect's
// state now (enrich/identity implements it).
type prospectStates interface {
	// CurrentProspect returns a copy of the prospect held under id (not
	// one it was merged into); false when none is.
	CurrentProspect(id string) (*record.Prospect, bool)
}

// prospectOutput is the prospect's record for the prospects topic. Its
// value is taken when the record is written: the run stage holds a
// prospect's records back and writes the last one (StageConfig.Latest),
// by then in the state the resolver holds, so a prospect that many
// mentions change is written once, and a conversion or an erasure applied
// meanwhile is neither undone nor brought back. A merged prospect's
// redirect is final and written as made.
func (s *Stage) prospectOutput(p *record.Prospect) pipeline.Output {
	return pipeline.Output{Topic: s.Topics.Prospects(), Key: []byte(p.ID), Current: func() ([]byte, bool) {
		cur := p
		if st, ok := s.Resolver.(prospectStates); ok && p.Status != record.ProspectMerged {
			if cur, ok = st.CurrentProspect(p.ID); !ok {
				return nil, false // erased, or merged into another: written by whoever did it
			}
		}
		value, err := record.Encode(cur)
		if err != nil {
			s.logger().Error("encoding prospect", "prospect", p.ID, "error", err)
			return nil, false
		}
		return value, true
	}}
}

func (s *Stage) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Run loads the customers and prospects tables into the resolver, then
// consumes the raw topic until ctx ends.
func Run(ctx context.Context, k *pipeline.Kafka, s *Stage) error {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.Topics = k.Topics()
	if s.Relevance != nil {
		if err := loadRelevance(ctx, k, s.Relevance, s.Logger); err != nil {
			return err
		}
	}
	if s.Resolver != nil {
		conv, ok := s.Resolver.(Converter)
		if !ok {
			if err := LoadTables(ctx, k, s.Resolver, s.Logger); err != nil {
				return err
			}
		} else {
			cw := newConversions(k, conv, s.Logger)
			defer cw.close()
			if err := loadTables(ctx, k, s.Resolver, s.Logger, cw.customer); err != nil {
				return err
			}
			if dec, ok := s.Resolver.(Decider); ok {
				if err := followDecisions(ctx, k, dec, cw, s.Logger); err != nil {
					return err
				}
			}
			go cw.run(ctx)
		}
	}
	return k.RunStage(ctx, pipeline.StageConfig{Name: "enrich", Topics: []string{k.Topics().Raw()}, Processor: s,
		Latest: []string{k.Topics().Prospects()}})
}

// LoadTables follows the customers and prospects topics into r and waits
// until both are caught up; they keep following until ctx ends.
func LoadTables(ctx context.Context, k *pipeline.Kafka, r Resolver, logger *slog.Logger) error {
	return loadTables(ctx, k, r, logger, nil)
}

// loadTables is LoadTables; applied, when set, is told of every customer
// record after the resolver applied it.
func loadTables(ctx context.Context, k *pipeline.Kafka, r Resolver, logger *slog.Logger, applied func(string, *record.Customer)) error {
	start := time.Now()
	applyCustomer := r.ApplyCustomer
	if applied != nil {
		applyCustomer = func(key string, c *record.Customer) {
			r.ApplyCustomer(key, c)
			applied(key, c)
		}
	}
	ct, records, err := followTable(ctx, k, k.Topics().Customers(), logger, applyCustomer)
	if err != nil {
		return err
	}
	pt, prospectRecords, err := followTable(ctx, k, k.Topics().Prospects(), logger, r.ApplyProspect)
	if err != nil {
		return err
	}
	if err := ct.WaitCaughtUp(ctx); err != nil {
		return err
	}
	if err := pt.WaitCaughtUp(ctx); err != nil {
		return err
	}
	// What the tables hold, not how many records were read: updates and
	// tombstones leave fewer people than records.
	customers, prospects := r.Counts()
	logger.Info("identity tables loaded", "customers", customers, "prospects", prospects,
		"records_read", records.Load()+prospectRecords.Load(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// followTable follows a compacted topic of records of type T into apply
// (nil for a tombstone), counting the records applied. Undecodable records
// are logged and skipped: the table must load whatever one bad record says.
func followTable[T any, PT interface {
	*T
	record.Versioned
}](ctx context.Context, k *pipeline.Kafka, topic string, logger *slog.Logger, apply func(string, PT)) (*pipeline.Table, *atomic.Int64, error) {
	var n atomic.Int64
	t, err := k.FollowTable(ctx, topic, func(m pipeline.Message) {
		if m.Value == nil {
			apply(string(m.Key), nil)
			return
		}
		rec := PT(new(T))
		if err := record.Decode(m.Value, rec); err != nil {
			logger.Warn("skipping undecodable table record", "topic", topic, "key", string(m.Key), "offset", m.Offset, "error", err)
			return
		}
		n.Add(1)
		apply(string(m.Key), rec)
	})
	return t, &n, err
}

// loadRelevance follows the corrections and mutes topics into the relevance
// filter and waits until both are caught up; they keep following (a new
// correction or mute applies to the next record) until ctx ends.
func loadRelevance(ctx context.Context, k *pipeline.Kafka, f *relevance.Filter, logger *slog.Logger) error {
	start := time.Now()
	ct, corrections, err := followTable(ctx, k, k.Topics().Corrections(), logger, f.ApplyCorrection)
	if err != nil {
		return err
	}
	mt, mutes, err := followTable(ctx, k, k.Topics().Mutes(), logger, f.ApplyMute)
	if err != nil {
		return err
	}
	for _, t := range []*pipeline.Table{ct, mt} {
		if err := t.WaitCaughtUp(ctx); err != nil {
			return err
		}
	}
	logger.Info("relevance filter loaded", "corrections", corrections.Load(), "mutes", mutes.Load(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}
