package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/earshothq/earshot/internal/testlog"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
)

const erasureSecret = "test-privacy-secret-0123456789"

// What must be gone after Zofia is forgotten: her e-mail, handle, name (as
// written and folded) and a token that only her texts carry.
var zofiaTraces = []string{"zofia", "wojcik", "wójcik", "xqzzyplum"}

// TestIntegrationErasureReachesEveryCopy: Zofia writes a post by e-mail
// (file connector; she becomes a prospect, handed off to a CRM webhook),
// is then imported as a customer with that e-mail and a Mastodon handle,
// writes a post by handle, fills a contact form and a newsletter form with
// double opt-in (its pending copy waits in the checkpoints topic), and a
// marketer corrects her mention; Marek writes a post, also corrected.
// After `earshot customers forget`, no topic's records (keys and values,
// read through Kafka and opened with every key that remains), no file
// under the data directories (the broker's segments, the index) and no
// term or stored record of the index holds any trace of Zofia; her opt-in
// link answers that the request no longer exists; Marek is still
// searchable and his correction still listed.
//
// On the embedded broker, or on real Kafka when EARSHOT_TEST_KAFKA is
// set: then the test's topics get aggressive compaction and the
// broker's segment files are scanned as well, in the log directory
// EARSHOT_TEST_KAFKA_DATA names (make test-integration sets it; without
// it the test fails rather than prove less).
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
	mail, smtpPort := startTestSMTP(t)
	var handoffs testlog.Buffer
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = handoffs.Write(append(b, '\n'))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	t.Setenv("TEST_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

	real := newErasureKafka(t)
	kafkaDir, indexDir := filepath.Join(dir, "kafka"), filepath.Join(dir, "index")
	kafkaCfg := fmt.Sprintf("  embedded: {enabled: true, port: 0, data_dir: %q}\n  topics: {partitions: 3}\n", kafkaDir)
	if real != nil {
		kafkaCfg = real.config()
	}
	cfgPath := filepath.Join(dir, "earshot.yaml")
	// No compression, so a scan of the broker's segment files sees the
	// bytes as written.
	cfg := fmt.Sprintf(`kafka:
%s  producer: {compression: none}
privacy:
  secret: %s
http:
  listen: 127.0.0.1:0
search:
  embedded: {path: %q}
alerts:
  channels:
    crm: {type: webhook, url: %q, secret: "${TEST_WEBHOOK_SECRET}"}
  handoff: [crm]
connectors:
  - name: posts
    type: file
    config: {path: %q, source: mastodon, follow: true, poll_interval: 200ms}
  - name: forms
    type: forms
    config:
      double_opt_in:
        secret: opt-in-secret-0123456789-0123456789
        smtp: {host: 127.0.0.1, port: %d, security: none, from: "Earshot <noreply@example.com>"}
      forms:
        - id: contact
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: name, maps_to: name}
            - {name: message, maps_to: message, required: true}
        - id: newsletter
          time_trap: false
          fields:
            - {name: email, maps_to: email, required: true}
            - {name: name, maps_to: name}
            - {name: message, maps_to: message}
          consent: {field: consent, text: Send me the newsletter., version: "1", required: true, double_opt_in: true}
`, kafkaCfg, erasureSecret, indexDir, hook.URL, mentions, smtpPort)
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
		if hm == nil || km == nil && real == nil {
			return false
		}
		if real != nil {
			kafkaAddr = real.addr
		} else {
			kafkaAddr = km[1]
		}
		httpAddr = hm[1]
		return true
	})
	api := "http://" + httpAddr
	client, csrf := signInCSRF(t, api, adminPassword(t, logs))
	adminCfg := filepath.Join(dir, "admin.yaml")
	adminKafka := fmt.Sprintf("kafka:\n  brokers: [%s]\n  embedded: {enabled: false}\n", kafkaAddr)
	if real != nil {
		adminKafka = "kafka:\n" + real.config()
	}
	if err := os.WriteFile(adminCfg, []byte(fmt.Sprintf("%sprivacy:\n  secret: %s\n", adminKafka, erasureSecret)), 0o600); err != nil {
		t.Fatal(err)
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
	// Her posts make her a prospect (not a customer yet), handed off to
	// the CRM.
	for _, q := range []string{"xqzzyplumone", "xqzzyplumtwo"} {
		waitFor(t, "the mention with "+q+" in search", 90*time.Second, logs, func() bool { return search(q) == 1 })
	}
	// The alert service follows the prospects topic from where it joins
	// (on real Kafka that can be after her first posts): she writes again
	// until a version of her prospect reaches the CRM.
	handedOff := func() bool { return strings.Contains(strings.ToLower(handoffs.String()), "zofia.wojcik@example.pl") }
	for i := 0; !handedOff(); i++ {
		if i == 30 {
			t.Fatalf("her prospect never reached the CRM; hand-offs:\n%s\nhub log:\n%s", handoffs.String(), tail(logs.String(), 40))
		}
		time.Sleep(3 * time.Second)
		if !handedOff() {
			appendLine(t, mentions, fmt.Sprintf(`{"id":"z2-%d","author":{"email":"zofia.wojcik@example.pl","name":"Zofia Wójcik"},"text":"Jeszcze raz: młynek xqzzyplumagain%d, cena?","created_at":"2026-11-30T11:0%d:00Z"}`, i, i, i%10))
		}
	}
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("id,first_name,last_name,email,mastodon\nc-9,Zofia,Wójcik,zofia.wojcik@example.pl,@zofia_w@mastodon.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "customers", "import", csv, "-c", adminCfg); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	body := `{"email":"Zofia.Wojcik@example.pl","name":"Zofia Wójcik","message":"Proszę o ofertę na ekspres xqzzyplumthree dla biura."}`
	postForm(t, api+"/f/contact", body)
	postForm(t, api+"/f/newsletter", `{"email":"zofia.wojcik@example.pl","name":"Zofia Wójcik","message":"xqzzyplumfour","consent":"yes"}`)
	link := mail.link(t)
	if r, err := http.Get(link); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("the opt-in link before the erasure: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	for _, q := range []string{"xqzzyplumthree", "xqzzyplumfour", "marekokay"} {
		waitFor(t, "the mention with "+q+" in search", 90*time.Second, logs, func() bool { return search(q) == 1 })
	}
	// A marketer corrects her mention and Marek's: labelled data.
	for _, q := range []string{"xqzzyplumone", "marekokay"} {
		var res struct {
			Hits []struct {
				ID string `json:"id"`
			} `json:"hits"`
		}
		if !getJSON(client, api+"/api/search?q="+q, &res) || len(res.Hits) != 1 {
			t.Fatalf("finding the mention with %s", q)
		}
		correct(t, client, api, csrf, res.Hits[0].ID)
	}
	// Right of access: the admin export has her records, posts and forms.
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
	waitFor(t, "the export of Zofia's records", 60*time.Second, logs, func() bool {
		return getJSON(client, exportURL, &export) && len(export.Mentions) >= 4 && len(export.Forms) == 2
	})
	if len(export.Customers) != 1 || export.Customers[0].ID != "c-9" || len(export.Forms) != 2 {
		t.Fatalf("export: %d customers, %d mentions, %d forms; want c-9 with at least 4 mentions, 2 forms",
			len(export.Customers), len(export.Mentions), len(export.Forms))
	}
	for _, m := range export.Mentions {
		if !strings.Contains(m.Text, "xqzzyplum") {
			t.Fatalf("the export holds someone else's mention: %q", m.Text)
		}
	}
	// Before the erasure the scan does find her, in every kind of place
	// this test puts her: it is a real test.
	topics := real.topics()
	found := scanTopics(t, kafkaAddr, topics)
	for _, role := range []string{pipeline.RoleRaw, pipeline.RoleCustomers, pipeline.RoleProspects, pipeline.RoleCheckpoints,
		pipeline.RoleCorrections, pipeline.RoleNotifications, pipeline.RoleDeliveries} {
		if !strings.Contains(strings.Join(found, "\n"), "."+role+"/") {
			t.Fatalf("the topic scan found no trace of Zofia in the %s topic before the erasure:\n%s", role, strings.Join(found, "\n"))
		}
	}

	// On real Kafka the scan of the broker's segment files finds her
	// too (customers and prospects are stored in plain text): it reads
	// what the disk holds.
	if real != nil {
		onDisk := strings.Join(real.scanLogDir(t), "\n")
		for _, role := range []string{pipeline.RoleCustomers, pipeline.RoleProspects} {
			if !strings.Contains(onDisk, topics.Name(role)+"-") {
				t.Fatalf("the scan of the broker's files under %s found no trace of Zofia in the %s topic before the erasure:\n%s",
					real.dataDir, role, onDisk)
			}
		}
	}
	forgotAt := time.Now()
	code, out, errOut := runCLI(t, "customers", "forget", "zofia.wojcik@example.pl", "-c", adminCfg)
	if code != 0 {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "data keys") || strings.Contains(out, " 0 data keys") {
		t.Fatalf("forget deleted no data keys:\n%s", out)
	}
	if real != nil {
		real.compactFast(t)
	}
	for _, q := range []string{"xqzzyplumone", "xqzzyplumtwo", "xqzzyplumthree", "xqzzyplumfour", "xqzzyplumagain*", "zofia", "customer:c-9"} {
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
	var corrections []struct {
		Text string `json:"text"`
	}
	waitFor(t, "her correction to leave the list", 30*time.Second, logs, func() bool {
		return getJSON(client, api+"/api/corrections", &corrections) && len(corrections) == 1
	})
	if !strings.Contains(corrections[0].Text, "marekokay") {
		t.Fatalf("the correction left is not Marek's: %q", corrections[0].Text)
	}
	var lastPage string
	defer func() {
		if t.Failed() {
			t.Logf("the opt-in page: %s", lastPage)
		}
	}()
	waitFor(t, "her opt-in link to say the request is gone", 30*time.Second, logs, func() bool {
		r, err := http.Get(link)
		if err != nil {
			return false
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		lastPage = fmt.Sprintf("%d %s", r.StatusCode, b)
		return r.StatusCode == http.StatusGone && strings.Contains(string(b), "no longer exists")
	})
	// The broker compacts the tombstoned keys and tables: the embedded one
	// a moment after the keys' tombstones, a real one once the segment
	// rolls (on the next write after segment.ms) and its cleaner runs.
	var leaks []string
	deadline := time.Now().Add(60 * time.Second)
	if real != nil {
		deadline = time.Now().Add(real.compactionWait)
	}
	// On real Kafka the quick scan of the broker's files comes first: the
	// topics are read (slower) once the disk is clean.
	rounds := 0
	for ; ; rounds++ {
		leaks = nil
		if real != nil {
			real.roll(t)
			leaks = real.scanLogDir(t)
		}
		if len(leaks) == 0 {
			leaks = scanTopics(t, kafkaAddr, topics)
		}
		if len(leaks) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if len(leaks) > 0 {
		t.Fatalf("the broker still holds traces of Zofia:\n%s", strings.Join(leaks, "\n"))
	}
	if real != nil {
		t.Logf("real Kafka: no trace of Zofia left in the broker %s after forget (%d rounds of rolls and scans)",
			time.Since(forgotAt).Round(time.Second), rounds+1)
	}
	var audit []string
	readTopic(t, kafkaAddr, topics.ErasureAudit(), func(m pipeline.Message) { audit = append(audit, string(m.Value)) })
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
	k := pipeline.NewKafka(pipeline.DefaultConfig(), []string{addr}, nil, nil)
	defer k.Close()
	if err := readTopicThrough(k, topic, f); err != nil {
		t.Fatal(err)
	}
}

// readTopicThrough reads a topic through k from its beginning to its current
// end; f is never called concurrently.
func readTopicThrough(k *pipeline.Kafka, topic string, f func(pipeline.Message)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	tb, err := k.FollowTable(ctx, topic, func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		f(m)
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", topic, err)
	}
	if err := tb.WaitCaughtUp(ctx); err != nil {
		return fmt.Errorf("reading %s: %w", topic, err)
	}
	cancel()
	mu.Lock() // the followers may still be stopping
	defer mu.Unlock()
	return nil
}

// scanTopics reads every topic's records as stored (no sealing) and
// reports the traces of Zofia in their keys and values, plain or opened
// with any key left in the keys topic. The topics are read a few at a
// time: one by one, a scan takes most of a minute under -race.
func scanTopics(t *testing.T, addr string, prefix pipeline.Topics) []string {
	t.Helper()
	kr, err := privacy.NewKeyring(erasureSecret)
	if err != nil {
		t.Fatal(err)
	}
	k := pipeline.NewKafka(pipeline.DefaultConfig(), []string{addr}, nil, nil)
	defer k.Close()
	// Every key still stored counts, its tombstone notwithstanding: only a
	// key physically gone is gone.
	err = readTopicThrough(k, prefix.Keys(), func(m pipeline.Message) {
		if m.Value == nil {
			return
		}
		if err := kr.Apply(m.Key, m.Value); err != nil {
			t.Errorf("keys topic: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var check func(found *[]string, where string, b []byte)
	check = func(found *[]string, where string, b []byte) {
		if privacy.IsSealed(b) {
			pt, _, err := kr.Open(b)
			if errors.Is(err, privacy.ErrShredded) {
				return
			}
			if err != nil {
				*found = append(*found, where+": unreadable sealed value: "+err.Error())
				return
			}
			b = pt
		}
		*found = append(*found, traces(where, b)...)
		// Parts sealed inside a JSON value (alerts, checkpoints) are
		// base64 strings: open those too.
		for _, m := range jsonBase64.FindAllSubmatch(b, -1) {
			if inner, err := base64.StdEncoding.DecodeString(string(m[1])); err == nil && privacy.IsSealed(inner) {
				check(found, where+" (sealed part)", inner)
			}
		}
	}
	found := make([][]string, len(pipeline.Roles))
	errs := make([]error, len(pipeline.Roles))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 6)
	for i, role := range pipeline.Roles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			topic := prefix.Name(role)
			errs[i] = readTopicThrough(k, topic, func(m pipeline.Message) {
				where := fmt.Sprintf("%s/%d/%d", topic, m.Partition, m.Offset)
				check(&found[i], where+" key", m.Key)
				check(&found[i], where+" value", m.Value)
			})
		}()
	}
	wg.Wait()
	var all []string
	for i := range pipeline.Roles {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		all = append(all, found[i]...)
	}
	return all
}

// appendLine appends a line to a file the file connector follows.
func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// jsonBase64 finds long base64 strings in JSON: []byte fields.
var jsonBase64 = regexp.MustCompile(`"([A-Za-z0-9+/]{32,}={0,2})"`)

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
		leaks = append(leaks, traces(path, b)...)
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

// traces reports each of Zofia's traces in b once, with the bytes around
// it, so a failure shows what kind of record still holds her.
func traces(where string, b []byte) []string {
	b = trimZeros(b)
	var found []string
	low := bytes.ToLower(b)
	for _, tr := range zofiaTraces {
		if i := bytes.Index(low, []byte(tr)); i >= 0 {
			from, to := max(0, i-60), min(len(b), i+len(tr)+60)
			found = append(found, fmt.Sprintf("%s: %q in %q", where, tr, b[from:to]))
		}
	}
	return found
}

// zeros is compared against in chunks (memequal) to trim zero tails fast.
var zeros [64 << 10]byte

// trimZeros drops the zero bytes that end b. Kafka preallocates its offset
// and time indexes (10 MB of zeros each): what trails the data holds
// nothing, and lowering it byte by byte takes most of a minute per scan of
// the broker's files under -race.
func trimZeros(b []byte) []byte {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[len(b)-n:], zeros[:n]) {
			break
		}
		b = b[:len(b)-n]
	}
	return bytes.TrimRight(b, "\x00")
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
