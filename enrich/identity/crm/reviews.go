package crm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Reviews is the review of possible matches for a long-running process
// (the web app's page and API). LoadSnapshot reads and decodes every
// customer and prospect for each look: seconds at tens of thousands of
// people, growing with the CRM. Reviews follows the customers, prospects
// and match-decisions tables instead and keeps only what a review and a
// decision's check need: each customer's name, every prospect's id and
// whether it is settled, the decisions, and for the open prospects with
// candidates what the review shows (read without the evidence,
// record.ProspectReview). A look catches up with the tables first, so a
// decision or an import just written shows.
//
// Following starts at the first look and stops after idle without one,
// so a process nobody reviews in pays nothing for it.
type Reviews struct {
	f      Follower
	topics pipeline.Topics
	idle   time.Duration
	log    *slog.Logger

	// decideMu makes decisions one at a time, each checked against the
	// tables with the one before it applied: two sellers confirming the
	// same prospect as two customers at once get one confirmation.
	decideMu sync.Mutex

	mu      sync.Mutex // guards the fields below and serialises starts
	stop    context.CancelFunc
	tables  []*pipeline.Table
	lastUse time.Time
	state   *reviewState
}

// reviewState is what the followers keep.
type reviewState struct {
	mu        sync.Mutex
	customers map[string]string                 // id → name
	status    map[string]string                 // every prospect → its status
	open      map[string]*record.ProspectReview // the open prospects with candidates
	// verdicts are the decisions: prospect → customer → verdict. A
	// decision's key is a hash of its pair (record.MatchDecisionID), so
	// each pair has one; pairOf maps a key back to it for a tombstone.
	verdicts map[string]map[string]string
	pairOf   map[string][2]string
}

// NewReviews serves reviews from f's tables; following stops after idle
// without a look (15 minutes when idle is not positive).
func NewReviews(f Follower, topics pipeline.Topics, idle time.Duration, logger *slog.Logger) *Reviews {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if idle <= 0 {
		idle = 15 * time.Minute
	}
	return &Reviews{f: f, topics: topics, idle: idle, log: logger.With("component", "identity-review")}
}

// Review lists the possible matches of open prospects that nobody decided
// yet, the strongest first (as Review over a snapshot does).
func (r *Reviews) Review(ctx context.Context) ([]ReviewItem, error) {
	st, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := make([]string, 0, len(st.open))
	for id := range st.open {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	open := make([]*record.ProspectReview, len(ids))
	for i, id := range ids {
		open[i] = st.open[id]
	}
	return reviewItems(open, func(id string) (string, bool) { name, ok := st.customers[id]; return name, ok },
		func(prospect, customer string) bool { return st.verdicts[prospect][customer] != "" }), nil
}

// Decide checks a decision against the tables as they are now and writes
// it, as Decide over a snapshot does.
func (r *Reviews) Decide(ctx context.Context, pub Publisher, d record.MatchDecision) (record.MatchDecision, error) {
	if err := checkVerdict(d); err != nil {
		return d, err
	}
	r.decideMu.Lock()
	defer r.decideMu.Unlock()
	st, err := r.current(ctx)
	if err != nil {
		return d, err
	}
	if err := st.check(d); err != nil {
		return d, err
	}
	return writeDecision(ctx, pub, r.topics, d)
}

// check refuses a decision about people the tables do not hold, and a
// confirmation the enrich stage could not carry out: of a prospect already
// converted, merged or rejected, or already confirmed as another customer
// (it would be recorded and change nothing).
func (st *reviewState) check(d record.MatchDecision) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	status, ok := st.status[d.ProspectID]
	if !ok {
		return fmt.Errorf("deciding: %w: no prospect has the id %q", ErrNoSuchPerson, d.ProspectID)
	}
	if _, ok := st.customers[d.CustomerID]; !ok {
		return fmt.Errorf("deciding: %w: no customer has the id %q", ErrNoSuchPerson, d.CustomerID)
	}
	if d.Verdict != record.VerdictConfirm {
		return nil
	}
	if !openForReview(status) {
		return fmt.Errorf("deciding: %w: prospect %q is %s", ErrSettled, d.ProspectID, status)
	}
	for other, verdict := range st.verdicts[d.ProspectID] {
		if verdict == record.VerdictConfirm && other != d.CustomerID {
			return fmt.Errorf("deciding: %w: prospect %q is already confirmed as customer %q", ErrSettled, d.ProspectID, other)
		}
	}
	return nil
}

// Close stops following.
func (r *Reviews) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopLocked()
}

func (r *Reviews) stopLocked() {
	if r.stop != nil {
		r.stop()
	}
	r.stop, r.tables, r.state = nil, nil, nil
}

// current starts following if it is not (or stopped when idle) and
// catches up with every table.
func (r *Reviews) current(ctx context.Context) (*reviewState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != nil && time.Since(r.lastUse) > r.idle {
		r.stopLocked() // the idle stop the timer below missed
	}
	if r.state == nil {
		if err := r.startLocked(); err != nil {
			return nil, err
		}
	}
	r.lastUse = time.Now()
	for _, t := range r.tables {
		if err := t.CatchUp(ctx); err != nil {
			return nil, err
		}
	}
	return r.state, nil
}

func (r *Reviews) startLocked() error {
	ctx, cancel := context.WithCancel(context.Background())
	st := &reviewState{customers: map[string]string{}, status: map[string]string{}, open: map[string]*record.ProspectReview{},
		verdicts: map[string]map[string]string{}, pairOf: map[string][2]string{}}
	var tables []*pipeline.Table
	for _, follow := range []struct {
		topic string
		apply func(pipeline.Message) error
	}{
		{r.topics.Customers(), st.applyCustomer},
		{r.topics.Prospects(), st.applyProspect},
		{r.topics.MatchDecisions(), st.applyDecision},
	} {
		t, err := r.f.FollowTable(ctx, follow.topic, func(m pipeline.Message) {
			if err := follow.apply(m); err != nil {
				r.log.Warn("a record the review cannot read is left out", "topic", follow.topic, "key", string(m.Key), "offset", m.Offset, "error", err)
			}
		})
		if err != nil {
			cancel()
			return fmt.Errorf("following %s for the review: %w", follow.topic, err)
		}
		tables = append(tables, t)
	}
	r.stop, r.tables, r.state = cancel, tables, st
	// Stop following once nobody looked for idle.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.idle):
			}
			r.mu.Lock()
			if r.state == st && time.Since(r.lastUse) > r.idle {
				r.stopLocked()
				r.mu.Unlock()
				return
			}
			r.mu.Unlock()
		}
	}()
	return nil
}

func (st *reviewState) applyCustomer(m pipeline.Message) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if m.Value == nil {
		delete(st.customers, string(m.Key))
		return nil
	}
	var c record.CustomerName
	if err := record.Decode(m.Value, &c); err != nil {
		return err
	}
	st.customers[string(m.Key)] = customerName(c.FirstName, c.LastName)
	return nil
}

func (st *reviewState) applyProspect(m pipeline.Message) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	id := string(m.Key)
	delete(st.open, id)
	if m.Value == nil {
		delete(st.status, id)
		return nil
	}
	var p record.ProspectReview
	if err := record.Decode(m.Value, &p); err != nil {
		return err
	}
	st.status[id] = p.Status
	if len(p.Candidates) > 0 && openForReview(p.Status) {
		st.open[id] = &p
	}
	return nil
}

func (st *reviewState) applyDecision(m pipeline.Message) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if old, ok := st.pairOf[string(m.Key)]; ok {
		delete(st.pairOf, string(m.Key))
		if delete(st.verdicts[old[0]], old[1]); len(st.verdicts[old[0]]) == 0 {
			delete(st.verdicts, old[0])
		}
	}
	if m.Value == nil {
		return nil
	}
	var d record.MatchDecision
	if err := record.Decode(m.Value, &d); err != nil {
		return err
	}
	if d.ProspectID == "" || d.CustomerID == "" {
		return errors.New("a decision without its prospect or customer")
	}
	st.pairOf[string(m.Key)] = [2]string{d.ProspectID, d.CustomerID}
	if st.verdicts[d.ProspectID] == nil {
		st.verdicts[d.ProspectID] = map[string]string{}
	}
	st.verdicts[d.ProspectID][d.CustomerID] = d.Verdict
	return nil
}
