package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// ReviewItem is a possible match waiting for a person: an open prospect
// and a customer it may be, with the comparison that made it possible.
type ReviewItem struct {
	ProspectID   string                 `json:"prospect_id"`
	ProspectName string                 `json:"prospect_name,omitempty"`
	Emails       []string               `json:"emails,omitempty"`
	Handles      []string               `json:"handles,omitempty"`
	CustomerID   string                 `json:"customer_id"`
	CustomerName string                 `json:"customer_name,omitempty"`
	Score        float64                `json:"score"`
	Evidence     []record.FieldEvidence `json:"evidence,omitempty"`
	LastSeen     time.Time              `json:"last_seen"`
}

// LoadDecisions reads the match-decisions topic to its current end.
func LoadDecisions(ctx context.Context, f Follower, topics pipeline.Topics) (map[string]record.MatchDecision, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	out := map[string]record.MatchDecision{}
	var decodeErrs []error
	t, err := f.FollowTable(ctx, topics.MatchDecisions(), func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if m.Value == nil {
			delete(out, string(m.Key))
			return
		}
		var d record.MatchDecision
		if err := record.Decode(m.Value, &d); err != nil {
			decodeErrs = append(decodeErrs, fmt.Errorf("decision %q at offset %d: %w", m.Key, m.Offset, err))
			return
		}
		out[string(m.Key)] = d
	})
	if err != nil {
		return nil, err
	}
	if err := t.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	res := make(map[string]record.MatchDecision, len(out))
	for k, v := range out {
		res[k] = v
	}
	return res, errors.Join(decodeErrs...)
}

// Review lists the possible matches of open prospects that nobody decided
// yet, the strongest first.
func Review(snap *Snapshot, decisions map[string]record.MatchDecision) []ReviewItem {
	decided := map[[2]string]bool{}
	for _, d := range decisions {
		decided[[2]string{d.ProspectID, d.CustomerID}] = true
	}
	var open []*record.ProspectReview
	for _, id := range sortedKeys(snap.Prospects) {
		p := snap.Prospects[id]
		if len(p.Candidates) == 0 {
			continue
		}
		open = append(open, &record.ProspectReview{ID: p.ID, Name: p.Name, Emails: p.Emails, Handles: p.Handles,
			Status: p.Status, LastSeen: p.LastSeen, Candidates: p.Candidates})
	}
	return reviewItems(open, func(id string) (string, bool) {
		c, ok := snap.Customers[id]
		return customerName(c.FirstName, c.LastName), ok
	}, func(prospect, customer string) bool { return decided[[2]string{prospect, customer}] })
}

// reviewItems lists the candidates of the open prospects among ps (in
// their order) that decided does not know, the strongest first, then the
// most recently seen. A candidate whose customer is gone (forgotten) is
// left out: there is nobody to be.
func reviewItems(ps []*record.ProspectReview, name func(customerID string) (string, bool), decided func(prospect, customer string) bool) []ReviewItem {
	var items []ReviewItem
	for _, p := range ps {
		if !openForReview(p.Status) {
			continue
		}
		for _, c := range p.Candidates {
			cname, known := name(c.CustomerID)
			if !known || decided(p.ID, c.CustomerID) {
				continue
			}
			it := ReviewItem{ProspectID: p.ID, ProspectName: p.Name, Emails: p.Emails, CustomerID: c.CustomerID,
				CustomerName: cname, Score: c.Score, Evidence: c.Evidence, LastSeen: p.LastSeen}
			for _, h := range p.Handles {
				it.Handles = append(it.Handles, h.Platform+":"+h.Handle)
			}
			items = append(items, it)
		}
	}
	slices.SortStableFunc(items, func(a, b ReviewItem) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return b.LastSeen.Compare(a.LastSeen)
	})
	return items
}

// openForReview: a converted, merged or rejected prospect is settled.
func openForReview(status string) bool {
	return status != record.ProspectConverted && status != record.ProspectMerged && status != record.ProspectRejected
}

func customerName(first, last string) string { return strings.TrimSpace(first + " " + last) }

// Decide checks a decision against the tables and writes it to the
// match-decisions topic, returning once Kafka acknowledged it. The
// enrich stage applies it: a confirmation converts the prospect into the
// customer, a rejection keeps the customer off its candidates.
func Decide(ctx context.Context, pub Publisher, topics pipeline.Topics, snap *Snapshot, d record.MatchDecision) (record.MatchDecision, error) {
	if err := checkVerdict(d); err != nil {
		return d, err
	}
	p, ok := snap.Prospects[d.ProspectID]
	if !ok {
		return d, fmt.Errorf("deciding: %w: no prospect has the id %q", ErrNoSuchPerson, d.ProspectID)
	}
	if _, ok := snap.Customers[d.CustomerID]; !ok {
		return d, fmt.Errorf("deciding: %w: no customer has the id %q", ErrNoSuchPerson, d.CustomerID)
	}
	if d.Verdict == record.VerdictConfirm && !openForReview(p.Status) {
		return d, fmt.Errorf("deciding: %w: prospect %q is %s", ErrSettled, d.ProspectID, p.Status)
	}
	return writeDecision(ctx, pub, topics, d)
}

// ErrNoSuchPerson is a decision about a prospect or customer the tables do
// not hold.
var ErrNoSuchPerson = errors.New("no such prospect or customer")

// ErrSettled is a confirmation of a prospect that is already converted,
// merged or rejected, or already confirmed as another customer.
var ErrSettled = errors.New("the prospect is already settled")

func checkVerdict(d record.MatchDecision) error {
	if d.Verdict != record.VerdictConfirm && d.Verdict != record.VerdictReject {
		return fmt.Errorf("deciding: verdict must be %s or %s, got %q", record.VerdictConfirm, record.VerdictReject, d.Verdict)
	}
	return nil
}

// writeDecision writes a checked decision (the prospect and the customer
// exist) to the match-decisions topic.
func writeDecision(ctx context.Context, pub Publisher, topics pipeline.Topics, d record.MatchDecision) (record.MatchDecision, error) {
	if strings.TrimSpace(d.By) == "" {
		return d, errors.New("deciding: say who decides")
	}
	d.ID = record.MatchDecisionID(d.ProspectID, d.CustomerID)
	if d.At.IsZero() {
		d.At = time.Now().UTC()
	}
	v, err := record.Encode(&d)
	if err != nil {
		return d, fmt.Errorf("encoding decision: %w", err)
	}
	if err := pub.ProduceSync(ctx, pipeline.Output{Topic: topics.MatchDecisions(), Key: []byte(d.ID), Value: v}); err != nil {
		return d, fmt.Errorf("writing the decision to %s: %w", topics.MatchDecisions(), err)
	}
	return d, nil
}
