package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

// fakeReviewer holds one possible match, p-7 may be c-3, until decided.
type fakeReviewer struct {
	mu      sync.Mutex
	decided []record.MatchDecision
}

func (f *fakeReviewer) Review(context.Context) ([]MatchCandidate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.decided) > 0 {
		return nil, nil
	}
	return []MatchCandidate{{ProspectID: "p-7", ProspectName: "Jan K.", Emails: []string{"jan@example.pl"}, CustomerID: "c-3", CustomerName: "Jan Kowalski", Score: 12.5,
		Evidence: []record.FieldEvidence{{Field: "date_of_birth", Level: "exact"}}}}, nil
}

func (f *fakeReviewer) Decide(_ context.Context, prospectID, customerID, verdict, by string) (record.MatchDecision, error) {
	if prospectID == "p-7" && customerID == "c-9" && verdict == record.VerdictConfirm {
		return record.MatchDecision{}, fmt.Errorf("%w: p-7 is confirmed as c-3", ErrMatchSettled)
	}
	if prospectID != "p-7" || customerID != "c-3" {
		return record.MatchDecision{}, ErrNoSuchMatch
	}
	d := record.MatchDecision{ID: "d-1", ProspectID: prospectID, CustomerID: customerID, Verdict: verdict, By: by}
	f.mu.Lock()
	f.decided = append(f.decided, d)
	f.mu.Unlock()
	return d, nil
}

func TestMatchReviewAPI(t *testing.T) {
	ta := newTestApp(t)
	var items []MatchCandidate
	r := ta.do(t, req{method: "GET", path: "/api/identity/review", role: auth.RoleSales})
	if r.decode(t, &items); r.code != http.StatusOK || len(items) != 1 || items[0].CustomerID != "c-3" || items[0].Evidence[0].Field != "date_of_birth" {
		t.Fatalf("review: %d %s", r.code, r.body)
	}
	for _, bad := range []matchDecisionInput{
		{ProspectID: "p-7", CustomerID: "c-3", Verdict: "maybe"},
		{ProspectID: " ", CustomerID: "c-3", Verdict: record.VerdictConfirm},
	} {
		if r := ta.do(t, req{method: "POST", path: "/api/identity/decisions", role: auth.RoleSales, json: bad}); r.code != http.StatusUnprocessableEntity {
			t.Fatalf("%+v: %d %s", bad, r.code, r.body)
		}
	}
	if r := ta.do(t, req{method: "POST", path: "/api/identity/decisions", role: auth.RoleSales,
		json: matchDecisionInput{ProspectID: "p-404", CustomerID: "c-3", Verdict: record.VerdictReject}}); r.code != http.StatusNotFound {
		t.Fatalf("unknown prospect: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/identity/decisions", role: auth.RoleSales,
		json: matchDecisionInput{ProspectID: "p-7", CustomerID: "c-9", Verdict: record.VerdictConfirm}}); r.code != http.StatusConflict {
		t.Fatalf("confirming a settled prospect: %d %s", r.code, r.body)
	}
	var d record.MatchDecision
	r = ta.do(t, req{method: "POST", path: "/api/identity/decisions", role: auth.RoleSales,
		json: matchDecisionInput{ProspectID: "prospect:p-7", CustomerID: "c-3", Verdict: record.VerdictConfirm}})
	if r.decode(t, &d); r.code != http.StatusOK || d.Verdict != record.VerdictConfirm || d.ProspectID != "p-7" || d.By == "" {
		t.Fatalf("confirm: %d %s", r.code, r.body)
	}
	// The decision is remembered: the pair is no longer up for review.
	r = ta.do(t, req{method: "GET", path: "/api/identity/review", role: auth.RoleAdmin})
	if r.decode(t, &items); r.code != http.StatusOK || len(items) != 0 || strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("after the decision: %d %q", r.code, r.body)
	}
}

// The review page lists what the API lists and records a verdict under the
// signed-in seller's name; marketing neither sees it nor may post to it.
func TestMatchReviewPageBehindTheGate(t *testing.T) {
	ta := newTestApp(t)
	seller, marketer := ta.signIn(t, auth.RoleSales), ta.signIn(t, auth.RoleMarketing)
	r := ta.page(t, seller, "GET", "/matches", nil)
	if r.code != http.StatusOK || !strings.Contains(string(r.body), "Jan K.") || !strings.Contains(string(r.body), `href="/matches"`) {
		t.Fatalf("seller /matches = %d, or the candidate or the nav link missing", r.code)
	}
	if r := ta.page(t, marketer, "GET", "/mentions", nil); strings.Contains(string(r.body), `href="/matches"`) {
		t.Errorf("marketing is offered the review")
	}
	form := url.Values{"prospect_id": {"p-7"}, "customer_id": {"c-3"}, "verdict": {record.VerdictReject}}
	if r := ta.page(t, marketer, "POST", "/matches/decide", form); r.code != http.StatusForbidden {
		t.Errorf("marketing verdict = %d; want 403", r.code)
	}
	if r := ta.page(t, ta.newBrowser(t), "POST", "/matches/decide", form); r.code != http.StatusUnauthorized {
		t.Errorf("signed-out verdict = %d; want 401", r.code)
	}
	r = ta.page(t, seller, "POST", "/matches/decide", form)
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/matches?done=match_reject" {
		t.Fatalf("seller verdict = %d to %q", r.code, r.header.Get("Location"))
	}
	f := ta.app.Reviewer.(*fakeReviewer)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.decided) != 1 || f.decided[0].Verdict != record.VerdictReject || f.decided[0].By != seller.user {
		t.Errorf("recorded %+v; want one rejection by %s", f.decided, seller.user)
	}
}
