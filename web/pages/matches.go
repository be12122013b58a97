package pages

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// MatchReview is the review of possible identity matches, as `earshot
// identity review|confirm|reject` does it: prospects that may be known
// customers, strongest first, and a person's verdict on one. nil turns
// the page into a notice that this process cannot review.
type MatchReview interface {
	Review(ctx context.Context) ([]MatchCandidate, error)
	// Decide records a verdict (record.VerdictConfirm or VerdictReject);
	// a prospect or customer Earshot does not hold is ErrNoSuchMatch, a
	// confirmation of a settled prospect ErrMatchSettled.
	Decide(ctx context.Context, prospectID, customerID, verdict, by string) error
}

// MatchCandidate is a prospect that may be a known customer.
type MatchCandidate struct {
	ProspectID   string
	ProspectName string
	// Identifiers are the prospect's e-mail addresses and platform:handle
	// accounts.
	Identifiers  []string
	CustomerID   string
	CustomerName string
	// Score is the match weight (the sum of the fields' weights); the
	// identity settings' lower and upper thresholds bound the band that
	// asks for a person's review.
	Score    float64
	Evidence []record.FieldEvidence
	LastSeen time.Time
}

// ErrNoSuchMatch is a verdict on a prospect or customer that is not (or
// no longer) held.
var ErrNoSuchMatch = errors.New("no such prospect or customer")

// ErrMatchSettled is a confirmation of a prospect already converted,
// merged or rejected, or already confirmed as another customer (another
// candidate of the same prospect, confirmed a moment before).
var ErrMatchSettled = errors.New("the prospect is already settled")

// matchesPerPage bounds a page of the review; the rest is a "next" away.
const matchesPerPage = 50

type matchesData struct {
	Off        bool
	Unreadable bool
	Total      int
	Rows       []matchRow
	Prev, Next string
}

// matchRow is one candidate as the page shows it: the fields that agree,
// strongest first, then the ones that do not, and the customer as the
// index knows them (nil when it does not), to compare side by side.
type matchRow struct {
	MatchCandidate
	Agree, Disagree []record.FieldEvidence
	Customer        *index.Profile
}

func (p *Pages) matches(w http.ResponseWriter, r *http.Request) {
	l := p.locale(r)
	d := &matchesData{}
	if p.d.Matches == nil {
		d.Off = true
		p.render(w, r, http.StatusOK, "matches", "", p.newView(r, l.T("nav.matches"), "matches", d))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	all, err := p.d.Matches.Review(ctx)
	if err != nil {
		// The cause may name internals: it is logged, the page says what
		// happened and that trying again is safe.
		p.log.Warn("reading the possible matches failed", "error", err)
		d.Unreadable = true
		w.Header().Set("Retry-After", "5")
		p.render(w, r, http.StatusServiceUnavailable, "matches", "", p.newView(r, l.T("nav.matches"), "matches", d))
		return
	}
	d.Total = len(all)
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	from = max(0, min(from, len(all)))
	page := all[from:min(from+matchesPerPage, len(all))]
	ids := make([]string, len(page))
	for i, c := range page {
		d.Rows = append(d.Rows, newMatchRow(c))
		ids[i] = index.ProfileID(index.ProfileCustomer, c.CustomerID)
	}
	// The customers' identifiers beside the prospect's; without them the
	// page still shows each pair by name.
	if len(ids) > 0 {
		profiles, err := p.d.Backend.GetProfiles(ctx, ids)
		if err != nil {
			p.log.Warn("reading the candidates' customer profiles failed", "error", err)
		}
		for i := range d.Rows {
			if i < len(profiles) {
				d.Rows[i].Customer = profiles[i]
			}
		}
	}
	if from > 0 {
		d.Prev = "/matches?from=" + strconv.Itoa(max(0, from-matchesPerPage))
	}
	if from+matchesPerPage < len(all) {
		d.Next = "/matches?from=" + strconv.Itoa(from+matchesPerPage)
	}
	p.render(w, r, http.StatusOK, "matches", "", p.newView(r, l.T("nav.matches"), "matches", d))
}

func newMatchRow(c MatchCandidate) matchRow {
	row := matchRow{MatchCandidate: c}
	for _, e := range c.Evidence {
		if e.Agrees {
			row.Agree = append(row.Agree, e)
		} else {
			row.Disagree = append(row.Disagree, e)
		}
	}
	strongest := func(a, b record.FieldEvidence) int { return cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)) }
	slices.SortStableFunc(row.Agree, strongest)
	slices.SortStableFunc(row.Disagree, strongest)
	return row
}

// decideMatch records a person's verdict on a possible match. A plain form
// post goes back to the review; htmx swaps the candidate for a line saying
// what was recorded.
func (p *Pages) decideMatch(w http.ResponseWriter, r *http.Request) {
	if p.d.Matches == nil {
		p.notFound(w, r)
		return
	}
	prospect, customer := strings.TrimSpace(r.PostFormValue("prospect_id")), strings.TrimSpace(r.PostFormValue("customer_id"))
	verdict := r.PostFormValue("verdict")
	switch {
	case prospect == "" || customer == "":
		p.badRequest(w, r, "prospect_id and customer_id: name the prospect and the customer it may be")
		return
	case verdict != record.VerdictConfirm && verdict != record.VerdictReject:
		p.badRequest(w, r, "verdict: must be "+record.VerdictConfirm+" or "+record.VerdictReject)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	err := p.d.Matches.Decide(ctx, prospect, customer, verdict, p.viewerName(r))
	if errors.Is(err, ErrNoSuchMatch) {
		p.notFound(w, r)
		return
	}
	done := "match_" + verdict
	switch {
	case errors.Is(err, ErrMatchSettled):
		// Nothing recorded; the reader is told why, in place.
		done = "match_settled"
	case err != nil:
		p.fail(w, r, err)
		return
	default:
		p.log.Info("match decided", "by", p.viewerName(r), "verdict", verdict, "prospect", prospect, "customer", customer)
	}
	if isHTMX(r) {
		l := p.locale(r)
		p.render(w, r, http.StatusOK, "matches", "match-decided", p.newView(r, l.T("nav.matches"), "matches", matchDecided{Done: done}))
		return
	}
	back(w, r, "/matches", done)
}

// matchDecided is what replaces a decided candidate on the page: the
// "done." message saying what was (or was not) recorded.
type matchDecided struct{ Done string }
