package forms

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSubmitJSON measures the handler's own cost per accepted
// submission (parse, normalise, idempotency, hand-off and ack through the
// fake runner), without HTTP transport or Kafka. The end-to-end figures
// come from bench/forms.
func BenchmarkSubmitJSON(b *testing.B) {
	h := newHarness(b, testConfig, func(c *Config) { c.RateLimit.PerIP.PerSecond, c.RateLimit.PerForm.PerSecond = 0, 0 })
	handler := h.c.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := `{"email":"lead` + strconv.Itoa(i) + `@example.com","first":"Zofia","last":"Łukasik","note":"Dzień dobry, proszę o ofertę. 你好"}`
		r := httptest.NewRequest(http.MethodPost, "/f/api", strings.NewReader(body))
		r.Header.Set("Content-Type", mediaJSON)
		r.Header.Set("Idempotency-Key", "bench-"+strconv.Itoa(i))
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
