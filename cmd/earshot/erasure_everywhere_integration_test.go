package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
)

const erasureSecret = "test-privacy-secret-0123456789"

// What must be gone after Zofia is forgotten: her e-mail, handle, name (as
// written and folded) and a token that only her texts carry.
var zofiaTraces = []string{"zofia", "wojcik", "wójcik", "xqzzyplum"}

// TestIntegrationErasureReachesEveryCopy: Zofia (a customer with an e-mail
// and a Mastodon handle) writes a post by handle and one by e-mail (file
// connector) and fills a form (a prospect); Marek writes a post. After
// `earshot customers forget`, no topic's records (keys and values, read
// through Kafka and opened with every key that remains), no file under the
// data directories (the broker's segments, the index) and no term or stored
// record of the index holds any trace of Zofia; Marek is still searchable.
func TestIntegrationErasureReachesEveryCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	mentions := filepath.Join(dir, "mentions.jsonl")
	if err := os.WriteFile(mentions, []byte(strings.Join([]string{
		`{"id":"z1","author":{"platform":"mastodon","handle":"@zofia_w@mastodon.example","name":"Zofia Wójcik"},"text":"Mój ekspres xqzzyplumone znowu cieknie, szukam nowego.","created_at":"2026-11-30T10:00:00Z"}`,
		`{"id":"z2","author":{"email":"zofia.wojcik@example.pl","name":"Zofia Wójcik"},"text":"Chcę kupić młynek xqzzyplumtwo, jaka cena z dostawą?","created_at":"2026-11-30T11:00:00Z"}`,
		`{"id":"m1","author":{"platform":"mastodon","handle":"@marek@mastodon.example","name":"Marek Nowak"},"text":"Ekspres marekokay działa świetnie od roku.","created_at":"2026-11-30T12:00:00Z"}`,
	}, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kafkaDir, indexDir := filepath.Join(dir, "kafka"), filepath.Join(dir, "index")
	cfgPath := filepath.Join(dir, "earshot.yaml")
	// No compression, so a scan of the broker's segment files sees the
	// bytes as written.
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %q}
  topics: {partitions: 3}
  producer: {compression: none}
privacy:
  secret: %s
http:
  listen: 127.0.0.1:0
search:
  embedded: {path: %q}
connectors:
  - name: posts
    type: file
    config: {path: %q, source: mastodon}
  - name: forms
    type: forms
    config:
      forms:
        - id: contact
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: name, maps_to: name}
            - {name: message, maps_to: message, required: true}
`, kafkaDir, erasureSecret, indexDir, mentions)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	child, logs := startChild(t, "run", "-c", cfgPath)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = child.Process.Signal(syscall.SIGTERM)
			_ = child.Wait()
		}
	}
	defer stop()
	defer func() {
		if t.Failed() {
			t.Logf("hub log:\n%s", tail(logs.String(), 80))
		}
	}()
	var kafkaAddr, httpAddr string
	waitFor(t, "the banner", 60*time.Second, logs, func() bool {
		km, hm := bannerKafka.FindStringSubmatch(logs.String()), bannerHTTP.FindStringSubmatch(logs.String())
		if km == nil || hm == nil {
			return false
		}
		kafkaAddr, httpAddr = km[1], hm[1]
		return true
	})
	api := "http://" + httpAddr
	client := signIn(t, api, adminPassword(t, logs))
	adminCfg := filepath.Join(dir, "admin.yaml")
	if err := os.WriteFile(adminCfg, []byte(fmt.Sprintf("kafka:\n  brokers: [%s]\n  embedded: {enabled: false}\nprivacy:\n  secret: %s\n", kafkaAddr, erasureSecret)), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("id,first_name,last_name,email,mastodon\nc-9,Zofia,Wójcik,zofia.wojcik@example.pl,@zofia_w@mastodon.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "customers", "import", csv, "-c", adminCfg); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	body := `{"email":"Zofia.Wojcik@example.pl","name":"Zofia Wójcik","message":"Proszę o ofertę na ekspres xqzzyplumthree dla biura."}`
	if r, err := http.Post(api+"/f/contact", "application/json", strings.NewReader(body)); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("form post: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	search := func(q string) int {
		var res struct {
			Total int `json:"total"`
		}
		if !getJSON(client, api+"/api/search?q="+url.QueryEscape(q), &res) {
			return -1
		}
		return res.Total
	}
	for _, q := range []string{"xqzzyplumone", "xqzzyplumtwo", "xqzzyplumthree", "marekokay"} {
		waitFor(t, "the mention with "+q+" in search", 90*time.Second, logs, func() bool { return search(q) == 1 })
	}
	// Right of access: the admin export has her records, posts and form.
	var export struct {
		Customers []struct {
			ID string `json:"id"`
		} `json:"customers"`
		Prospects []json.RawMessage `json:"prospects"`
		Mentions  []struct {
			Text string `json:"text"`
		} `json:"mentions"`
		Forms   []json.RawMessage `json:"forms"`
		Consent []json.RawMessage `json:"consent"`
	}
	exportURL := api + "/api/people/" + url.PathEscape("zofia.wojcik@example.pl") + "/export"
	if !getJSON(client, exportURL, &export) {
		t.Fatal("the export of Zofia failed")
	}
	if len(export.Customers) != 1 || export.Customers[0].ID != "c-9" || len(export.Mentions) != 3 || len(export.Forms) != 1 {
		t.Fatalf("export: %d customers, %d mentions, %d forms; want c-9 with 3 mentions, 1 form", len(export.Customers), len(export.Mentions), len(export.Forms))
	}
	for _, m := range export.Mentions {
		if !strings.Contains(m.Text, "xqzzyplum") {
			t.Fatalf("the export holds someone else's mention: %q", m.Text)
		}
	}
	// Before the erasure the scan does find her: it is a real test.
	if found := scanTopics(t, kafkaAddr); len(found) == 0 {
		t.Fatal("the topic scan found no trace of Zofia before the erasure")
	}

	code, out, errOut := runCLI(t, "customers", "forget", "zofia.wojcik@example.pl", "-c", adminCfg)
	if code != 0 {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "data keys") || strings.Contains(out, " 0 data keys") {
		t.Fatalf("forget deleted no data keys:\n%s", out)
	}
	for _, q := range []string{"xqzzyplumone", "xqzzyplumtwo", "xqzzyplumthree", "zofia", "customer:c-9"} {
		waitFor(t, q+" to leave the search", 90*time.Second, logs, func() bool { return search(q) == 0 })
	}
	if r, err := client.Get(exportURL); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("export after the erasure: %v %v; want 404", r, err)
	} else {
		r.Body.Close()
	}
	if n := search("marekokay"); n != 1 {
		t.Fatalf("Marek's mention: %d hits after Zofia's erasure; want 1", n)
	}
	// The embedded broker compacts a moment after the keys' tombstones.
	var found []string
	deadline := time.Now().Add(60 * time.Second)
	for found = scanTopics(t, kafkaAddr); len(found) > 0 && time.Now().Before(deadline); found = scanTopics(t, kafkaAddr) {
		time.Sleep(time.Second)
	}
	if len(found) > 0 {
		t.Fatalf("topics still hold traces of Zofia:\n%s", strings.Join(found, "\n"))
	}
	var audit []string
	readTopic(t, kafkaAddr, "earshot.erasure-audit", func(m pipeline.Message) { audit = append(audit, string(m.Value)) })
	if len(audit) != 1 || !strings.Contains(audit[0], `"customer_ids":["c-9"]`) || !strings.Contains(audit[0], `"by":"cli:`) {
		t.Fatalf("erasure audit: %q", audit)
	}

	stop()
	if leaks := scanFiles(t, dir, mentions, csv); len(leaks) > 0 {
		t.Fatalf("files still hold traces of Zofia:\n%s", strings.Join(leaks, "\n"))
	}
	if leaks := scanIndex(t, indexDir); len(leaks) > 0 {
		t.Fatalf("the index still holds traces of Zofia:\n%s", strings.Join(leaks, "\n"))
	}
	if !strings.Contains(strings.Join(indexTerms(t, indexDir), " "), "marekokay") {
		t.Fatal("Marek's text is gone from the index too: the term scan sees nothing")
	}
}

// readTopic reads a topic from its beginning to its current end.
func readTopic(t *testing.T, addr, topic string, f func(pipeline.Message)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k := pipeline.NewKafka(pipeline.DefaultConfig(), []string{addr}, nil, nil)
	defer k.Close()
	var mu sync.Mutex
	tb, err := k.FollowTable(ctx, topic, func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		f(m)
	})
	if err != nil {
		t.Fatalf("reading %s: %v", topic, err)
	}
	if err := tb.WaitCaughtUp(ctx); err != nil {
		t.Fatalf("reading %s: %v", topic, err)
	}
	cancel()
	mu.Lock() // the followers may still be stopping
	defer mu.Unlock()
}

// scanTopics reads every topic's records as stored (no sealing) and
// reports the traces of Zofia in their keys and values, plain or opened
// with any key left in the keys topic.
func scanTopics(t *testing.T, addr string) []string {
	t.Helper()
	kr, err := privacy.NewKeyring(erasureSecret)
	if err != nil {
		t.Fatal(err)
	}
	prefix := pipeline.DefaultConfig().TopicNames()
	// Every key still stored counts, its tombstone notwithstanding: only a
	// key physically gone is gone.
	readTopic(t, addr, prefix.Keys(), func(m pipeline.Message) {
		if m.Value == nil {
			return
		}
		if err := kr.Apply(m.Key, m.Value); err != nil {
			t.Errorf("keys topic: %v", err)
		}
	})
	var found []string
	check := func(where string, b []byte) {
		if privacy.IsSealed(b) {
			pt, _, err := kr.Open(b)
			if errors.Is(err, privacy.ErrShredded) {
				return
			}
			if err != nil {
				found = append(found, where+": unreadable sealed value: "+err.Error())
				return
			}
			b = pt
		}
		low := bytes.ToLower(b)
		for _, tr := range zofiaTraces {
			if bytes.Contains(low, []byte(tr)) {
				found = append(found, fmt.Sprintf("%s: %q", where, tr))
			}
		}
	}
	for _, role := range pipeline.Roles {
		topic := prefix.Name(role)
		readTopic(t, addr, topic, func(m pipeline.Message) {
			where := fmt.Sprintf("%s/%d/%d", topic, m.Partition, m.Offset)
			check(where+" key", m.Key)
			check(where+" value", m.Value)
		})
	}
	return found
}

// scanFiles looks for Zofia's traces in the raw bytes of every file under
// dir (the broker's segments and state, the index, the secret) but the
// test's own inputs.
func scanFiles(t *testing.T, dir string, inputs ...string) []string {
	t.Helper()
	skip := map[string]bool{}
	for _, p := range inputs {
		skip[p] = true
	}
	var leaks []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || skip[path] || strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		low := bytes.ToLower(b)
		for _, tr := range zofiaTraces {
			if bytes.Contains(low, []byte(tr)) {
				leaks = append(leaks, fmt.Sprintf("%s: %q", path, tr))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

// indexTerms lists every term of every field of the embedded index's
// segments, deleted documents' terms included (they stay until a merge).
func indexTerms(t *testing.T, indexDir string) []string {
	t.Helper()
	var terms []string
	for _, name := range []string{"mentions.bleve", "profiles.bleve"} {
		idx, err := bleve.Open(filepath.Join(indexDir, name))
		if err != nil {
			t.Fatalf("opening %s: %v", name, err)
		}
		fields, err := idx.Fields()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			d, err := idx.FieldDict(f)
			if err != nil {
				t.Fatal(err)
			}
			for {
				e, err := d.Next()
				if err != nil {
					t.Fatal(err)
				}
				if e == nil {
					break
				}
				terms = append(terms, name+" "+f+":"+e.Term)
			}
			d.Close()
		}
		idx.Close()
	}
	return terms
}

// scanIndex reports index terms carrying a trace of Zofia.
func scanIndex(t *testing.T, indexDir string) []string {
	t.Helper()
	var leaks []string
	for _, term := range indexTerms(t, indexDir) {
		for _, tr := range zofiaTraces {
			if strings.Contains(strings.ToLower(term), tr) {
				leaks = append(leaks, term)
			}
		}
	}
	return leaks
}
