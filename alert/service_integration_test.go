package alert

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// hookServer records webhook deliveries and answers with respond.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []hookRequest
	respond  func(n int, w http.ResponseWriter, r *http.Request) // n counts from 1
}

type hookRequest struct {
	header http.Header
	body   []byte
	at     time.Time
}

func newHookServer(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *hookServer {
	h := &hookServer{respond: respond}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.requests = append(h.requests, hookRequest{header: r.Header.Clone(), body: body, at: time.Now()})
		n := len(h.requests)
		h.mu.Unlock()
		if h.respond != nil {
			h.respond(n, w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) got() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.requests...)
}

func testConfig(hookURL string) Config {
	cfg := DefaultConfig()
	cfg.EvaluateEvery = 100 * time.Millisecond
	cfg.Lateness = time.Second
	cfg.Channels = map[string]ChannelConfig{"hook": {Type: ChannelWebhook, URL: hookURL, Secret: testSecret}}
	cfg.Delivery = DeliveryConfig{MaxAttempts: 5, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
		Timeout: 500 * time.Millisecond, Workers: 2}
	return cfg
}

// startService runs a store and service until the test ends.
func startService(t *testing.T, c *pipelinetest.Cluster, cfg Config, b index.Backend, now func() time.Time) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store := NewStore(cfg, c.Kafka, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err := store.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	s, err := NewService(store, b, Options{Now: now})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		store.Close()
	})
	return s
}

// waitOwned waits until the services together own every partition of the
// rules, notifications and prospects topics, each service at least one of
// each: until then a late joiner's rebalance can still move work mid-test.
func waitOwned(t *testing.T, parts int, ss ...*Service) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var r, n, p int
		everyone := true
		for _, s := range ss {
			a, b, c, _ := s.Ownership()
			r, n, p = r+a, n+b, p+c
			if len(ss) > 1 && (a == 0 || b == 0 || c == 0) {
				everyone = false
			}
		}
		if everyone && r == parts && n == parts && p == parts {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("services never owned every partition")
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func encode(t testing.TB, v record.Versioned) []byte {
	b, err := record.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func prospectOut(t testing.TB, c *pipelinetest.Cluster, id string, score float64, version int) pipeline.Output {
	p := &record.Prospect{ID: id, Key: "email:" + id + "@example.com", Name: "Prospect " + id, Emails: []string{id + "@example.com"},
		Score: score, Status: "new", FirstSeen: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		LastSeen: time.Date(2026, 3, 1, 9, version, 0, 0, time.UTC),
		Evidence: []record.ProspectEvidence{{RecordID: "m-" + id, Source: "forms", Kind: "form", Text: "Please send me a quote",
			Intents: []record.Intent{{Name: "purchase"}}}}}
	return pipeline.Output{Topic: c.Kafka.Topics().Prospects(), Key: []byte(id), Value: encode(t, p)}
}

// produceUntil writes new versions of the prospects until cond holds: a
// fresh consumer group starts at the end of the topic, so the first
// versions may be written before it looked.
func produceUntil(t *testing.T, c *pipelinetest.Cluster, ids []string, cond func() bool) {
	t.Helper()
	for v := 0; v < 50; v++ {
		var outs []pipeline.Output
		for _, id := range ids {
			outs = append(outs, prospectOut(t, c, id, 0.9, v))
		}
		c.Produce(t, outs...)
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			if cond() {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatal("prospects never triggered their rule")
}

func putRule(t *testing.T, s *Store, r *record.AlertRule) *record.AlertRule {
	t.Helper()
	out, err := s.PutRule(context.Background(), r, "tester")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIntegrationFailingWebhookIsRetriedWithTheSameID(t *testing.T) {
	c := pipelinetest.New(t)
	hook := newHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
		case 2:
			time.Sleep(1500 * time.Millisecond) // longer than the attempt timeout
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	cfg := testConfig(hook.URL)
	s := startService(t, c, cfg, &fakeIndex{}, nil)
	waitOwned(t, 3, s)
	rule := putRule(t, s.Store(), &record.AlertRule{Name: "hot leads", Kind: record.RuleProspect, Channels: []string{"hook"},
		Prospect: &record.ProspectParams{MinScore: 0.8}})
	produceUntil(t, c, []string{"ana"}, func() bool { return len(hook.got()) > 0 })
	var d *record.Delivery
	waitFor(t, "delivery", 30*time.Second, func() bool {
		ds := s.Store().Deliveries(DeliveryFilter{RuleID: rule.ID})
		if len(ds) == 1 && ds[0].Status == record.DeliveryDelivered {
			d = ds[0]
			return true
		}
		return false
	})
	reqs := hook.got()
	if len(reqs) != 3 {
		t.Fatalf("want 3 requests (503, timeout, 204), got %d", len(reqs))
	}
	id := reqs[0].header.Get("Webhook-Id")
	for i, r := range reqs {
		if got := r.header.Get("Webhook-Id"); got != id || got != d.Notification.ID {
			t.Errorf("request %d: webhook-id %q, want %q every time", i+1, got, d.Notification.ID)
		}
		if err := verifyStandardWebhook(testSecret, r.header, r.body, time.Now()); err != nil {
			t.Errorf("request %d: signature: %v", i+1, err)
		}
	}
	if len(d.Attempts) != 3 || d.Attempts[0].HTTPStatus != 503 || !strings.Contains(d.Attempts[1].Error, "deadline") || d.Attempts[2].Error != "" {
		t.Errorf("delivery log: %+v", d.Attempts)
	}
	if gap := reqs[1].at.Sub(reqs[0].at); gap < cfg.Delivery.InitialBackoff/2 {
		t.Errorf("second attempt after %s: no backoff", gap)
	}
}

func TestIntegrationFailedDeliveryIsListedAndRetriedByHand(t *testing.T) {
	c := pipelinetest.New(t)
	var healthy atomic.Bool
	other := newHookServer(t, nil)
	hook := newHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "broken", http.StatusInternalServerError)
		}
	})
	cfg := testConfig(hook.URL)
	cfg.Delivery.MaxAttempts = 2
	cfg.Channels["other"] = ChannelConfig{Type: ChannelWebhook, URL: other.URL}
	s := startService(t, c, cfg, &fakeIndex{}, nil)
	waitOwned(t, 3, s)
	putRule(t, s.Store(), &record.AlertRule{Name: "leads", Kind: record.RuleProspect, Channels: []string{"hook", "other"},
		Prospect: &record.ProspectParams{MinScore: 0.5}})
	produceUntil(t, c, []string{"bo"}, func() bool { return len(hook.got()) > 0 })
	waitFor(t, "failed delivery", 30*time.Second, func() bool {
		return len(s.Store().Deliveries(DeliveryFilter{Status: record.DeliveryFailed})) == 1
	})
	// The failing channel blocked nothing: the other one gets its message
	// while this one is still broken. (Its delivery is scheduled after this
	// one's, so on a loaded machine it may land after the failure.)
	waitFor(t, "the other channel's message while the hook fails", 30*time.Second, func() bool {
		return len(other.got()) >= 1
	})
	failed := s.Store().Deliveries(DeliveryFilter{Status: record.DeliveryFailed})[0]
	if failed.Channel != "hook" || len(failed.Attempts) != 2 {
		t.Fatalf("failed delivery: %+v", failed)
	}
	healthy.Store(true)
	if _, err := s.Store().Retry(context.Background(), failed.ID[:8], "maria"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "manual retry", 30*time.Second, func() bool {
		d, _ := s.Store().Delivery(failed.ID)
		return d.Status == record.DeliveryDelivered
	})
	d, _ := s.Store().Delivery(failed.ID)
	if len(d.Attempts) != 3 || d.Attempts[2].By != "manual retry by maria" {
		t.Errorf("attempts after manual retry: %+v", d.Attempts)
	}
	if n := len(other.got()); n != 1 {
		t.Errorf("other channel got %d messages, want 1 (the retry is the failed channel's alone)", n)
	}
}

func TestIntegrationTwoInstancesDeliverEachAlertOnce(t *testing.T) {
	c := pipelinetest.New(t)
	hook := newHookServer(t, nil)
	cfg := testConfig(hook.URL)
	cfg.Defaults.MatchInterval = time.Minute
	var clock atomic.Int64
	t0 := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	fake := &fakeIndex{}
	ss := &record.SavedSearch{Schema: 1, ID: "acme", Name: "Acme", Query: "acme"}
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleSavedSearches), Key: []byte(ss.ID), Value: encode(t, ss)})
	a := startService(t, c, cfg, fake, now)
	b := startService(t, c, cfg, fake, now)
	waitOwned(t, 3, a, b)
	// Rules spread over partitions; each instance evaluates only its own.
	var rules []*record.AlertRule
	for i := range 6 {
		rules = append(rules, putRule(t, a.Store(), &record.AlertRule{Name: fmt.Sprintf("match %d", i), Kind: record.RuleMatch,
			SavedSearchID: "acme", Channels: []string{"hook"}}))
	}
	putRule(t, b.Store(), &record.AlertRule{Name: "leads", Kind: record.RuleProspect, Channels: []string{"hook"}})
	waitFor(t, "rules to start watching", 30*time.Second, func() bool {
		for _, r := range rules {
			if _, ok := a.Store().State(r.ID); !ok {
				if _, ok := b.Store().State(r.ID); !ok {
					return false
				}
			}
		}
		return true
	})
	// A burst, then the interval passes: each match rule sends one message.
	for i := range 30 {
		fake.add(mention(t0.Add(time.Duration(i)*time.Second), "neutral", "acme burst"))
	}
	clock.Store(t0.Add(time.Minute).UnixNano())
	ids := []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"}
	produceUntil(t, c, ids, func() bool { return len(hook.got()) >= len(rules)+len(ids) })
	time.Sleep(2 * time.Second) // room for a duplicate to show up
	perID := map[string]int{}
	kinds := map[string]int{}
	for _, r := range hook.got() {
		perID[r.header.Get("Webhook-Id")]++
		var ev WebhookEvent
		_ = jsonUnmarshal(r.body, &ev)
		kinds[ev.Type]++
	}
	for id, n := range perID {
		if n != 1 {
			t.Errorf("notification %s delivered %d times", id, n)
		}
	}
	if kinds["alert.match"] != len(rules) || kinds["prospect.alert"] != len(ids) {
		t.Errorf("delivered %v; want %d match and %d prospect alerts", kinds, len(rules), len(ids))
	}
	evalA, _, _, _ := a.Ownership()
	evalB, _, _, _ := b.Ownership()
	if evalA == 0 || evalB == 0 {
		t.Errorf("rule partitions owned %d and %d: both instances should share the work", evalA, evalB)
	}
}

// TestIntegrationKilledDuringDeliveryDeliversAfterRestart runs the service
// in a child process, kills it with SIGKILL while the webhook receiver is
// holding the first delivery, restarts it, and checks that the delivery
// arrives again with the same webhook-id.
func TestIntegrationKilledDuringDeliveryDeliversAfterRestart(t *testing.T) {
	if os.Getenv("EARSHOT_ALERT_CHILD") != "" {
		t.Skip("running as the child")
	}
	c := pipelinetest.New(t)
	if c.Embedded == nil {
		t.Log("running against the real broker in " + pipelinetest.EnvKafka)
	}
	arrived := make(chan struct{}, 10)
	release := make(chan struct{})
	hook := newHookServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if n == 1 {
			<-release // hold the first delivery until the child is dead
		}
	})
	defer close(release)
	cfg := testConfig(hook.URL)
	cfg.Delivery.Timeout = 30 * time.Second
	store := NewStore(cfg, c.Kafka, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := store.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	putRule(t, store, &record.AlertRule{Name: "leads", Kind: record.RuleProspect, Channels: []string{"hook"}})
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestHelperAlertService$", "-test.v")
		cmd.Env = append(os.Environ(), "EARSHOT_ALERT_CHILD=1", "ALERT_BROKERS="+strings.Join(c.Brokers, ","),
			"ALERT_TOPIC_PREFIX="+c.Config.TopicPrefix, "ALERT_GROUP_PREFIX="+c.Config.Consumer.GroupPrefix, "ALERT_HOOK="+hook.URL)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := child()
	produceUntil(t, c, []string{"kim"}, func() bool { return len(hook.got()) > 0 })
	<-arrived
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	_ = first.Wait()
	second := child()
	defer func() { _ = second.Process.Kill(); _ = second.Wait() }()
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		t.Fatal("the restarted service never delivered")
	}
	reqs := hook.got()
	if reqs[0].header.Get("Webhook-Id") != reqs[1].header.Get("Webhook-Id") {
		t.Errorf("redelivery changed the id: %s then %s", reqs[0].header.Get("Webhook-Id"), reqs[1].header.Get("Webhook-Id"))
	}
	waitFor(t, "delivery recorded", 30*time.Second, func() bool {
		ds := store.Deliveries(DeliveryFilter{Status: record.DeliveryDelivered})
		return len(ds) == 1 && ds[0].Notification.ID == reqs[0].header.Get("Webhook-Id")
	})
}

// TestHelperAlertService is the child process of the kill -9 test.
func TestHelperAlertService(t *testing.T) {
	if os.Getenv("EARSHOT_ALERT_CHILD") == "" {
		t.Skip("only runs as a child of TestIntegrationKilledDuringDeliveryDeliversAfterRestart")
	}
	pc := pipelinetest.TestConfig()
	pc.Embedded.Enabled = false
	pc.Brokers = strings.Split(os.Getenv("ALERT_BROKERS"), ",")
	pc.TopicPrefix, pc.Consumer.GroupPrefix = os.Getenv("ALERT_TOPIC_PREFIX"), os.Getenv("ALERT_GROUP_PREFIX")
	k := pipeline.NewKafka(pc, pc.Brokers, nil, nil)
	cfg := testConfig(os.Getenv("ALERT_HOOK"))
	cfg.Delivery.Timeout = 30 * time.Second
	store := NewStore(cfg, k, nil)
	ctx := context.Background()
	if err := store.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := NewService(store, &fakeIndex{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Run(ctx) // until killed
}

// Prospects are decoded only while something can fire on them: an active
// prospect rule or a CRM hand-off.
func TestIntegrationProspectsAreWatchedOnlyForARuleOrAHandoff(t *testing.T) {
	c := pipelinetest.New(t)
	ss := &record.SavedSearch{Schema: 1, ID: "acme", Name: "Acme", Query: "acme"}
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleSavedSearches), Key: []byte(ss.ID), Value: encode(t, ss)})
	cfg := testConfig("http://127.0.0.1:1/unused")
	s := startService(t, c, cfg, &fakeIndex{}, nil)
	if s.watchesProspects() {
		t.Fatal("watching prospects with no rules and no hand-off")
	}
	putRule(t, s.Store(), &record.AlertRule{Name: "acme", Kind: record.RuleMatch, SavedSearchID: "acme", Channels: []string{"hook"}})
	paused := putRule(t, s.Store(), &record.AlertRule{Name: "leads", Kind: record.RuleProspect, Channels: []string{"hook"},
		Prospect: &record.ProspectParams{MinScore: 0.5}, Paused: true})
	if s.watchesProspects() {
		t.Fatal("watching prospects for a match rule and a paused prospect rule")
	}
	paused.Paused = false
	putRule(t, s.Store(), paused)
	if !s.watchesProspects() {
		t.Fatal("not watching prospects with an active prospect rule")
	}
	cfg.Handoff = []string{"hook"}
	if h := startService(t, c, cfg, &fakeIndex{}, nil); !h.watchesProspects() {
		t.Fatal("not watching prospects with a CRM hand-off and no rules")
	}
}
