package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Errors the web app and CLI tell apart.
var (
	ErrNotFound = errors.New("not found")
	// ErrNotSaved: Kafka did not acknowledge the change; retry.
	ErrNotSaved = errors.New("not saved")
	// ErrDelivered: a delivered notification is not retried.
	ErrDelivered = errors.New("already delivered")
)

// Store is the shared state of alerting, read from compacted topics: rules,
// their evaluation state, deliveries, and the saved searches rules watch.
// The web app, the CLI and the alert service each hold one; every change is
// a record on a topic, so any number of instances agree.
type Store struct {
	cfg      Config
	k        *pipeline.Kafka
	logger   *slog.Logger
	producer *pipeline.Producer
	now      func() time.Time

	rules      *table[record.AlertRule, *record.AlertRule]
	state      *table[record.AlertState, *record.AlertState]
	deliveries *table[record.Delivery, *record.Delivery]
	searches   *table[record.SavedSearch, *record.SavedSearch]
	tests      testLimiter
}

// NewStore makes a store; Start loads it.
func NewStore(cfg Config, k *pipeline.Kafka, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "alerts")
	t := k.Topics()
	st := &Store{
		cfg: cfg, k: k, logger: logger, now: time.Now,
		producer:   k.NewProducer("alerts", 1000),
		rules:      newTable[record.AlertRule](k, t.Name(pipeline.RoleAlertRules), logger),
		state:      newTable[record.AlertState](k, t.Name(pipeline.RoleAlertState), logger),
		deliveries: newTable[record.Delivery](k, t.Name(pipeline.RoleDeliveries), logger),
		searches:   newTable[record.SavedSearch](k, t.Name(pipeline.RoleSavedSearches), logger),
	}
	sealer := newNotificationSealer(k)
	st.deliveries.open = func(d *record.Delivery) error { return sealer.open(&d.Notification) }
	if kr := k.Keyring(); kr != nil {
		kr.OnShred(st.forgetSubject)
	}
	return st
}

// Start follows the topics until ctx ends and returns once they are loaded.
func (s *Store) Start(ctx context.Context) error {
	for _, start := range []func(context.Context) error{s.rules.start, s.state.start, s.deliveries.start, s.searches.start} {
		if err := start(ctx); err != nil {
			return fmt.Errorf("loading alert state: %w", err)
		}
	}
	return nil
}

// Close flushes and closes the producer.
func (s *Store) Close() error { return s.producer.Close() }

// Config is the alerts configuration the store was made with.
func (s *Store) Config() Config { return s.cfg }

// Rules lists every rule, by name.
func (s *Store) Rules() []*record.AlertRule {
	var out []*record.AlertRule
	for _, r := range s.rules.all() {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Rule returns one rule by id (or unique id prefix, as the CLI prints).
func (s *Store) Rule(id string) (*record.AlertRule, error) {
	if r, ok := s.rules.get(id); ok {
		return r, nil
	}
	var found *record.AlertRule
	if len(id) >= 6 {
		for key, r := range s.rules.all() {
			if strings.HasPrefix(key, id) {
				if found != nil {
					return nil, fmt.Errorf("rule id prefix %q is ambiguous", id)
				}
				found = r
			}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("rule %q: %w", id, ErrNotFound)
	}
	return found, nil
}

// State returns a rule's evaluation state.
func (s *Store) State(ruleID string) (*record.AlertState, bool) { return s.state.get(ruleID) }

// SavedSearch returns a saved search by id.
func (s *Store) SavedSearch(id string) (*record.SavedSearch, bool) { return s.searches.get(id) }

// PutRule validates and stores a rule, creating it when its ID is empty.
// by names who made the change.
func (s *Store) PutRule(ctx context.Context, r *record.AlertRule, by string) (*record.AlertRule, error) {
	now := s.now().UTC()
	r.Name = strings.TrimSpace(r.Name)
	if r.ID == "" {
		r.ID = newID()
		r.CreatedAt = now
		if r.Owner == "" {
			r.Owner = by
		}
	} else if old, ok := s.rules.get(r.ID); ok {
		r.CreatedAt = old.CreatedAt
		if r.Owner == "" {
			r.Owner = old.Owner
		}
	} else {
		return nil, fmt.Errorf("rule %q: %w", r.ID, ErrNotFound)
	}
	r.UpdatedAt = now
	if _, err := Resolve(s.cfg, r); err != nil {
		return nil, err
	}
	if r.SavedSearchID != "" {
		if _, ok := s.searches.get(r.SavedSearchID); !ok {
			return nil, &ValidationError{Field: "saved_search_id", Problem: fmt.Sprintf("no saved search %q", r.SavedSearchID),
				Code: "unknown_search", Args: []any{r.SavedSearchID}}
		}
	}
	value, err := s.write(ctx, pipeline.RoleAlertRules, r.ID, r)
	if err != nil {
		return nil, err
	}
	s.rules.put(r.ID, r, value)
	return r, nil
}

// DeleteRule removes a rule (a tombstone); its delivery log stays.
func (s *Store) DeleteRule(ctx context.Context, id string) error {
	r, err := s.Rule(id)
	if err != nil {
		return err
	}
	if _, err := s.write(ctx, pipeline.RoleAlertRules, r.ID, nil); err != nil {
		return err
	}
	s.rules.put(r.ID, nil, nil)
	return nil
}

// DeliveryFilter selects deliveries.
type DeliveryFilter struct {
	RuleID string
	Status string // one of the record.Delivery* statuses, "" for all
	Limit  int
}

// Deliveries lists deliveries, newest first.
func (s *Store) Deliveries(f DeliveryFilter) []*record.Delivery {
	var out []*record.Delivery
	for _, d := range s.deliveries.all() {
		if (f.RuleID == "" || d.Notification.RuleID == f.RuleID) && (f.Status == "" || d.Status == f.Status) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Notification.CreatedAt.Equal(out[j].Notification.CreatedAt) {
			return out[i].Notification.CreatedAt.After(out[j].Notification.CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

// Delivery returns one delivery by id or unique id prefix.
func (s *Store) Delivery(id string) (*record.Delivery, error) {
	if d, ok := s.deliveries.get(id); ok {
		return d, nil
	}
	var found *record.Delivery
	if len(id) >= 6 {
		for key, d := range s.deliveries.all() {
			if strings.HasPrefix(key, id) {
				if found != nil {
					return nil, fmt.Errorf("delivery id prefix %q is ambiguous", id)
				}
				found = d
			}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("delivery %q: %w", id, ErrNotFound)
	}
	return found, nil
}

// Retry schedules a failed (or waiting) delivery for an attempt now. The
// deliverer that owns it picks it up; its attempts so far stay in the log.
func (s *Store) Retry(ctx context.Context, id, by string) (*record.Delivery, error) {
	d, err := s.Delivery(id)
	if err != nil {
		return nil, err
	}
	if d.Status == record.DeliveryDelivered {
		return nil, fmt.Errorf("delivery %s: %w", d.ID, ErrDelivered)
	}
	next := *d
	next.Status = record.DeliveryScheduled
	next.NextAttempt = s.now().UTC()
	next.UpdatedAt = next.NextAttempt
	next.RetryRequestedBy = by
	next.Attempts = append([]record.DeliveryAttempt(nil), d.Attempts...)
	if err := s.putDelivery(ctx, &next); err != nil {
		return nil, err
	}
	return &next, nil
}

// putDelivery writes d with its notification sealed (sealing.go). A
// delivery whose notification is about a person erased since is deleted
// instead: it must not be attempted again nor kept.
func (s *Store) putDelivery(ctx context.Context, d *record.Delivery) error {
	stored := *d
	n, err := newNotificationSealer(s.k).seal(ctx, &d.Notification)
	if errors.Is(err, privacy.ErrShredded) {
		if _, err := s.write(ctx, pipeline.RoleDeliveries, d.ID, nil); err != nil {
			return err
		}
		s.deliveries.put(d.ID, nil, nil)
		return nil
	}
	if err != nil {
		return err
	}
	stored.Notification = *n
	value, err := s.write(ctx, pipeline.RoleDeliveries, d.ID, &stored)
	if err != nil {
		return err
	}
	s.deliveries.put(d.ID, d, value)
	return nil
}

// forgetSubject drops from memory what the deliveries hold of a person
// whose key was erased (their copies in the topic cannot be opened any
// more): deliveries about them, and their mentions and prospects in lists.
func (s *Store) forgetSubject(subject string) {
	n := s.deliveries.rewrite(func(d *record.Delivery) (*record.Delivery, bool) {
		nn, whole, changed := forget(d.Notification, subject)
		if whole {
			return nil, true
		}
		if !changed {
			return d, false
		}
		c := *d
		c.Notification = nn
		return &c, true
	})
	if n > 0 {
		s.logger.Info("dropped an erased person's data from alert deliveries", "deliveries", n)
	}
}

func (s *Store) putState(ctx context.Context, st *record.AlertState) error {
	value, err := s.write(ctx, pipeline.RoleAlertState, st.RuleID, st)
	if err != nil {
		return err
	}
	s.state.put(st.RuleID, st, value)
	return nil
}

// write stores v (nil = tombstone) under key, waits for the ack and
// returns the bytes written.
func (s *Store) write(ctx context.Context, role, key string, v record.Versioned) ([]byte, error) {
	var value []byte
	if v != nil {
		b, err := record.Encode(v)
		if err != nil {
			return nil, err
		}
		value = b
	}
	out := pipeline.Output{Topic: s.k.Topics().Name(role), Key: []byte(key), Value: value}
	if err := s.producer.ProduceSync(ctx, out); err != nil {
		return nil, fmt.Errorf("writing %s %s: %w: %w", role, key, ErrNotSaved, err)
	}
	return value, nil
}
