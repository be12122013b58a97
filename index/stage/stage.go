// Package stage is the index stage: the terminal pipeline stage that writes
// enriched mentions, customer and prospect profiles and erasures from Kafka
// into the search backend.
//
// Profiles are recomputed, not incremented. When a batch writes mentions of
// a person (or the person's customer/prospect record changes), the stage
// reads all of that person's indexed mentions back and rebuilds the
// aggregated preferences from them (index.Aggregate). Incrementing counters
// in place would double-count every replayed message under at-least-once
// delivery and could not undo an erasure; recomputing from the mentions is
// idempotent by construction. Storing the result in the profile document,
// rather than aggregating at query time, lets profiles be filtered and
// sorted by those preferences ("customers who complained about delivery,
// highest lead score first") with one cheap query.
package stage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Config tunes the index stage.
type Config struct {
	BatchSize    int           `yaml:"batch_size"`
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	// MaxProfileMentions bounds how many of a person's newest mentions are
	// read back to rebuild their profile.
	MaxProfileMentions int `yaml:"max_profile_mentions"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{BatchSize: 1000, BatchTimeout: 200 * time.Millisecond, MaxProfileMentions: 5000}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.BatchSize < 1 || c.BatchSize > 10000 {
		errs = append(errs, confx.Keyf("stage.batch_size", "%d out of range 1..10000", c.BatchSize))
	}
	if c.BatchTimeout <= 0 {
		errs = append(errs, confx.Keyf("stage.batch_timeout", "must be positive"))
	}
	if c.MaxProfileMentions < 1 {
		errs = append(errs, confx.Keyf("stage.max_profile_mentions", "must be at least 1"))
	}
	return errors.Join(errs...)
}

// Stage writes pipeline messages into an index.Backend. It implements
// pipeline.BatchSink.
type Stage struct {
	backend  index.Backend
	topics   pipeline.Topics
	cfg      Config
	logger   *slog.Logger
	messages *prometheus.CounterVec
	now      func() time.Time
}

var _ pipeline.BatchSink = (*Stage)(nil)

// New returns an index stage over b reading the topics named by topics.
func New(b index.Backend, topics pipeline.Topics, cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Stage{
		backend: b, topics: topics, cfg: cfg, logger: logger.With("component", "index-stage"), now: time.Now,
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index_stage",
			Name: "messages_total", Help: "Messages the index stage handled, by topic role and result (ok, retry, dlq)."},
			[]string{"role", "result"}),
	}
	if reg != nil {
		if err := reg.Register(s.messages); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("registering index stage metrics: %w", err)
			}
			s.messages = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return s, nil
}

// Topics are the topics the stage consumes.
func (s *Stage) Topics() []string {
	return []string{s.topics.Enriched(), s.topics.Customers(), s.topics.Prospects(), s.topics.Erasures()}
}

// Run consumes the stage's topics until ctx is cancelled.
func (s *Stage) Run(ctx context.Context, k *pipeline.Kafka) error {
	if err := s.backend.EnsureSchema(ctx); err != nil {
		return fmt.Errorf("ensuring the index schema: %w", err)
	}
	return k.RunSink(ctx, pipeline.SinkConfig{
		Name: "index", Topics: s.Topics(), Sink: s, BatchSize: s.cfg.BatchSize, BatchTimeout: s.cfg.BatchTimeout,
	})
}

// WriteBatch settles every message: nil when written, pipeline.Permanent
// for a record that can never be indexed, any other error to retry.
// Messages are applied in batch order, consecutive mentions in one bulk
// write and consecutive customer/prospect records in one profile update,
// so an erasure removes what came before it.
func (s *Stage) WriteBatch(ctx context.Context, batch []pipeline.Message) []error {
	errs := make([]error, len(batch))
	var mentions, profiles []int // indexes of consecutive messages of one kind
	flush := func() {
		if len(mentions) > 0 {
			s.writeMentions(ctx, batch, mentions, errs)
			mentions = mentions[:0]
		}
		if len(profiles) > 0 {
			s.writeProfiles(ctx, batch, profiles, errs)
			profiles = profiles[:0]
		}
	}
	for i, m := range batch {
		switch m.Topic {
		case s.topics.Enriched():
			if len(profiles) > 0 {
				flush()
			}
			mentions = append(mentions, i)
		case s.topics.Customers(), s.topics.Prospects():
			if len(mentions) > 0 {
				flush()
			}
			profiles = append(profiles, i)
		case s.topics.Erasures():
			flush()
			errs[i] = s.erase(ctx, m)
		default:
			errs[i] = pipeline.Permanent(fmt.Errorf("index stage does not read topic %q", m.Topic))
		}
	}
	flush()
	for i, m := range batch {
		s.count(m.Topic, errs[i])
	}
	return errs
}

func (s *Stage) count(topic string, err error) {
	role := strings.TrimPrefix(topic, s.topics.Prefix)
	result := "ok"
	switch {
	case err == nil:
	case pipeline.IsPermanent(err):
		result = "dlq"
	default:
		result = "retry"
	}
	s.messages.WithLabelValues(role, result).Inc()
}

// settle converts a backend error into a pipeline error.
func settle(err error) error {
	if err != nil && index.IsPermanent(err) {
		return pipeline.Permanent(err)
	}
	return err
}

func (s *Stage) writeMentions(ctx context.Context, batch []pipeline.Message, run []int, errs []error) {
	var ms []*record.EnrichedMention
	var at []int
	for _, i := range run {
		var m record.EnrichedMention
		if err := record.Decode(batch[i].Value, &m); err != nil {
			errs[i] = pipeline.Permanent(fmt.Errorf("decoding enriched mention at %s/%d/%d: %w", batch[i].Topic, batch[i].Partition, batch[i].Offset, err))
			continue
		}
		if m.ID == "" {
			errs[i] = pipeline.Permanent(fmt.Errorf("enriched mention at %s/%d/%d has no id", batch[i].Topic, batch[i].Partition, batch[i].Offset))
			continue
		}
		ms = append(ms, &m)
		at = append(at, i)
	}
	if len(ms) == 0 {
		return
	}
	people := map[personKey][]int{} // person → messages whose success depends on their profile
	for j, err := range s.backend.UpsertMentions(ctx, ms) {
		i := at[j]
		if err != nil {
			errs[i] = settle(fmt.Errorf("indexing mention %s: %w", ms[j].ID, err))
			continue
		}
		for _, p := range personsOf(ms[j]) {
			people[p] = append(people[p], i)
		}
	}
	if len(people) == 0 {
		return
	}
	keys := make([]personKey, 0, len(people))
	for p := range people {
		keys = append(keys, p)
	}
	failed := s.refreshProfiles(ctx, keys, nil)
	for p, err := range failed {
		// The mention is stored, but its person's profile is stale: retry
		// the message, which rewrites the same document and tries again.
		for _, i := range people[p] {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("updating profile %s: %w", index.ProfileID(p.kind, p.id), err)
			}
		}
	}
}

type personKey struct{ kind, id string }

func personsOf(m *record.EnrichedMention) []personKey {
	if m.Identity == nil {
		return nil
	}
	var out []personKey
	if id := strings.TrimSpace(m.Identity.CustomerID); id != "" {
		out = append(out, personKey{index.ProfileCustomer, id})
	}
	if id := strings.TrimSpace(m.Identity.ProspectID); id != "" {
		out = append(out, personKey{index.ProfileProspect, id})
	}
	return out
}

// profileChange is the last state a run of records gives one person.
type profileChange struct {
	base *index.Profile // nil: tombstone, delete the profile
	msgs []int
}

// writeProfiles applies a run of customer and prospect records: the last
// record of each person wins, tombstones delete profiles in one call, and
// the others are rebuilt together (one refresh and one read-back per
// chunk of people, not per record: an import of a million customers is a
// thousand batches, not a million round trips).
func (s *Stage) writeProfiles(ctx context.Context, batch []pipeline.Message, run []int, errs []error) {
	changes := map[personKey]*profileChange{}
	var order []personKey
	for _, i := range run {
		key, base, err := s.decodeProfile(batch[i])
		if err != nil {
			errs[i] = err
			continue
		}
		ch := changes[key]
		if ch == nil {
			ch = &profileChange{}
			changes[key] = ch
			order = append(order, key)
		}
		ch.base = base
		ch.msgs = append(ch.msgs, i)
	}
	fail := func(key personKey, err error) {
		for _, i := range changes[key].msgs {
			errs[i] = settle(fmt.Errorf("writing profile %s: %w", index.ProfileID(key.kind, key.id), err))
		}
	}
	var deletes, upserts []personKey
	var deleteIDs []string
	bases := map[personKey]*index.Profile{}
	for _, key := range order {
		if base := changes[key].base; base != nil {
			upserts = append(upserts, key)
			bases[key] = base
		} else {
			deletes = append(deletes, key)
			deleteIDs = append(deleteIDs, index.ProfileID(key.kind, key.id))
		}
	}
	if len(deleteIDs) > 0 {
		for j, err := range s.backend.DeleteProfiles(ctx, deleteIDs) {
			if err != nil {
				fail(deletes[j], err)
			}
		}
	}
	if len(upserts) > 0 {
		for key, err := range s.refreshProfiles(ctx, upserts, bases) {
			fail(key, err)
		}
	}
}

// decodeProfile reads a customer or prospect record as the base of its
// profile; a tombstone gives a nil base.
func (s *Stage) decodeProfile(m pipeline.Message) (personKey, *index.Profile, error) {
	where := fmt.Sprintf("%s/%d/%d", m.Topic, m.Partition, m.Offset)
	if m.Topic == s.topics.Customers() {
		if m.Value == nil {
			return personKey{index.ProfileCustomer, string(m.Key)}, nil, nil
		}
		var c record.Customer
		if err := record.Decode(m.Value, &c); err != nil {
			return personKey{}, nil, pipeline.Permanent(fmt.Errorf("decoding customer at %s: %w", where, err))
		}
		if c.ID == "" {
			return personKey{}, nil, pipeline.Permanent(fmt.Errorf("customer at %s has no id", where))
		}
		base := index.CustomerProfile(&c)
		return personKey{base.Kind, base.PersonID}, base, nil
	}
	if m.Value == nil {
		return personKey{index.ProfileProspect, string(m.Key)}, nil, nil
	}
	var p record.Prospect
	if err := record.Decode(m.Value, &p); err != nil {
		return personKey{}, nil, pipeline.Permanent(fmt.Errorf("decoding prospect at %s: %w", where, err))
	}
	if p.ID == "" {
		return personKey{}, nil, pipeline.Permanent(fmt.Errorf("prospect at %s has no id", where))
	}
	base := index.ProspectProfile(&p)
	return personKey{base.Kind, base.PersonID}, base, nil
}

func (s *Stage) erase(ctx context.Context, m pipeline.Message) error {
	var e record.Erasure
	if err := record.Decode(m.Value, &e); err != nil {
		return pipeline.Permanent(fmt.Errorf("decoding erasure at %s/%d/%d: %w", m.Topic, m.Partition, m.Offset, err))
	}
	p := index.Person{CustomerID: e.CustomerID, ProspectIDs: e.ProspectIDs, Emails: e.Emails}
	if p.Empty() {
		return pipeline.Permanent(fmt.Errorf("erasure %s names no customer, prospect or e-mail", e.ID))
	}
	n, err := s.backend.DeletePerson(ctx, p)
	if err != nil {
		return settle(fmt.Errorf("erasing person of request %s: %w", e.ID, err))
	}
	s.logger.Info("erased person", "request", e.ID, "mentions_deleted", n)
	return nil
}
