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
