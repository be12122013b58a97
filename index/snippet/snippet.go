// Package snippet marks query matches in a mention's text and cuts the
// highlighted fragments search results show. Both search backends use it:
// the embedded index for every hit, Elasticsearch for text Earshot analysed
// itself, so a snippet looks the same whichever engine produced it.
package snippet

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The shape of a hit's snippets (Elasticsearch's highlighter is asked for
// the same).
const (
	Count = 3   // fragments per hit
	Size  = 200 // characters per fragment
)

// Span is a byte range of the text to mark.
type Span struct{ Start, End int }

// Sequence finds the query's terms in the document at the same
// relative positions, and returns the text each occurrence covers.
func Sequence(doc, q analysis.TokenStream) []Span {
	if len(q) == 0 {
		return nil
	}
	at := make(map[int]*analysis.Token, len(doc))
	for _, t := range doc {
		at[t.Position] = t
	}
	var out []Span
	for _, first := range doc {
		if string(first.Term) != string(q[0].Term) {
			continue
		}
		end, ok := first.End, true
		for _, qt := range q[1:] {
			t := at[first.Position+qt.Position-q[0].Position]
			if t == nil || string(t.Term) != string(qt.Term) {
				ok = false
				break
			}
			end = t.End
		}
		if ok {
			out = append(out, Span{first.Start, end})
		}
	}
	return out
}

// Merge sorts spans and joins those that overlap or touch.
func Merge(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	out := []Span{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Fragments cuts up to Count windows of about Size
// characters around the marks, HTML-escaped, marks in <mark>.
func Fragments(text string, spans []Span) []string {
	if len(spans) == 0 {
		return nil
	}
	var out []string
	for i := 0; i < len(spans) && len(out) < Count; {
		start, end := window(text, spans[i])
		var b strings.Builder
		pos := start
		for ; i < len(spans) && spans[i].Start < end; i++ {
			s := spans[i]
			if s.End > end {
				end = s.End // never cut a mark
			}
			b.WriteString(html.EscapeString(text[pos:s.Start]))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(text[s.Start:s.End]))
			b.WriteString("</mark>")
			pos = s.End
		}
		b.WriteString(html.EscapeString(text[pos:end]))
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

// window is the byte range of a fragment of about Size characters
// holding s, starting a little before it, on rune and word boundaries.
func window(text string, s Span) (int, int) {
	if utf8.RuneCountInString(text) <= Size {
		return 0, len(text)
	}
	start := s.Start
	for back := 0; start > 0 && back < Size/4; back++ {
		_, n := utf8.DecodeLastRuneInString(text[:start])
		start -= n
	}
	if i := strings.IndexAny(text[start:s.Start], " \n\t"); start > 0 && i >= 0 {
		start += i + 1 // begin on a word
	}
	end := start
	for n := 0; end < len(text) && n < Size; n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	if end < len(text) && s.End < end {
		if i := strings.LastIndexAny(text[s.End:end], " \n\t"); i >= 0 {
			end = s.End + i // end on a word
		}
	}
	return start, max(end, s.End)
}
