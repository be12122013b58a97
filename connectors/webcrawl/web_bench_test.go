package webcrawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
)

// benchSite is a generated local forum: 100 index pages of 100 thread links
// each and 10,000 thread pages of 5 posts each, served from memory.
func benchSite(b *testing.B, threads, postsPerThread int) (*httptest.Server, *atomic.Int64) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var sb strings.Builder
		sb.WriteString(`<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>Forum</title></head><body>`)
		switch {
		case r.URL.Path == "/index":
			p, _ := strconv.Atoi(r.URL.Query().Get("p"))
			sb.WriteString(`<nav class="threads">`)
			for i := p * 100; i < min((p+1)*100, threads); i++ {
				fmt.Fprintf(&sb, `<a href="/t/%d">Wątek %d</a> `, i, i)
			}
			sb.WriteString(`</nav>`)
			if (p+1)*100 < threads {
				fmt.Fprintf(&sb, `<a class="next" href="/index?p=%d">dalej</a>`, p+1)
			}
		case strings.HasPrefix(r.URL.Path, "/t/"):
			id := strings.TrimPrefix(r.URL.Path, "/t/")
			fmt.Fprintf(&sb, `<h1>Wątek %s o Earshot</h1>`, id)
			for j := 0; j < postsPerThread; j++ {
				fmt.Fprintf(&sb, `<article class="post" id="p%d"><div class="post-author"><a href="/u/%d">user%d</a></div>`+
					`<time datetime="2024-05-14T08:%02d:00Z"></time><div class="post-body"><p>Wpis %d w wątku %s: `+
					`Earshot działa dobrze, eksport bywa wolny, obsługa odpowiada szybko.</p></div>`+
					`<a class="permalink" href="#p%d">#</a></article>`, j, j, j, j, j, id, j)
			}
		default:
			http.NotFound(w, r)
			return
		}
		sb.WriteString(`</body></html>`)
		_, _ = w.Write([]byte(sb.String()))
	}))
	return srv, &served
}

// BenchmarkCrawl crawls the 10,100-page local site once per iteration and
// reports pages/s, records/s and the live heap sampled during the crawl.
func BenchmarkCrawl(b *testing.B) {
	const threads, posts = 10000, 5
	srv, served := benchSite(b, threads, posts)
	defer srv.Close()
	for i := 0; i < b.N; i++ {
		site := siteConfig("bench", []string{srv.URL + "/index"}, forumItems)
		site.Follow = []FollowRule{{Selector: Selector{CSS: "a.next"}}, {Selector: Selector{CSS: "nav.threads a"}}}
		site.Parallelism = 8
		site.MaxPages = 20000
		site.MaxQueue = 20000
		site.SchemaOrg = new(bool)
		site.AllowNetworks = []string{"127.0.0.1/32"}
		cfg := testConfig(site)
		c, err := newConnector(cfg, connectors.Deps{Name: "bench", Checkpoints: connectors.NewMemoryCheckpoints(), MaxInFlight: 1000})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		before := served.Load()
		runtime.GC()
		var heaps []uint64
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() { // live heap every 500ms, without forcing collections
			defer close(sampled)
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopSampling:
					return
				case <-t.C:
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					heaps = append(heaps, ms.HeapInuse)
				}
			}
		}()
		start := time.Now()
		if err := c.Connect(ctx); err != nil {
			b.Fatal(err)
		}
		records := 0
		var live []string
		for {
			_, ack, err := c.Read(ctx)
			if errors.Is(err, connectors.ErrEndOfInput) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := ack(ctx, nil); err != nil {
				b.Fatal(err)
			}
			records++
			if records%10000 == 0 { // live heap (after a collection) every 10,000 records
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live = append(live, strconv.FormatUint(ms.HeapAlloc>>10, 10))
			}
		}
		elapsed := time.Since(start)
		close(stopSampling)
		<-sampled
		_ = c.Close(ctx)
		pages := served.Load() - before
		if records != threads*posts {
			b.Fatalf("%d records, want %d", records, threads*posts)
		}
		b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
		b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
		var peak uint64
		var series []string
		for _, h := range heaps {
			peak = max(peak, h)
			series = append(series, strconv.FormatUint(h>>20, 10))
		}
		b.ReportMetric(float64(peak)/(1<<20), "heap-peak-MiB")
		b.Logf("%d pages, %d records in %v; heap in use (MiB) every 500ms: %s; live heap (KiB) every 10,000 records: %s",
			pages, records, elapsed.Round(time.Millisecond), strings.Join(series, " "), strings.Join(live, " "))
	}
}
