package record

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

func benchMention() *Mention {
	m := &Mention{Source: "bench", SourceID: "1", Text: strings.Repeat("Great speaker, delivery was slow. ", 28),
		Author: Author{Handle: "user1", Name: "Zofia"}, CreatedAt: time.Now(), FetchedAt: time.Now()}
	_ = m.Normalize()
	return m
}

// The codec's JSON v2 against encoding/json on the decode+encode every
// stage does per record (see codec.go).
func BenchmarkJSONv1RoundTrip(b *testing.B) {
	v, _ := json.Marshal(benchMention())
	for b.Loop() {
		var m Mention
		_ = json.Unmarshal(v, &m)
		_, _ = json.Marshal(&EnrichedMention{Mention: m})
	}
}

func BenchmarkJSONv2RoundTrip(b *testing.B) {
	v, _ := json.Marshal(benchMention())
	for b.Loop() {
		var m Mention
		_ = jsonv2.Unmarshal(v, &m)
		_, _ = jsonv2.Marshal(&EnrichedMention{Mention: m})
	}
}

// benchProspect is a prospect as enrichment keeps one after a dozen posts.
func benchProspect() *Prospect {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := &Prospect{Schema: SchemaVersion, ID: "p-1", Key: "email:ana@example.com", Name: "Ana Kowalska",
		Emails: []string{"ana@example.com"}, Handles: []Handle{{Platform: "mastodon", Handle: "ana@mastodon.social"}},
		Languages: []string{"pl", "en"}, Score: 0.82, ScoreParts: map[string]float64{"intent": 0.6, "form": 0.22},
		Status: ProspectNew, FirstSeen: t0, LastSeen: t0.Add(12 * time.Hour)}
	for i := range 12 {
		p.Evidence = append(p.Evidence, ProspectEvidence{RecordID: "m-" + strings.Repeat("x", i+1), Source: "mastodon", Kind: "post",
			URL: "https://mastodon.social/@ana/1", Text: strings.Repeat("Ile kosztuje wersja dla firm? Chcę kupić. ", 6),
			Intents: []Intent{{Name: "purchase", Score: 0.9}}, At: t0.Add(time.Duration(i) * time.Hour)})
	}
	return p
}

// What a follower of every prospect pays per record: the whole record, or
// only its life (ProspectLife).
func BenchmarkDecodeProspect(b *testing.B) {
	v, err := Encode(benchProspect())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(v)))
		for b.Loop() {
			var p Prospect
			if err := Decode(v, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("life", func(b *testing.B) {
		b.SetBytes(int64(len(v)))
		for b.Loop() {
			var p ProspectLife
			if err := Decode(v, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
