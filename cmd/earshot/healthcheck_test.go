package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckFollowsReadyz(t *testing.T) {
	ready := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		if !ready {
			http.Error(w, "kafka: unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var out, errOut bytes.Buffer
	if code := execute([]string{"healthcheck", addr}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "503 Service Unavailable: kafka: unreachable") {
		t.Fatalf("not ready: exit %d, stderr %q", code, errOut.String())
	}
	ready = true
	out.Reset()
	if code := execute([]string{"healthcheck", addr}, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "/readyz: ready") {
		t.Fatalf("ready: exit %d, stdout %q", code, out.String())
	}
}
