package bleve

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Profiles stored before their reader moved to the record codec's decoder
// were written by encoding/json, and still are: every field of a profile,
// with its customer or prospect, reads back as encoding/json reads it.
func TestStoredProfilesReadAsEncodingJSONReadsThem(t *testing.T) {
	for _, kind := range []string{"customer", "prospect"} {
		p := &index.Profile{}
		fillAll(reflect.ValueOf(p).Elem(), 0)
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
		if want.MentionCount != 7 || len(want.Aspects) != 1 || want.LastSeen == nil || (want.Customer == nil) == (want.Prospect == nil) {
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

// fillAll sets every exported field reachable from v to a value that is not
// its zero (one element in each slice and map), so a field a decoder
// drops or misreads shows.
func fillAll(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 9, 30, 15, 123456789, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("ża\u00f3 <x> " + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.625)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), depth+1)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillAll(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k, depth+1)
		fillAll(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), depth+1)
			}
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
