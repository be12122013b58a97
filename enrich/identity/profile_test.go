package identity

import (
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

func buyingMention(source, sourceID string, kind record.Kind, a record.Author, at time.Time) *record.EnrichedMention {
	em := mention(source, sourceID, kind, a)
	em.CreatedAt = at
	em.Analysis.Intents = []record.Intent{{Name: "buying", Score: 0.9}}
	return em
}

// TestRecordWithTwoProspectsIdentifiersMergesThem: a prospect found by
// handle and one found by email are one person once a record carries
// both: the earlier survives with both histories, the other redirects.
func TestRecordWithTwoProspectsIdentifiersMergesThem(t *testing.T) {
	r := newTestResolver(t)
	t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	_, ps := r.Resolve(buyingMention("mastodon", "m1", record.KindMention, record.Author{Handle: "ola@pol.social", Name: "Ola"}, t0))
	if len(ps) != 1 {
		t.Fatalf("handle: %d prospects", len(ps))
	}
	byHandle := ps[0]
	_, ps = r.Resolve(buyingMention("forms", "f1", record.KindFormSubmission, record.Author{Email: "ola.nowicka@example.pl", Name: "Aleksandra Nowicka"}, t0.Add(time.Hour)))
	if len(ps) != 1 || ps[0].ID == byHandle.ID {
		t.Fatalf("email: %+v", ps)
	}
	byEmail := ps[0]
	both := buyingMention("mastodon", "m2", record.KindMention, record.Author{Handle: "ola@pol.social", Email: "ola.nowicka@example.pl"}, t0.Add(2*time.Hour))
	id, ps := r.Resolve(both)
	if len(ps) != 2 || id.ProspectID != byHandle.ID {
		t.Fatalf("merge: identity %+v, %d prospects", id, len(ps))
	}
	survivor, gone := ps[0], ps[1]
	if survivor.ID != byHandle.ID || len(survivor.Evidence) != 3 || len(survivor.Emails) != 1 || len(survivor.Handles) != 1 {
		t.Errorf("survivor %+v", survivor)
	}
	if gone.ID != byEmail.ID || gone.Status != record.ProspectMerged || gone.MergedInto != byHandle.ID || gone.ClosedReason != record.ClosedMerged || len(gone.Evidence) != 0 {
		t.Errorf("redirect %+v", gone)
	}
	// The stage's writes echo back from the topic: the redirect keeps
	// routing, and the email alone now finds the survivor.
	r.ApplyProspect(gone.ID, gone)
	r.ApplyProspect(survivor.ID, survivor)
	id, ps = r.Resolve(buyingMention("forms", "f2", record.KindFormSubmission, record.Author{Email: "Ola.Nowicka@example.pl"}, t0.Add(3*time.Hour)))
	if id.ProspectID != byHandle.ID || len(ps) != 1 || len(ps[0].Evidence) != 4 {
		t.Errorf("after the merge the email leads to %q (%d changed)", id.ProspectID, len(ps))
	}
	if p, ok := r.Prospect(byEmail.ID); !ok || p.ID != byHandle.ID {
		t.Errorf("the merged id does not redirect: %+v %v", p, ok)
	}
	if _, n := r.Counts(); n != 1 {
		t.Errorf("%d prospects held, want the survivor only", n)
	}
}

// TestCustomerImportConvertsTheProspect: a person who filled a form and
// then becomes a customer is one profile: the prospect is closed as
// became_customer (not lost), and their later records go to the customer.
func TestCustomerImportConvertsTheProspect(t *testing.T) {
	r := newTestResolver(t)
	t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	_, ps := r.Resolve(buyingMention("forms", "f1", record.KindFormSubmission, record.Author{Email: "jan@example.pl", Name: "Jan Zieliński"}, t0))
	if len(ps) != 1 {
		t.Fatal("no prospect from the form")
	}
	form := ps[0]
	// His handle joins the prospect with a buying post.
	both := buyingMention("mastodon", "m1", record.KindMention, record.Author{Handle: "janz@mastodon.social", Email: "jan@example.pl"}, t0.Add(time.Hour))
	if _, ps := r.Resolve(both); len(ps) != 1 || ps[0].ID != form.ID {
		t.Fatalf("the handle did not join the prospect: %+v", ps)
	}
	c := &record.Customer{ID: "C-jan", FirstName: "Jan", LastName: "Zieliński", Emails: []string{"jan@example.pl"}, UpdatedAt: t0.Add(48 * time.Hour)}
	r.ApplyCustomer(c.ID, c)
	conv := r.Convert(c)
	if len(conv) != 1 || conv[0].ID != form.ID || conv[0].Status != record.ProspectConverted || conv[0].CustomerID != c.ID ||
		conv[0].ClosedReason != record.ClosedBecameCustomer || !conv[0].ClosedAt.Equal(c.UpdatedAt) || len(conv[0].Evidence) != 2 {
		t.Fatalf("conversion %+v", conv)
	}
	if again := r.Convert(c); len(again) != 0 {
		t.Errorf("converted twice: %+v", again)
	}
	// A later post by handle only (the customer record has no handle) is
	// the customer's, and reopens nothing.
	id, ps := r.Resolve(buyingMention("mastodon", "m2", record.KindMention, record.Author{Handle: "janz@mastodon.social"}, t0.Add(72*time.Hour)))
	if id.CustomerID != c.ID || id.Outcome != record.MatchExact || len(ps) != 0 {
		t.Errorf("a converted prospect's handle gave %+v and %d prospect writes", id, len(ps))
	}
	// An instance that starts later converts from the loaded tables.
	fresh := newTestResolver(t)
	fresh.ApplyProspect(form.ID, form)
	fresh.ApplyCustomer(c.ID, c)
	all := fresh.ConvertAll()
	if len(all) != 1 || all[0].ID != form.ID || all[0].CustomerID != c.ID || all[0].Status != record.ProspectConverted {
		t.Errorf("ConvertAll %+v", all)
	}
	if again := fresh.ConvertAll(); len(again) != 0 {
		t.Errorf("ConvertAll converted twice: %+v", again)
	}
}

// TestCustomerRecordWithAProspectsIdentifierConvertsIt: a record carrying
// a customer's handle and the email of an open prospect merges that
// prospect into the customer.
func TestCustomerRecordWithAProspectsIdentifierConvertsIt(t *testing.T) {
	r := newTestResolver(t)
	t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	_, ps := r.Resolve(buyingMention("forms", "f9", record.KindFormSubmission, record.Author{Email: "janis.b@work.lv", Name: "Jānis"}, t0))
	if len(ps) != 1 {
		t.Fatal("no prospect from the form")
	}
	// C3 has the Mastodon handle @janis@mastodon.lv.
	id, ps := r.Resolve(buyingMention("mastodon", "m9", record.KindMention, record.Author{Handle: "janis@mastodon.lv", Email: "janis.b@work.lv"}, t0.Add(time.Hour)))
	if id.CustomerID != "C3" || len(ps) != 1 || ps[0].Status != record.ProspectConverted || ps[0].CustomerID != "C3" || ps[0].ClosedReason != record.ClosedBecameCustomer {
		t.Fatalf("identity %+v, prospects %+v", id, ps)
	}
	// The second address alone is his now.
	if id, ps := r.Resolve(buyingMention("forms", "f10", record.KindFormSubmission, record.Author{Email: "janis.b@work.lv"}, t0.Add(2*time.Hour))); id.CustomerID != "C3" || len(ps) != 0 {
		t.Errorf("the merged prospect's email gave %+v, %d prospect writes", id, len(ps))
	}
}
