package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

type recordingPublisher struct {
	mu   sync.Mutex
	outs []pipeline.Output
	fail error
}

func (p *recordingPublisher) ProduceSync(_ context.Context, outs ...pipeline.Output) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.outs = append(p.outs, outs...)
	return nil
}

// emailValidator stands in for customerfile.Validate.
func emailValidator(c *record.Customer) []string {
	var p []string
	if c.ID == "" {
		p = append(p, "has no id")
	}
	for _, e := range c.Emails {
		if !strings.Contains(e, "@") {
			p = append(p, "email "+e+" has no domain")
		}
	}
	return p
}

func post(t *testing.T, h http.Handler, ctype, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/customers", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCustomersUpsert(t *testing.T) {
	pub := &recordingPublisher{}
	topics := pipeline.Topics{Prefix: "t."}
	h := CustomersHandler(pub, topics, emailValidator, nil)

	// One object.
	rec := post(t, h, "application/json", `{"id":"C1","first_name":"Jan","emails":["jan@example.pl"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("single: %d %s", rec.Code, rec.Body)
	}
	var resp customersResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Accepted != 1 || resp.IDs[0] != "C1" || resp.Topic != "t.customers" {
		t.Fatalf("response %s", rec.Body)
	}
	// An array, and JSON Lines.
	if rec := post(t, h, "application/json", `[{"id":"C2","first_name":"Anna"},{"id":"C3","last_name":"Bērziņš"}]`); rec.Code != http.StatusOK {
		t.Fatalf("array: %d %s", rec.Code, rec.Body)
	}
	if rec := post(t, h, "application/x-ndjson", "{\"id\":\"C4\",\"first_name\":\"王\"}\n\n{\"id\":\"C5\",\"first_name\":\"João\"}\n"); rec.Code != http.StatusOK {
		t.Fatalf("ndjson: %d %s", rec.Code, rec.Body)
	}
	if len(pub.outs) != 5 {
		t.Fatalf("%d records written", len(pub.outs))
	}
	for _, o := range pub.outs {
		var c record.Customer
		if err := record.Decode(o.Value, &c); err != nil || o.Topic != "t.customers" || string(o.Key) != c.ID || c.UpdatedAt.IsZero() || c.Schema != record.SchemaVersion {
			t.Fatalf("written record %s: %+v %v", o.Key, c, err)
		}
	}
}

func TestCustomersUpsertRejectsBadRecordsAndWritesNothing(t *testing.T) {
	pub := &recordingPublisher{}
	h := CustomersHandler(pub, pipeline.Topics{}, emailValidator, nil)
	rec := post(t, h, "application/json", `[{"id":"C1","emails":["ok@example.pl"]},{"emails":["broken"]},{"id":"C1"}]`)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	var rej Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &rej); err != nil || len(rej.Records) != 2 || rej.Status != http.StatusUnprocessableEntity {
		t.Fatalf("rejection %s", rec.Body)
	}
	if rej.Records[0].Index != 1 || !strings.Contains(strings.Join(rej.Records[0].Problems, ";"), "has no id") ||
		!strings.Contains(strings.Join(rej.Records[0].Problems, ";"), "broken") {
		t.Fatalf("record 1 problems: %+v", rej.Records[0])
	}
	if rej.Records[1].Index != 2 || !strings.Contains(rej.Records[1].Problems[0], "repeats the id of record 0") {
		t.Fatalf("record 2 problems: %+v", rej.Records[1])
	}
	if len(pub.outs) != 0 {
		t.Fatalf("a rejected request wrote %d records", len(pub.outs))
	}
	cases := []struct {
		method, ctype, body string
		code                int
		msg                 string
	}{
		{http.MethodPost, "", `{"id":"C1"}`, http.StatusUnsupportedMediaType, "application/json"},
		{http.MethodPost, "application/json", "", http.StatusBadRequest, "empty"},
		{http.MethodPost, "application/json", `{"id":"C1","shoe":42}`, http.StatusBadRequest, "shoe"},
		{http.MethodPost, "application/json", `{"id":"C1"}{"id":"C2"}`, http.StatusBadRequest, "more than one JSON value"},
		{http.MethodPost, "text/csv", "id\nC1", http.StatusUnsupportedMediaType, "application/json"},
		{http.MethodPost, "application/x-ndjson", "{\"id\":\"C1\"}\n{oops\n", http.StatusBadRequest, "line 2"},
		{http.MethodPost, "application/json", "[]", http.StatusBadRequest, "no customers"},
		{http.MethodPost, "application/json", `{"id":"` + strings.Repeat("x", maxCustomersBody) + `"}`, http.StatusRequestEntityTooLarge, "larger than"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/api/customers", strings.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.msg) {
			t.Errorf("%s %s %.30q: %d %s, want %d mentioning %q", c.method, c.ctype, c.body, rec.Code, rec.Body, c.code, c.msg)
		}
	}
}

func TestCustomersUpsertBrokerFailureIs503(t *testing.T) {
	pub := &recordingPublisher{fail: errors.New("not enough replicas")}
	h := CustomersHandler(pub, pipeline.Topics{}, nil, nil)
	rec := post(t, h, "application/json", `{"id":"C1"}`)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "retrying") {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}
