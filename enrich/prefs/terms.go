package prefs

import (
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// term is a compiled taxonomy term: a sequence of words, each matched
// exactly or as a prefix (stem*).
type term struct {
	words  []string
	prefix []bool
	kind   int
	name   string
}

type hit struct {
	kind int
	name string
	at   int // token index of the term's first word
}

// termSet indexes terms by their first word so a text is scanned once.
type termSet struct {
	exact    map[string][]*term
	prefixes textnorm.StemIndex[[]*term]
}

func newTermSet() *termSet {
	return &termSet{exact: map[string][]*term{}}
}

func (s *termSet) add(raw string, kind int, name string) {
	t := &term{kind: kind, name: name}
	for _, w := range strings.Fields(strings.ToLower(raw)) {
		star := strings.HasSuffix(w, "*") && len(w) > 1
		w = strings.TrimSuffix(w, "*")
		toks := textnorm.Tokenize(w, nil)
		for i, tk := range toks {
			if tk.Kind == textnorm.Punct {
				continue
			}
			t.words = append(t.words, tk.Text)
			t.prefix = append(t.prefix, star && i == len(toks)-1)
		}
	}
	if len(t.words) == 0 {
		return
	}
	first := t.words[0]
	if t.prefix[0] {
		ts, _ := s.prefixes.Get(first)
		s.prefixes.Add(first, append(ts, t))
		return
	}
	s.exact[first] = append(s.exact[first], t)
}

// find returns the hits in toks[from:to], skipping punctuation.
func (s *termSet) find(toks []textnorm.Token, from, to int, dst []hit) []hit {
	for i := from; i < to; i++ {
		if toks[i].Kind == textnorm.Punct {
			continue
		}
		w := toks[i].Text
		for _, t := range s.exact[w] {
			if t.matchAt(toks, i, to) {
				dst = append(dst, hit{t.kind, t.name, i})
			}
		}
		s.prefixes.Each(w, func(_ string, ts []*term) {
			for _, t := range ts {
				if t.matchAt(toks, i, to) {
					dst = append(dst, hit{t.kind, t.name, i})
				}
			}
		})
	}
	return dst
}

func (t *term) matchAt(toks []textnorm.Token, i, to int) bool {
	if i+len(t.words) > to {
		return false
	}
	for k, w := range t.words {
		tok := toks[i+k].Text
		if t.prefix[k] {
			if !strings.HasPrefix(tok, w) {
				return false
			}
		} else if tok != w {
			return false
		}
	}
	return true
}
