package webcrawl

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// FuzzExtract feeds hostile pages to the extractors (CSS and XPath item
// rules, JSON-LD, microdata, links): whatever the markup, extraction must
// not panic, and every item it returns is a record the pipeline accepts.
func FuzzExtract(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<script type="application/ld+json">{"@type":"Review","reviewBody":"x","author":{"@type":"Person","name":[1,{}]},"reviewRating":{"ratingValue":"NaN"}}</script>`))
	f.Add([]byte(`<div itemscope itemtype="https://schema.org/Review"><div itemprop="reviewRating" itemscope><span itemprop="ratingValue">1e308</span></div><p itemprop="reviewBody">tekst</p></div>`))
	f.Add([]byte(`<article class="post"><span class="post-author"><a href="javascript:alert(1)">x</a></span><div class="post-body">` + "\xff\xfe" + `</div><time datetime="9999-99-99">`))
	f.Add([]byte(`<div class='comment' data-id='1'><span class='when'>2024/13/40 25:61</span><span class='stars'>-5</span><div class='say'>ok</div></div><base href="::"><a href="%zz">`))

	schemaOn := true
	site := siteConfig("fuzz", nil, forumItems, blogItems)
	site.SchemaOrg = &schemaOn
	cfg := Config{Sites: []Site{site}}
	cfg.Sites[0].StartURLs = []string{"https://sites.example/t/1"}
	cfg.fillSites()
	x := newExtractor(cfg.Sites[0])
	follow := []followRule{{sel: compileSelector(Selector{CSS: "a"})}}
	u, _ := url.Parse("https://sites.example/t/1")
	fetched := time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, body []byte) {
		root, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			return // the HTML5 parser accepts anything; a reader error is not ours
		}
		p := page{url: u, base: u, root: root, fetched: fetched}
		for _, it := range x.extract(p) {
			m := it.rec
			if err := m.Normalize(); err != nil {
				t.Fatalf("extracted a record the pipeline refuses: %v (%+v)", err, m)
			}
			if m.Text == "" {
				t.Fatalf("extracted an item with no text: %+v", m)
			}
		}
		for _, l := range links(follow, p) {
			lu, err := url.Parse(l)
			if err != nil || lu.Scheme != "http" && lu.Scheme != "https" {
				t.Fatalf("followed link %q is not an absolute http(s) URL: %v", l, err)
			}
		}
	})
}
