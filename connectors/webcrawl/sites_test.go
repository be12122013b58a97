package webcrawl

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// testSites serves the local sites the crawler is tested on: a paginated
// forum thread that grows, review pages with JSON-LD and microdata, blog
// comments, a news article, pages in ISO-8859-2, GBK, Windows-1257 and
// UTF-8 with a BOM, a robots.txt disallowing /private/, redirects into
// internal addresses, a huge page and a page that never finishes.
type testSites struct {
	srv *httptest.Server

	mu        sync.Mutex
	posts     []forumPost
	pageSize  int
	failNext  int
	requests  map[string]int
	slowGate  chan struct{}
	hugeBytes int
}

type forumPost struct {
	id           int
	author, text string
}

func newTestSites(t testing.TB) *testSites {
	s := &testSites{pageSize: 20, requests: map[string]int{}, slowGate: make(chan struct{}), hugeBytes: 8 << 20}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.slowGate)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

func (s *testSites) url(path string) string { return s.srv.URL + path }

func (s *testSites) requested(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// addPosts appends n posts to the forum thread and returns their source ids
// under a site named site.
func (s *testSites) addPosts(site string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		id := len(s.posts) + 1
		s.posts = append(s.posts, forumPost{id: id, author: fmt.Sprintf("user%d", id%13),
			text: fmt.Sprintf("Post %d: Earshot działa, ale eksport bywa wolny.", id)})
		ids = append(ids, fmt.Sprintf("%s|%s#post-%d", site, s.url("/forum/t/earshot"), id))
	}
	return ids
}

func (s *testSites) editPost(id int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts[id-1].text = text
}

func (s *testSites) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	s.mu.Unlock()
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	case "/index":
		s.html(w, `<html lang="en"><body><ul>
<li><a href="/forum/t/earshot">forum</a></li><li><a href="/shop/p/earshot-pro/reviews">reviews</a></li>
<li><a href="/shop/p/mini/reviews">mini</a></li><li><a href="/blog/2024/earshot">blog</a></li>
<li><a href="/news/roundup">news</a></li><li><a href="/enc/pl">pl</a></li><li><a href="/enc/zh">zh</a></li>
<li><a href="/enc/lv">lv</a></li><li><a href="/enc/bom">bom</a></li><li><a href="/private/secret">secret</a></li>
<li><a href="/go/metadata">metadata</a></li><li><a href="/go/private">private</a></li>
<li><a href="/huge">huge</a></li><li><a href="/slow">slow</a></li><li><a href="mailto:x@example.com">mail</a></li>
</ul></body></html>`)
	case "/forum/t/earshot":
		s.forum(w, r)
	case "/shop/p/earshot-pro/reviews":
		if r.URL.Query().Get("page") != "" {
			s.html(w, `<html><body><p>Brak kolejnych opinii.</p></body></html>`)
			return
		}
		s.file(w, "reviews_jsonld.html")
	case "/shop/p/mini/reviews":
		s.file(w, "reviews_microdata.html")
	case "/blog/2024/earshot":
		s.file(w, "blog_comments.html")
	case "/news/roundup":
		s.file(w, "news_article.html")
	case "/private/secret":
		s.html(w, `<html><body><article class="post"><div class="post-body">secret</div></article></body></html>`)
	case "/enc/pl": // charset only in the header
		encoded(w, "text/html; charset=iso-8859-2", charmap.ISO8859_2, "pl", "", "Zażółć gęślą jaźń - świetna obsługa w Łodzi")
	case "/enc/zh": // charset only in <meta charset>
		encoded(w, "text/html", simplifiedchinese.GBK, "zh", `<meta charset="gbk">`, "耳语的客服很专业，发货也快")
	case "/enc/lv": // charset only in http-equiv
		encoded(w, "text/html", charmap.Windows1257, "lv", `<meta http-equiv="Content-Type" content="text/html; charset=windows-1257">`, "Ļoti ērti, piegāde uz Rīgu ātra; ķēdes veikals")
	case "/enc/bom": // the BOM wins over a wrong meta
		w.Header().Set("Content-Type", "text/html")
		body := pageHTML("pt", `<meta charset="iso-8859-1">`, "Ação rápida, não há falhas")
		_, _ = w.Write(append([]byte("\xef\xbb\xbf"), body...))
	case "/go/metadata":
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	case "/go/private":
		http.Redirect(w, r, "http://10.1.2.3/admin", http.StatusFound)
	case "/huge":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<html><body>`))
		chunk := []byte(strings.Repeat(`<article class="post"><div class="post-body">filler filler filler</div></article>`, 100))
		for n := 0; n < s.hugeBytes; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case "/slow":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<html><body><article class="post"><div class="post-body">never`))
		w.(http.Flusher).Flush()
		select { // never finishes: until the client gives up
		case <-r.Context().Done():
		case <-s.slowGate:
		}
	default:
		http.NotFound(w, r)
	}
}

func (s *testSites) html(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(body))
}

func (s *testSites) file(w http.ResponseWriter, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	// The pages are written for https://sites.example; serve them locally.
	b = bytes.ReplaceAll(b, []byte("https://sites.example"), []byte(s.srv.URL))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

func (s *testSites) forum(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = max(n, 1)
	s.mu.Lock()
	from := (n - 1) * s.pageSize
	to := min(from+s.pageSize, len(s.posts))
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>Earshot – opinie</title></head><body><main>`)
	for i := from; i < to; i++ {
		p := s.posts[i]
		fmt.Fprintf(&b, `<article class="post" id="post-%d"><div class="post-author"><a href="/forum/u/%s">%s</a></div>`+
			`<time datetime="2024-05-14T08:%02d:00Z"></time><div class="post-body"><p>%s</p></div>`+
			`<a class="permalink" href="/forum/t/earshot#post-%d">#</a></article>`,
			p.id, p.author, p.author, p.id%60, html.EscapeString(p.text), p.id)
	}
	if to < len(s.posts) {
		fmt.Fprintf(&b, `<a class="next" href="/forum/t/earshot?page=%d">dalej</a>`, n+1)
	}
	b.WriteString(`</main></body></html>`)
	s.mu.Unlock()
	s.html(w, b.String())
}

func pageHTML(lang, meta, text string) []byte {
	return []byte(fmt.Sprintf(`<!DOCTYPE html><html lang="%s"><head>%s<title>t</title></head><body>`+
		`<article class="post"><div class="post-body">%s</div><a class="permalink" href="#p1">#</a></article></body></html>`,
		lang, meta, text))
}

func encoded(w http.ResponseWriter, contentType string, enc encoding.Encoding, lang, meta, text string) {
	body, err := enc.NewEncoder().Bytes(pageHTML(lang, meta, text))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}
