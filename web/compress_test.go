package web

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/web/auth"
)

// Pages, assets and JSON leave compressed for a client that accepts it,
// whole when unpacked; an event stream leaves as written, event by event.
func TestAnswersAreCompressedWhenAccepted(t *testing.T) {
	ta := newTestApp(t)
	b := ta.signIn(t, auth.RoleAdmin)
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		hr, err := http.NewRequest("GET", ta.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			hr.Header.Set(header[i], header[i+1])
		}
		res, err := b.client.Do(hr) // an Accept-Encoding set here is not undone by the client
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	for _, c := range []struct{ path, accept, contains string }{
		{"/mentions?period=all", "text/html", `<meta name="csrf-token"`},
		{"/assets/app.css", "text/css", "font-family"},
		{"/api/search?q=*&size=50", "application/json", `"hits"`},
	} {
		plainRes, plain := get(c.path, "Accept", c.accept, "Accept-Encoding", "identity")
		res, packed := get(c.path, "Accept", c.accept, "Accept-Encoding", "gzip")
		if plainRes.StatusCode != 200 || res.StatusCode != 200 {
			t.Fatalf("%s = %d, %d", c.path, plainRes.StatusCode, res.StatusCode)
		}
		if plainRes.Header.Get("Content-Encoding") != "" || !strings.Contains(string(plain), c.contains) {
			t.Errorf("%s without Accept-Encoding: encoded %q, or lacks %q", c.path, plainRes.Header.Get("Content-Encoding"), c.contains)
		}
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("%s with gzip accepted: Content-Encoding %q, Vary %q", c.path, res.Header.Get("Content-Encoding"), res.Header.Values("Vary"))
		}
		zr, err := gzip.NewReader(strings.NewReader(string(packed)))
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		unpacked, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if !strings.Contains(string(unpacked), c.contains) || len(packed) >= len(unpacked)/2 {
			t.Errorf("%s: %d bytes compressed into %d, or the page lacks %q", c.path, len(unpacked), len(packed), c.contains)
		}
	}

	// The live stream: its first event arrives at once, uncompressed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, "GET", ta.ts.URL+"/mentions/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Accept", "text/event-stream")
	hr.Header.Set("Accept-Encoding", "gzip")
	res, err := b.client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "retry:") || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("the stream began %q (%v), Content-Encoding %q", line, err, res.Header.Get("Content-Encoding"))
	}
}
