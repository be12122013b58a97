package es

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// Proxy modes.
const (
	proxyUp      int32 = iota // forward everything
	proxyDown                 // close every connection unanswered: the node is unreachable
	proxySwallow              // forward bulk requests, then close without the answer: the node wrote, the client never hears
)

// flakyProxy stands between the backend and the real node.
type flakyProxy struct {
	target    *url.URL
	rp        *httputil.ReverseProxy
	mode      atomic.Int32
	refused   atomic.Int32 // requests dropped while down
	swallowed atomic.Int32 // bulk requests written but unanswered
}

func newFlakyProxy(t *testing.T, target string) (*flakyProxy, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{target: u, rp: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *flakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := p.mode.Load()
	if mode == proxySwallow && strings.HasSuffix(r.URL.Path, "/_bulk") {
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.Host, out.RequestURI = p.target.Scheme, p.target.Host, "", ""
		if res, err := http.DefaultTransport.RoundTrip(out); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			p.swallowed.Add(1)
		}
		mode = proxyDown
	}
	if mode == proxyDown {
		p.refused.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	p.rp.ServeHTTP(w, r)
}

// conflictingMonth creates the mention index of a month by hand with
// "language" mapped as an integer, as a mapping conflict left by someone
// else would: every mention of that month has a field of the wrong type.
func conflictingMonth(t *testing.T, b *Backend, month time.Time) {
	t.Helper()
	err := b.do(context.Background(), esapi.IndicesCreateRequest{Index: b.MentionIndex(month),
		Body: body(obj{"mappings": obj{"properties": obj{"language": obj{"type": "integer"}}}})}, nil)
	if err != nil {
		t.Fatalf("creating the conflicting index: %v", err)
	}
}

func TestIntegrationWrongTypedFieldIsPermanentAndTheRestIsIndexed(t *testing.T) {
	b := newRealBackend(t)
	bad := time.Date(1999, 1, 15, 0, 0, 0, 0, time.UTC)
	conflictingMonth(t, b, bad)
	ms := contract.Mentions()
	ms[4].CreatedAt = bad // lv1 lands in the conflicting month
	errs := b.UpsertMentions(context.Background(), ms)
	for i, err := range errs {
		if i == 4 {
			if !index.IsPermanent(err) || !strings.Contains(err.Error(), "language") {
				t.Errorf("wrong-typed item: %v; want a permanent error naming the field", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("item %s: %v", ms[i].ID, err)
		}
	}
	if err := b.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := totalOf(t, b, ""); n != int64(len(ms)-1) {
		t.Fatalf("%d mentions indexed; want %d", n, len(ms)-1)
	}
}

func TestIntegrationUnreachableNodeThenBackLosesNothing(t *testing.T) {
	cfg := realConfig(t)
	direct := openReal(t, cfg)
	proxy, addr := newFlakyProxy(t, cfg.Addresses[0])
	cfg.Addresses = []string{addr}
	cfg.RetryBackoff = 20 * time.Millisecond
	cfg.MaxRetries = 2
	cfg.FlushBytes = 4096 // several bulk requests per write
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ms := contract.Mentions()
	proxy.mode.Store(proxySwallow) // written, then unreachable
	errs := b.UpsertMentions(ctx, ms)
	for i, err := range errs {
		if err == nil || index.IsPermanent(err) {
			t.Fatalf("item %s during the outage: %v; want a retryable error", ms[i].ID, err)
		}
	}
	if proxy.swallowed.Load() == 0 || proxy.refused.Load() == 0 {
		t.Fatalf("the outage was not exercised: %d swallowed, %d refused", proxy.swallowed.Load(), proxy.refused.Load())
	}
	proxy.mode.Store(proxyUp)
	// The stage retries what failed, as the pipeline does.
	for i, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatalf("item %s after the node came back: %v", ms[i].ID, err)
		}
	}
	assertExactly(t, direct, ms)
}

// assertExactly checks the index holds each mention once, and nothing else.
func assertExactly(t *testing.T, b *Backend, ms []*record.EnrichedMention) {
	t.Helper()
	if err := b.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := b.Search(context.Background(), &index.SearchRequest{Size: index.MaxSize})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, m := range ms {
		want[m.ID] = true
	}
	seen := map[string]int{}
	for _, h := range res.Hits {
		seen[h.ID]++
	}
	if res.Total != int64(len(want)) || len(seen) != len(want) {
		t.Fatalf("index holds %d mentions (%d distinct); want each of %d once", res.Total, len(seen), len(want))
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Fatalf("mention %s stored %d times (expected: %v)", id, n, want[id])
		}
	}
}

// TestIntegrationStageThroughOutageAndDeadLetters runs the real index
// stage: Kafka (embedded, or EARSHOT_TEST_KAFKA) → stage → proxy → node.
// The node becomes unreachable mid-stream (first after writing without
// answering, then refusing everything) and comes back; one record has a
// field of the wrong type. Every other record must be indexed exactly once,
// the bad one must be in the DLQ, and profiles must count right.
func TestIntegrationStageThroughOutageAndDeadLetters(t *testing.T) {
	cfg := realConfig(t)
	direct := openReal(t, cfg)
	bad := time.Date(1999, 1, 15, 0, 0, 0, 0, time.UTC)
	conflictingMonth(t, direct, bad)
	proxy, addr := newFlakyProxy(t, cfg.Addresses[0])
	cfg.Addresses = []string{addr}
	cfg.RetryBackoff = 20 * time.Millisecond
	cfg.MaxRetries = 1
	cfg.Timeout = 5 * time.Second
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	s, err := stage.New(b, topics, stage.Config{BatchSize: 50, BatchTimeout: 50 * time.Millisecond, MaxProfileMentions: 1000},
		nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	k := pipeline.NewKafka(c.Config, c.Brokers, testLogger(t), nil)
	go func() { runErr = s.Run(ctx, k); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the stage did not stop")
		}
	})

	// 240 mentions by the fixtures' people, in two halves.
	var ms []*record.EnrichedMention
	base := contract.Mentions()
	for i := range 240 {
		m := *base[i%len(base)]
		m.ID, m.SourceID = fmt.Sprintf("st-%04d", i), fmt.Sprintf("st-%04d", i)
		m.CreatedAt = contract.T0.Add(time.Duration(i) * time.Minute)
		ms = append(ms, &m)
	}
	produce := func(ms []*record.EnrichedMention) {
		outs := make([]pipeline.Output, len(ms))
		for i, m := range ms {
			v, err := record.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			outs[i] = pipeline.Output{Topic: topics.Enriched(), Key: []byte(m.ID), Value: v}
		}
		c.Produce(t, outs...)
	}
	count := func() int64 {
		direct.Refresh(context.Background())
		res, err := direct.Search(context.Background(), &index.SearchRequest{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			select {
			case <-done:
				t.Fatalf("the stage stopped while waiting for %s: %v", what, runErr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	produce(ms[:120])
	waitFor("the first half", func() bool { return count() == 120 })

	proxy.mode.Store(proxySwallow)
	wrong := *base[4]
	wrong.ID, wrong.SourceID, wrong.CreatedAt = "st-wrong", "st-wrong", bad
	produce(append(ms[120:], &wrong))
	waitFor("writes without answers", func() bool { return proxy.swallowed.Load() >= 3 })
	proxy.mode.Store(proxyDown)
	refusedBefore := proxy.refused.Load()
	waitFor("the node to be unreachable", func() bool { return proxy.refused.Load() > refusedBefore+10 })
	time.Sleep(2 * time.Second) // stay unreachable for a while
	proxy.mode.Store(proxyUp)

	waitFor("every good mention", func() bool { return count() == int64(len(ms)) })
	dlq := c.ReadN(t, topics.DLQ(), 1, 30*time.Second)
	if len(dlq) != 1 {
		t.Fatalf("%d dead letters; want the wrong-typed mention", len(dlq))
	}
	var dl record.DeadLetter
	if err := json.Unmarshal(dlq[0].Value, &dl); err != nil {
		t.Fatalf("decoding the dead letter: %v", err)
	}
	if !bytes.Contains(dl.Value, []byte(`"st-wrong"`)) || !strings.Contains(dl.Error, "language") {
		t.Fatalf("dead letter %q for %s; want st-wrong refused for its language field", dl.Error, dl.Value)
	}
	assertExactly(t, direct, ms)
	t.Logf("outage: %d bulk requests written but unanswered, %d requests refused in all", proxy.swallowed.Load(), proxy.refused.Load())

	// Profiles were rebuilt from the indexed mentions, replays included.
	wantC1 := 0
	for _, m := range ms {
		if m.Identity != nil && m.Identity.CustomerID == "C1" {
			wantC1++
		}
	}
	waitFor("C1's profile", func() bool {
		p, err := direct.GetProfile(context.Background(), "customer:C1")
		return err == nil && p.MentionCount == wantC1
	})
}

// testLogger writes warnings and errors to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
