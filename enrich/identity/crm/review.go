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
	var items []ReviewItem
	for _, id := range sortedKeys(snap.Prospects) {
		p := snap.Prospects[id]
		if p.Status == record.ProspectConverted || p.Status == record.ProspectMerged || p.Status == record.ProspectRejected {
			continue
		}
		for _, c := range p.Candidates {
			if decided[[2]string{p.ID, c.CustomerID}] {
				continue
			}
			it := ReviewItem{ProspectID: p.ID, ProspectName: p.Name, Emails: p.Emails, CustomerID: c.CustomerID,
				Score: c.Score, Evidence: c.Evidence, LastSeen: p.LastSeen}
			for _, h := range p.Handles {
				it.Handles = append(it.Handles, h.Platform+":"+h.Handle)
			}
			if cust, ok := snap.Customers[c.CustomerID]; ok {
				it.CustomerName = strings.TrimSpace(cust.FirstName + " " + cust.LastName)
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

// Decide checks a decision against the tables and writes it to the
// match-decisions topic, returning once Kafka acknowledged it. The
// enrich stage applies it: a confirmation converts the prospect into the
// customer, a rejection keeps the customer off its candidates.
func Decide(ctx context.Context, pub Publisher, topics pipeline.Topics, snap *Snapshot, d record.MatchDecision) (record.MatchDecision, error) {
	if d.Verdict != record.VerdictConfirm && d.Verdict != record.VerdictReject {
		return d, fmt.Errorf("deciding: verdict must be %s or %s, got %q", record.VerdictConfirm, record.VerdictReject, d.Verdict)
	}
	if _, ok := snap.Prospects[d.ProspectID]; !ok {
		return d, fmt.Errorf("deciding: no prospect has the id %q", d.ProspectID)
	}
	if _, ok := snap.Customers[d.CustomerID]; !ok {
		return d, fmt.Errorf("deciding: no customer has the id %q", d.CustomerID)
	}
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
