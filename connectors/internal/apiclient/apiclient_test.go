package apiclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type script struct {
	mu    sync.Mutex
	steps []func(w http.ResponseWriter)
	seen  []string // User-Agent of each request
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r.Header.Get("User-Agent"))
	step := s.steps[0]
	if len(s.steps) > 1 {
		s.steps = s.steps[1:]
	}
	s.mu.Unlock()
	step(w)
}

func status(code int, body string, hdr ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func client(url string, results *[]string) *Client {
	var mu sync.Mutex
	return &Client{Platform: "testplatform", HTTP: http.DefaultClient, UserAgent: "earshot-test/1",
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, Attempts: 3,
		Observe: func(r string) { mu.Lock(); *results = append(*results, r); mu.Unlock() }}
}

func TestRetriesServerErrorsAndWaitsOut429(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter){
		status(503, "busy"),
		status(429, "slow down", "Retry-After", "0.05"),
		status(200, `{"n":7}`),
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var results []string
	c := client(srv.URL, &results)
	var out struct{ N int }
	start := time.Now()
	if err := c.GetJSON(context.Background(), srv.URL, &out); err != nil {
		t.Fatal(err)
	}
	if out.N != 7 {
		t.Fatalf("decoded %d, want 7", out.N)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("the 429's Retry-After was not waited out")
	}
	if strings.Join(results, ",") != "server_error,rate_limited,ok" {
		t.Fatalf("results = %v", results)
	}
	for _, ua := range s.seen {
		if ua != "earshot-test/1" {
			t.Fatalf("User-Agent %q", ua)
		}
	}
}

func TestCredentialsErrorsAreNamedAndNotRetried(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter){status(401, `{"error":"invalid_grant"}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var results []string
	err := client(srv.URL, &results).GetJSON(context.Background(), srv.URL, &struct{}{})
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Status != 401 || !strings.Contains(err.Error(), "testplatform refused the credentials") ||
		!strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err = %v", err)
	}
	if len(s.seen) != 1 || !IsPermanent(err) {
		t.Fatalf("%d requests, permanent %v", len(s.seen), IsPermanent(err))
	}
}

func TestMalformedBodyIsReportedAfterRetries(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter){status(200, `{"n": [unterminated`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var results []string
	err := client(srv.URL, &results).GetJSON(context.Background(), srv.URL, &struct{ N int }{})
	var me *MalformedError
	if !errors.As(err, &me) || !strings.Contains(string(me.Body), "unterminated") {
		t.Fatalf("err = %v", err)
	}
	if len(s.seen) != 3 {
		t.Fatalf("%d attempts, want 3", len(s.seen))
	}
}

func TestBudgetHoldsTheNextRequest(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter){status(200, `{}`, "X-Left", "0")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var results []string
	c := client(srv.URL, &results)
	c.Budget = func(h http.Header, now time.Time) time.Time {
		if h.Get("X-Left") == "0" {
			return now.Add(60 * time.Millisecond)
		}
		return time.Time{}
	}
	ctx := context.Background()
	if err := c.GetJSON(ctx, srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.GetJSON(ctx, srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("second request did not wait for the spent budget")
	}
}
