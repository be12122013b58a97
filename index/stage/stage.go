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
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/internal/parallel"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Config tunes the index stage.
type Config struct {
	BatchSize    int           `yaml:"batch_size"`
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	// BatchLinger writes a partial batch once no record arrived for this
	// long, so a form post is searchable without waiting out BatchTimeout
	// (0: off).
	BatchLinger time.Duration `yaml:"batch_linger"`
	// MaxProfileMentions bounds how many of a person's newest mentions are
	// read back to rebuild their profile.
	MaxProfileMentions int `yaml:"max_profile_mentions"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{BatchSize: 1000, BatchTimeout: 200 * time.Millisecond, BatchLinger: 20 * time.Millisecond, MaxProfileMentions: 5000}
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
	if c.BatchLinger < 0 {
		errs = append(errs, confx.Keyf("stage.batch_linger", "must not be negative"))
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
	relink   Relink // see relink.go; nil: mentions keep their links
	// corrections: see corrections.go; nil: mentions are indexed as enriched
	corrections Corrections
	deleted     deletedIDs
	// mentionAge is the index's retention (retention.go); 0 keeps all.
	mentionAge time.Duration
	retention  retentionMetrics
	// cache holds the prolific people's mentions for profile rebuilds
	// (profilecache.go); nil: every rebuild reads back.
	cache *profileCache
	// mu serialises batches and the retention sweep's profile recounts
	// (and guards cache).
	mu sync.Mutex
	// noted are the mentions whose corrections changed since the last
	// profile rebuild (NoteCorrection), when the cache is on.
	notedMu sync.Mutex
	noting  bool
	noted   []string
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
	var err error
	if s.retention, err = newRetentionMetrics(reg); err != nil {
		return nil, err
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

// SetProfileCache keeps up to maxMentions mentions of prolific people in
// memory for profile rebuilds, each read back again after ttl
// (profilecache.go). Only for a stage that is its index's one writer: the
// embedded index.
func (s *Stage) SetProfileCache(maxMentions int, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache = newProfileCache(maxMentions, s.cfg.MaxProfileMentions, ttl, s.now)
	s.notedMu.Lock()
	s.noting = s.cache.on()
	s.notedMu.Unlock()
}

// NoteCorrection tells the stage that the corrections of a mention changed
// (the web app has applied them to the index itself), so that the profile
// cache follows before the next profile rebuild. Safe to call from any
// goroutine, and cheap: it only queues the id.
func (s *Stage) NoteCorrection(mentionID string) {
	s.notedMu.Lock()
	defer s.notedMu.Unlock()
	if s.noting {
		s.noted = append(s.noted, mentionID)
	}
}

// applyNotedCorrections brings the cached mentions in line with the
// corrections noted since the last call. The caller holds mu.
func (s *Stage) applyNotedCorrections() {
	s.notedMu.Lock()
	ids := s.noted
	s.noted = nil
	s.notedMu.Unlock()
	for _, id := range ids {
		s.cache.recorrect(id, s.corrected)
	}
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
		Name: "index", Topics: s.Topics(), Sink: s, BatchSize: s.cfg.BatchSize, BatchTimeout: s.cfg.BatchTimeout, Linger: s.cfg.BatchLinger,
	})
}

// WriteBatch settles every message: nil when written, pipeline.Permanent
// for a record that can never be indexed, any other error to retry.
//
// The batch is cut only at erasures (rare): everything between two of them
// is one segment, whose mentions go to the backend as one write and whose
// people get one profile update. Interleaved customer and prospect records
// (a few percent of the traffic) therefore no longer split the mentions
// into many small index batches. Applying a segment gives what applying
// its messages one by one would give: documents do not depend on profiles,
// and each person's profile ends in the state its last record and all of
// its mentions make (see applySegment). An erasure removes what came
// before it in the batch and nothing after it.
func (s *Stage) WriteBatch(ctx context.Context, batch []pipeline.Message) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(batch))
	var seg []int
	for i, m := range batch {
		switch m.Topic {
		case s.topics.Enriched(), s.topics.Customers(), s.topics.Prospects():
			seg = append(seg, i)
		case s.topics.Erasures():
			s.applySegment(ctx, batch, seg, errs)
			seg = seg[:0]
			errs[i] = s.erase(ctx, m)
		default:
			errs[i] = pipeline.Permanent(fmt.Errorf("index stage does not read topic %q", m.Topic))
		}
	}
	s.applySegment(ctx, batch, seg, errs)
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

// personState is what one segment does to one person's profile.
type personState struct {
	record       bool           // a customer or prospect record (or tombstone) arrived
	base         *index.Profile // the last record's base; nil after a tombstone
	mentionAfter bool           // a mention of the person followed the last record
	mentioned    bool           // a mention of the person was indexed
	msgs         []int          // messages whose success depends on the profile
}

// applySegment writes the mentions of a run of messages in one backend
// call, then brings each person it touches to the state the messages
// leave when applied in order:
//
//   - the last record of a person is a tombstone and no mention of theirs
//     follows it: the profile is deleted;
//   - a tombstone followed by a mention: the profile is rebuilt without
//     identity (a placeholder), as the mention alone would leave it;
//   - the last record is a customer or prospect: rebuilt on it;
//   - mentions only: rebuilt on the stored profile.
//
// Rebuilding reads the person's indexed mentions back (one refresh and one
// read-back per chunk of people, not per record: an import of a million
// customers is a thousand batches, not a million round trips).
func (s *Stage) applySegment(ctx context.Context, batch []pipeline.Message, seg []int, errs []error) {
	if len(seg) == 0 {
		return
	}
	people := map[personKey]*personState{}
	var order []personKey
	state := func(k personKey) *personState {
		st := people[k]
		if st == nil {
			st = &personState{}
			people[k] = st
			order = append(order, k)
		}
		return st
	}
	var ms []*record.EnrichedMention
	var at []int
	var dels []pendingDeletion
	decoded := s.decodeSegment(batch, seg)
	for j, i := range seg {
		m, d := batch[i], decoded[j]
		if d.err != nil {
			errs[i] = d.err
			continue
		}
		if m.Topic != s.topics.Enriched() {
			st := state(d.key)
			st.record, st.base, st.mentionAfter = true, d.base, false
			st.msgs = append(st.msgs, i)
			continue
		}
		em := d.em
		if em.Deleted() {
			// The segment's own copies of the mention are not written.
			d := pendingDeletion{msg: i, em: em}
			for j := 0; j < len(ms); j++ {
				if ms[j].ID == em.ID {
					d.known = true
					d.persons = append(d.persons, personsOf(ms[j])...)
					ms, at = append(ms[:j], ms[j+1:]...), append(at[:j], at[j+1:]...)
					j--
				}
			}
			dels = append(dels, d)
			continue
		}
		if s.deleted.superseded(em) {
			continue // deleted at its source after this copy was fetched
		}
		if s.expired(em) {
			s.retention.deleted.WithLabelValues("skipped").Inc()
			continue // older than the index keeps (retention.go)
		}
		var hidden bool
		if em, hidden = s.corrected(em); hidden {
			continue // a person marked it irrelevant
		}
		ms = append(ms, em)
		at = append(at, i)
		for _, p := range personsOf(em) {
			state(p).mentionAfter = true
		}
	}
	ms, at, earlier := lastCopies(ms, at)
	if len(ms) > 0 {
		for j, err := range s.backend.UpsertMentions(ctx, ms) {
			i := at[j]
			if err != nil {
				errs[i] = settle(fmt.Errorf("indexing mention %s: %w", ms[j].ID, err))
				s.cache.forget(personsOf(ms[j])) // the index may or may not hold it
				continue
			}
			s.cache.written(ms[j])
			persons := personsOf(ms[j])
			for _, e := range earlier[j] {
				persons = append(persons, personsOf(e)...) // a person the mention left
			}
			for _, p := range persons {
				st := people[p]
				st.mentioned = true
				st.msgs = append(st.msgs, i)
			}
		}
	}
	for p, msgs := range s.applyDeletions(ctx, dels, errs) {
		st := state(p)
		st.mentioned = true
		st.msgs = append(st.msgs, msgs...)
	}
	var deletes, rebuilds []personKey
	var deleteIDs []string
	bases := map[personKey]*index.Profile{}
	for _, key := range order {
		st := people[key]
		switch {
		case st.record && st.base == nil && !st.mentionAfter:
			deletes = append(deletes, key)
			deleteIDs = append(deleteIDs, index.ProfileID(key.kind, key.id))
		case st.record && st.base == nil:
			bases[key] = index.PlaceholderProfile(key.kind, key.id)
			rebuilds = append(rebuilds, key)
		case st.record:
			bases[key] = st.base
			rebuilds = append(rebuilds, key)
		case st.mentioned:
			rebuilds = append(rebuilds, key)
		}
	}
	fail := func(key personKey, err error) {
		for _, i := range people[key].msgs {
			if errs[i] != nil {
				continue
			}
			if batch[i].Topic == s.topics.Enriched() {
				// The mention is stored, but its person's profile is stale:
				// retry the message, which rewrites the same document and
				// tries again.
				errs[i] = fmt.Errorf("updating profile %s: %w", index.ProfileID(key.kind, key.id), err)
			} else {
				errs[i] = settle(fmt.Errorf("writing profile %s: %w", index.ProfileID(key.kind, key.id), err))
			}
		}
	}
	if len(deleteIDs) > 0 {
		for j, err := range s.backend.DeleteProfiles(ctx, deleteIDs) {
			if err != nil {
				fail(deletes[j], err)
			}
		}
	}
	if len(rebuilds) > 0 {
		more, err := s.relinkPeople(ctx, rebuilds, bases)
		if err != nil {
			for _, key := range rebuilds {
				fail(key, err)
			}
			return
		}
		for key, err := range s.refreshProfiles(ctx, append(rebuilds, more...), bases) {
			fail(key, err)
		}
	}
}

// decodedMessage is a message of a segment, decoded: a mention, or a
// person's record (base nil for a tombstone).
type decodedMessage struct {
	em   *record.EnrichedMention
	key  personKey
	base *index.Profile
	err  error
}

// decodeChunk is the fewest messages worth decoding on another goroutine
// (a mention takes 10–20 µs).
const decodeChunk = 64

// decodeSegment decodes a segment's messages on all CPUs. Decoding has no
// effect on the stage, and on a backlog it was a sixth of the stage's
// serial path, which the other CPU sat out.
func (s *Stage) decodeSegment(batch []pipeline.Message, seg []int) []decodedMessage {
	out := make([]decodedMessage, len(seg))
	parallel.Chunks(len(seg), decodeChunk, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			m, d := batch[seg[j]], &out[j]
			if m.Topic == s.topics.Enriched() {
				d.em, d.err = decodeMention(m)
			} else {
				d.key, d.base, d.err = s.decodeProfile(m)
			}
		}
	})
	return out
}

func decodeMention(m pipeline.Message) (*record.EnrichedMention, error) {
	var em record.EnrichedMention
	if err := record.Decode(m.Value, &em); err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("decoding enriched mention at %s/%d/%d: %w", m.Topic, m.Partition, m.Offset, err))
	}
	if em.ID == "" {
		return nil, pipeline.Permanent(fmt.Errorf("enriched mention at %s/%d/%d has no id", m.Topic, m.Partition, m.Offset))
	}
	return &em, nil
}

// lastCopies keeps the last copy of each mention in ms (at: their
// messages): an edit and a replay can bring two versions of a mention in
// one batch, and a backend that writes a batch in parallel requests, or
// retries part of it, could otherwise leave the older one in the index.
// earlier holds, per kept copy, the copies it replaced, whose people
// must be rebuilt too (a mention can move to another person). The
// replaced copies' messages settle with the batch: the last copy is the
// mention's state.
func lastCopies(ms []*record.EnrichedMention, at []int) ([]*record.EnrichedMention, []int, map[int][]*record.EnrichedMention) {
	last := make(map[string]int, len(ms))
	for j, m := range ms {
		last[m.ID] = j
	}
	if len(last) == len(ms) {
		return ms, at, nil
	}
	var keptMs []*record.EnrichedMention
	var keptAt []int
	replaced := map[string][]*record.EnrichedMention{}
	for j, m := range ms {
		if last[m.ID] != j {
			replaced[m.ID] = append(replaced[m.ID], m)
			continue
		}
		keptMs, keptAt = append(keptMs, m), append(keptAt, at[j])
	}
	earlier := map[int][]*record.EnrichedMention{}
	for j, m := range keptMs {
		if r := replaced[m.ID]; len(r) > 0 {
			earlier[j] = r
		}
	}
	return keptMs, keptAt, earlier
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
	p := index.Person{CustomerID: e.CustomerID, ProspectIDs: e.ProspectIDs, Emails: e.Emails, Subjects: e.Subjects}
	if p.Empty() {
		return pipeline.Permanent(fmt.Errorf("erasure %s names no customer, prospect or e-mail", e.ID))
	}
	s.cache.clear() // the erased mentions may be anyone's (by e-mail, by subject)
	n, err := s.backend.DeletePerson(ctx, p)
	if err != nil {
		return settle(fmt.Errorf("erasing person of request %s: %w", e.ID, err))
	}
	s.logger.Info("erased person", "request", e.ID, "mentions_deleted", n)
	return nil
}
