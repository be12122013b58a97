package forms

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// integrationConfig is an API form with limits out of the way and a small
// queue, so a burst of clients overflows it and some get 503.
const integrationConfig = `
rate_limit: {per_ip: {per_second: 0}, per_form: {per_second: 0}}
timeouts: {handoff: 1s, ack: 5s, retry_after: 1s}
queue_size: 32
forms:
  - id: leads
    time_trap: false
    fields:
      - {name: email, maps_to: email, required: true}
      - {name: name, maps_to: name}
      - {name: message, maps_to: message}
`

// intakeStack is the forms connector run by the real connector runner into
// Kafka, served over loopback HTTP.
type intakeStack struct {
	c      *Connector
	srv    *httptest.Server
	cancel context.CancelFunc
	done   chan error
}

func startIntake(t *testing.T, k *pipeline.Kafka, maxInFlight int) *intakeStack {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(integrationConfig), &node); err != nil {
		t.Fatal(err)
	}
	conn, err := factory(node.Content[0], connectors.Deps{Name: "forms", MaxInFlight: maxInFlight})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*Connector)
	producer := k.NewProducer("forms-test", 0)
	t.Cleanup(func() { _ = producer.Close() })
	r := &connectors.Runner{Name: "forms", Connector: c, Publisher: k.NewRawPublisher(producer),
		MaxInFlight: maxInFlight, ShutdownTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	s := &intakeStack{c: c, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- r.Run(ctx) }()
	s.srv = httptest.NewUnstartedServer(c.Handler())
	c.ApplyServerTimeouts(s.srv.Config)
	s.srv.Start()
	t.Cleanup(s.stop)
	return s
}

func (s *intakeStack) stop() {
	s.cancel()
	<-s.done
	s.srv.Close()
}

// post sends one JSON submission with an Idempotency-Key.
func post(client *http.Client, url, key, body string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", mediaJSON)
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func keyRecordID(form, key string) string {
	return record.RecordID(Type, "key-"+hashOf("key", form, key))
}

// rawIDs reads the whole raw topic (its end offsets say how much there is)
// and counts each record id.
func rawIDs(t *testing.T, cl *pipelinetest.Cluster) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := cl.Kafka.EndOffsets(ctx, cl.Kafka.Topics().Raw())
	if err != nil {
		t.Fatalf("reading end offsets: %v", err)
	}
	total := 0
	for _, e := range ends {
		total += int(e)
	}
	msgs := cl.ReadN(t, cl.Kafka.Topics().Raw(), total, 30*time.Second)
	if len(msgs) != total {
		t.Fatalf("read %d of the %d records in the raw topic", len(msgs), total)
	}
	ids := map[string]int{}
	for _, msg := range msgs {
		var m record.Mention
		if err := record.Decode(msg.Value, &m); err != nil {
			t.Fatalf("decoding raw record: %v", err)
		}
		if m.Kind != record.KindFormSubmission || m.Channel != "leads" || string(msg.Key) != m.AuthorKey() {
			t.Errorf("raw record %s: kind %s channel %s key %q", m.ID, m.Kind, m.Channel, msg.Key)
		}
		ids[m.ID]++
	}
	return ids
}

// TestIntegrationLoad: many concurrent clients on loopback, a queue small
// enough to overflow, some invalid submissions. Every submission answered
// 2xx is in the raw topic exactly once; none answered with an error is.
func TestIntegrationLoad(t *testing.T) {
	cl := pipelinetest.New(t)
	s := startIntake(t, cl.Kafka, 64)
	const clients, perClient = 48, 30
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	type outcome struct {
		key    string
		status int
	}
	outcomes := make(chan outcome, clients*perClient)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				key := fmt.Sprintf("load-%d-%d", c, i)
				email := key + "@example.com"
				if i%10 == 9 {
					email = "not-an-address" // refused with 400
				}
				body := fmt.Sprintf(`{"email":%q,"name":"Klient %d","message":"Zapytanie nr %d: 价格? preço?"}`, email, c, i)
				status, err := post(client, s.srv.URL+"/f/leads", key, body)
				if err != nil {
					t.Errorf("posting %s: %v", key, err)
				}
				outcomes <- outcome{key, status}
			}
		}()
	}
	wg.Wait()
	close(outcomes)
	accepted, refused := map[string]bool{}, map[string]int{}
	for o := range outcomes {
		if o.status == http.StatusOK {
			accepted[keyRecordID("leads", o.key)] = true
		} else {
			refused[keyRecordID("leads", o.key)] = o.status
		}
	}
	statuses := map[int]int{}
	for _, st := range refused {
		statuses[st]++
	}
	t.Logf("%d accepted, refused by status: %v", len(accepted), statuses)
	if statuses[http.StatusBadRequest] != clients*perClient/10 {
		t.Errorf("%d answered 400, want the %d invalid submissions", statuses[http.StatusBadRequest], clients*perClient/10)
	}
	if len(accepted) < clients*perClient/2 {
		t.Fatalf("only %d of %d accepted", len(accepted), clients*perClient)
	}
	ids := rawIDs(t, cl)
	for id := range accepted {
		if ids[id] != 1 {
			t.Errorf("accepted record %s is in the raw topic %d times", id, ids[id])
		}
	}
	for id, st := range refused {
		if ids[id] != 0 {
			t.Errorf("record %s answered %d is in the raw topic", id, st)
		}
	}
	if len(ids) != len(accepted) {
		t.Errorf("raw topic holds %d records, %d were accepted", len(ids), len(accepted))
	}
}

// TestIntegrationPipelineDown: the broker is stopped; a submission is
// answered 503 with Retry-After and is not stored; the broker comes back
// (same port, same data) and the client's retry lands exactly once.
func TestIntegrationPipelineDown(t *testing.T) {
	if os.Getenv(pipelinetest.EnvKafka) != "" {
		t.Skip("stops and restarts the embedded broker; not run against a real cluster")
	}
	port := freePort(t)
	dir := t.TempDir()
	start := func() *pipeline.Embedded {
		e, err := pipeline.StartEmbedded(pipeline.EmbeddedConfig{Enabled: true, Port: port, DataDir: dir}, nil)
		if err != nil {
			t.Fatalf("starting embedded broker: %v", err)
		}
		return e
	}
	broker := start()
	cfg := pipelinetest.TestConfig()
	cfg.Producer.MaxAttempts = 2
	cfg.Producer.WriteTimeout = 2 * time.Second
	cfg.DialTimeout = time.Second
	k := pipeline.NewKafka(cfg, []string{broker.Addr()}, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := k.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	s := startIntake(t, k, 16)
	client := &http.Client{Timeout: 30 * time.Second}
	url := s.srv.URL + "/f/leads"
	body := `{"email":"marta@example.lv","name":"Marta Ozola","message":"Sveiki! Lūdzu piedāvājumu."}`

	if st, err := post(client, url, "warm-up", `{"email":"first@example.com"}`); err != nil || st != 200 {
		t.Fatalf("warm-up: %d %v", st, err)
	}
	broker.Close()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", mediaJSON)
	req.Header.Set("Idempotency-Key", "retry-me")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("with the broker down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	broker = start()
	t.Cleanup(broker.Close)
	// The client retries, as Retry-After tells it, until accepted.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := post(client, url, "retry-me", body)
		if err == nil && st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retry never accepted: %d %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if st, _ := post(client, url, "retry-me", body); st != 200 { // one more retry: answered from memory
		t.Fatalf("repeated retry: %d", st)
	}
	ids := rawIDs(t, &pipelinetest.Cluster{Kafka: k})
	if got := ids[keyRecordID("leads", "retry-me")]; got != 1 {
		t.Fatalf("the retried submission is in the raw topic %d times, want 1 (all: %v)", got, ids)
	}
	if got := ids[keyRecordID("leads", "warm-up")]; got != 1 {
		t.Fatalf("the submission before the outage is in the raw topic %d times (data kept across the restart?)", got)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
