package webcrawl

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/earshothq/earshot/connectors/internal/netguard"
	"github.com/earshothq/earshot/connectors/internal/progress"
)

// crawlRun is one crawl of a site. Its done channel closes once every page
// was crawled and every item it found was delivered. Fields other than
// pages are guarded by Connector.mu.
type crawlRun struct {
	started time.Time
	pages   atomic.Int64
	waiting int // items handed out (or awaited) and not yet acknowledged
	crawled bool
	closed  bool
	done    chan struct{}
}

// frontierEntry is a URL waiting to be fetched.
type frontierEntry struct {
	url   string
	depth int
}

// crawl fetches the site from its start URLs, following the follow rules
// breadth-first, with a bounded frontier and a fixed number of workers.
func (s *site) crawl(ctx context.Context, out *progress.Outbox, run *crawlRun) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := s.c
	col := colly.NewCollector(
		colly.UserAgent(c.cfg.UserAgent),
		colly.AllowedDomains(s.cfg.AllowedDomains...),
		colly.StdlibContext(cctx),
		colly.MaxBodySize(0), // the transport refuses oversized pages instead of truncating them
	)
	col.IgnoreRobotsTxt = s.cfg.IgnoreRobotsTxt
	col.URLFilters = s.filters
	col.DisallowedURLFilters = s.excluded
	col.WithTransport(s.client)
	col.SetRequestTimeout(s.cfg.RequestTimeout)
	for _, d := range s.cfg.AllowedDomains {
		_ = col.Limit(&colly.LimitRule{DomainGlob: "{" + d + "," + d + ":*}", Delay: s.cfg.Delay,
			RandomDelay: s.cfg.RandomDelay, Parallelism: s.cfg.Parallelism})
	}
	workers := min(s.cfg.Parallelism*max(len(s.cfg.AllowedDomains), 1), 32)

	frontier := make(chan frontierEntry, s.cfg.MaxQueue)
	var pending atomic.Int64 // entries queued or being fetched
	var seenMu sync.Mutex
	seen := map[uint64]struct{}{}
	enqueue := func(raw string, depth int) {
		if cctx.Err() != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		u.Fragment = ""
		key := progress.Hash(u.String())
		seenMu.Lock()
		if _, dup := seen[key]; dup {
			seenMu.Unlock()
			return
		}
		if len(seen) >= s.cfg.MaxPages {
			seenMu.Unlock()
			c.metrics.links.WithLabelValues(c.deps.Name, s.cfg.Name, "max_pages").Inc()
			return
		}
		seen[key] = struct{}{}
		seenMu.Unlock()
		pending.Add(1)
		select {
		case frontier <- frontierEntry{url: u.String(), depth: depth}:
			c.metrics.links.WithLabelValues(c.deps.Name, s.cfg.Name, "queued").Inc()
		default:
			pending.Add(-1)
			c.metrics.links.WithLabelValues(c.deps.Name, s.cfg.Name, "queue_full").Inc()
		}
	}

	col.OnRequest(func(r *colly.Request) {
		if cctx.Err() != nil {
			r.Abort()
		}
	})
	col.OnHTML("html", func(e *colly.HTMLElement) {
		if len(e.DOM.Nodes) == 0 {
			return
		}
		root := e.DOM.Nodes[0]
		for root.Parent != nil {
			root = root.Parent
		}
		p := page{url: e.Request.URL, base: baseURL(root, e.Request.URL), root: root, fetched: time.Now().UTC()}
		run.pages.Add(1)
		for _, it := range s.x.extract(p) {
			if err := s.deliver(cctx, out, run, it); err != nil {
				return // closing
			}
		}
		depth, _ := e.Request.Ctx.GetAny("depth").(int)
		if s.cfg.MaxDepth == 0 || depth < s.cfg.MaxDepth {
			for _, l := range links(s.follow, p) {
				enqueue(l, depth+1)
			}
		}
	})

	for _, su := range s.cfg.StartURLs {
		enqueue(su, 0)
	}
	if pending.Load() == 0 {
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fe := range frontier {
				if cctx.Err() == nil {
					cc := colly.NewContext()
					cc.Put("depth", fe.depth)
					err := col.Request("GET", fe.url, nil, cc, nil)
					result := pageResult(err)
					c.metrics.pages.WithLabelValues(c.deps.Name, s.cfg.Name, result).Inc()
					if err != nil && cctx.Err() == nil {
						c.log.Debug("fetching page", "site", s.cfg.Name, "url", fe.url, "result", result, "err", err)
					}
				}
				if pending.Add(-1) == 0 {
					close(frontier)
				}
			}
		}()
	}
	wg.Wait()
}

// pageResult classifies a fetch outcome for the pages metric.
func pageResult(err error) string {
	var visited *colly.AlreadyVisitedError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		return "robots"
	case errors.Is(err, netguard.ErrRefused):
		return "refused"
	case errors.Is(err, errTooLarge):
		return "too_large"
	case timedOut(err):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, colly.ErrNoURLFiltersMatch),
		errors.Is(err, colly.ErrForbiddenURL), errors.As(err, &visited):
		return "filtered"
	}
	return "error"
}

// timedOut reports a timeout anywhere in err's chain (errors.As would stop
// at the first net.Error, which may be a closed connection caused by it).
func timedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if t, ok := e.(interface{ Timeout() bool }); ok && t.Timeout() {
			return true
		}
	}
	return false
}

// baseURL is the page's <base href>, resolved, or its URL.
func baseURL(root *html.Node, pageURL *url.URL) *url.URL {
	var found string
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.Base {
				found = attr(n, "href")
				return true
			}
			if n.DataAtom == atom.Body {
				return true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(root)
	if found != "" {
		if u, err := pageURL.Parse(found); err == nil {
			return u
		}
	}
	return pageURL
}
