package forms

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const typeformSecret = "typeform-secret-0123456789"
const webhookSecret = "webhook-secret-0123456789"

// typeformBody is a form_response as Typeform sends it (trimmed), with
// answers matched to the "api" form by ref.
const typeformBody = `{
  "event_id": "01HTYF0000000000000000000",
  "event_type": "form_response",
  "form_response": {
    "form_id": "lT4Z3j",
    "token": "a3a12ec67a1365927098a606107fac15",
    "submitted_at": "2025-03-14T09:20:00Z",
    "landed_at": "2025-03-14T09:18:11Z",
    "hidden": {"utm_source": "instagram", "utm_campaign": "primavera"},
    "definition": {"id": "lT4Z3j", "title": "Pedido de demo", "fields": []},
    "answers": [
      {"type": "email", "email": "joao.silva@Exemplo.PT", "field": {"id": "e1", "type": "email", "ref": "email"}},
      {"type": "text", "text": "João", "field": {"id": "t1", "type": "short_text", "ref": "first"}},
      {"type": "text", "text": "Silva", "field": {"id": "t2", "type": "short_text", "ref": "last"}},
      {"type": "text", "text": "Gostaria de ver uma demonstração.", "field": {"id": "t3", "type": "long_text", "ref": "note"}},
      {"type": "choice", "choice": {"label": "Lisboa"}, "field": {"id": "c1", "type": "multiple_choice", "ref": "city"}}
    ]
  }
}`

func TestTypeformWebhook(t *testing.T) {
	h := newHarness(t, testConfig)
	send := func(body, sig string) *httptestRecorder {
		hdr := map[string]string{}
		if sig != "" {
			hdr[HeaderTypeform] = sig
		}
		return h.do(req{path: "/f/api/typeform", contentType: mediaJSON, body: body, header: hdr})
	}
	a := acceptedOf(t, send(typeformBody, SignTypeform(typeformSecret, []byte(typeformBody))))
	recs := h.records()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	m := recs[0]
	if m.ID != a.ID || m.SourceID != "typeform-a3a12ec67a1365927098a606107fac15" || m.Submission.Via != "typeform" {
		t.Errorf("ids: answer %s record %s source id %s via %s", a.ID, m.ID, m.SourceID, m.Submission.Via)
	}
	if m.Author.Email != "joao.silva@exemplo.pt" || m.Author.Name != "João Silva" || m.Text != "Gostaria de ver uma demonstração." {
		t.Errorf("author %+v text %q", m.Author, m.Text)
	}
	if m.Campaign == nil || m.Campaign.Source != "instagram" || m.Campaign.Name != "primavera" {
		t.Errorf("campaign %+v", m.Campaign)
	}
	if !m.CreatedAt.Equal(time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC)) || m.Submission.ClientIP != "" {
		t.Errorf("created %s, client ip %q (Typeform's address is not the person's)", m.CreatedAt, m.Submission.ClientIP)
	}
	// Typeform retries a delivery it thinks failed: same token, one record.
	w := send(typeformBody, SignTypeform(typeformSecret, []byte(typeformBody)))
	if acceptedOf(t, w).ID != a.ID || w.Header().Get("Idempotent-Replayed") != "true" || len(h.records()) != 1 {
		t.Errorf("retried delivery: %v, %d records", w.Header(), len(h.records()))
	}

	// Bad signatures.
	wantProblem(t, send(typeformBody, ""), 401, "signature-missing")
	wantProblem(t, send(typeformBody, SignTypeform("another-secret-0123456789", []byte(typeformBody))), 401, "signature-invalid")
	tampered := strings.Replace(typeformBody, "João", "Mallory", 1)
	wantProblem(t, send(tampered, SignTypeform(typeformSecret, []byte(typeformBody))), 401, "signature-invalid")
	// Hex instead of base64 is not Typeform's scheme.
	wantProblem(t, send(typeformBody, SignWebhook(typeformSecret, time.Unix(0, 0), []byte(typeformBody))), 401, "signature-invalid")

	// Signed but unusable.
	bad := `{"event_type":"form_response","form_response":{"answers":[]}}`
	wantProblem(t, send(bad, SignTypeform(typeformSecret, []byte(bad))), 400, "malformed-body")
	invalid := strings.Replace(typeformBody, `"joao.silva@Exemplo.PT"`, `"joao"`, 1)
	invalid = strings.Replace(invalid, "a3a12ec6", "b3a12ec6", 1)
	p := wantProblem(t, send(invalid, SignTypeform(typeformSecret, []byte(invalid))), 400, "validation")
	if p.Errors[0].Field != "email" {
		t.Errorf("errors %+v", p.Errors)
	}
	other := `{"event_type":"form_partial"}`
	if w := send(other, SignTypeform(typeformSecret, []byte(other))); w.Code != 200 || !strings.Contains(w.Body.String(), "ignored") {
		t.Errorf("other event: %d %s", w.Code, w.Body)
	}
	// A form without a Typeform receiver.
	wantProblem(t, h.do(req{path: "/f/contact/typeform", contentType: mediaJSON, body: "{}"}), 404, "unknown-receiver")
	if n := len(h.records()); n != 1 {
		t.Fatalf("%d records after the refusals", n)
	}
}

func TestGenericWebhook(t *testing.T) {
	h := newHarness(t, testConfig)
	body := `{"email":"ieva@piemers.lv","first":"Ieva","last":"Kalniņa","note":"Vēlos uzzināt cenu."}`
	send := func(body string, ts time.Time, sig string, extra map[string]string) *httptestRecorder {
		hdr := map[string]string{HeaderTimestamp: strconv.FormatInt(ts.Unix(), 10), HeaderSignature: sig}
		for k, v := range extra {
			hdr[k] = v
		}
		return h.do(req{path: "/f/api/webhook", contentType: mediaJSON, body: body, header: hdr})
	}
	now := h.clock.Now()
	a := acceptedOf(t, send(body, now, SignWebhook(webhookSecret, now, []byte(body)), nil))
	m := h.records()[0]
	if m.ID != a.ID || m.Submission.Via != "webhook" || m.Author.Name != "Ieva Kalniņa" {
		t.Errorf("record %+v", m)
	}

	// Replay inside the window: answered, not stored again.
	w := send(body, now, SignWebhook(webhookSecret, now, []byte(body)), nil)
	if acceptedOf(t, w).ID != a.ID || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay in window: %v", w.Header())
	}
	// The sender re-signs the same body later (its retry): still one record.
	h.clock.Advance(time.Minute)
	later := h.clock.Now()
	if acceptedOf(t, send(body, later, SignWebhook(webhookSecret, later, []byte(body)), nil)).ID != a.ID {
		t.Error("re-signed retry made a new record")
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("%d records", n)
	}

	// Replay outside the window, either side.
	old := h.clock.Now().Add(-6 * time.Minute)
	p := wantProblem(t, send(body, old, SignWebhook(webhookSecret, old, []byte(body)), nil), 401, "stale-timestamp")
	if !strings.Contains(p.Detail, "5m0s") {
		t.Errorf("detail %q", p.Detail)
	}
	future := h.clock.Now().Add(6 * time.Minute)
	wantProblem(t, send(body, future, SignWebhook(webhookSecret, future, []byte(body)), nil), 401, "stale-timestamp")

	// Bad signatures.
	now = h.clock.Now()
	wantProblem(t, send(body, now, SignWebhook("wrong-secret-0123456789", now, []byte(body)), nil), 401, "signature-invalid")
	// A signature for another timestamp: the timestamp cannot be moved into the window.
	wantProblem(t, send(body, now, SignWebhook(webhookSecret, old, []byte(body)), nil), 401, "signature-invalid")
	wantProblem(t, send(`{"email":"evil@example.com"}`, now, SignWebhook(webhookSecret, now, []byte(body)), nil), 401, "signature-invalid")
	wantProblem(t, h.do(req{path: "/f/api/webhook", contentType: mediaJSON, body: body}), 401, "signature-missing")
	wantProblem(t, h.do(req{path: "/f/api/webhook", contentType: mediaJSON, body: body,
		header: map[string]string{HeaderTimestamp: "yesterday", HeaderSignature: "sha256=00"}}), 401, "signature-invalid")
	// Rotation: several signatures, one valid.
	body2 := `{"email":"ana@example.pt"}`
	sigs := SignWebhook("old-secret-0123456789", now, []byte(body2)) + ", " + SignWebhook(webhookSecret, now, []byte(body2))
	acceptedOf(t, send(body2, now, sigs, nil))
	// An Idempotency-Key identifies the delivery instead of the body.
	body3 := `{"email":"li@example.cn","note":"你好"}`
	k := map[string]string{"Idempotency-Key": "evt_123"}
	b := acceptedOf(t, send(body3, now, SignWebhook(webhookSecret, now, []byte(body3)), k))
	if h.records()[len(h.records())-1].SourceID != "hook-"+hashOf("webhook", "api", hashOf("webhook-key", "evt_123")) || b.ID == a.ID {
		t.Errorf("keyed delivery source id %s", h.records()[len(h.records())-1].SourceID)
	}
	// Signed but invalid content.
	body4 := `{"note":"no email"}`
	wantProblem(t, send(body4, now, SignWebhook(webhookSecret, now, []byte(body4)), nil), 400, "validation")
	if n := len(h.records()); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}
	wantProblem(t, h.do(req{path: "/f/contact/webhook", contentType: mediaJSON, body: "{}"}), 404, "unknown-receiver")
}

func TestWebhookBodyLimit(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.Limits.MaxBodyBytes = 1024 })
	body := `{"email":"a@example.com","note":"` + strings.Repeat("x", 2000) + `"}`
	now := h.clock.Now()
	hdr := map[string]string{HeaderTimestamp: strconv.FormatInt(now.Unix(), 10), HeaderSignature: SignWebhook(webhookSecret, now, []byte(body))}
	wantProblem(t, h.do(req{path: "/f/api/webhook", contentType: mediaJSON, body: body, header: hdr}), http.StatusRequestEntityTooLarge, "body-too-large")
}
