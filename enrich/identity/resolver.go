// Package identity resolves who a mention or form submission is: a known
// customer (exact identifiers, or a Fellegi–Sunter score over fuzzy field
// comparisons above a threshold), a possible match for a person to confirm,
// or nobody, in which case it may create or update a prospect for sales.
//
// Every enrich instance builds the same in-memory index from the compacted
// customers and prospects topics (ApplyCustomer, ApplyProspect) and keeps
// it current while running.
package identity

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/record"
	"github.com/prometheus/client_golang/prometheus"
)

// Resolver matches records to customers and keeps the prospect table. It
// is safe for concurrent use.
type Resolver struct {
	cfg    Config
	norm   *Normalizer
	logger *slog.Logger
	now    func() time.Time

	mu  sync.RWMutex // guards idx
	idx *index

	model  atomic.Pointer[Model]
	start  *Model // the configured model EM starts from
	est    estimator
	frozen atomic.Bool // weights fixed for a batch: no re-estimation
	uMu    sync.Mutex
	uModel *Model // start with u counted on random customer pairs
	uAt    int    // customers when uModel was counted

	prospects *prospectTable
	metrics   *metrics
}

// Option configures a Resolver.
type Option func(*options)

type options struct {
	reg prometheus.Registerer
	now func() time.Time
}

// WithRegisterer registers the resolver's metrics.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

// WithClock sets the clock used when a record carries no time.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New builds an empty resolver; feed it the customers and prospects topics.
func New(cfg Config, logger *slog.Logger, opts ...Option) (*Resolver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating identity config: %w", err)
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start, err := newModel(cfg.Weights.Fields)
	if err != nil {
		return nil, fmt.Errorf("building identity model: %w", err)
	}
	met, err := newMetrics(o.reg)
	if err != nil {
		return nil, fmt.Errorf("registering identity metrics: %w", err)
	}
	r := &Resolver{
		cfg:       cfg,
		norm:      NewNormalizer(cfg),
		logger:    logger.With("component", "identity"),
		now:       o.now,
		idx:       newIndex(cfg.MaxBlockSize),
		start:     start,
		prospects: newProspectTable(cfg.Prospects.MaxProspects),
		metrics:   met,
	}
	r.model.Store(start)
	r.est.reservoir = make([]vector, 0, 1024)
	r.est.rng = rand.New(rand.NewPCG(1, 2))
	return r, nil
}

// Normalizer returns the resolver's normaliser.
func (r *Resolver) Normalizer() *Normalizer { return r.norm }

// Model returns the weights in use.
func (r *Resolver) Model() *Model { return r.model.Load() }

// Customers returns how many customers are indexed.
func (r *Resolver) Customers() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.idx.live
}

// ApplyCustomer upserts a customer from the customers topic; a nil
// customer is a tombstone and removes key.
func (r *Resolver) ApplyCustomer(key string, c *record.Customer) {
	if c == nil {
		r.mu.Lock()
		removed := r.idx.remove(key)
		n := r.idx.live
		r.mu.Unlock()
		if removed {
			r.metrics.customers.Set(float64(n))
		}
		return
	}
	p, errs := r.norm.Customer(c)
	if p.ID == "" {
		p.ID = key
	}
	for _, e := range errs {
		r.logger.Debug("customer field ignored", "customer", p.ID, "field", e.Field, "error", e.Err)
	}
	r.AddPerson(&p)
}

// AddPerson indexes a normalised customer (replacing one with its id).
func (r *Resolver) AddPerson(p *Person) {
	v := p.view(r.norm.EmailDomain)
	r.mu.Lock()
	r.idx.upsert(&v)
	n := r.idx.live
	r.mu.Unlock()
	r.metrics.customers.Set(float64(n))
}

// ApplyProspect loads a prospect from the prospects topic; nil is a
// tombstone (erasure) and forgets it.
func (r *Resolver) ApplyProspect(key string, p *record.Prospect) {
	if p == nil {
		r.prospects.remove(key)
	} else {
		pp := r.norm.Prospect(p)
		r.prospects.load(p, pp.ExactKeys())
	}
	r.metrics.prospects.Set(float64(r.prospects.len()))
}

// MatchPerson decides which customer a normalised record is.
func (r *Resolver) MatchPerson(p *Person) Decision {
	q := p.view(r.norm.EmailDomain)
	r.mu.RLock()
	d, vecs := r.decide(&q, r.model.Load(), r.cfg.Weights.Estimate == "em")
	r.mu.RUnlock()
	r.observe(vecs)
	r.metrics.decided(d.Outcome)
	return d
}

// Resolve decides the identity of an enriched mention and, for an
// unmatched person with buying intent or a form submission, creates or
// updates their prospect. The returned prospects (none when none changed;
// the person's prospect first, then any prospect a record carrying two
// people's identifiers merged into it) are what the stage writes to the
// prospects topic, keyed by their ids; the resolver's own table already
// holds them, so the person's next record joins the same prospect. A
// record of a prospect that became a customer is that customer's.
func (r *Resolver) Resolve(em *record.EnrichedMention) (record.Identity, []*record.Prospect) {
	p := r.norm.Author(&em.Mention)
	d := r.MatchPerson(&p)
	id := d.Identity()
	if d.Outcome == record.MatchExact {
		// A record of a customer carrying the identifier of an open
		// prospect (his handle and a second email) shows the prospect is
		// the customer: it is converted, merged into him.
		if d.Key != "" {
			conv := r.prospects.convert(p.ExactKeys(), d.CustomerID, recordTime(em, r.now))
			if len(conv) > 0 {
				r.metrics.prospectEvents.WithLabelValues("converted").Add(float64(len(conv)))
			}
			return id, conv
		}
		return id, nil
	}
	if em.NoProspect() {
		// No consent to prospecting (a fediverse author, an unconfirmed
		// double opt-in): matched to customers only.
		return id, nil
	}
	changed, created, customerID := r.prospects.record(r, em, &p, d)
	if customerID != "" {
		return record.Identity{Outcome: record.MatchExact, CustomerID: customerID, Score: id.Score,
			Evidence: []record.FieldEvidence{{Field: "prospect", Agrees: true, Level: "converted"}}}, nil
	}
	if len(changed) == 0 {
		return id, nil
	}
	id.ProspectID = changed[0].ID
	switch {
	case created:
		r.metrics.prospectEvents.WithLabelValues("created").Inc()
	default:
		r.metrics.prospectEvents.WithLabelValues("updated").Inc()
	}
	if n := len(changed) - 1; n > 0 {
		r.metrics.prospectEvents.WithLabelValues("merged").Add(float64(n))
	}
	r.metrics.prospects.Set(float64(r.prospects.len()))
	return id, changed
}

// Convert closes the prospects of a customer's person as having become
// that customer (status converted, closed as became_customer: no loss for
// sales) and returns their new states for the prospects topic. A prospect
// is the customer's when it holds one of the customer's emails, phones,
// handles or profile URLs. The time of conversion is the customer
// record's, so every enrich instance writes the same record.
func (r *Resolver) Convert(c *record.Customer) []*record.Prospect {
	p, _ := r.norm.Customer(c)
	if p.ID == "" {
		return nil
	}
	at := c.UpdatedAt.UTC()
	out := r.prospects.convert(p.ExactKeys(), p.ID, at)
	if len(out) > 0 {
		r.metrics.prospectEvents.WithLabelValues("converted").Add(float64(len(out)))
	}
	return out
}

// ApplyDecision applies a person's decision on a possible match from the
// match-decisions topic (nil: a tombstone, key its id). A confirmation
// returns the prospect it converts into the customer, for the prospects
// topic; a rejection keeps the customer off the prospect's candidates.
func (r *Resolver) ApplyDecision(key string, d *record.MatchDecision) []*record.Prospect {
	if d != nil && (d.ProspectID == "" || d.CustomerID == "") {
		r.logger.Warn("match decision without a prospect or customer ignored", "decision", key)
		return nil
	}
	if p := r.prospects.decide(key, d); p != nil {
		r.metrics.prospectEvents.WithLabelValues("converted").Inc()
		return []*record.Prospect{p}
	}
	return nil
}

// ConvertAll converts every open prospect whose identifiers now belong to
// a customer: the pass after loading the tables, for customers that
// arrived while no instance was running. The time of conversion is the
// prospect's last record.
func (r *Resolver) ConvertAll() []*record.Prospect {
	out := r.prospects.confirmedOpen()
	for _, pr := range r.prospects.open() {
		person := r.norm.Prospect(pr)
		q := person.view(r.norm.EmailDomain)
		r.mu.RLock()
		hits, _ := r.idx.exactMatches(&q, nil)
		var customerID string
		if len(hits) == 1 {
			customerID = strings.Clone(r.idx.recs.field(hits[0], pID))
		}
		r.mu.RUnlock()
		if customerID == "" {
			continue // nobody, or two customers: not for a machine to pick
		}
		out = append(out, r.prospects.convert(person.ExactKeys(), customerID, pr.LastSeen)...)
	}
	if len(out) > 0 {
		r.metrics.prospectEvents.WithLabelValues("converted").Add(float64(len(out)))
	}
	return out
}

// estimator keeps a reservoir of candidate-pair comparisons and re-runs
// EM on it as records arrive (weights.estimate: em).
type estimator struct {
	mu        sync.Mutex
	running   atomic.Bool
	reservoir []vector
	rng       *rand.Rand
	seen      int // pairs offered
	records   int // records since the last estimate
	estimated bool
}

const reservoirSize = 200_000

// observe feeds the pairs of one record to the estimator and re-estimates
// when due. Only one goroutine estimates at a time; others carry on.
func (r *Resolver) observe(vecs []vector) {
	if r.cfg.Weights.Estimate != "em" || len(vecs) == 0 || r.frozen.Load() {
		return
	}
	e := &r.est
	e.mu.Lock()
	// Reservoir sampling of pairs: every pair seen so far is in the sample
	// with the same probability.
	for _, v := range vecs {
		e.seen++
		if len(e.reservoir) < reservoirSize {
			e.reservoir = append(e.reservoir, v)
		} else if j := e.rng.IntN(e.seen); j < reservoirSize {
			e.reservoir[j] = v
		}
	}
	e.records++
	due := len(e.reservoir) >= r.cfg.Weights.EMMinPairs && (!e.estimated || e.records >= r.cfg.Weights.EMEvery)
	var sample []vector
	if due && e.running.CompareAndSwap(false, true) {
		sample = append([]vector(nil), e.reservoir...)
		e.records = 0
		e.estimated = true
	}
	e.mu.Unlock()
	if sample == nil {
		return
	}
	// Off the record's path: resolving goes on with the old weights.
	go func() {
		defer e.running.Store(false)
		start := time.Now()
		m, res := r.estimate(sample)
		if r.frozen.Load() {
			return
		}
		r.model.Store(m)
		r.metrics.emRuns.Inc()
		r.logger.Info("identity weights re-estimated", "pairs", res.Pairs, "patterns", res.Patterns,
			"iterations", res.Iterations, "converged", res.Converged, "match_share", m.Prior,
			"reverted", res.Reverted, "took", time.Since(start))
	}()
}

// EstimateWeights runs EM over the candidate pairs of a batch of records
// (for batch matching, where the whole input is known up front) and
// installs the result.
func (r *Resolver) EstimateWeights(people []Person) (EMResult, error) {
	start := r.emStart()
	var all []vector
	r.mu.RLock()
	for i := range people {
		q := people[i].view(r.norm.EmailDomain)
		_, vecs := r.decide(&q, start, true)
		all = append(all, vecs...)
	}
	r.mu.RUnlock()
	if len(all) == 0 {
		return EMResult{}, errors.New("estimating weights: no candidate pairs (no record shares a blocking key with a customer)")
	}
	m, res := r.estimate(all)
	r.model.Store(m)
	r.frozen.Store(true)
	return res, nil
}

// estimate runs EM over candidate-pair vectors (see EstimateEM); u comes
// from random customer pairs.
func (r *Resolver) estimate(vecs []vector) (*Model, EMResult) {
	return EstimateEM(vecs, r.emStart(), r.cfg.Weights.EMIterations, r.cfg.Weights.EMTolerance)
}

// minCustomersForU is how many customers random pairs need before their
// frequencies replace the hand-set u.
const minCustomersForU = 100

// emStart is the model EM starts from: the configured m, and u counted on
// random customer pairs (recounted when the customer count has moved by a
// tenth since).
func (r *Resolver) emStart() *Model {
	r.uMu.Lock()
	defer r.uMu.Unlock()
	r.mu.RLock()
	n := r.idx.live
	if n < minCustomersForU {
		r.mu.RUnlock()
		return r.start
	}
	if r.uModel != nil && math.Abs(float64(n-r.uAt)) < 0.1*float64(r.uAt) {
		r.mu.RUnlock()
		return r.uModel
	}
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	vecs := r.idx.randomPairVectors(r.cfg.Weights.USamplePairs, r.start, rng)
	r.mu.RUnlock()
	r.uModel, r.uAt = uFromPairs(vecs, r.start), n
	return r.uModel
}

// SetModel installs weights, e.g. ones estimated elsewhere, and stops
// re-estimation.
func (r *Resolver) SetModel(m *Model) {
	r.model.Store(m)
	r.frozen.Store(true)
}

// metrics are the resolver's Prometheus instruments.
type metrics struct {
	decisions      *prometheus.CounterVec
	byOutcome      map[string]prometheus.Counter // resolved children of decisions
	prospectEvents *prometheus.CounterVec
	emRuns         prometheus.Counter
	customers      prometheus.Gauge
	prospects      prometheus.Gauge
}

func (m *metrics) decided(outcome string) {
	if c, ok := m.byOutcome[outcome]; ok {
		c.Inc()
	}
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "identity", Name: "decisions_total",
			Help: "Identity decisions by outcome (match, possible, none).",
		}, []string{"outcome"}),
		prospectEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "identity", Name: "prospect_events_total",
			Help: "Prospects created, updated, merged (into another) or converted (into a customer).",
		}, []string{"event"}),
		emRuns: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "identity", Name: "em_runs_total",
			Help: "Re-estimations of the matching weights.",
		}),
		customers: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "earshot", Subsystem: "identity", Name: "customers",
			Help: "Customers in the identity index.",
		}),
		prospects: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "earshot", Subsystem: "identity", Name: "prospects",
			Help: "Prospects in the in-memory prospect table.",
		}),
	}
	m.byOutcome = map[string]prometheus.Counter{}
	for _, o := range []string{record.MatchExact, record.MatchPossible, record.MatchNone} {
		m.byOutcome[o] = m.decisions.WithLabelValues(o)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.decisions, m.prospectEvents, m.emRuns, m.customers, m.prospects} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// IndexStats describes the in-memory index, for capacity planning.
type IndexStats struct {
	Customers     int
	RecordBytes   int // customer records: arena chunks and headers
	IDBytes       int // id table
	ExactBytes    int // exact-key table
	BlockBytes    int // blocking-key table
	ExactPostings int
	BlockPostings int
	DistinctNames int // first and family names counted for frequencies
}

// Stats measures the index.
func (r *Resolver) Stats() IndexStats {
	r.mu.RLock()
	defer r.mu.RUnlock()
	x := r.idx
	st := IndexStats{
		Customers:     x.live,
		IDBytes:       x.ids.bytes(),
		ExactBytes:    x.exact.bytes(),
		BlockBytes:    x.blocks.bytes(),
		ExactPostings: x.exact.live,
		BlockPostings: x.blocks.live,
		DistinctNames: len(x.first.counts) + len(x.last.counts),
	}
	st.RecordBytes = x.recs.memory()
	return st
}

// Prospect returns a copy of a prospect in the in-memory table (the
// survivor, for a merged prospect's id).
func (r *Resolver) Prospect(id string) (*record.Prospect, bool) { return r.prospects.get(id) }

// CurrentProspect returns a copy of the prospect the table holds under id
// itself, or its last state when it was evicted lately: none once it was
// merged into another or erased.
func (r *Resolver) CurrentProspect(id string) (*record.Prospect, bool) {
	return r.prospects.current(id)
}

// HouseholdRate is how many other members of their family an average
// customer shares an address with, among the customers: the prior of the
// household explanation of a match.
func (r *Resolver) HouseholdRate() float64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.idx.householdRate()
}

// Counts is how many customers are indexed and prospects held in memory.
func (r *Resolver) Counts() (customers, prospects int) {
	return r.Customers(), r.prospects.len()
}
