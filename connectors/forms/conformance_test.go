package forms

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/conformance"
)

// conformanceConfig is a script-posted form with limits out of the way.
const conformanceConfig = `
rate_limit: {per_ip: {per_second: 0}, per_form: {per_second: 0}}
timeouts: {handoff: 5s, ack: 5s}
forms:
  - id: api
    time_trap: false
    fields:
      - {name: email, maps_to: email, required: true}
      - {name: note, maps_to: message}
`

// formSource is a website's visitors: each published item is a form post
// with its own Idempotency-Key, retried until it is answered 2xx. Posts go
// to whichever connector is current, so a retry after a restart reaches the
// new one. With no open connector for two seconds a poster gives up (the
// shutdown check counts goroutines).
type formSource struct {
	srv    *httptest.Server
	client *http.Client
	cur    atomic.Pointer[Connector]
	seq    atomic.Int64
	wg     sync.WaitGroup
	stop   chan struct{}
}

func newFormSource(t testing.TB) conformance.Source {
	s := &formSource{stop: make(chan struct{}),
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.cur.Load()
		if c == nil {
			http.Error(w, "no connector", http.StatusServiceUnavailable)
			return
		}
		c.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(s.stop)
		s.wg.Wait()
		s.srv.Close()
	})
	return s
}

func (s *formSource) Publish(_ testing.TB, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		key := fmt.Sprintf("conformance-%d", s.seq.Add(1))
		ids[i] = "key-" + hashOf("key", "api", key)
		s.wg.Add(1)
		go s.post(key)
	}
	return ids
}

func (s *formSource) post(key string) {
	defer s.wg.Done()
	body := fmt.Sprintf(`{"email":"%s@example.com","note":"Olá, gostaria de um orçamento."}`, key)
	var idleSince time.Time
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		if c := s.cur.Load(); c == nil || c.closing.Load() {
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > 2*time.Second {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		idleSince = time.Time{}
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/f/api", strings.NewReader(body))
		req.Header.Set("Content-Type", mediaJSON)
		req.Header.Set("Idempotency-Key", key)
		if resp, err := s.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Drop cuts every client connection mid-request; posters retry.
func (s *formSource) Drop(testing.TB) { s.srv.CloseClientConnections() }

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type:      Type,
		NewSource: newFormSource,
		LongRun:   1000, // each item is an HTTP round trip; 1000 show the heap is flat
		NewConnector: func(t testing.TB, src conformance.Source, deps connectors.Deps) connectors.Connector {
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(conformanceConfig), &node); err != nil {
				t.Fatal(err)
			}
			c, err := factory(node.Content[0], deps)
			if err != nil {
				t.Fatalf("building connector: %v", err)
			}
			fc := c.(*Connector)
			src.(*formSource).cur.Store(fc)
			return fc
		},
	})
}
