// Package alert tells people when something happens: spike, match, prospect
// and digest rules over saved searches, notifications with deterministic
// ids on a topic, and their delivery to signed webhooks, Slack-compatible
// webhooks and e-mail, with retries and a failed list people can retry.
//
// Work is divided with Kafka consumer groups, so any number of `earshot
// serve` instances cooperate: the member owning a partition of the rules
// topic evaluates the rules in it; the member owning a partition of the
// notifications topic delivers the notifications in it; the member owning a
// partition of the prospects topic runs the prospect rules on it. A
// notification's id is derived from its rule and event, and a delivery is
// recorded (compacted deliveries topic) before and after each attempt, so a
// restart or a rebalance re-delivers at most the attempt in flight, with the
// same id.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Options are the service's collaborators; zero values are fine.
type Options struct {
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Senders replace the configured channels (tests).
	Senders map[string]Sender
	Now     func() time.Time
}

// Service evaluates rules and delivers notifications.
type Service struct {
	cfg     Config
	k       *pipeline.Kafka
	store   *Store
	eval    *Evaluator
	senders map[string]Sender
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time

	mu           sync.Mutex
	ownedEval    map[int]bool
	ownedDeliver map[int]bool
	ownedProsp   int
	generations  int
	inflight     map[string]int // delivery id → partition
	queues       map[string]chan string
	wake         chan struct{}
}

// NewService makes the service over a loaded store.
func NewService(store *Store, backend index.Backend, opts Options) (*Service, error) {
	s := &Service{
		cfg: store.cfg, k: store.k, store: store, eval: NewEvaluator(store.cfg, backend, store.SavedSearch),
		logger: store.logger, now: time.Now, metrics: newMetrics(opts.Registerer),
		ownedEval: map[int]bool{}, ownedDeliver: map[int]bool{}, inflight: map[string]int{},
		queues: map[string]chan string{}, wake: make(chan struct{}, 1),
	}
	if opts.Logger != nil {
		s.logger = opts.Logger.With("component", "alerts")
	}
	if opts.Now != nil {
		s.now = opts.Now
		store.now = opts.Now
	}
	s.senders = opts.Senders
	if s.senders == nil {
		senders, err := Senders(s.cfg)
		if err != nil {
			return nil, err
		}
		s.senders = senders
	}
	return s, nil
}

// Store is the service's store.
func (s *Service) Store() *Store { return s.store }

// Run evaluates and delivers until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	channels := sortedKeys(s.senders)
	channels = append(channels, "") // deliveries to channels no longer configured
	for _, ch := range channels {
		q := make(chan string, 256)
		s.queues[ch] = q
		for range s.cfg.Delivery.Workers {
			wg.Go(func() { s.worker(ctx, q) })
		}
	}
	wg.Go(func() { s.schedule(ctx) })
	t := s.k.Topics()
	cc := s.k.Config()
	errc := make(chan error, 3)
	wg.Go(func() {
		errc <- s.k.Own(ctx, cc.Group("alerts-evaluate"), t.Name(pipeline.RoleAlertRules), pipeline.FirstOffset, s.evaluateGeneration)
	})
	wg.Go(func() {
		errc <- s.k.Own(ctx, cc.Group("alerts-deliver"), t.Name(pipeline.RoleNotifications), pipeline.FirstOffset, s.deliverGeneration)
	})
	wg.Go(func() {
		// Prospects that existed before alerting started are not news.
		errc <- s.k.Own(ctx, cc.Group("alerts-prospects"), t.Prospects(), pipeline.LastOffset, s.prospectGeneration)
	})
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Ownership reports how many partitions of the rules and notifications
// topics this instance owns, and how many generations it went through.
func (s *Service) Ownership() (rules, notifications, prospects, generations int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ownedEval), len(s.ownedDeliver), s.ownedProsp, s.generations
}

func (s *Service) setOwned(m *map[int]bool, g *pipeline.Generation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*m = map[int]bool{}
	for _, a := range g.Owned {
		(*m)[a.Partition] = true
	}
	s.generations++
}

// evaluateGeneration evaluates the owned rules every evaluate_every and
// whenever a rule changes, until the group rebalances.
func (s *Service) evaluateGeneration(ctx context.Context, g *pipeline.Generation) {
	s.setOwned(&s.ownedEval, g)
	defer func() {
		s.mu.Lock()
		s.ownedEval = map[int]bool{}
		s.mu.Unlock()
	}()
	// The previous owner's last writes must be visible before we go on.
	if err := s.store.rules.sync(ctx); err != nil {
		return
	}
	if err := s.store.state.sync(ctx); err != nil {
		return
	}
	s.eval.forget(s.ownsRule)
	tick := time.NewTicker(s.cfg.EvaluateEvery)
	defer tick.Stop()
	for {
		changed := s.store.rules.changes()
		s.evaluateOwned(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-changed:
			// Let a burst of edits settle.
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

func (s *Service) ownsRule(id string) bool {
	p, ok := s.store.rules.partitionOf(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok && s.ownedEval[p]
}

// evaluateOwned runs every owned, active rule once.
func (s *Service) evaluateOwned(ctx context.Context) {
	for _, r := range s.store.Rules() {
		if ctx.Err() != nil {
			return
		}
		if r.Paused || r.Kind == record.RuleProspect || !s.ownsRule(r.ID) {
			continue
		}
		if err := s.EvaluateOnce(ctx, r); err != nil {
			s.metrics.evaluations.WithLabelValues(r.Kind, "error").Inc()
			s.logger.Warn("evaluating rule", "rule", r.ID, "name", r.Name, "error", err)
			continue
		}
		s.metrics.evaluations.WithLabelValues(r.Kind, "ok").Inc()
	}
}

// EvaluateOnce evaluates one rule now and records the outcome: first the
// notifications (acknowledged), then the state. A crash in between makes
// the next owner evaluate the same event again and produce the same
// notification ids, which the deliverer sends once.
func (s *Service) EvaluateOnce(ctx context.Context, r *record.AlertRule) error {
	st, _ := s.store.State(r.ID)
	out, err := s.eval.Evaluate(ctx, r, st, s.now())
	if err != nil {
		return err
	}
	if err := s.emit(ctx, out.Notifications); err != nil {
		return err
	}
	if out.State != nil {
		out.State.RuleID = r.ID
		return s.store.putState(ctx, out.State)
	}
	return nil
}

// emit writes notifications to the notifications topic.
func (s *Service) emit(ctx context.Context, ns []*record.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	outs := make([]pipeline.Output, 0, len(ns))
	sealer := newNotificationSealer(s.k)
	kept := ns[:0:0]
	for _, n := range ns {
		sealed, err := sealer.seal(ctx, n)
		if errors.Is(err, privacy.ErrShredded) {
			s.logger.Info("notification about an erased person not written", "id", n.ID, "rule", n.RuleID)
			continue
		}
		if err != nil {
			return err
		}
		b, err := record.Encode(sealed)
		if err != nil {
			return err
		}
		kept = append(kept, n)
		outs = append(outs, pipeline.Output{Topic: s.k.Topics().Name(pipeline.RoleNotifications), Key: []byte(n.ID), Value: b})
	}
	if err := s.store.producer.ProduceSync(ctx, outs...); err != nil {
		return fmt.Errorf("writing notifications: %w", err)
	}
	for _, n := range kept {
		s.metrics.notifications.WithLabelValues(n.Kind).Inc()
		// No title: a prospect's names a person, and logs are not erased.
		s.logger.Info("notification", "id", n.ID, "rule", n.RuleID, "kind", n.Kind)
	}
	return nil
}

// deliverGeneration turns the owned partitions' notifications into
// scheduled deliveries, one per channel, and lets the scheduler attempt
// them; at the end of the generation it waits for attempts in flight.
func (s *Service) deliverGeneration(ctx context.Context, g *pipeline.Generation) {
	if err := s.store.deliveries.sync(ctx); err != nil {
		return
	}
	s.setOwned(&s.ownedDeliver, g)
	var wg sync.WaitGroup
	for _, a := range g.Owned {
		wg.Go(func() { s.readNotifications(ctx, g, a) })
	}
	s.nudge()
	<-ctx.Done()
	s.mu.Lock()
	s.ownedDeliver = map[int]bool{}
	s.mu.Unlock()
	wg.Wait()
	// The next owner must not start an attempt we are still making.
	deadline := time.Now().Add(s.cfg.Delivery.Timeout + 5*time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		busy := len(s.inflight)
		s.mu.Unlock()
		if busy == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Service) readNotifications(ctx context.Context, g *pipeline.Generation, a pipeline.Assignment) {
	topic := s.k.Topics().Name(pipeline.RoleNotifications)
	r, err := s.k.NewPartitionReader(topic, a.Partition, a.Offset)
	if err != nil {
		s.logger.Warn("reading notifications", "partition", a.Partition, "error", err)
		return
	}
	defer r.Close()
	for {
		m, err := r.Fetch(ctx)
		if err != nil {
			return
		}
		var n record.Notification
		if m.Value == nil {
			_ = g.Commit(m.Partition, m.Offset+1)
			continue
		}
		err = record.Decode(m.Value, &n)
		if err == nil {
			err = newNotificationSealer(s.k).open(&n)
		}
		if errors.Is(err, privacy.ErrShredded) {
			// About a person erased since: never delivered.
			_ = g.Commit(m.Partition, m.Offset+1)
			continue
		}
		if err != nil {
			s.logger.Warn("skipping undecodable notification", "partition", m.Partition, "offset", m.Offset, "error", err)
			_ = g.Commit(m.Partition, m.Offset+1)
			continue
		}
		for _, ch := range n.Channels {
			for {
				err := s.schedule1(ctx, &n, ch, m.Partition)
				if err == nil || ctx.Err() != nil {
					break
				}
				s.logger.Warn("recording delivery; retrying", "notification", n.ID, "channel", ch, "error", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
		if ctx.Err() != nil {
			return
		}
		if err := g.Commit(m.Partition, m.Offset+1); err != nil {
			s.logger.Warn("committing notification offset", "error", err)
		}
		s.nudge()
	}
}

// schedule1 records a new delivery of n to channel, unless one exists (the
// same notification produced twice, or read again after a restart).
func (s *Service) schedule1(ctx context.Context, n *record.Notification, channel string, partition int) error {
	id := record.DeliveryID(n.ID, channel)
	if _, ok := s.store.deliveries.get(id); ok {
		return nil
	}
	now := s.now().UTC()
	next := now
	if n.NotBefore.After(now) {
		next = n.NotBefore
	}
	d := &record.Delivery{Schema: record.SchemaVersion, ID: id, Notification: *n, Channel: channel,
		Status: record.DeliveryScheduled, NextAttempt: next, Partition: partition, UpdatedAt: now}
	return s.store.putDelivery(ctx, d)
}

func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// schedule hands due deliveries of owned partitions to the channel workers.
func (s *Service) schedule(ctx context.Context) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		case <-s.store.deliveries.changes():
		}
		now := s.now()
		s.store.deliveries.each(func(d *record.Delivery) {
			if d.Status != record.DeliveryScheduled && d.Status != record.DeliveryRetrying || d.NextAttempt.After(now) {
				return
			}
			s.mu.Lock()
			_, busy := s.inflight[d.ID]
			owned := s.ownedDeliver[d.Partition]
			if busy || !owned {
				s.mu.Unlock()
				return
			}
			q, ok := s.queues[d.Channel]
			if !ok {
				q = s.queues[""]
			}
			select {
			case q <- d.ID:
				s.inflight[d.ID] = d.Partition
			default: // the channel's queue is full; next tick
			}
			s.mu.Unlock()
		})
	}
}

// worker attempts deliveries of one channel, so a slow or failing channel
// holds up only itself.
func (s *Service) worker(ctx context.Context, q chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-q:
			s.deliver(ctx, id)
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
			s.nudge()
		}
	}
}

func (s *Service) deliver(ctx context.Context, id string) {
	d, ok := s.store.deliveries.get(id)
	if !ok || (d.Status != record.DeliveryScheduled && d.Status != record.DeliveryRetrying) {
		return
	}
	next := s.attempt(ctx, d)
	level := slog.LevelInfo
	if next.Status != record.DeliveryDelivered {
		level = slog.LevelWarn
	}
	last := next.Attempts[len(next.Attempts)-1]
	s.logger.Log(ctx, level, "delivery attempt", "delivery", d.ID, "notification", d.Notification.ID, "channel", d.Channel,
		"status", next.Status, "attempt", len(next.Attempts), "error", last.Error)
	for i := 0; ; i++ {
		err := s.store.putDelivery(ctx, next)
		if err == nil || ctx.Err() != nil {
			return
		}
		if i == 10 {
			s.logger.Error("recording delivery outcome; giving up (the attempt will be repeated)", "delivery", d.ID, "error", err)
			return
		}
		time.Sleep(time.Duration(i+1) * 200 * time.Millisecond)
	}
}

// prospectGeneration runs prospect rules and the CRM hand-off on the owned
// partitions of the prospects topic.
func (s *Service) prospectGeneration(ctx context.Context, g *pipeline.Generation) {
	if err := s.store.rules.sync(ctx); err != nil {
		return
	}
	s.mu.Lock()
	s.ownedProsp = len(g.Owned)
	s.generations++
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, a := range g.Owned {
		wg.Go(func() { s.readProspects(ctx, g, a) })
	}
	wg.Wait()
	s.mu.Lock()
	s.ownedProsp = 0
	s.mu.Unlock()
}

func (s *Service) readProspects(ctx context.Context, g *pipeline.Generation, a pipeline.Assignment) {
	r, err := s.k.NewPartitionReader(s.k.Topics().Prospects(), a.Partition, a.Offset)
	if err != nil {
		s.logger.Warn("reading prospects", "partition", a.Partition, "error", err)
		return
	}
	defer r.Close()
	for {
		m, err := r.Fetch(ctx)
		if err != nil {
			return
		}
		if m.Value != nil && s.watchesProspects() {
			var p record.Prospect
			if err := record.Decode(m.Value, &p); err != nil {
				s.logger.Warn("skipping undecodable prospect", "partition", m.Partition, "offset", m.Offset, "error", err)
			} else {
				for {
					err := s.emit(ctx, s.ProspectNotifications(&p))
					if err == nil || ctx.Err() != nil {
						break
					}
					s.logger.Warn("writing prospect notifications; retrying", "prospect", p.ID, "error", err)
					select {
					case <-ctx.Done():
					case <-time.After(time.Second):
					}
				}
			}
		}
		if ctx.Err() != nil {
			return
		}
		if err := g.Commit(m.Partition, m.Offset+1); err != nil {
			s.logger.Warn("committing prospect offset", "error", err)
		}
	}
}

// watchesProspects reports whether a prospect can trigger anything now: an
// active prospect rule or a CRM hand-off. Without one, the prospects read
// are not decoded (in a listening-only setup they were 2 % of `earshot
// run`'s CPU for nothing); ProspectNotifications would return none.
func (s *Service) watchesProspects() bool {
	return len(s.cfg.Handoff) > 0 || s.store.rules.some(func(r *record.AlertRule) bool {
		return r.Kind == record.RuleProspect && !r.Paused
	})
}

// ProspectNotifications are what one version of a prospect triggers: each
// prospect rule it satisfies (once per prospect and trigger) and the CRM
// hand-off (once per version).
func (s *Service) ProspectNotifications(p *record.Prospect) []*record.Notification {
	now := s.now().UTC()
	var out []*record.Notification
	name := firstNonEmpty(p.Name, firstOf(p.Emails), handleOf(p.Handles), p.ID)
	for _, r := range s.store.Rules() {
		if r.Kind != record.RuleProspect || r.Paused {
			continue
		}
		res, err := Resolve(s.cfg, r)
		if err != nil {
			continue
		}
		var trigger, title, reason string
		switch {
		case res.MinScore > 0 && p.Score >= res.MinScore:
			trigger, title = "score", fmt.Sprintf("Hot prospect: %s (score %.2f)", name, p.Score)
			reason = fmt.Sprintf("Lead score %.2f reached the rule's threshold %.2f.", p.Score, res.MinScore)
		case res.OnNew && len(p.Evidence) <= 1:
			trigger, title = "new", fmt.Sprintf("New prospect: %s (score %.2f)", name, p.Score)
			reason = "A new prospect showed buying intent or filled a form."
		default:
			continue
		}
		if len(p.Evidence) > 0 {
			e := p.Evidence[len(p.Evidence)-1]
			reason += fmt.Sprintf(" Latest evidence: a %s on %s", e.Kind, e.Source)
			if len(e.Intents) > 0 {
				reason += fmt.Sprintf(" with %s intent", e.Intents[0].Name)
			}
			reason += "."
		}
		np := notifiedProspect(s.cfg, p, trigger)
		if len(np.Evidence) > 3 {
			np.Evidence = np.Evidence[len(np.Evidence)-3:]
		}
		n := &record.Notification{
			Schema: record.SchemaVersion, ID: record.NotificationID(r.ID, trigger+":"+p.ID), RuleID: r.ID, RuleName: r.Name,
			Kind: record.RuleProspect, Title: title, Reason: reason, Link: np.Link,
			Channels: append([]string(nil), r.Channels...), Recipients: append([]string(nil), r.Recipients...),
			NotBefore: res.Quiet.until(now), Prospect: &np, CreatedAt: now,
		}
		out = append(out, n)
	}
	if len(s.cfg.Handoff) > 0 {
		np := notifiedProspect(s.cfg, p, "handoff")
		version := fmt.Sprintf("%s@%s@%.4f@%d", p.ID, p.LastSeen.UTC().Format(time.RFC3339Nano), p.Score, len(p.Evidence))
		out = append(out, &record.Notification{
			Schema: record.SchemaVersion, ID: record.NotificationID("handoff", version), RuleID: "handoff", RuleName: "CRM hand-off",
			Kind: record.NotifyHandoff, Title: "Prospect " + name,
			Reason: fmt.Sprintf("Prospect %s, score %.2f, status %s, %d pieces of evidence.", name, p.Score, p.Status, len(p.Evidence)),
			Link:   np.Link, Channels: append([]string(nil), s.cfg.Handoff...), Prospect: &np, CreatedAt: now,
		})
	}
	return out
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func handleOf(hs []record.Handle) string {
	if len(hs) == 0 {
		return ""
	}
	return "@" + hs[0].Handle
}

type metrics struct {
	notifications *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	evaluations   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "alerts",
			Name: "notifications_total", Help: "Notifications produced, by kind."}, []string{"kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "alerts",
			Name: "delivery_attempts_total", Help: "Delivery attempts, by channel and resulting status."}, []string{"channel", "status"}),
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "alerts",
			Name: "evaluations_total", Help: "Rule evaluations, by kind and result."}, []string{"kind", "result"}),
	}
	if reg != nil {
		for _, c := range []**prometheus.CounterVec{&m.notifications, &m.deliveries, &m.evaluations} {
			if err := reg.Register(*c); err != nil {
				var are prometheus.AlreadyRegisteredError
				if errors.As(err, &are) {
					if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
						*c = existing
					}
				}
			}
		}
	}
	return m
}
