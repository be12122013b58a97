package pages

import (
	"slices"
	"strings"
	"sync"

	"github.com/earshothq/earshot/web/i18n"
)

// aspectWords are the aspects' names in every interface language.
var aspectWords = sync.OnceValue(func() map[string]string { return i18n.Names("aspect.") })

// aspectHint is a search word that names an aspect, and the listing of
// the mentions about that aspect in every language instead of the word.
type aspectHint struct {
	Aspect string
	Href   string
}

// aspectHints offers, when a search of plain words names an aspect
// ("delivery", "dostawa", "customer service"), the mentions about it in
// every language: full text finds a word only in the language it is
// written in, while the aspect is detected in all of them. A query with
// operators, fields, quotes or exclusions gets no hint (taking a word out
// of it could change what it means).
func aspectHints(ls listing) []aspectHint {
	words := strings.Fields(ls.Q)
	for _, w := range words {
		if strings.ContainsAny(w, `:"()*`) || strings.HasPrefix(w, "-") || w == "OR" || w == "AND" || w == "NOT" {
			return nil
		}
	}
	var out []aspectHint
	for i := 0; i < len(words); i++ {
		for n := min(3, len(words)-i); n >= 1; n-- { // longest first: "customer service" before "service"
			name, ok := aspectWords()[strings.ToLower(strings.Join(words[i:i+n], " "))]
			if !ok {
				continue
			}
			filter := filterFor("aspect", name)
			if ls.Has(filter) || ls.Has("aspect:"+name) {
				continue
			}
			c := ls
			c.Q = strings.Join(append(slices.Clone(words[:i]), words[i+n:]...), " ")
			c.Cursor = ""
			out = append(out, aspectHint{Aspect: name, Href: c.WithFilter(filter)})
			i += n - 1
			break
		}
	}
	return out
}
