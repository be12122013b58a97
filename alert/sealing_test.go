package alert

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

func testKeyring(t *testing.T, identities ...string) (*privacy.Keyring, map[string]privacy.StoredKey) {
	t.Helper()
	kr, err := privacy.NewKeyring("alert-test-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]privacy.StoredKey{}
	for _, id := range identities {
		sk, err := kr.NewKey(kr.Subject(id))
		if err != nil {
			t.Fatal(err)
		}
		if err := kr.Apply(sk.Key, sk.Value); err != nil {
			t.Fatal(err)
		}
		keys[id] = sk
	}
	return kr, keys
}

// Each person quoted by a notification is sealed with their own key: the
// stored form shows none of them, opening gives everything back, and after
// one is erased their mention and digest entry are gone while the others
// stay; a notification about one erased prospect is not written at all.
func TestNotificationsAreSealedPerPerson(t *testing.T) {
	ana, ben := "email:ana@example.com", "handle:mastodon:ben@social.example"
	kr, keys := testKeyring(t, ana, ben)
	s := notificationSealer{kr: kr}
	subA, subB := kr.Subject(ana), kr.Subject(ben)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	n := &record.Notification{ID: "n1", Kind: record.RuleMatch, Title: "3 new mentions in “espresso”", Reason: "3 new mentions matched.",
		Mentions: []record.NotifiedMention{
			{ID: "m1", Author: "Ana Kowalska", Text: "anatoken the grinder leaks", URL: "https://example.com/ana", Subject: subA, CreatedAt: at},
			{ID: "m2", Author: "@ben", Text: "bentoken love it", Subject: subB, CreatedAt: at},
			{ID: "m3", Text: "anonymous page text", CreatedAt: at},
		},
		Digest: &record.DigestContent{
			TopMentions: []record.NotifiedMention{{ID: "m1", Author: "Ana Kowalska", Text: "anatoken the grinder leaks", Subject: subA}},
			Prospects: []record.NotifiedProspect{{ID: "p1", Name: "Ana Kowalska", Emails: []string{"ana@example.com"}, Score: 0.8,
				Identities: []string{ana}}},
		},
	}
	sealed, err := s.seal(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := record.Encode(sealed)
	if err != nil {
		t.Fatal(err)
	}
	for _, trace := range []string{"anatoken", "kowalska", "ana@example.com", "example.com/ana", "bentoken", "@ben"} {
		if strings.Contains(strings.ToLower(string(stored)), trace) {
			t.Fatalf("the stored notification shows %q:\n%s", trace, stored)
		}
	}
	if !strings.Contains(string(stored), "anonymous page text") || !strings.Contains(string(stored), "3 new mentions") {
		t.Fatalf("what names nobody is sealed too:\n%s", stored)
	}
	if n.Mentions[0].Text != "anatoken the grinder leaks" {
		t.Fatal("sealing changed the caller's notification")
	}
	read := func() *record.Notification {
		var got record.Notification
		if err := record.Decode(stored, &got); err != nil {
			t.Fatal(err)
		}
		if err := s.open(&got); err != nil {
			t.Fatal(err)
		}
		return &got
	}
	got := read()
	if len(got.Mentions) != 3 || got.Mentions[0].Text != n.Mentions[0].Text || got.Mentions[0].URL != n.Mentions[0].URL ||
		got.Mentions[1].Author != "@ben" || got.Digest.Prospects[0].Name != "Ana Kowalska" || got.Digest.Prospects[0].Subject != subA ||
		got.Digest.TopMentions[0].Text != n.Mentions[0].Text {
		b, _ := json.Marshal(got)
		t.Fatalf("opened notification differs:\n%s", b)
	}

	// In memory, on the key's tombstone: Ana's parts go, Ben's stay.
	kept, whole, changed := forget(*got, subA)
	if whole || !changed || len(kept.Mentions) != 2 || kept.Mentions[0].ID != "m2" || len(kept.Digest.TopMentions) != 0 || len(kept.Digest.Prospects) != 0 {
		t.Fatalf("forget Ana: whole %v changed %v, %+v", whole, changed, kept)
	}
	if len(got.Mentions) != 3 {
		t.Fatal("forget changed the notification it was given")
	}

	// In the topic: once Ana's key is gone her parts cannot be opened and
	// are left out.
	if err := kr.Apply(keys[ana].Key, nil); err != nil {
		t.Fatal(err)
	}
	got = read()
	if len(got.Mentions) != 2 || got.Mentions[0].ID != "m2" || len(got.Digest.TopMentions) != 0 || len(got.Digest.Prospects) != 0 {
		b, _ := json.Marshal(got)
		t.Fatalf("after Ana's erasure the notification still lists her:\n%s", b)
	}
	// And nothing new is sealed for her.
	again, err := s.seal(context.Background(), n)
	if err != nil || len(again.Mentions) != 2 || len(again.Digest.Prospects) != 0 {
		t.Fatalf("sealing after the erasure: %v %+v", err, again)
	}
	p := &record.Notification{ID: "n2", Kind: record.RuleProspect, Title: "Hot prospect: Ana Kowalska",
		Prospect: &record.NotifiedProspect{ID: "p1", Name: "Ana Kowalska", Identities: []string{ana}}}
	if _, err := s.seal(context.Background(), p); !errors.Is(err, privacy.ErrShredded) {
		t.Fatalf("a prospect alert about an erased person: %v, want ErrShredded", err)
	}
}

// A notification about one prospect is sealed as a whole (its title names
// them); erased, it cannot be opened and is dropped from memory whole.
func TestProspectNotificationIsSealedWhole(t *testing.T) {
	ana := "email:ana@example.com"
	kr, keys := testKeyring(t, ana)
	s := notificationSealer{kr: kr}
	n := &record.Notification{ID: "n1", Kind: record.RuleProspect, Title: "Hot prospect: Ana Kowalska (score 0.90)",
		Reason: "Lead score 0.90 reached 0.80.", Link: "https://earshot.example/prospects/p1",
		Prospect: &record.NotifiedProspect{ID: "p1", Name: "Ana Kowalska", Emails: []string{"ana@example.com"}, Score: 0.9,
			Evidence: []record.ProspectEvidence{{Text: "anatoken quote please"}}, Identities: []string{"phone:+48600000000", ana}}}
	sealed, err := s.seal(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := record.Encode(sealed)
	for _, trace := range []string{"kowalska", "ana@example.com", "anatoken"} {
		if strings.Contains(strings.ToLower(string(stored)), trace) {
			t.Fatalf("the stored prospect alert shows %q", trace)
		}
	}
	if sealed.Subject != kr.Subject(ana) {
		t.Fatalf("sealed for %q, want the identity with a key", sealed.Subject)
	}
	var got record.Notification
	if err := record.Decode(stored, &got); err != nil {
		t.Fatal(err)
	}
	if err := s.open(&got); err != nil || got.Title != n.Title || got.Prospect.Evidence[0].Text != "anatoken quote please" {
		t.Fatalf("opened: %v %+v", err, got)
	}
	if _, whole, _ := forget(got, sealed.Subject); !whole {
		t.Fatal("forget keeps a prospect alert about the erased person")
	}
	if err := kr.Apply(keys[ana].Key, nil); err != nil {
		t.Fatal(err)
	}
	var gone record.Notification
	_ = record.Decode(stored, &gone)
	if err := s.open(&gone); !errors.Is(err, privacy.ErrShredded) {
		t.Fatalf("opening after the erasure: %v, want ErrShredded", err)
	}
}
