package enrich_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// buyingAnalyzer finds buying intent in texts that say "buy".
type buyingAnalyzer struct{}

func (buyingAnalyzer) Analyze(m *record.Mention) record.Analysis {
	a := record.Analysis{Language: &record.Language{Code: "en", Confidence: 1, Method: "source"}}
	if strings.Contains(m.Text, "buy") {
		a.Intents = []record.Intent{{Name: "buying", Score: 0.9}}
	}
	return a
}

func newStage(t *testing.T) *enrich.Stage {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	r, err := identity.New(identity.DefaultConfig(), nil, identity.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	return &enrich.Stage{Analyzer: buyingAnalyzer{}, Resolver: r, Topics: pipeline.Topics{Prefix: "t."}, Now: now}
}

// raw is a stream with prospects growing over many records, a form, a
// record joining two prospects (a merge), a replayed record, a deletion
// and a record that does not decode.
func raw(t *testing.T) []pipeline.Message {
	t.Helper()
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var msgs []pipeline.Message
	add := func(m *record.Mention) {
		if err := m.Normalize(); err != nil {
			t.Fatal(err)
		}
		v, err := record.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, pipeline.Message{Topic: "t.raw", Offset: int64(len(msgs)), Key: []byte(m.AuthorKey()), Value: v})
	}
	for i := range 40 {
		text := "nice coffee"
		if i%7 == 0 {
			text = "I want to buy the Brewly One"
		}
		add(&record.Mention{Source: "mastodon", SourceID: fmt.Sprint("p", i), Text: text, CreatedAt: start.Add(time.Duration(i) * time.Hour),
			Author: record.Author{Platform: "mastodon", Handle: fmt.Sprintf("@u%d@x.social", i%3), Followers: i}})
	}
	add(&record.Mention{Source: "forms", SourceID: "f1", Kind: record.KindFormSubmission, Text: "Please call me",
		CreatedAt: start.Add(50 * time.Hour), Author: record.Author{Email: "ola@example.pl", Name: "Ola Nowak"}})
	// u1's handle with Ola's email: the two prospects are one person.
	add(&record.Mention{Source: "mastodon", SourceID: "merge", Text: "buy buy", CreatedAt: start.Add(51 * time.Hour),
		Author: record.Author{Platform: "mastodon", Handle: "@u1@x.social", Email: "ola@example.pl"}})
	msgs = append(msgs, msgs[5]) // at-least-once: delivered twice
	add(&record.Mention{Source: "mastodon", SourceID: "p3", Deletion: &record.Deletion{At: start.Add(52 * time.Hour)},
		Author: record.Author{Platform: "mastodon", Handle: "@u0@x.social"}})
	msgs = append(msgs, pipeline.Message{Topic: "t.raw", Key: []byte("x"), Value: []byte(`{"schema":1,"text":`)})
	for i := range 10 {
		add(&record.Mention{Source: "mastodon", SourceID: fmt.Sprint("q", i), Text: "buy more", CreatedAt: start.Add(time.Duration(60+i) * time.Hour),
			Author: record.Author{Platform: "mastodon", Handle: fmt.Sprintf("@u%d@x.social", i%3)}})
	}
	return msgs
}

// write takes a record's value as the stage writes it.
func write(t *testing.T, o pipeline.Output) ([]byte, bool) {
	t.Helper()
	if o.Current != nil {
		return o.Current()
	}
	return o.Value, true
}

// Prospect records written when they are made (one per record of the
// person) and held back to the end (the last per prospect, in the state
// it has then) leave the same prospects; the mentions are the same.
func TestHeldProspectsEndInTheSameState(t *testing.T) {
	msgs := raw(t)
	process := func(held bool) (mentions [][]byte, last map[string][]byte, written int) {
		s := newStage(t)
		last = map[string][]byte{}
		pending := map[string]pipeline.Output{}
		for _, m := range msgs {
			outs, err := s.Process(context.Background(), m)
			if err != nil {
				if !pipeline.IsPermanent(err) {
					t.Fatalf("%v is not permanent", err)
				}
				continue
			}
			for _, o := range outs {
				switch {
				case o.Topic != "t.prospects":
					v, _ := write(t, o)
					mentions = append(mentions, v)
				case held:
					pending[string(o.Key)] = o
				default:
					if v, ok := write(t, o); ok {
						last[string(o.Key)] = v
						written++
					}
				}
			}
		}
		for id, o := range pending {
			if v, ok := write(t, o); ok {
				last[id] = v
				written++
			}
		}
		return mentions, last, written
	}
	ma, fa, na := process(false)
	mb, fb, nb := process(true)
	if len(ma) != len(msgs)-1 || len(mb) != len(ma) {
		t.Fatalf("mention records: %d and %d, want %d", len(ma), len(mb), len(msgs)-1)
	}
	for i := range ma {
		if !bytes.Equal(ma[i], mb[i]) {
			t.Fatalf("mention record %d differs:\n%s\n%s", i, ma[i], mb[i])
		}
	}
	merged := 0
	for id, va := range fa {
		var p, q record.Prospect
		if err := record.Decode(va, &p); err != nil {
			t.Fatal(err)
		}
		if err := record.Decode(fb[id], &q); err != nil {
			t.Fatalf("prospect %s held back: %v", id, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("prospect %s ends differently:\nwritten at once %s\nheld back       %s", id, va, fb[id])
		}
		if p.Status == record.ProspectMerged {
			merged++
		}
	}
	if len(fa) < 4 || len(fb) != len(fa) || merged != 1 {
		t.Fatalf("prospects: %d written at once, %d held back, %d merged; want the three authors, Ola and the merge", len(fa), len(fb), merged)
	}
	if nb != len(fb) || na < 3*nb {
		t.Fatalf("prospect records: %d written at once, %d held back", na, nb)
	}
}

// A prospect's held record is written in the state the resolver holds
// when it is written: a conversion applied meanwhile is kept, an erasure
// is not undone, and a prospect merged into another meanwhile leaves its
// redirect to the record that merged it.
func TestHeldProspectIsWrittenAsItIsThen(t *testing.T) {
	s := newStage(t)
	r := s.Resolver.(*identity.Resolver)
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	process := func(m *record.Mention) []pipeline.Output {
		t.Helper()
		_ = m.Normalize()
		v, _ := record.Encode(m)
		outs, err := s.Process(context.Background(), pipeline.Message{Key: []byte(m.AuthorKey()), Value: v})
		if err != nil {
			t.Fatal(err)
		}
		return outs
	}
	form := func(id, email string, fields map[string]string) pipeline.Output {
		t.Helper()
		at = at.Add(time.Hour)
		outs := process(&record.Mention{Source: "forms", SourceID: id, Kind: record.KindFormSubmission, Text: "call me",
			CreatedAt: at, Author: record.Author{Email: email}, Fields: fields})
		if len(outs) == 0 || outs[0].Topic != "t.prospects" {
			t.Fatalf("form %s wrote no prospect: %v", id, outs)
		}
		return outs[0]
	}
	decode := func(o pipeline.Output) (*record.Prospect, bool) {
		v, ok := write(t, o)
		if !ok {
			return nil, false
		}
		var p record.Prospect
		if err := record.Decode(v, &p); err != nil {
			t.Fatal(err)
		}
		return &p, true
	}

	converted := form("1", "jan@example.pl", nil)
	customer := &record.Customer{ID: "C1", Emails: []string{"jan@example.pl"}, UpdatedAt: at}
	r.ApplyCustomer("C1", customer)
	if len(r.Convert(customer)) != 1 {
		t.Fatal("the customer converted no prospect")
	}
	if p, ok := decode(converted); !ok || p.Status != record.ProspectConverted || p.CustomerID != "C1" {
		t.Fatalf("held record of a converted prospect written as %+v (%v)", p, ok)
	}

	erased := form("2", "ola@example.pl", nil)
	r.ApplyProspect(string(erased.Key), nil)
	if p, ok := decode(erased); ok {
		t.Fatalf("held record of an erased prospect written: %+v", p)
	}

	// Ada's form comes first: hers survives the merge with both histories
	// (three records), Eva's is redirected.
	first := form("3", "ada@example.pl", nil)
	second := form("4", "eva@example.pl", nil)
	at = at.Add(time.Hour)
	merge := process(&record.Mention{Source: "forms", SourceID: "5", Kind: record.KindFormSubmission, Text: "call me",
		CreatedAt: at, Author: record.Author{Email: "ada@example.pl"}, Fields: map[string]string{"email": "eva@example.pl"}})
	if len(merge) != 3 || string(merge[0].Key) != string(first.Key) || string(merge[1].Key) != string(second.Key) {
		t.Fatalf("the merging record wrote %v, want Ada's prospect, Eva's redirect and the mention", merge)
	}
	if p, ok := decode(second); ok {
		t.Fatalf("held record of a prospect merged since written as %+v", p)
	}
	if p, ok := decode(merge[1]); !ok || p.Status != record.ProspectMerged || p.MergedInto != string(first.Key) {
		t.Fatalf("the merging record's redirect: %+v (%v)", p, ok)
	}
	if p, ok := decode(first); !ok || len(p.Evidence) != 3 || len(p.Emails) != 2 || p.Status != record.ProspectNew {
		t.Fatalf("held record of the survivor: %+v (%v)", p, ok)
	}
}
