package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

func newConnector(t *testing.T, cfgYAML string, store connectors.CheckpointStore) *Connector {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(cfgYAML), &node); err != nil {
		t.Fatal(err)
	}
	c, err := New(node.Content[0], connectors.Deps{Name: "t", Checkpoints: store})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c.(*Connector)
}

// readAll reads until end of input, acking records with ackErr, and returns
// the records and the rejected positions.
func readAll(t *testing.T, c *Connector, limit int) ([]*record.Mention, []string) {
	t.Helper()
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	var got []*record.Mention
	var rejected []string
	for limit < 0 || len(got)+len(rejected) < limit {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		switch {
		case errors.Is(err, connectors.ErrEndOfInput):
			return got, rejected
		case errors.As(err, &rej):
			rejected = append(rejected, rej.Position+" "+rej.Err.Error())
			_ = rej.Ack(ctx, nil)
			continue
		case err != nil:
			t.Fatal(err)
		}
		if err := m.Normalize(); err != nil {
			t.Fatalf("record does not normalize: %v", err)
		}
		got = append(got, m)
		_ = ack(ctx, nil)
	}
	return got, rejected
}

func TestJSONLMapsRecordsAndRejectsBadLines(t *testing.T) {
	c := newConnector(t, "path: testdata/mixed.jsonl\nchannel: demo", nil)
	got, rejected := readAll(t, c, -1)
	if len(got) != 4 {
		t.Fatalf("want 4 records, got %d (rejected %v)", len(got), rejected)
	}
	if len(rejected) != 2 || !strings.HasPrefix(rejected[0], "mixed.jsonl:4 malformed JSON") ||
		!strings.HasPrefix(rejected[1], "mixed.jsonl:6 field \"kind\"") {
		t.Fatalf("rejections should name file:line and reason, got %q", rejected)
	}
	pl := got[1]
	if pl.Author.Name != "Zofia Kowalska" || pl.Lang != "pl" || pl.SourceID != "a2" || pl.Channel != "demo" {
		t.Fatalf("Polish record mapped wrongly: %+v", pl)
	}
	if pl.ID != record.RecordID("file", "a2") {
		t.Fatalf("id is not derived from source and source id")
	}
	pt := got[2]
	if pt.Kind != record.KindReview || pt.Rating == nil || pt.Rating.Value != 5 || pt.CreatedAt.Format("2006-01-02") != "2026-10-03" {
		t.Fatalf("review mapped wrongly: %+v", pt)
	}
	zh := got[3]
	if zh.CreatedAt.UTC().Hour() != 0 || zh.Fields["store"] != "tmall" {
		t.Fatalf("Chinese record: time zone or free-form fields lost: %+v", zh)
	}
}

func TestCSVWithMappingAndRowErrors(t *testing.T) {
	cfg := `path: testdata/leads.csv
kind: form_submission
id_field: lead_id
time_layout: "2006-01-02"
mapping:
  author.name: full_name
  author.email: email
  text: message
  created_at: submitted
  campaign.utm_source: utm
`
	got, rejected := readAll(t, newConnector(t, cfg, nil), -1)
	if len(got) != 3 || len(rejected) != 2 {
		t.Fatalf("want 3 records and 2 rejections, got %d and %v", len(got), rejected)
	}
	if got[0].Text != "Vēlos uzzināt cenu\nuzņēmumam" || got[0].Author.Email != "ilze@example.lv" || got[0].Campaign.Source != "newsletter" {
		t.Fatalf("multi-line Latvian CSV cell mapped wrongly: %+v", got[0])
	}
	if !strings.Contains(rejected[0], "leads.csv:5 row has 3 fields, the header has 6") {
		t.Fatalf("field-count error should name the line: %q", rejected[0])
	}
	if !strings.Contains(rejected[1], `leads.csv:6 field "submitted"`) {
		t.Fatalf("date error should name the line and field: %q", rejected[1])
	}
	if got[2].Campaign != nil {
		t.Fatalf("empty UTM should leave no campaign: %+v", got[2].Campaign)
	}
}

func TestResumesAfterLastAckedRowWithoutGapOrDuplicate(t *testing.T) {
	for _, tc := range []struct{ name, file, cfg string }{
		{"jsonl", "testdata/mixed.jsonl", ""},
		{"csv", "testdata/leads.csv", "id_field: lead_id\nmapping: {text: message}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := connectors.NewMemoryCheckpoints()
			cfg := "path: " + tc.file + "\n" + tc.cfg
			all, rejAll := readAll(t, newConnector(t, cfg, connectors.NewMemoryCheckpoints()), -1)

			first := newConnector(t, cfg, store)
			part1, rej1 := readAll(t, first, 3)
			if err := first.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			second := newConnector(t, cfg, store)
			part2, rej2 := readAll(t, second, -1)
			ids := map[string]int{}
			for _, m := range append(part1, part2...) {
				ids[m.ID]++
			}
			for _, m := range all {
				if ids[m.ID] != 1 {
					t.Fatalf("record %s seen %d times across the restart", m.SourceID, ids[m.ID])
				}
			}
			if len(ids) != len(all) || len(rej1)+len(rej2) != len(rejAll) {
				t.Fatalf("restart changed the output: %d ids vs %d, %d rejections vs %d", len(ids), len(all), len(rej1)+len(rej2), len(rejAll))
			}
		})
	}
}

func TestUnackedRowsAreReadAgain(t *testing.T) {
	store := connectors.NewMemoryCheckpoints()
	c := newConnector(t, "path: testdata/mixed.jsonl", store)
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	m1, ack1, _ := c.Read(ctx)
	_, ack2, _ := c.Read(ctx) // line 3
	_ = ack2(ctx, nil)        // acked out of order: the prefix is still empty
	_ = ack1(ctx, errors.New("broker down"))
	c.Close(ctx)
	again, _ := readAll(t, newConnector(t, "path: testdata/mixed.jsonl", store), 1)
	if again[0].SourceID != m1.SourceID {
		t.Fatalf("a record whose delivery failed must be read again; got %s", again[0].SourceID)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for cfg, want := range map[string]string{
		"path: x.jsonl\nformat: xml":           "format",
		"path: x.jsonl\nmapping: {txet: body}": "mapping.txet",
		"path: x.jsonl\npaht: y":               "unknown key",
		"format: jsonl":                        "path: required",
		"path: x.txt":                          "cannot tell the format",
		"path: x.csv\ncsv: {delimiter: ';;'}":  "csv.delimiter",
	} {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(cfg), &node); err != nil {
			t.Fatal(err)
		}
		_, err := New(node.Content[0], connectors.Deps{Name: "t"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: want error containing %q, got %v", cfg, want, err)
		}
	}
}

func TestOverlongLineIsRejectedNotFatal(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.jsonl")
	long := `{"id":"x","text":"` + strings.Repeat("a", 5000) + `"}`
	if err := os.WriteFile(p, []byte(long+"\n"+`{"id":"y","text":"ok"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, rejected := readAll(t, newConnector(t, "path: "+p+"\nmax_line_bytes: 1024", nil), -1)
	if len(got) != 1 || got[0].SourceID != "y" || len(rejected) != 1 || !strings.Contains(rejected[0], "max_line_bytes") {
		t.Fatalf("got %d records, rejections %v", len(got), rejected)
	}
}
