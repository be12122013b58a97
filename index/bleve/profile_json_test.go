package bleve

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/testfill"
	"github.com/earshothq/earshot/record"
)

// Profiles stored before their reader moved to the record codec's decoder
// were written by encoding/json, and still are: every field of a profile,
// with its customer or prospect, reads back as encoding/json reads it.
func TestStoredProfilesReadAsEncodingJSONReadsThem(t *testing.T) {
	for _, kind := range []string{"customer", "prospect"} {
		p := &index.Profile{}
		testfill.Every(p)
		if kind == "customer" {
			p.Prospect = nil
		} else {
			p.Customer = nil
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var want, got index.Profile
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if want.MentionCount == 0 || len(want.Aspects) != 2 || want.LastSeen == nil || (want.Customer == nil) == (want.Prospect == nil) {
			t.Fatalf("the filler left fields empty: %s", raw)
		}
		if err := record.DecodeJSON(raw, &got); err != nil {
			t.Fatalf("%s profile: %v", kind, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s profile reads\n%+v\nwant\n%+v", kind, got, want)
		}
	}
}

// The stage reads back the stored profile of everyone a batch touches:
// encoding/json against the record codec's decoder on a prospect's
// profile with ten pieces of evidence.
func BenchmarkDecodeStoredProfile(b *testing.B) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pr := &record.Prospect{Schema: record.SchemaVersion, ID: "p-1", Key: "email:ana@example.com", Name: "Ana Kowalska",
		Emails: []string{"ana@example.com"}, Handles: []record.Handle{{Platform: "mastodon", Handle: "ana@mastodon.social"}},
		Languages: []string{"pl", "en"}, Score: 0.82, ScoreParts: map[string]float64{"intent": 0.6, "form": 0.22},
		Status: record.ProspectNew, FirstSeen: t0, LastSeen: t0.Add(12 * time.Hour)}
	for i := range 10 {
		pr.Evidence = append(pr.Evidence, record.ProspectEvidence{RecordID: fmt.Sprintf("m-%d", i), Source: "mastodon", Kind: "post",
			URL: "https://mastodon.social/@ana/1", Text: strings.Repeat("Ile kosztuje wersja dla firm? Chcę kupić. ", 6),
			Intents: []record.Intent{{Name: "purchase", Score: 0.9}}, At: t0.Add(time.Duration(i) * time.Hour)})
	}
	p := index.ProspectProfile(pr)
	p.Stats = index.Stats{MentionCount: 12, Brands: []string{"acme"}, Aspects: []index.AspectCount{{Name: "price", Positive: 2}}}
	raw, err := json.Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var p index.Profile
			if err := json.Unmarshal(raw, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec", func(b *testing.B) {
		for b.Loop() {
			var p index.Profile
			if err := record.DecodeJSON(raw, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
