package keyword

import "testing"

func TestKeywordMatching(t *testing.T) {
	m := New([]Keyword{
		{Text: "Earshot"},
		{Text: "Żabka"},
		{Text: "Rīga Black Balsam", Languages: []string{"lv", "en"}},
		{Text: "耳语"},
		{Text: "istanbul"},
	})
	cases := []struct {
		text, lang, want string
	}{
		{"Loving EARSHOT so far", "en", "Earshot"},
		{"earshot's dashboard", "en", "Earshot"},
		{"#earshot rocks", "en", "Earshot"},
		{"Earshotting is not a word", "en", ""},      // no suffix in English
		{"Używam Earshota od roku", "pl", "Earshot"}, // Polish genitive
		{"zakupy w zabce", "pl", ""},                 // k→c alternation is not guessed
		{"Byłem dziś w Żabce? nie, w ŻABKA na rogu", "pl", "Żabka"},
		{"Zniżki w żabkach", "pl", "Żabka"}, // stem żabk + ach
		{"Pirku Rigas black balsam", "lv", "Rīga Black Balsam"},
		{"RĪGA BLACK BALSAM", "", "Rīga Black Balsam"}, // unknown language still matches
		{"Riga black balsam em Lisboa", "pt", ""},      // restricted to lv and en
		{"我们都在用耳语做分析", "zh", "耳语"},                     // no spaces in Chinese
		{"İSTANBUL'da yeni mağaza", "tr", "istanbul"},  // Turkish dotted capital I
		{"ISTANBUL şubesi", "tr", "istanbul"},          // Turkish dotless lower case
		{"São Paulo sem earshot", "pt", "Earshot"},     // accents elsewhere do not matter
		{"aearshot is a different word", "en", ""},     // word start required
		{"Nothing relevant here at all", "en", ""},
	}
	for _, tc := range cases {
		got, ok := m.Match(tc.text, tc.lang)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("match(%q, %q) = %q, %v; want %q", tc.text, tc.lang, got, ok, tc.want)
		}
	}
}
