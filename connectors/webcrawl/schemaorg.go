package webcrawl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/record"
)

// schemaObject is a schema.org Review, Comment or AggregateRating found on
// a page, as JSON-like values, with the name of the thing it sits in (the
// reviewed product when itemReviewed is absent).
type schemaObject struct {
	typ    string
	obj    map[string]any
	parent string
}

// reviewTypes are the schema.org types read as reviews.
var reviewTypes = map[string]bool{"Review": true, "UserReview": true, "CriticReview": true, "EmployerReview": true}

// schemaObjects finds the objects in the page's JSON-LD blocks and
// microdata, in document order (JSON-LD first).
func schemaObjects(root *html.Node) []schemaObject {
	var out []schemaObject
	var visit func(v any, parent string)
	visit = func(v any, parent string) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				visit(x, parent)
			}
		case map[string]any:
			name := first(v, "name", "headline")
			for _, t := range types(v["@type"]) {
				switch {
				case reviewTypes[t] || t == "Comment" || t == "AggregateRating":
					out = append(out, schemaObject{typ: t, obj: v, parent: parent})
				}
			}
			next := parent
			if name != "" {
				next = name
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				if k != "@context" {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys) // document order is lost in a map; keep runs stable
			for _, k := range keys {
				visit(v[k], next)
			}
		}
	}
	for _, block := range jsonLD(root) {
		visit(block, "")
	}
	for _, item := range microdata(root) {
		visit(item, "")
	}
	return out
}

// types returns the local names of an @type value ("https://schema.org/Review" → "Review").
func types(v any) []string {
	var raw []string
	switch v := v.(type) {
	case string:
		raw = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				raw = append(raw, s)
			}
		}
	}
	for i, t := range raw {
		t = strings.TrimRight(t, "/")
		if j := strings.LastIndexAny(t, "/#:"); j >= 0 {
			t = t[j+1:]
		}
		raw[i] = t
	}
	return raw
}

// jsonLD parses every <script type="application/ld+json"> block; a block
// that does not parse is skipped.
func jsonLD(root *html.Node) []any {
	var out []any
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Script && strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			var v any
			if json.Unmarshal([]byte(strings.TrimSpace(b.String())), &v) == nil {
				out = append(out, v)
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// microdata returns the page's top-level microdata items as JSON-like
// objects: {"@type": ..., "@id": ..., property: value or [values]}.
func microdata(root *html.Node) []any {
	var out []any
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && hasAttr(n, "itemscope") {
			out = append(out, mdItem(n))
			return // nested items are values of this one's properties
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

func mdItem(n *html.Node) map[string]any {
	obj := map[string]any{}
	if t := strings.Fields(attr(n, "itemtype")); len(t) > 0 {
		vals := make([]any, len(t))
		for i, x := range t {
			vals[i] = x
		}
		obj["@type"] = vals
	}
	if id := attr(n, "itemid"); id != "" {
		obj["@id"] = id
	}
	mdProps(n, obj)
	return obj
}

// mdProps adds the properties of the item at n found among its
// descendants, not entering nested items.
func mdProps(n *html.Node, obj map[string]any) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		scoped := hasAttr(c, "itemscope")
		if props := strings.Fields(attr(c, "itemprop")); len(props) > 0 {
			var v any
			if scoped {
				v = mdItem(c)
			} else {
				v = mdValue(c)
			}
			for _, p := range props {
				switch prev := obj[p].(type) {
				case nil:
					obj[p] = v
				case []any:
					obj[p] = append(prev, v)
				default:
					obj[p] = []any{prev, v}
				}
			}
		}
		if !scoped {
			mdProps(c, obj)
		}
	}
}

// mdValue is a property's value by the microdata rules.
func mdValue(n *html.Node) string {
	switch n.DataAtom {
	case atom.Meta:
		return attr(n, "content")
	case atom.Audio, atom.Embed, atom.Iframe, atom.Img, atom.Source, atom.Track, atom.Video:
		return attr(n, "src")
	case atom.A, atom.Area, atom.Link:
		return attr(n, "href")
	case atom.Object:
		return attr(n, "data")
	case atom.Data, atom.Meter:
		return attr(n, "value")
	case atom.Time:
		if d := attr(n, "datetime"); d != "" {
			return d
		}
	}
	if c := attr(n, "content"); c != "" {
		return c
	}
	return htmltext.Node(n, htmltext.Options{})
}

// text reads a JSON-like value as text: a string, a number, the first of a
// list, or an object's name.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		for _, x := range v {
			if s := text(x); s != "" {
				return s
			}
		}
	case map[string]any:
		return text(v["name"])
	}
	return ""
}

func first(obj map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := text(obj[k]); s != "" {
			return s
		}
	}
	return ""
}

func number64(v any) (float64, bool) {
	s := strings.ReplaceAll(text(v), ",", ".")
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// person reads an author: a string, or a Person/Organization object.
func person(v any) (name, profile string) {
	switch v := v.(type) {
	case []any:
		if len(v) > 0 {
			return person(v[0])
		}
	case map[string]any:
		return text(v["name"]), first(v, "url", "@id")
	case string:
		return strings.TrimSpace(v), ""
	}
	return "", ""
}

// fromSchema turns a schema.org object into an item.
func (x *extractor) fromSchema(so schemaObject, p page, pageLang string) *item {
	obj := so.obj
	name, profile := person(obj["author"])
	m := &record.Mention{
		Author: record.Author{Platform: p.url.Hostname(), Name: name, ProfileURL: resolve(p.base, profile)},
		Lang:   first(obj, "inLanguage"),
	}
	if m.Lang == "" {
		m.Lang = pageLang
	}
	if m.Lang == "" {
		m.Lang = x.lang
	}
	reviewed := text(obj["itemReviewed"])
	if reviewed == "" {
		reviewed = so.parent
	}
	switch {
	case reviewTypes[so.typ]:
		m.Kind = record.KindReview
		m.Title = htmltext.String(first(obj, "name", "headline"), htmltext.Options{})
		m.Text = htmltext.String(first(obj, "reviewBody", "description", "text"), htmltext.Options{})
		if r, ok := obj["reviewRating"].(map[string]any); ok {
			m.Rating = schemaRating(r)
		}
		setField(m, "item_reviewed", reviewed)
	case so.typ == "Comment":
		m.Kind = record.KindComment
		m.Title = htmltext.String(first(obj, "name", "headline"), htmltext.Options{})
		m.Text = htmltext.String(first(obj, "text", "description"), htmltext.Options{})
		setField(m, "comment_on", so.parent)
	case so.typ == "AggregateRating":
		m.Kind = record.KindReview
		m.Rating = schemaRating(obj)
		if m.Rating == nil {
			return nil
		}
		count := first(obj, "ratingCount", "reviewCount")
		// A summary, not a person's words: the text states the figures.
		m.Text = fmt.Sprintf("%s: %g/%g", reviewed, m.Rating.Value, m.Rating.Best)
		if count != "" {
			m.Text += " (" + count + ")"
		}
		m.Text = strings.TrimPrefix(m.Text, ": ")
		setField(m, "aggregate", "true")
		setField(m, "rating_count", count)
		setField(m, "item_reviewed", reviewed)
		permalink := resolve(p.base, first(obj, "url", "@id"))
		if permalink == "" {
			permalink = p.url.String() + "#aggregate-rating-" + slug(reviewed)
		}
		return x.finish(m, permalink, p)
	}
	if m.Text == "" {
		m.Text = m.Title
	}
	if m.Text == "" {
		return nil
	}
	if d := first(obj, "datePublished", "dateCreated", "dateModified"); d != "" {
		if t, ok := parseDate(d, ""); ok {
			m.CreatedAt = t
		}
	}
	return x.finish(m, resolve(p.base, first(obj, "url", "@id")), p)
}

func schemaRating(r map[string]any) *record.Rating {
	v, ok := number64(r["ratingValue"])
	if !ok {
		return nil
	}
	out := &record.Rating{Value: v, Best: 5}
	if b, ok := number64(r["bestRating"]); ok {
		out.Best = b
	}
	if w, ok := number64(r["worstRating"]); ok {
		out.Worst = w
	}
	return out
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
