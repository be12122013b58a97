package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/record/schema"
)

func TestRecordIDIsDeterministicAndUnambiguous(t *testing.T) {
	a := RecordID("mastodon", "1234")
	if a != RecordID("mastodon", "1234") || len(a) != 32 {
		t.Fatalf("id %q not stable or not 128-bit hex", a)
	}
	// Length-prefixing keeps "ab"+"c" and "a"+"bc" apart.
	if RecordID("ab", "c") == RecordID("a", "bc") {
		t.Fatal("ids collide across the source/id boundary")
	}
	if RecordID("web", "1") == RecordID("feed", "1") {
		t.Fatal("same native id in two sources must differ")
	}
}

func TestAuthorKeyPrefersStrongestIdentity(t *testing.T) {
	cases := []struct {
		a    Author
		want string
	}{
		{Author{Email: " Ana@Example.PT ", Phone: "+351912345678", Handle: "ana"}, "email:ana@example.pt"},
		{Author{Phone: "+48601234567", Handle: "marek"}, "phone:+48601234567"},
		{Author{Platform: "mastodon", Handle: "@Kasia_W@101010.pl"}, "handle:mastodon:kasia_w@101010.pl"},
		{Author{ProfileURL: "https://forum.example.lv/u/Ilze"}, "url:https://forum.example.lv/u/ilze"},
		{Author{ID: "42"}, "account:web:42"},
		{Author{Name: "王芳"}, "name:web:王芳"},
		{Author{}, "source:web"},
	}
	for _, c := range cases {
		if got := AuthorKey("web", c.a); got != c.want {
			t.Errorf("AuthorKey(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}

func TestEncodeDecodeRoundTripAndVersionCheck(t *testing.T) {
	m := &Mention{Source: "file", SourceID: "pl-1", Text: "Świetny głośnik, polecam!", Lang: "pl",
		Author: Author{Name: "Zofia"}, CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Mention
	if err := Decode(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != m.ID || back.Text != m.Text || back.Schema != SchemaVersion || !back.CreatedAt.Equal(m.CreatedAt) {
		t.Fatalf("round trip changed the record: %+v", back)
	}
	var obj map[string]any
	_ = json.Unmarshal(b, &obj)
	obj["schema"] = SchemaVersion + 1
	future, _ := json.Marshal(obj)
	if err := Decode(future, &back); !errors.Is(err, ErrSchemaVersion) {
		t.Fatalf("a newer schema must be refused, got %v", err)
	}
	for _, bad := range []string{"", "{", `{"text": 5}`, "[]"} {
		if err := Decode([]byte(bad), &back); err == nil || !strings.HasPrefix(err.Error(), "decoding record") {
			t.Errorf("Decode(%q) = %v, want a decoding error", bad, err)
		}
	}
}

func TestNormalizeNamesMissingFields(t *testing.T) {
	for m, want := range map[*Mention]string{
		{SourceID: "1"}: "no source",
		{Source: "web"}: "no source_id",
		{Source: "web", SourceID: "1", Kind: "tweet"}: "unknown kind",
	} {
		if err := m.Normalize(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Normalize(%+v) = %v, want %q", m, err, want)
		}
	}
}

// The committed JSON Schemas under configs/schema/ are the ones the record
// types generate, and an encoded record has every required field.
func TestSchemasAreCurrent(t *testing.T) {
	for file, s := range Schemas() {
		want, err := schema.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "configs", "schema", file))
		if err != nil || string(got) != string(want) {
			t.Errorf("configs/schema/%s is missing or stale: run `go generate ./record`", file)
		}
	}
	m := &Mention{Source: "s", SourceID: "1", Text: "t"}
	_ = m.Normalize()
	b, _ := Encode(m)
	var obj map[string]any
	_ = json.Unmarshal(b, &obj)
	req, _ := Schemas()["mention.schema.json"]["required"].([]string)
	for _, k := range req {
		if _, ok := obj[k]; !ok {
			t.Errorf("mention schema requires %q, which the encoder omits", k)
		}
	}
}

func TestDeadLetterFitKeepsItsEncodingUnderTheLimit(t *testing.T) {
	const limit = 1 << 20
	big := bytes.Repeat([]byte("é\"\\x"), 600<<10) // 3 MiB, escapes included
	d := &DeadLetter{Stage: "connector:backfill", Position: "mentions.jsonl:3", Error: strings.Repeat("ż", 10000), Value: big, Partition: -1, Offset: -1}
	d.Fit(limit)
	v, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > limit {
		t.Fatalf("encoded dead letter is %d bytes, limit %d", len(v), limit)
	}
	if !d.Truncated || d.Size != int64(len(big)) || len(d.Value) < limit/2 || !bytes.HasPrefix(big, d.Value) {
		t.Fatalf("truncated %v size %d kept %d bytes", d.Truncated, d.Size, len(d.Value))
	}
	if !utf8.ValidString(d.Error) || len(d.Error) > 5<<10 {
		t.Fatalf("error kept %d bytes", len(d.Error))
	}
	small := &DeadLetter{Stage: "enrich", Error: "bad", Value: []byte(`{"a":1}`)}
	small.Fit(limit)
	if small.Truncated || small.Size != 0 || string(small.Value) != `{"a":1}` {
		t.Fatalf("a small dead letter was changed: %+v", small)
	}
}

// Every field of ProspectLife is the Prospect field of the same name, with
// the same JSON name and type, so it reads what a prospect record holds.
// The partial records read what the whole ones wrote: each field is the
// whole record's, with its type and JSON name.
func TestPartialRecordsFieldsAreTheWholeRecords(t *testing.T) {
	for _, c := range []struct{ whole, part reflect.Type }{
		{reflect.TypeFor[Prospect](), reflect.TypeFor[ProspectLife]()},
		{reflect.TypeFor[Prospect](), reflect.TypeFor[ProspectReview]()},
		{reflect.TypeFor[Customer](), reflect.TypeFor[CustomerName]()},
	} {
		for i := range c.part.NumField() {
			f := c.part.Field(i)
			g, ok := c.whole.FieldByName(f.Name)
			if !ok || g.Type != f.Type || g.Tag.Get("json") != f.Tag.Get("json") {
				t.Errorf("%s.%s (%s, json %q) is not %s's", c.part.Name(), f.Name, f.Type, f.Tag.Get("json"), c.whole.Name())
			}
		}
	}
}

func TestProspectReviewAndCustomerNameReadTheirRecords(t *testing.T) {
	p := benchProspect()
	p.Candidates = []Candidate{{CustomerID: "c-1", Score: 12.5, Evidence: []FieldEvidence{{Field: "email", Agrees: true, Level: "exact", Weight: 9}}}}
	b, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	var r ProspectReview
	if err := Decode(b, &r); err != nil {
		t.Fatal(err)
	}
	want := ProspectReview{Schema: SchemaVersion, ID: p.ID, Name: p.Name, Emails: p.Emails, Handles: p.Handles, Status: p.Status, LastSeen: p.LastSeen, Candidates: p.Candidates}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("read %+v, want %+v", r, want)
	}
	b, err = Encode(&Customer{ID: "c-1", FirstName: "Zofia", LastName: "Wiśniewska", Emails: []string{"z@example.pl"}})
	if err != nil {
		t.Fatal(err)
	}
	var n CustomerName
	if err := Decode(b, &n); err != nil || n != (CustomerName{Schema: SchemaVersion, ID: "c-1", FirstName: "Zofia", LastName: "Wiśniewska"}) {
		t.Fatalf("read %+v, %v", n, err)
	}
	b[len(`{"schema":`)] = '9' // a newer writer's record is refused, as for the whole record
	if err := Decode(b, &n); err == nil {
		t.Fatal("a customer of schema 9 decoded")
	}
}

func TestProspectLifeReadsAProspectRecord(t *testing.T) {
	p := benchProspect()
	p.Status, p.MergedInto = ProspectMerged, "p-survivor"
	b, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	var l ProspectLife
	if err := Decode(b, &l); err != nil {
		t.Fatal(err)
	}
	want := ProspectLife{Schema: SchemaVersion, ID: p.ID, Status: ProspectMerged, FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, MergedInto: "p-survivor"}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("read %+v, want %+v", l, want)
	}
	b[len(`{"schema":`)] = '9' // a newer writer's record is refused, as for the whole record
	if err := Decode(b, &l); err == nil {
		t.Fatal("a record of schema 9 decoded")
	}
}
