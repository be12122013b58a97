package es

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/record"
)

// fakeES is an Elasticsearch node for unit tests: it answers _analyze for
// the analysers it is given, stores index templates and mappings, stores
// bulk documents by index and id, and can fail bulk requests on demand.
type fakeES struct {
	mu        sync.Mutex
	analysers map[string]bool   // analysers and filters the node has; nil = every one
	templates map[string][]byte // name → body
	mappings  [][]byte          // bodies of put-mapping requests
	headers   []http.Header     // of every request
	docs      map[string][]byte // index/id → source
	down      atomic.Int32      // bulk requests to drop (connection closed) before answering
	busy      atomic.Int32      // bulk requests to answer 503
	reject    map[string]int    // id → item status to answer, every time
	tooMany   map[string]int    // id → times to answer 429 before accepting
	requests  atomic.Int32      // bulk requests
	// rollupMarks counts the rollup day marks received.
	rollupMarks int
}

func newFakeES() *fakeES {
	return &fakeES{docs: map[string][]byte{}, reject: map[string]int{}, tooMany: map[string]int{}, templates: map[string][]byte{}}
}

func (f *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	f.headers = append(f.headers, r.Header.Clone())
	f.mu.Unlock()
	switch {
	case r.URL.Path == "/_analyze":
		f.analyze(w, r)
	case strings.HasPrefix(r.URL.Path, "/_index_template/"):
		name := strings.TrimPrefix(r.URL.Path, "/_index_template/")
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Method == http.MethodPut {
			data, _ := io.ReadAll(r.Body)
			f.templates[name] = data
			fmt.Fprint(w, `{"acknowledged":true}`)
			return
		}
		if data, ok := f.templates[name]; ok {
			fmt.Fprintf(w, `{"index_templates":[{"name":%q,"index_template":%s}]}`, name, data)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"type":"resource_not_found_exception","reason":"no template"},"status":404}`)
	case strings.HasSuffix(r.URL.Path, "/_mapping"):
		data, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.mappings = append(f.mappings, data)
		f.mu.Unlock()
		fmt.Fprint(w, `{"acknowledged":true}`)
	case r.Method == http.MethodPut && strings.Count(r.URL.Path, "/") == 1: // create index
		fmt.Fprint(w, `{"acknowledged":true}`)
	case strings.HasSuffix(r.URL.Path, "/_bulk"):
		f.bulk(w, r)
	case strings.HasSuffix(r.URL.Path, "/_search"): // the rollups' look at existing days: none
		fmt.Fprint(w, `{"hits":{"total":{"value":0},"hits":[]},"aggregations":{}}`)
	case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/_doc/"): // the rollup state
		fmt.Fprint(w, `{"result":"created"}`)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeES) analyze(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Analyzer string   `json:"analyzer"`
		Filter   []string `json:"filter"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	names := append([]string{req.Analyzer}, req.Filter...)
	for _, n := range names {
		if n != "" && n != "lowercase" && f.analysers != nil && !f.analysers[n] {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"type":"illegal_argument_exception","reason":"failed to find global analyzer [%s]"},"status":400}`, n)
			return
		}
	}
	fmt.Fprint(w, `{"tokens":[]}`)
}

func (f *fakeES) bulk(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.down.Add(-1) >= 0 {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	if f.busy.Add(-1) >= 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":{"type":"unavailable_shards_exception","reason":"busy"},"status":503}`)
		return
	}
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var items []map[string]any
	f.mu.Lock()
	defer f.mu.Unlock()
	for sc.Scan() {
		var meta map[string]map[string]any
		if err := json.Unmarshal(sc.Bytes(), &meta); err != nil {
			w.WriteHeader(400)
			return
		}
		for action, m := range meta {
			var src []byte
			if action != "delete" {
				sc.Scan()
				src = bytes.Clone(sc.Bytes())
			}
			id, ix := fmt.Sprint(m["_id"]), fmt.Sprint(m["_index"])
			if strings.HasSuffix(ix, "-rollups") {
				// Rollup day marks are kept apart from the documents.
				f.rollupMarks++
				status := 200
				if f.reject[id] != 0 {
					status = f.reject[id]
				}
				items = append(items, map[string]any{action: map[string]any{"_index": ix, "_id": id, "status": status}})
				continue
			}
			status := 201
			var errBody any
			switch {
			case f.reject[id] != 0:
				status = f.reject[id]
				errBody = map[string]any{"type": "document_parsing_exception", "reason": "failed to parse field [created_at] of type [date]"}
			case f.tooMany[id] > 0:
				f.tooMany[id]--
				status = 429
				errBody = map[string]any{"type": "es_rejected_execution_exception", "reason": "queue full"}
			case action == "delete":
				key := ix + "/" + id
				status = 404
				if _, ok := f.docs[key]; ok {
					status = 200
				}
				delete(f.docs, key)
			default:
				f.docs[ix+"/"+id] = src
			}
			item := map[string]any{"_index": ix, "_id": id, "status": status}
			if errBody != nil {
				item["error"] = errBody
			}
			items = append(items, map[string]any{action: item})
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": true, "items": items})
}

func (f *fakeES) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.docs)
}

func newFakeBackend(t *testing.T, f *fakeES) *Backend {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.Addresses = []string{srv.URL}
	cfg.RetryBackoff = time.Millisecond
	cfg.MaxRetries = 3
	cfg.FlushBytes = 2048 // several bulk requests per write
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPermanentItemErrorsAreSeparatedFromTheRest(t *testing.T) {
	f := newFakeES()
	b := newFakeBackend(t, f)
	ms := contract.Mentions()
	f.reject[ms[2].ID] = 400
	f.tooMany[ms[5].ID] = 2 // refused twice, then accepted
	errs := b.UpsertMentions(context.Background(), ms)
	for i, err := range errs {
		switch i {
		case 2:
			if !index.IsPermanent(err) || !strings.Contains(err.Error(), "document_parsing_exception") {
				t.Errorf("rejected item: error %v; want a permanent error naming the cause", err)
			}
		default:
			if err != nil {
				t.Errorf("item %d (%s): %v", i, ms[i].ID, err)
			}
		}
	}
	if got := f.count(); got != len(ms)-1 {
		t.Fatalf("%d documents stored; want %d", got, len(ms)-1)
	}
}

func TestUnreachableThenBackLosesNothingAndDuplicatesNothing(t *testing.T) {
	f := newFakeES()
	b := newFakeBackend(t, f)
	ms := contract.Mentions()
	f.down.Store(100) // longer than one write's retries
	errs := b.UpsertMentions(context.Background(), ms)
	for i, err := range errs {
		if err == nil || index.IsPermanent(err) {
			t.Fatalf("item %d during the outage: %v; want a retryable error", i, err)
		}
	}
	f.down.Store(0)
	f.busy.Store(2) // and overloaded for a moment when it comes back
	// The stage retries the whole batch, as the pipeline does.
	for attempt := 0; ; attempt++ {
		var failed int
		for _, err := range b.UpsertMentions(context.Background(), ms) {
			if err != nil {
				failed++
			}
		}
		if failed == 0 {
			break
		}
		if attempt > 5 {
			t.Fatalf("%d items still failing after the backend came back", failed)
		}
	}
	if got := f.count(); got != len(ms) {
		t.Fatalf("%d documents stored; want exactly %d", got, len(ms))
	}
}

func TestMentionsGoToMonthlyIndices(t *testing.T) {
	f := newFakeES()
	b := newFakeBackend(t, f)
	m := contract.Mentions()[0]
	m.CreatedAt = time.Date(2024, 12, 31, 23, 59, 0, 0, time.FixedZone("x", -3600)) // 2025-01-01 UTC
	if err := b.UpsertMentions(context.Background(), []*record.EnrichedMention{m}); err[0] != nil {
		t.Fatal(err[0])
	}
	if _, ok := f.docs["earshot-mentions-2025.01/"+m.ID]; !ok {
		t.Fatalf("documents: %v; want it in earshot-mentions-2025.01", keys(f.docs))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultConfig()
	bad.IndexPrefix = "Earshot Prod"
	bad.Addresses = nil
	bad.RefreshInterval = -time.Second
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "index_prefix") || !strings.Contains(err.Error(), "addresses") ||
		!strings.Contains(err.Error(), "refresh_interval") {
		t.Fatalf("Validate() = %v; want every problem named", err)
	}
}

func TestBulkActionLinesAreJSON(t *testing.T) {
	for _, id := range []string{"plain-1", `quo"te\back`, "tab\there", "ünï<&>"} {
		var buf bytes.Buffer
		writeMeta(&buf, bulkItem{action: "index", index: "earshot-mentions-2025.03", id: id})
		var meta map[string]map[string]string
		if err := json.Unmarshal(buf.Bytes(), &meta); err != nil {
			t.Fatalf("action line for %q is not JSON: %v: %s", id, err, buf.Bytes())
		}
		if got := meta["index"]["_id"]; got != id || !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
			t.Fatalf("action line %q carries id %q; want %q", buf.Bytes(), got, id)
		}
	}
}

// A write marks each UTC day it touched for a rollup recount, once, after
// the mentions were acknowledged; a mark that cannot be made fails the
// write as retryable, so the stage writes again rather than leave a day's
// counts wrong.
func TestWritesMarkTheirDaysForARecount(t *testing.T) {
	f := newFakeES()
	b := newFakeBackend(t, f)
	var ms []*record.EnrichedMention
	for i, m := range contract.Mentions()[:6] {
		m.CreatedAt = time.Date(2025, 3, 1+i%3, 10+i, 0, 0, 0, time.UTC)
		ms = append(ms, m)
	}
	for _, err := range b.UpsertMentions(context.Background(), ms) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f.rollupMarks != 3 {
		t.Fatalf("%d rollup marks for mentions on 3 days; want 3", f.rollupMarks)
	}
	if got := daysOf([]int64{-1, 0, 86_399_999, 86_400_000}); !reflect.DeepEqual(got, []int64{-86400, 0, 86400}) {
		t.Fatalf("days of times around the epoch: %v", got)
	}
	f.reject[dayID(floorDay(ms[0].CreatedAt.Unix()))] = 400
	for i, err := range b.UpsertMentions(context.Background(), ms[:1]) {
		if err == nil || index.IsPermanent(err) {
			t.Fatalf("item %d: %v; want a retryable error from the failed mark", i, err)
		}
	}
}

// A cluster that refuses regular expressions still gives the mentions named
// otherwise; only the other spellings of an e-mail go unlooked-for.
func TestMentionsOfWithoutRegularExpressions(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		data, _ := io.ReadAll(r.Body)
		asked = append(asked, string(data))
		if strings.Contains(string(data), `"regexp"`) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"search_phase_execution_exception","reason":"[regexp] queries cannot be executed when 'search.allow_expensive_queries' is set to false."},"status":400}`)
			return
		}
		fmt.Fprint(w, `{"hits":{"hits":[{"_id":"m1","_source":{"record":{"id":"m1","source":"forms","kind":"mention","text":"x"}},"sort":["m1"]}]}}`)
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Addresses = []string{srv.URL}
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = b.MentionsOf(context.Background(), index.Identifiers{Emails: []string{"ola@example.pl"}, EmailPatterns: []string{`ola(\+[!-?A-~]*)?\@gmail\.com`}}, 10,
		func(ms []*record.EnrichedMention) error {
			for _, m := range ms {
				got = append(got, m.ID)
			}
			return nil
		})
	if err != nil || len(got) != 1 || got[0] != "m1" || len(asked) != 2 || strings.Contains(asked[1], "regexp") {
		t.Fatalf("MentionsOf = %v (%v) after %d requests", got, err, len(asked))
	}
	asked = nil
	if err := b.MentionsOf(context.Background(), index.Identifiers{EmailPatterns: []string{`ola\@gmail\.com`}}, 10, func([]*record.EnrichedMention) error {
		t.Error("patterns alone, refused: nothing to read")
		return nil
	}); err != nil || len(asked) != 1 {
		t.Errorf("patterns alone, refused = %v after %d requests", err, len(asked))
	}
}
