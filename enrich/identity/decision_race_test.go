package identity

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/earshothq/earshot/record"
)

// TestDecisionsDoNotEditResolvedIdentities: a mention's identity and its
// prospect's candidates come from the same resolver decision. A rejection
// edits the prospect's candidates under the table's lock while the stage
// encodes the identity without it, so the two must not share memory (the
// encoding below races with the decision under go test -race otherwise).
func TestDecisionsDoNotEditResolvedIdentities(t *testing.T) {
	r := newTestResolver(t)
	author := record.Author{Name: "Jan Kowalski", Email: "jan.k@example.com"}
	form := func(id string) *record.EnrichedMention {
		em := mention("forms", id, record.KindFormSubmission, author)
		em.Consent = &record.Consent{Given: true, Text: "I agree", Version: "v2"}
		return em
	}
	p := r.norm.Author(&form("f0").Mention)
	want := r.MatchPerson(&p).Candidates
	if len(want) < 2 {
		t.Fatalf("fixture: want two possible customers, got %+v", want)
	}
	reject := func(customerID, prospectID string) {
		r.ApplyDecision(record.MatchDecisionID(prospectID, customerID), &record.MatchDecision{
			ProspectID: prospectID, CustomerID: customerID, Verdict: record.VerdictReject})
	}

	// A decision arriving while the stage encodes the identity.
	id, pr := resolveOne(r, form("f1"))
	if pr == nil || id.ProspectID != pr.ID {
		t.Fatalf("no prospect: %+v %+v", id, pr)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 50 {
			if _, err := json.Marshal(id); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		reject(want[0].CustomerID, pr.ID)
	}()
	wg.Wait()
	if !slices.EqualFunc(id.Candidates, want, sameCandidate) {
		t.Errorf("a decision edited the encoded identity: %+v, want %+v", id.Candidates, want)
	}

	// The next record lists every possible customer, rejected or not: the
	// rejection is the prospect's, not the resolver's.
	id, pr = resolveOne(r, form("f2"))
	if !slices.EqualFunc(id.Candidates, want, sameCandidate) {
		t.Errorf("identity candidates %+v, want %+v", id.Candidates, want)
	}
	if slices.ContainsFunc(pr.Candidates, func(c record.Candidate) bool { return c.CustomerID == want[0].CustomerID }) {
		t.Fatalf("rejected customer back among the prospect's candidates: %+v", pr.Candidates)
	}
	if len(pr.Candidates) != len(want)-1 {
		t.Fatalf("prospect candidates after one rejection: %+v", pr.Candidates)
	}
}

func sameCandidate(a, b record.Candidate) bool {
	return a.CustomerID == b.CustomerID && a.Score == b.Score
}
