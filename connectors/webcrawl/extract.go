package webcrawl

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/antchfx/htmlquery"
	"github.com/antchfx/xpath"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// selector is a compiled Selector.
type selector struct {
	css  cascadia.Selector
	xp   *xpath.Expr
	attr string
}

func compileSelector(s Selector) selector {
	var out selector
	out.attr = s.Attr
	if s.CSS != "" {
		out.css = cascadia.MustCompile(s.CSS) // validated
	}
	if s.XPath != "" {
		out.xp = xpath.MustCompile(s.XPath)
	}
	return out
}

// all returns the elements matching under n.
func (s selector) all(n *html.Node) []*html.Node {
	switch {
	case s.css != nil:
		return cascadia.QueryAll(n, s.css)
	case s.xp != nil:
		return htmlquery.QuerySelectorAll(n, s.xp)
	}
	return nil
}

// value returns the text (or attribute) of the first match under n.
func (s selector) value(n *html.Node) string {
	var m *html.Node
	switch {
	case s.css != nil:
		m = cascadia.Query(n, s.css)
	case s.xp != nil:
		// An XPath may compute a value (concat('#', @id)) or select nodes.
		switch v := s.xp.Evaluate(htmlquery.CreateXPathNavigator(n)).(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64)
		default:
			m = htmlquery.QuerySelector(n, s.xp) // attributes come back as elements holding their value
		}
	}
	if m == nil {
		return ""
	}
	if s.attr != "" {
		return strings.TrimSpace(attr(m, s.attr))
	}
	return htmltext.Node(m, htmltext.Options{})
}

type itemRule struct {
	sel                                                     selector
	kind                                                    record.Kind
	author, authorURL, text, title, date, rating, permalink selector
	dateLayout                                              string
	ratingBest                                              float64
}

type followRule struct {
	sel     selector
	pattern *regexp.Regexp
}

// extractor turns a parsed page of one site into records.
type extractor struct {
	site      string
	lang      string
	schemaOrg bool
	items     []itemRule
}

func newExtractor(s Site) *extractor {
	x := &extractor{site: s.Name, lang: s.Lang, schemaOrg: s.SchemaOrg != nil && *s.SchemaOrg}
	for _, it := range s.Items {
		f := it.Fields
		x.items = append(x.items, itemRule{
			sel: compileSelector(it.Selector), kind: it.Kind,
			author: compileSelector(f.Author), authorURL: compileSelector(f.AuthorURL), text: compileSelector(f.Text),
			title: compileSelector(f.Title), date: compileSelector(f.Date), rating: compileSelector(f.Rating),
			permalink: compileSelector(f.Permalink), dateLayout: f.DateLayout, ratingBest: f.RatingBest,
		})
	}
	return x
}

// page is a fetched, parsed page.
type page struct {
	url     *url.URL   // final URL after redirects
	base    *url.URL   // for relative links (<base href> or url)
	root    *html.Node // the document node
	fetched time.Time
}

// item is an extracted record with the hashes that identify it and its
// content.
type item struct {
	rec     *record.Mention
	key     uint64
	content uint64
}

// extract returns the page's items: configured item rules first, then
// schema.org data; an item found twice is returned once.
func (x *extractor) extract(p page) []item {
	var out []item
	seen := map[string]bool{}
	add := func(it *item) {
		if it != nil && !seen[it.rec.SourceID] {
			seen[it.rec.SourceID] = true
			out = append(out, *it)
		}
	}
	pageLang := documentLang(p.root)
	for _, r := range x.items {
		for _, n := range r.sel.all(p.root) {
			add(x.fromRule(r, n, p, pageLang))
		}
	}
	if x.schemaOrg {
		for _, so := range schemaObjects(p.root) {
			add(x.fromSchema(so, p, pageLang))
		}
	}
	return out
}

func (x *extractor) fromRule(r itemRule, n *html.Node, p page, pageLang string) *item {
	text, title := r.text.value(n), r.title.value(n)
	if text == "" {
		text = title
	}
	if text == "" {
		return nil
	}
	m := &record.Mention{
		Kind:  r.kind,
		Title: title,
		Text:  text,
		Author: record.Author{
			Platform:   p.url.Hostname(),
			Name:       r.author.value(n),
			ProfileURL: resolve(p.base, r.authorURL.value(n)),
		},
		Lang: nodeLang(n, pageLang, x.lang),
	}
	if d := r.date.value(n); d != "" {
		if t, ok := parseDate(d, r.dateLayout); ok {
			m.CreatedAt = t
		}
	}
	if rv := r.rating.value(n); rv != "" {
		m.Rating = parseRating(rv, r.ratingBest)
	}
	return x.finish(m, resolve(p.base, r.permalink.value(n)), p)
}

// finish sets the fields every item shares and computes its hashes. The
// item's id is the site and its permalink or, without one, the page and a
// hash of its author and text.
func (x *extractor) finish(m *record.Mention, permalink string, p page) *item {
	m.Source = Type
	m.Channel = x.site
	m.FetchedAt = p.fetched
	if m.CreatedAt.IsZero() {
		m.CreatedAt = p.fetched
		setField(m, "date_source", "fetched")
	}
	pageURL := p.url.String()
	native := permalink
	if native == "" {
		native = fmt.Sprintf("%s#h%016x", pageURL, progress.Hash(m.Author.Name+"\x00"+m.Title+"\x00"+m.Text))
	}
	m.SourceID = x.site + "|" + native
	m.URL = permalink
	if m.URL == "" {
		m.URL = pageURL
	}
	setField(m, "page_url", pageURL)
	_ = m.Normalize() // source, source id and kind are set here
	rating := ""
	if m.Rating != nil {
		rating = strconv.FormatFloat(m.Rating.Value, 'g', -1, 64)
	}
	content := progress.Hash(strings.Join([]string{m.Title, m.Text, m.Author.Name, rating, m.Fields["rating_count"]}, "\x00"))
	return &item{rec: m, key: progress.Hash(m.SourceID), content: content}
}

func setField(m *record.Mention, k, v string) {
	if v == "" {
		return
	}
	if m.Fields == nil {
		m.Fields = map[string]string{}
	}
	m.Fields[k] = v
}

// links returns the absolute URLs of the links the follow rules select.
func links(rules []followRule, p page) []string {
	var out []string
	for _, r := range rules {
		for _, n := range r.sel.all(p.root) {
			href := attr(n, "href")
			if r.sel.attr != "" {
				href = attr(n, r.sel.attr)
			}
			abs := resolve(p.base, href)
			if abs == "" || (r.pattern != nil && !r.pattern.MatchString(abs)) {
				continue
			}
			out = append(out, abs)
		}
	}
	return out
}

// resolve makes ref absolute against base; it drops non-http(s) links.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	abs := base.ResolveReference(u)
	if abs.Scheme != "http" && abs.Scheme != "https" {
		return ""
	}
	return abs.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	// htmlquery returns an attribute as an element holding its value.
	if n.Type == html.ElementNode && n.Parent == nil && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
		return n.FirstChild.Data
	}
	return ""
}

// documentLang is the page's declared language: <html lang> or a
// Content-Language meta.
func documentLang(root *html.Node) string {
	var lang string
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if l := attr(n, "lang"); l != "" {
					lang = l
					return true
				}
			case atom.Meta:
				if strings.EqualFold(attr(n, "http-equiv"), "content-language") {
					lang = attr(n, "content")
					return true
				}
			case atom.Body:
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
	return strings.TrimSpace(lang)
}

// nodeLang is the nearest lang attribute around n, else the page's, else
// the site's.
func nodeLang(n *html.Node, pageLang, siteLang string) string {
	for a := n; a != nil; a = a.Parent {
		if a.Type == html.ElementNode {
			if l := strings.TrimSpace(attr(a, "lang")); l != "" {
				return l
			}
		}
	}
	if pageLang != "" {
		return pageLang
	}
	return siteLang
}

// dateLayouts are tried, in order, when a rule gives no layout.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02", time.RFC1123Z, time.RFC1123, "02.01.2006 15:04", "02.01.2006", "2006/01/02 15:04", "2006/01/02",
	"January 2, 2006", "2 January 2006", "Jan 2, 2006",
}

func parseDate(s, layout string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if layout != "" {
		t, err := time.Parse(layout, s)
		return t.UTC(), err == nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var number = regexp.MustCompile(`[0-9]+(?:[.,][0-9]+)?`)

// parseRating reads "4", "4.5", "4,5/5", "Ocena: 4 z 5" or star glyphs.
func parseRating(s string, best float64) *record.Rating {
	if full := strings.Count(s, "★"); full > 0 || strings.Contains(s, "☆") {
		total := full + strings.Count(s, "☆")
		return &record.Rating{Value: float64(full), Best: float64(total)}
	}
	nums := number.FindAllString(s, 2)
	if len(nums) == 0 {
		return nil
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(nums[0], ",", "."), 64)
	if err != nil {
		return nil
	}
	if len(nums) == 2 {
		if b, err := strconv.ParseFloat(strings.ReplaceAll(nums[1], ",", "."), 64); err == nil && b >= v {
			best = b
		}
	}
	return &record.Rating{Value: v, Best: best}
}
