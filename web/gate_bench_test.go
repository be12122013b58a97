package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/earshothq/earshot/web/auth"
)

// The gate's cost per request: authentication by token or session, the
// role check and the headers, in front of GET /api/me.
func BenchmarkGate(b *testing.B) {
	ta := buildTestApp(b)
	h := ta.srv.Handler()
	cookie, _, _, err := ta.accounts.CreateSession(b.Context(), "vic")
	if err != nil {
		b.Fatal(err)
	}
	for name, set := range map[string]func(*http.Request){
		"bearer":  func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+ta.tokens[auth.RoleViewer]) },
		"session": func(r *http.Request) { r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie}) },
	} {
		b.Run(name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "http://127.0.0.1/api/me", nil)
			set(r)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// A sign-in's password check at the default argon2id costs.
func BenchmarkPasswordVerify(b *testing.B) {
	hash, err := auth.HashPassword("correct horse battery", auth.DefaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := auth.VerifyPassword(hash, "correct horse battery"); !ok {
			b.Fatal("no match")
		}
	}
}

// A signed-in page as browsers ask for it (compressed) and uncompressed:
// what compression costs the server per page, and the bytes it saves.
//
//	go test -run '^$' -bench PageCompression ./web
func BenchmarkPageCompression(b *testing.B) {
	ta := buildTestApp(b)
	h := ta.srv.Handler()
	cookie, _, _, err := ta.accounts.CreateSession(b.Context(), "vic")
	if err != nil {
		b.Fatal(err)
	}
	for _, enc := range []string{"identity", "gzip", "zstd"} {
		b.Run(enc, func(b *testing.B) {
			r := httptest.NewRequest("GET", "http://127.0.0.1/mentions?period=all", nil)
			r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
			r.Header.Set("Accept-Encoding", enc)
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
