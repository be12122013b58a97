package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A hub running one connector of every type exports each one's series on
// /metrics. The feed, web and Mastodon series once vanished: the hub wrapped
// their registerer with a constant "connector" label that clashed with
// their own, and the error was thrown away.
func TestIntegrationMetricsOfEveryConnectorType(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>`+
				`<item><guid>n1</guid><title>Lumio Beam review</title><description>Lumio Beam is great</description></item></channel></rss>`)
		case r.URL.Path == "/page":
			fmt.Fprint(w, `<html lang="en"><body><script type="application/ld+json">`+
				`{"@context":"https://schema.org","@type":"Review","reviewBody":"Lumio Beam works","author":{"@type":"Person","name":"Ana"}}`+
				`</script></body></html>`)
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		default: // Mastodon: an empty answer to every REST call and stream
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "[]")
		}
	}))
	defer peer.Close()
	dir := t.TempDir()
	lines := filepath.Join(dir, "m.jsonl")
	if err := os.WriteFile(lines, []byte(`{"id":"1","text":"Lumio Beam from a file"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`kafka:
  embedded: {enabled: true, port: 0, data_dir: %[1]q}
  topics: {partitions: 1}
http:
  listen: 127.0.0.1:0
search:
  embedded: {path: %[2]q}
connectors:
  - name: news
    type: feed
    config:
      allow_networks: [127.0.0.0/8]
      feeds: [{url: %[3]q, interval: 1s}]
  - name: site
    type: web
    config:
      sites:
        - name: shop
          start_urls: [%[4]q]
          allow_networks: [127.0.0.0/8]
          schema_org: true
          recrawl_interval: 0s
          delay: 0s
  - name: masto
    type: mastodon
    config:
      request_timeout: 2s
      servers: [{url: %[5]q, hashtags: [earshot]}]
  - name: intake
    type: forms
    config:
      forms: [{id: contact, fields: [{name: email, maps_to: email}]}]
  - name: backfill
    type: file
    config: {path: %[6]q}
`, filepath.Join(dir, "kafka"), filepath.Join(dir, "index"), peer.URL+"/feed.xml", peer.URL+"/page", peer.URL, lines)
	cfgPath := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	child, logs := startChild(t, "run", "-c", cfgPath)
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	var httpAddr string
	waitFor(t, "the banner", 60*time.Second, logs, func() bool {
		m := bannerHTTP.FindStringSubmatch(logs.String())
		if m != nil {
			httpAddr = m[1]
		}
		return m != nil
	})
	// A refused submission makes the forms series appear.
	if resp, err := http.Post("http://"+httpAddr+"/f/contact", "application/json", strings.NewReader(`{}`)); err == nil {
		resp.Body.Close()
	}
	want := []string{
		`earshot_feed_fetches_total{connector="news"`,
		`earshot_web_pages_total{connector="site"`,
		`earshot_mastodon_requests_total{connector="masto"`,
		`earshot_forms_rejected_total{connector="intake"`,
		`earshot_connector_received_total{connector="backfill"}`,
	}
	var missing []string
	waitFor(t, "every connector's series on /metrics", 60*time.Second, logs, func() bool {
		resp, err := http.Get("http://" + httpAddr + "/metrics")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		missing = missing[:0]
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			t.Logf("not yet on /metrics: %v", missing)
		}
		return len(missing) == 0
	})
}
