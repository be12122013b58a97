package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/earshothq/earshot/record"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testConfig(f *fakeHN) Config {
	cfg := DefaultConfig()
	cfg.API = f.url()
	cfg.Queries = []string{"earshot"}
	cfg.PollInterval = 20 * time.Millisecond
	cfg.BackoffMin = time.Millisecond
	cfg.BackoffMax = 10 * time.Millisecond
	cfg.CheckpointInterval = 20 * time.Millisecond
	cfg.RequestTimeout = 5 * time.Second
	cfg.Overlap = 2 * time.Second // re-read less on every 20ms poll
	return cfg
}

func newTest(t testing.TB, cfg Config, deps connectors.Deps) *Connector {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if deps.Checkpoints == nil {
		deps.Checkpoints = connectors.NewMemoryCheckpoints()
	}
	if deps.Name == "" {
		deps.Name = "hn"
	}
	c, err := newConnector(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(t testing.TB, c *Connector) {
	t.Helper()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
}

// readN reads n records, acknowledging each; rejected hits are acknowledged
// and returned apart.
func readN(t testing.TB, c connectors.Connector, n int) (ms []*record.Mention, rejected []*connectors.RejectedError) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(ms) < n {
		m, ack, err := c.Read(ctx)
		var rej *connectors.RejectedError
		if errors.As(err, &rej) {
			rejected = append(rejected, rej)
			_ = rej.Ack(ctx, nil)
			continue
		}
		if err != nil {
			t.Fatalf("reading record %d of %d: %v", len(ms)+1, n, err)
		}
		if err := ack(ctx, nil); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms, rejected
}

func expectNothing(t testing.TB, c connectors.Connector, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, _, err := c.Read(ctx); err == nil {
		t.Fatalf("unexpected record %s: %q", m.SourceID, m.Text)
	}
}

func ids(ms []*record.Mention) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.SourceID)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	v, err := promx.CounterSum(reg, name, label, value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Golden hits shaped after the HN Search API's documented story and
// comment hits: testdata/NAME.json → testdata/NAME.expected.json.
func TestGoldenHits(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if strings.HasSuffix(file, ".expected.json") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			h := parseHit(raw, 0)
			if h.err != nil {
				t.Fatal(h.err)
			}
			m := toRecord("hn", "earshot", h.hit, false, time.Time{})
			got, _ := json.MarshalIndent(m, "", "  ")
			want := strings.TrimSuffix(file, ".json") + ".expected.json"
			if *update {
				if err := os.WriteFile(want, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(exp)) != strings.TrimSpace(string(got)) {
				t.Fatalf("record differs from %s:\n%s", want, got)
			}
		})
	}
}

// 2,500 matching items, more than the 1,000 the API pages through: the
// sweep reads them in windows back in time, and with max_hits_per_poll at
// 1,000 over several polls, oldest first; each arrives once.
func TestMoreThanThePaginationLimitArrivesOnceOldestFirst(t *testing.T) {
	f := newFakeHN(t)
	base := time.Now().Add(-time.Hour).Unix()
	var want []string
	for i := 0; i < 2500; i++ {
		want = append(want, f.comment(fmt.Sprintf("u%d", i%40), fmt.Sprintf("earshot comment %d", i), base+int64(i/3)))
	}
	cfg := testConfig(f)
	cfg.MaxHitsPerPoll = 1000
	c := newTest(t, cfg, connectors.Deps{})
	start(t, c)
	got, _ := readN(t, c, len(want))
	sort.Strings(want)
	if ids(got) != strings.Join(want, " ") {
		t.Fatal("the items read are not the items published")
	}
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.Before(got[i-1].CreatedAt) {
			t.Fatalf("item %d is older than the one before it", i)
		}
	}
	expectNothing(t, c, 200*time.Millisecond)
}

// An item the index shows late (created before the mark) arrives through
// the overlap; an edited comment comes again under its id.
func TestLateItemsAndEdits(t *testing.T) {
	f := newFakeHN(t)
	cfg := testConfig(f)
	cfg.Overlap = 10 * time.Minute
	c := newTest(t, cfg, connectors.Deps{})
	start(t, c)
	first := f.comment("ana", "earshot first", 0)
	got, _ := readN(t, c, 1)
	if got[0].SourceID != first {
		t.Fatalf("got %s", got[0].SourceID)
	}
	late := f.comment("ben", "earshot indexed late", time.Now().Add(-3*time.Minute).Unix())
	f.edit(first, "comment_text", "earshot first (edited: <b>typo</b>)")
	got, _ = readN(t, c, 2)
	byID := map[string]*record.Mention{}
	for _, m := range got {
		byID[m.SourceID] = m
	}
	if byID[late] == nil || byID[first] == nil || byID[first].Fields["edited"] != "true" || byID[first].Text != "earshot first (edited: typo)" {
		t.Fatalf("got %+v", byID)
	}
	expectNothing(t, c, 200*time.Millisecond)
}

// Restart: everything acknowledged stays acknowledged across the overlap.
func TestRestartDoesNotRepeatTheOverlap(t *testing.T) {
	f := newFakeHN(t)
	store := connectors.NewMemoryCheckpoints()
	c := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store})
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		f.story("ana", fmt.Sprintf("Earshot story %d", i), "")
	}
	readN(t, c, 5)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c2 := newTest(t, testConfig(f), connectors.Deps{Checkpoints: store})
	start(t, c2)
	expectNothing(t, c2, 300*time.Millisecond)
}

func TestMalformedHitsAreDeadLetteredOnceAndBadBodiesRetried(t *testing.T) {
	f := newFakeHN(t)
	reg := prometheus.NewRegistry()
	f.inject("malformed", "429", "500")
	f.add(map[string]any{"objectID": "not-a-number", "_tags": []string{"story"}, "title": "earshot broken", "author": "x"})
	good := f.story("ana", "Earshot works", "")
	deleted := f.add(map[string]any{"_tags": []string{"comment"}, "author": nil, "comment_text": nil, "story_title": "earshot thread"})
	c := newTest(t, testConfig(f), connectors.Deps{Registerer: reg})
	start(t, c)
	got, rejected := readN(t, c, 1)
	if got[0].SourceID != good {
		t.Fatalf("got %s", got[0].SourceID)
	}
	expectNothing(t, c, 300*time.Millisecond) // several polls: the rejected hit is not rejected again
	if len(rejected) != 1 || !strings.Contains(rejected[0].Err.Error(), `objectID "not-a-number"`) ||
		!strings.Contains(string(rejected[0].Raw), "earshot broken") || !strings.Contains(rejected[0].Position, `search "earshot" page 0`) {
		t.Fatalf("rejected = %+v", rejected)
	}
	for result, want := range map[string]float64{"malformed": 1, "rate_limited": 1, "server_error": 1} {
		if got := counter(t, reg, "earshot_hackernews_requests_total", "result", result); got != want {
			t.Errorf("requests_total{result=%s} = %v, want %v", result, got, want)
		}
	}
	if counter(t, reg, "earshot_hackernews_items_total", "result", "deleted") < 1 {
		t.Errorf("deleted item %s not counted", deleted)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	for src, want := range map[string]string{
		`queries: []`:                         "queries",
		`{queries: [a], tags: [job]}`:         "tags[0]",
		`{queries: [a, a]}`:                   "listed twice",
		`{queries: [a], hits_per_page: 5000}`: "hits_per_page",
		`{queries: [a], api: "ftp://x"}`:      "api",
		`{queries: [a], poll_interval: 0s}`:   "poll_interval",
		`{queries: [a], overlapp: 1m}`:        "overlapp",
	} {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(src), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "h", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
}

type conformanceSource struct{ *fakeHN }

func (s conformanceSource) Publish(_ testing.TB, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			out = append(out, s.story(fmt.Sprintf("user%d", i%7), fmt.Sprintf("Earshot story %d", i), "<p>text</p>"))
		} else {
			out = append(out, s.comment(fmt.Sprintf("user%d", i%7), fmt.Sprintf("<p>earshot comment %d</p>", i), 0))
		}
	}
	return out
}

// Drop makes the next requests fail.
func (s conformanceSource) Drop(testing.TB) { s.inject("500", "500", "429") }

func harness() conformance.Harness {
	return conformance.Harness{
		Type:      Type,
		NewSource: func(t testing.TB) conformance.Source { return conformanceSource{newFakeHN(t)} },
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			return newTest(t, testConfig(src.(conformanceSource).fakeHN), deps)
		},
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, harness())
}

func TestIntegrationRunnerIntoKafka(t *testing.T) {
	conformance.RunIntegration(t, harness())
}
