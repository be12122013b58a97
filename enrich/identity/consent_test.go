package identity

import (
	"testing"

	"github.com/earshothq/earshot/record"
)

// A record whose consent forbids prospecting (a form awaiting double
// opt-in, a fediverse author by default) makes no prospect; the same
// record confirmed does.
func TestNoProspectUntilConsentAllows(t *testing.T) {
	r := newTestResolver(t)
	em := mention("forms", "opt-in-1", record.KindFormSubmission, record.Author{Name: "Ola Kowalska", Email: "ola.k@example.pl"})
	em.Analysis.Intents = []record.Intent{{Name: "buying", Score: 0.95}}
	em.Consent = &record.Consent{Given: true, Text: "newsletter", OptIn: record.OptInPending, NoProspect: true}
	id, prs := r.Resolve(em)
	if len(prs) != 0 || id.ProspectID != "" || r.prospects.len() != 0 {
		t.Fatalf("pending opt-in made a prospect: %+v %+v", id, prs)
	}
	confirmed := *em
	c := *em.Consent
	c.OptIn, c.NoProspect = record.OptInConfirmed, false
	confirmed.Consent = &c
	id, prs = r.Resolve(&confirmed)
	if len(prs) != 1 || id.ProspectID == "" || prs[0].Evidence[0].Consent.OptIn != record.OptInConfirmed {
		t.Fatalf("confirmed opt-in: identity %+v prospects %+v", id, prs)
	}

	fedi := mention("mastodon", "https://m.example/1", record.KindMention, record.Author{Platform: "mastodon", Handle: "jan@m.example"})
	fedi.Analysis.Intents = []record.Intent{{Name: "buying", Score: 0.99}}
	fedi.Consent = &record.Consent{Basis: "legitimate_interest", NoProspect: true}
	if id, prs := r.Resolve(fedi); len(prs) != 0 || id.ProspectID != "" {
		t.Fatalf("a fediverse author became a prospect: %+v %+v", id, prs)
	}
	fedi.Consent.NoProspect = false
	if _, prs := r.Resolve(fedi); len(prs) != 1 {
		t.Fatalf("with prospects allowed, a buying post made %d prospects", len(prs))
	}
}
