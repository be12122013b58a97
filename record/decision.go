package record

import "time"

// Verdicts of a match decision.
const (
	VerdictConfirm = "confirm" // the prospect is this customer
	VerdictReject  = "reject"  // the prospect is not this customer
)

// MatchDecision is a person's verdict on a possible identity match: a
// prospect listed with a customer it may be. It lives in the compacted
// match-decisions topic keyed by ID (one per prospect and customer: a
// later verdict replaces an earlier one). A confirmation converts the
// prospect into the customer; a rejection keeps the customer off the
// prospect's candidates for good.
type MatchDecision struct {
	Schema     int       `json:"schema"`
	ID         string    `json:"id"`
	ProspectID string    `json:"prospect_id"`
	CustomerID string    `json:"customer_id"`
	Verdict    string    `json:"verdict"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// MatchDecisionID is the id of the decision on a prospect and a customer.
func MatchDecisionID(prospectID, customerID string) string {
	return hashID("match-decision", prospectID, customerID)
}

func (d *MatchDecision) schemaVersion() *int { return &d.Schema }
