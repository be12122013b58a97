package pages_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

var matchRows = regexp.MustCompile(`<article class="match" data-prospect="([^"]*)" data-customer="([^"]*)"`)

func TestMatchReviewShowsEachPairWithItsEvidence(t *testing.T) {
	h := newHarness(t)
	code, body, _ := h.get(t, "/matches")
	if code != http.StatusOK {
		t.Fatalf("GET /matches = %d\n%s", code, body)
	}
	rows := matchRows.FindAllStringSubmatch(body, -1)
	if len(rows) != 2 || rows[0][1] != pagestest.ProspectID || rows[1][1] != "p-mallory" {
		t.Fatalf("rows %v; want the seeded prospect (14.2) before p-mallory (9.6)", rows)
	}
	if !strings.Contains(body, "2 possible matches") {
		t.Errorf("no count of the candidates")
	}
	for _, want := range []string{`href="/people/prospect:` + pagestest.ProspectID + `"`, `href="/people/customer:c-jan"`,
		"jan@firma.pl", "mastodon:jan@pol.social", `name="verdict" value="confirm"`, `name="verdict" value="reject"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the review lacks %s", want)
		}
	}
	// The agreeing fields strongest first, then the differing ones.
	first := body[strings.Index(body, `data-prospect="`+pagestest.ProspectID):strings.Index(body, `data-prospect="p-mallory"`)]
	order := []string{"✓ Last name: same", "✓ Account: same", "✓ First name: same", "✗ City: different", "✗ E-mail: same name, other domain"}
	at := -1
	for _, s := range order {
		i := strings.Index(first, s)
		if i < at {
			t.Errorf("%q missing or out of order in:\n%s", s, first)
		}
		at = i
	}
	// The customer's identifiers as the index knows them, beside the
	// prospect's (c-jan has no profile: the pair is shown by name).
	second := body[strings.Index(body, `data-prospect="p-mallory"`):]
	if !strings.Contains(second, "anna@example.pl") || !strings.Contains(first, ">Jan Kowalski</a>") {
		t.Errorf("the customer side lacks the indexed customer's e-mail or the unindexed one's name")
	}
	// A prospect's name is text from the web: shown, never run.
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("the hostile prospect name is not escaped")
	}

	_, pl, _ := h.get(t, "/matches?lang=pl")
	if !strings.Contains(pl, "Nazwisko: takie same") || !strings.Contains(pl, "2 możliwe dopasowania") {
		t.Errorf("the Polish review lacks translated evidence or count")
	}
}

func TestMatchVerdictIsRecordedAndLeavesTheReview(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"prospect_id": {pagestest.ProspectID}, "customer_id": {"c-jan"}, "verdict": {record.VerdictConfirm}, "next": {"/matches"}}
	code, _, hdr := h.post(t, "/matches/decide", form)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/matches?done=match_confirm" {
		t.Fatalf("confirm = %d to %q", code, hdr.Get("Location"))
	}
	if got := h.stores.MatchDecisions(); !slices.Equal(got, []string{pagestest.ProspectID + " c-jan confirm ola"}) {
		t.Fatalf("decisions %q", got)
	}
	_, body, _ := h.get(t, "/matches?done=match_confirm")
	if rows := matchRows.FindAllStringSubmatch(body, -1); len(rows) != 1 || rows[0][1] != "p-mallory" {
		t.Errorf("after the confirmation the review lists %v", rows)
	}
	if !strings.Contains(body, "Recorded: the same person.") {
		t.Errorf("no word that the verdict was recorded")
	}

	// htmx: the candidate is swapped for a line saying what was recorded.
	code, frag, _ := h.post(t, "/matches/decide", url.Values{"prospect_id": {"p-mallory"}, "customer_id": {pagestest.CustomerID}, "verdict": {record.VerdictReject}},
		"HX-Request", "true")
	if code != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(frag, "Recorded: different people.") {
		t.Fatalf("htmx reject = %d\n%s", code, frag)
	}
	_, body, _ = h.get(t, "/matches")
	if matchRows.MatchString(body) || !strings.Contains(body, "Nothing to review.") {
		t.Errorf("with every pair decided the review still lists some or does not say it is empty")
	}
}

// Two candidates of one prospect: confirming the second after the first
// records nothing and says why, in place or after the redirect.
func TestConfirmingASettledProspectSaysItIsSettled(t *testing.T) {
	h := newHarness(t)
	h.stores.SetMatches([]pages.MatchCandidate{{ProspectID: "p-1", CustomerID: "c-1", Score: 15}, {ProspectID: "p-1", CustomerID: "c-2", Score: 12}})
	if code, _, _ := h.post(t, "/matches/decide", url.Values{"prospect_id": {"p-1"}, "customer_id": {"c-1"}, "verdict": {"confirm"}}); code != http.StatusSeeOther {
		t.Fatalf("first confirmation = %d", code)
	}
	code, frag, _ := h.post(t, "/matches/decide", url.Values{"prospect_id": {"p-1"}, "customer_id": {"c-2"}, "verdict": {"confirm"}}, "HX-Request", "true")
	if code != http.StatusOK || !strings.Contains(frag, "Not recorded: this prospect was already merged") {
		t.Errorf("htmx confirmation of a settled prospect = %d\n%s", code, frag)
	}
	code, _, hdr := h.post(t, "/matches/decide", url.Values{"prospect_id": {"p-1"}, "customer_id": {"c-2"}, "verdict": {"confirm"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/matches?done=match_settled" {
		t.Errorf("plain confirmation of a settled prospect = %d to %q", code, hdr.Get("Location"))
	}
	if got := h.stores.MatchDecisions(); len(got) != 1 {
		t.Errorf("decisions %q; want only the first confirmation", got)
	}
}

func TestMatchVerdictRefusesBadInput(t *testing.T) {
	h := newHarness(t)
	for name, c := range map[string]struct {
		form url.Values
		code int
	}{
		"no verdict":        {url.Values{"prospect_id": {pagestest.ProspectID}, "customer_id": {"c-jan"}}, http.StatusBadRequest},
		"unknown verdict":   {url.Values{"prospect_id": {pagestest.ProspectID}, "customer_id": {"c-jan"}, "verdict": {"maybe"}}, http.StatusBadRequest},
		"no customer":       {url.Values{"prospect_id": {pagestest.ProspectID}, "customer_id": {" "}, "verdict": {"confirm"}}, http.StatusBadRequest},
		"pair not reviewed": {url.Values{"prospect_id": {"p-404"}, "customer_id": {"c-jan"}, "verdict": {"reject"}}, http.StatusNotFound},
	} {
		code, body, _ := h.post(t, "/matches/decide", c.form)
		if code != c.code {
			t.Errorf("%s: %d %s; want %d", name, code, body, c.code)
		}
	}
	if got := h.stores.MatchDecisions(); len(got) != 0 {
		t.Errorf("bad verdicts were recorded: %q", got)
	}
}

func TestMatchReviewThatCannotBeReadSaysSoAndHidesTheCause(t *testing.T) {
	h := newHarness(t)
	h.stores.FailReview(errors.New("dial tcp 10.1.2.3:9092: connection refused"))
	code, body, hdr := h.get(t, "/matches")
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
		t.Errorf("unreadable review = %d, Retry-After %q; want 503 with Retry-After", code, hdr.Get("Retry-After"))
	}
	if !strings.Contains(body, "could not be read just now") || strings.Contains(body, "10.1.2.3") {
		t.Errorf("the page does not say the review failed, or shows its internal cause")
	}
	h.stores.FailReview(nil)
	if code, _, _ := h.get(t, "/matches"); code != http.StatusOK {
		t.Errorf("after the cause is mended: %d", code)
	}
}

func TestMatchReviewPages(t *testing.T) {
	h := newHarness(t)
	var cs []pages.MatchCandidate
	for i := range 120 {
		cs = append(cs, pages.MatchCandidate{ProspectID: fmt.Sprintf("p-%03d", i), CustomerID: "c-1", Score: float64(200 - i)})
	}
	h.stores.SetMatches(cs)
	_, body, _ := h.get(t, "/matches")
	rows := matchRows.FindAllStringSubmatch(body, -1)
	if len(rows) != 50 || rows[0][1] != "p-000" || !strings.Contains(body, `href="/matches?from=50" rel="next"`) || strings.Contains(body, `rel="prev"`) {
		t.Fatalf("first page: %d rows from %v", len(rows), rows[0])
	}
	_, body, _ = h.get(t, "/matches?from=100")
	rows = matchRows.FindAllStringSubmatch(body, -1)
	if len(rows) != 20 || rows[0][1] != "p-100" || !strings.Contains(body, `href="/matches?from=50" rel="prev"`) || strings.Contains(body, `rel="next"`) {
		t.Errorf("last page: %d rows", len(rows))
	}
	for _, from := range []string{"-5", "9999", "x"} {
		if code, _, _ := h.get(t, "/matches?from="+from); code != http.StatusOK {
			t.Errorf("from=%s: %d", from, code)
		}
	}
}

func TestMatchReviewOffWithoutAReviewer(t *testing.T) {
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	d := pagestest.NewStores(b).Deps()
	d.Matches = nil
	d.Now = func() time.Time { return time.Now() }
	p, err := pages.New(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Shutdown)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/matches", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "not available in this process") {
		t.Errorf("review without a reviewer = %d\n%s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/matches/decide", strings.NewReader("prospect_id=p&customer_id=c&verdict=reject"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("a verdict without a reviewer = %d; want 404", rec.Code)
	}
}
