package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationCustomersImportAndForget imports a file with a bad row,
// then forgets a customer, against a cluster.
func TestIntegrationCustomersImportAndForget(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	cfg := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\n",
		strings.Join(c.Brokers, ","), c.Config.TopicPrefix))
	file := filepath.Join(t.TempDir(), "crm.csv")
	body := "Kod klienta;Imię;Nazwisko;E-mail;Telefon;Miasto;Data urodzenia\n" +
		"C1;Jan;Kowalski;jan.kowalski@gmail.com;601 234 567;Warszawa;07.03.1985\n" +
		"C2;Anna;Nowak;anna@@example.pl;;Kraków;\n" +
		"C3;Jānis;Bērziņš;janis@inbox.lv;+371 26 123 456;Rīga;1979-06-01\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, "customers", "import", file, "-c", cfg, "--dry-run")
	if code != 1 || !strings.Contains(out, "validated (dry run, nothing written) 2 customers") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "customers", "import", file, "-c", cfg)
	if code != 1 || !strings.Contains(out, "imported 2 customers from "+file+": 3 rows, 1 bad") ||
		!strings.Contains(errOut, file+":3: email \"anna@@example.pl\"") || !strings.Contains(errOut, "1 bad row was not imported") {
		t.Fatalf("import: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	got := map[string]record.Customer{}
	for _, m := range c.ReadN(t, topics.Customers(), 2, 10*time.Second) {
		var cu record.Customer
		if err := record.Decode(m.Value, &cu); err != nil {
			t.Fatal(err)
		}
		got[string(m.Key)] = cu
	}
	if got["C1"].LastName != "Kowalski" || got["C3"].Address.City != "Rīga" || len(got) != 2 {
		t.Fatalf("customers topic: %+v", got)
	}

	code, out, errOut = runCLI(t, "customers", "forget", "JanKowalski+x@googlemail.com", "-c", cfg)
	if code != 0 || !strings.Contains(out, "customers: C1") || !strings.Contains(out, "tombstones written: 1 customers") {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	var erasure record.Erasure
	if err := record.Decode(c.ReadN(t, topics.Erasures(), 1, 10*time.Second)[0].Value, &erasure); err != nil || erasure.CustomerID != "C1" {
		t.Fatalf("erasure %+v %v", erasure, err)
	}
	tomb := false
	c.ReadUntil(t, topics.Customers(), 10*time.Second, func(m pipeline.Message) bool {
		tomb = tomb || string(m.Key) == "C1" && m.Value == nil
		return !tomb
	})
	if !tomb {
		t.Fatal("no tombstone for C1 in the customers topic")
	}
	if code, _, errOut := runCLI(t, "customers", "forget", "C404", "-c", cfg); code == 0 || !strings.Contains(errOut, `"C404"`) {
		t.Fatalf("unknown id: exit %d %s", code, errOut)
	}
}

func TestMatchCommand(t *testing.T) {
	dir := t.TempDir()
	customers := filepath.Join(dir, "customers.csv")
	leads := filepath.Join(dir, "leads.csv")
	os.WriteFile(customers, []byte("id,first_name,last_name,email,city,postal_code,date_of_birth\n"+
		"C1,Jan,Kowalski,jan@example.pl,Warszawa,00-950,1985-03-07\n"+
		"C2,Katarzyna,Nowak,,Gdańsk,80-001,1992-02-14\n"+
		"C3,伟,王,wangwei@163.com,上海,200001,1988-08-08\n"), 0o600)
	os.WriteFile(leads, []byte("Contact,Mail,Town,Born\n"+
		"Jan Kowlaski,,Warszawa,07.03.1985\n"+
		"Kasia Nowak,,Gdansk,14.02.1992\n"+
		"Wang Wei,,Shanghai,08.08.1988\n"+
		"Someone Else,someone@example.com,Poznań,01.01.1970\n"), 0o600)
	out := filepath.Join(dir, "decisions.jsonl")
	code, _, errOut := runCLI(t, "match", "--customers", customers, "--input", leads, "--out", out, "--weights", "fixed",
		"--input-map", "name=Contact", "--input-map", "email=Mail", "--input-map", "city=Town", "--input-map", "date_of_birth=Born",
		"-c", filepath.Join(dir, "no-config.yaml"))
	if code == 0 || !strings.Contains(errOut, "no-config.yaml") {
		t.Fatalf("an explicit missing config must fail naming it: %d %q", code, errOut)
	}
	code, stdout, errOut := runCLI(t, "match", "--customers", customers, "--input", leads, "--out", out, "--weights", "fixed",
		"--input-map", "name=Contact", "--input-map", "email=Mail", "--input-map", "city=Town", "--input-map", "date_of_birth=Born")
	if code != 0 || stdout != "" || !strings.Contains(errOut, "3 customers indexed") || !strings.Contains(errOut, "4 rows of") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, errOut)
	}
	// The column mapping and the phone region used are shown.
	for _, want := range []string{"Contact → name", "Mail → email", "Born → date_of_birth", "postal_code → postal_code", "read as PL (default_phone_region)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("match output lacks %q:\n%s", want, errOut)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ decision, customer string }{{"match", "C1"}, {"match", "C2"}, {"match", "C3"}, {"none", ""}}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d decisions:\n%s", len(lines), data)
	}
	for i, line := range lines {
		var row struct {
			Line       int    `json:"line"`
			Decision   string `json:"decision"`
			CustomerID string `json:"customer_id"`
			Evidence   []struct {
				Field string `json:"field"`
			} `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatal(err)
		}
		if row.Line != i+2 || row.Decision != want[i].decision || row.CustomerID != want[i].customer || row.Decision == "match" && len(row.Evidence) < 2 {
			t.Errorf("row %d: %s", i, line)
		}
	}
	if code, _, errOut := runCLI(t, "match", "--customers", customers); code != 2 || !strings.Contains(errOut, "--input") {
		t.Fatalf("missing --input: exit %d %s", code, errOut)
	}
}

// `customers forget` looks the person's e-mail up in an index it can open
// under every spelling the provider allows, and erases the posts under
// another spelling too; with a hub holding the index it says it could not.
func TestIntegrationForgetLooksUpOtherSpellings(t *testing.T) {
	c := pipelinetest.New(t)
	dir := filepath.Join(t.TempDir(), "index")
	cfg := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\nsearch:\n  embedded: {path: %q}\n",
		strings.Join(c.Brokers, ","), c.Config.TopicPrefix, dir))
	v, _ := record.Encode(&record.Customer{Schema: record.SchemaVersion, ID: "C-ola", FirstName: "Ola", Emails: []string{"Ola.Nowak@gmail.com"}})
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Customers(), Key: []byte("C-ola"), Value: v})
	idx, err := bleve.Open(bleve.Config{Path: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	m := &record.EnrichedMention{Mention: record.Mention{ID: "m1", Source: "reviews", SourceID: "1", Kind: record.KindMention,
		Author: record.Author{Email: "O.L.A.Nowak+shop@GoogleMail.com"}, Text: "kawa", CreatedAt: at, FetchedAt: at}}
	for _, err := range idx.UpsertMentions(context.Background(), []*record.EnrichedMention{m}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Held by "a hub": said, and the erasure goes on without them.
	code, out, errOut := runCLI(t, "customers", "forget", "ola.nowak@gmail.com", "--dry-run", "-c", cfg)
	if code != 0 || !strings.Contains(out, "note: the embedded index is in use by a running hub") || strings.Contains(out, "googlemail") {
		t.Fatalf("forget while the index is held: exit %d\n%s%s", code, out, errOut)
	}
	idx.Close()
	code, out, errOut = runCLI(t, "customers", "forget", "ola.nowak@gmail.com", "-c", cfg)
	if code != 0 || !strings.Contains(out, "emails: ola.nowak@gmail.com, o.l.a.nowak+shop@googlemail.com") {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	var erasure record.Erasure
	if err := record.Decode(c.ReadN(t, c.Kafka.Topics().Erasures(), 1, 10*time.Second)[0].Value, &erasure); err != nil ||
		!slices.Contains(erasure.Emails, "o.l.a.nowak+shop@googlemail.com") {
		t.Fatalf("erasure %+v %v", erasure, err)
	}
}
