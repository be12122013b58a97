package intent

import (
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// maxVocab bounds the vocabulary classes (brand, product, competitor,
// feature, price, and whatever the configuration adds).
const maxVocab = 16

// vocabIndex holds every vocabulary class in one lookup: a word, a stem
// ("price*") or a phrase of several tokens ("coffee machine", "咖啡机",
// "brewly one") maps to the bits of the classes it belongs to. Each text's
// tokens are looked up once (scan); patterns and rules then test bits.
type vocabIndex struct {
	names    []string // class by bit
	exact    map[string]uint64
	prefixes textnorm.StemIndex[uint64]
	phrases  map[string][]vocabPhrase // first token → the tokens after it
}

type vocabPhrase struct {
	rest []string
	bits uint64
}

// vocabHit is a phrase of the vocabulary found in a text.
type vocabHit struct {
	start, n int
	bits     uint64
}

func newVocabIndex(classes map[string][]string) *vocabIndex {
	v := &vocabIndex{exact: map[string]uint64{}, phrases: map[string][]vocabPhrase{}}
	for name := range classes {
		v.names = append(v.names, name)
	}
	sort.Strings(v.names)
	if len(v.names) > maxVocab {
		v.names = v.names[:maxVocab] // Config.Validate refuses more
	}
	for b, name := range v.names {
		bit := uint64(1) << b
		for _, w := range classes[name] {
			w = strings.ToLower(strings.TrimSpace(w))
			if strings.HasSuffix(w, "*") && len(w) > 1 && !strings.Contains(w, " ") {
				p := strings.TrimSuffix(w, "*")
				old, _ := v.prefixes.Get(p)
				v.prefixes.Add(p, old|bit)
				continue
			}
			var parts []string
			for _, t := range textnorm.Tokenize(w, nil) {
				if t.Kind != textnorm.Punct || len(parts) > 0 {
					parts = append(parts, t.Text)
				}
			}
			switch {
			case len(parts) == 1:
				v.exact[parts[0]] |= bit
			case len(parts) > 1:
				v.addPhrase(parts, bit)
			}
		}
	}
	return v
}

func (v *vocabIndex) addPhrase(parts []string, bit uint64) {
	list := v.phrases[parts[0]]
	for i := range list {
		if slicesEqual(list[i].rest, parts[1:]) {
			list[i].bits |= bit
			return
		}
	}
	v.phrases[parts[0]] = append(list, vocabPhrase{rest: parts[1:], bits: bit})
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// bitOf returns the bit of class name, -1 when no vocabulary fills it.
func (v *vocabIndex) bitOf(name string) int {
	for b, n := range v.names {
		if n == name {
			return b
		}
	}
	return -1
}

// bind resolves the {class} elements of p.
func (v *vocabIndex) bind(p *pattern) {
	for i, e := range p.elems {
		if e.class != "" {
			p.elems[i].vbit = v.bitOf(e.class)
		}
	}
}

// scan looks every token of st's text up once.
func (v *vocabIndex) scan(st *state) {
	toks := st.toks
	st.vword = st.vword[:0]
	st.vstart = st.vstart[:0]
	st.vphr = st.vphr[:0]
	for i := range toks {
		tok := toks[i].Text
		var word uint64
		if toks[i].Kind != textnorm.Punct {
			word = v.exact[tok]
			v.prefixes.Each(tok, func(_ string, b uint64) { word |= b })
		}
		start := word
	next:
		for _, ph := range v.phrases[tok] {
			if i+len(ph.rest) >= len(toks) {
				continue
			}
			for k, w := range ph.rest {
				if toks[i+1+k].Text != w {
					continue next
				}
			}
			st.vphr = append(st.vphr, vocabHit{start: i, n: 1 + len(ph.rest), bits: ph.bits})
			start |= ph.bits
		}
		st.vword = append(st.vword, word)
		st.vstart = append(st.vstart, start)
	}
}

// vocabLen returns how many tokens from token i form a word or phrase of
// vocabulary class bit b (the longest), 0 when none does.
func (st *state) vocabLen(i, b int) int {
	if b < 0 || st.vstart[i]&(1<<b) == 0 {
		return 0
	}
	best := 0
	for _, h := range st.vphr {
		if h.start == i && h.bits&(1<<b) != 0 && h.n > best {
			best = h.n
		}
	}
	if best == 0 && st.vword[i]&(1<<b) != 0 {
		best = 1
	}
	return best
}
