// Package query parses Earshot's search language, the boolean syntax that
// listening tools use: words, "phrases", prefix*, field:value, AND, OR, NOT
// (or a leading '-'), and parentheses. Adjacent terms are joined with AND.
// The result is a small tree that each search backend translates into its
// own query; the language itself knows nothing about any engine.
package query

import (
	"fmt"
	"sort"
	"strings"
)

// Node is a node of a parsed query: *Term, *And, *Or, *Not or *All.
type Node interface {
	node()
	String() string
}

// Term matches one value. With Field empty it is a full-text term, searched
// in the language-neutral text and every per-language text field.
type Term struct {
	Field  string // index field name (after alias resolution), "" for full text
	Value  string
	Phrase bool // written in double quotes
	Prefix bool // written with a trailing '*'
	Pos    int  // 1-based character position in the query, for messages
}

// And matches when every child matches.
type And struct{ Children []Node }

// Or matches when at least one child matches.
type Or struct{ Children []Node }

// Not matches documents its child does not match.
type Not struct{ Child Node }

// All matches every document (the empty query).
type All struct{}

func (*Term) node() {}
func (*And) node()  {}
func (*Or) node()   {}
func (*Not) node()  {}
func (*All) node()  {}

func (t *Term) String() string {
	v := t.Value
	if t.Phrase {
		v = `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	if t.Prefix {
		v += "*"
	}
	if t.Field != "" {
		return t.Field + ":" + v
	}
	return v
}

func (a *And) String() string { return joinNodes(a.Children, " AND ") }
func (o *Or) String() string  { return joinNodes(o.Children, " OR ") }
func (n *Not) String() string { return "NOT " + n.Child.String() }
func (*All) String() string   { return "*" }

func joinNodes(ns []Node, sep string) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// Field names of the index that queries may name. Keyword fields hold
// lower-cased exact values; TextField is analysed full text.
const (
	TextField       = "text"
	FieldSource     = "source"
	FieldChannel    = "channel"
	FieldKind       = "kind"
	FieldLanguage   = "language"
	FieldSentiment  = "sentiment"
	FieldIntent     = "intents"
	FieldAspect     = "aspects"
	FieldBrand      = "brands"
	FieldProduct    = "products"
	FieldCompetitor = "competitors"
	FieldCustomer   = "customer_id"
	FieldProspect   = "prospect_id"
	FieldAuthor     = "author"
)

// fieldAliases maps what a user writes before ':' to the index field.
var fieldAliases = map[string]string{
	"text":       TextField,
	"source":     FieldSource,
	"channel":    FieldChannel,
	"kind":       FieldKind,
	"language":   FieldLanguage,
	"lang":       FieldLanguage,
	"sentiment":  FieldSentiment,
	"intent":     FieldIntent,
	"aspect":     FieldAspect,
	"brand":      FieldBrand,
	"product":    FieldProduct,
	"competitor": FieldCompetitor,
	"customer":   FieldCustomer,
	"prospect":   FieldProspect,
	"author":     FieldAuthor,
}

// KnownFields lists the field names a query may use, sorted.
func KnownFields() []string {
	out := make([]string, 0, len(fieldAliases))
	for k := range fieldAliases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CaseSensitive reports whether a keyword field keeps its values' case
// (identifiers do; labels and names are lower-cased).
func CaseSensitive(field string) bool {
	return field == FieldCustomer || field == FieldProspect
}

// SyntaxError is a query that cannot be parsed, with the 1-based character
// position of the problem.
type SyntaxError struct {
	Query string
	Pos   int
	Msg   string // in English
	Code  string // one of the Err* codes; Msg is Messages[Code] with Args
	Args  []any
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query syntax error at position %d: %s", e.Pos, e.Msg)
}

// TextTerms returns the full-text terms of n that are not negated, in query
// order: what a highlighter should mark.
func TextTerms(n Node) []*Term {
	var out []*Term
	var walk func(Node, bool)
	walk = func(n Node, negated bool) {
		switch n := n.(type) {
		case *Term:
			if !negated && n.Field == "" {
				out = append(out, n)
			}
		case *And:
			for _, c := range n.Children {
				walk(c, negated)
			}
		case *Or:
			for _, c := range n.Children {
				walk(c, negated)
			}
		case *Not:
			walk(n.Child, !negated)
		}
	}
	walk(n, false)
	return out
}
