// Package htmltext turns HTML (a Mastodon status, a feed entry, a crawled
// element) into clean readable text: block elements become line breaks,
// links keep their visible text, scripts and styles vanish, whitespace is
// collapsed and entities decoded.
package htmltext

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Options adjust the conversion.
type Options struct {
	// Link, when set, returns the text to write for an <a> element given its
	// href, class attribute and visible text (e.g. to expand a Mastodon
	// mention "@ana" to "@ana@example.social").
	Link func(href, class, text string) string
}

// String converts an HTML fragment to text.
func String(fragment string, o Options) string {
	if !strings.ContainsAny(fragment, "<&") {
		return normalize(fragment)
	}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil { // the tokenizer does not fail on bad markup; only on reader errors
		return normalize(fragment)
	}
	w := &writer{o: o}
	for _, n := range nodes {
		w.node(n)
	}
	return w.String()
}

// Node converts a parsed element and its descendants to text.
func Node(n *html.Node, o Options) string {
	w := &writer{o: o}
	w.node(n)
	return w.String()
}

// blocks are elements that start and end a line of text.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Tr: true, atom.Table: true, atom.Article: true,
	atom.Section: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Dd: true,
	atom.Dt: true, atom.Dl: true, atom.Figure: true, atom.Figcaption: true, atom.Hr: true,
	atom.Main: true, atom.Nav: true, atom.Form: true, atom.Fieldset: true, atom.Address: true,
}

// paragraphs are blocks separated by an empty line.
var paragraphs = map[atom.Atom]bool{atom.P: true, atom.Blockquote: true, atom.Pre: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true}

// hidden are elements whose content is never text.
var hidden = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Template: true, atom.Head: true, atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Select: true}

type writer struct {
	o     Options
	b     strings.Builder
	space bool // a pending space
	nl    int  // pending line breaks (max 2)
}

func (w *writer) String() string { return strings.TrimSpace(w.b.String()) }

func (w *writer) text(s string) {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0':
			w.space = true
			continue
		}
		if w.b.Len() > 0 {
			switch {
			case w.nl > 0:
				w.b.WriteString(strings.Repeat("\n", w.nl))
			case w.space:
				w.b.WriteByte(' ')
			}
		}
		w.nl, w.space = 0, false
		w.b.WriteRune(r)
	}
}

func (w *writer) br(n int) {
	if n > w.nl {
		w.nl = n
	}
	w.space = false
}

func (w *writer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode, html.DocumentNode:
	default:
		return
	}
	if n.Type == html.ElementNode {
		if hidden[n.DataAtom] {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.br(1)
			return
		case atom.A:
			if w.o.Link != nil {
				inner := (&writer{}).children(n)
				w.text(w.o.Link(attr(n, "href"), attr(n, "class"), inner))
				return
			}
		case atom.Td, atom.Th:
			w.space = true
		}
	}
	gap := 0
	if n.Type == html.ElementNode && blocks[n.DataAtom] {
		gap = 1
		if paragraphs[n.DataAtom] {
			gap = 2
		}
		w.br(gap)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	if gap > 0 {
		w.br(gap)
	}
}

func (w *writer) children(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	return w.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// normalize collapses whitespace in plain text, keeping line breaks and
// at most one empty line between paragraphs.
func normalize(s string) string {
	w := &writer{}
	blank := 0
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			blank++
			continue
		}
		if blank > 0 {
			w.br(2)
		} else {
			w.br(1)
		}
		blank = 0
		w.text(line)
	}
	return w.String()
}

// Plain collapses whitespace in plain text like String does for HTML,
// keeping paragraph breaks.
func Plain(s string) string { return normalize(s) }
