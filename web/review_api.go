package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// MatchReviewer lists the possible identity matches nobody decided yet and
// records a person's verdict on one, as `earshot identity review|confirm|
// reject` do. cmd wires it to the identity code; the web package only
// serves it.
type MatchReviewer interface {
	Review(ctx context.Context) ([]MatchCandidate, error)
	// Decide writes a verdict (record.VerdictConfirm or VerdictReject);
	// an unknown prospect or customer is ErrNoSuchMatch, a confirmation
	// of a settled prospect ErrMatchSettled.
	Decide(ctx context.Context, prospectID, customerID, verdict, by string) (record.MatchDecision, error)
}

// MatchCandidate is a prospect that may be a known customer.
type MatchCandidate struct {
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

// ErrNoSuchMatch is a decision about a prospect or customer Earshot does
// not hold.
var ErrNoSuchMatch = errors.New("no such prospect or customer")

// ErrMatchSettled is a confirmation of a prospect that is already
// converted, merged or rejected, or already confirmed as another customer.
var ErrMatchSettled = errors.New("the prospect is already settled")

// matchDecisionInput is POST /api/identity/decisions.
type matchDecisionInput struct {
	ProspectID string `json:"prospect_id"`
	CustomerID string `json:"customer_id"`
	// Verdict is "confirm" (the prospect is this customer) or "reject".
	Verdict string `json:"verdict"`
}

func (a *App) listMatchReview(w http.ResponseWriter, r *http.Request) {
	if a.Reviewer == nil {
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "this instance cannot review identity matches")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	items, err := a.Reviewer.Review(ctx)
	if err != nil {
		a.Logger.Warn("listing possible matches failed", "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the possible matches could not be read: "+err.Error())
		return
	}
	if items == nil {
		items = []MatchCandidate{}
	}
	writeJSON(w, http.StatusOK, items)
}

func (a *App) decideMatch(w http.ResponseWriter, r *http.Request) {
	if a.Reviewer == nil {
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "this instance cannot review identity matches")
		return
	}
	var in matchDecisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ProspectID, in.CustomerID = strings.TrimSpace(in.ProspectID), strings.TrimSpace(in.CustomerID)
	switch {
	case in.ProspectID == "" || in.CustomerID == "":
		problem(w, r, http.StatusUnprocessableEntity, "validation", "prospect_id and customer_id: name the prospect and the customer it may be")
		return
	case in.Verdict != record.VerdictConfirm && in.Verdict != record.VerdictReject:
		problem(w, r, http.StatusUnprocessableEntity, "validation", "verdict: must be "+record.VerdictConfirm+" or "+record.VerdictReject)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	d, err := a.Reviewer.Decide(ctx, strings.TrimPrefix(in.ProspectID, "prospect:"), in.CustomerID, in.Verdict, principal(r).User)
	if errors.Is(err, ErrNoSuchMatch) {
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
		return
	}
	if errors.Is(err, ErrMatchSettled) {
		problem(w, r, http.StatusConflict, "conflict", err.Error())
		return
	}
	if err != nil {
		a.Logger.Warn("recording a match decision failed", "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the decision was not recorded; it is safe to repeat: "+err.Error())
		return
	}
	a.Logger.Info("match decided", "by", d.By, "verdict", d.Verdict, "prospect", d.ProspectID, "customer", d.CustomerID)
	writeJSON(w, http.StatusOK, d)
}
