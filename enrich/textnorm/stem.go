package textnorm

import (
	"sort"
	"strings"
)

// stemKey is how many leading bytes file a stem in a StemIndex.
const stemKey = 3

// StemIndex finds the stems a word starts with ("świetn*" in "świetnie",
// "price*" in "prices") with one map lookup on the word's first bytes,
// however many stem lengths there are, instead of one lookup per length.
// Stems shorter than the key are filed under themselves. The zero value
// is empty and ready; it is safe for concurrent reads once filled.
type StemIndex[V any] struct {
	byKey map[string][]Stem[V] // longest stem first
	short map[string][]Stem[V]
}

// Stem is a stem and what it stands for.
type Stem[V any] struct {
	Stem  string
	Value V
}

// Add files stem (without its "*") with value v. Adding a stem again
// replaces its value.
func (x *StemIndex[V]) Add(stem string, v V) {
	if stem == "" {
		return
	}
	if x.byKey == nil {
		x.byKey, x.short = map[string][]Stem[V]{}, map[string][]Stem[V]{}
	}
	m, k := x.byKey, stem
	if len(stem) >= stemKey {
		k = stem[:stemKey]
	} else {
		m = x.short
	}
	list := m[k]
	for i := range list {
		if list[i].Stem == stem {
			list[i].Value = v
			return
		}
	}
	i := 0
	for i < len(list) && len(list[i].Stem) >= len(stem) {
		i++
	}
	list = append(list, Stem[V]{})
	copy(list[i+1:], list[i:])
	list[i] = Stem[V]{stem, v}
	m[k] = list
}

// Get returns the value of exactly stem.
func (x *StemIndex[V]) Get(stem string) (V, bool) {
	var zero V
	m, k := x.byKey, stem
	if len(stem) < stemKey {
		m = x.short
	} else {
		k = stem[:stemKey]
	}
	for _, s := range m[k] {
		if s.Stem == stem {
			return s.Value, true
		}
	}
	return zero, false
}

// Len is the number of stems.
func (x *StemIndex[V]) Len() int {
	n := 0
	for _, l := range x.byKey {
		n += len(l)
	}
	for _, l := range x.short {
		n += len(l)
	}
	return n
}

// Each calls fn for every stem w starts with, longest first.
func (x *StemIndex[V]) Each(w string, fn func(stem string, v V)) {
	if len(w) >= stemKey {
		for _, s := range x.byKey[w[:stemKey]] {
			if strings.HasPrefix(w, s.Stem) {
				fn(s.Stem, s.Value)
			}
		}
	}
	if len(x.short) == 0 {
		return
	}
	for n := min(len(w), stemKey-1); n >= 1; n-- {
		for _, s := range x.short[w[:n]] {
			fn(s.Stem, s.Value)
		}
	}
}

// Longest returns the value of the longest stem w starts with.
func (x *StemIndex[V]) Longest(w string) (V, bool) {
	if len(w) >= stemKey {
		for _, s := range x.byKey[w[:stemKey]] {
			if strings.HasPrefix(w, s.Stem) {
				return s.Value, true
			}
		}
	}
	for n := min(len(w), stemKey-1); n >= 1 && len(x.short) > 0; n-- {
		if l := x.short[w[:n]]; len(l) > 0 {
			return l[0].Value, true
		}
	}
	var zero V
	return zero, false
}

// All calls fn for every stem, in a fixed order.
func (x *StemIndex[V]) All(fn func(stem string, v V)) {
	for _, m := range []map[string][]Stem[V]{x.byKey, x.short} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, s := range m[k] {
				fn(s.Stem, s.Value)
			}
		}
	}
}
