package pages

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/earshothq/earshot/web/i18n"
)

// Every literal message key a template asks for is in the catalog (the
// catalogs' own test keeps the other languages complete): a missing key
// shows the reader its name instead of words.
func TestEveryTemplateKeyIsInTheCatalog(t *testing.T) {
	en := i18n.New(i18n.ByCode("en"))
	plain := regexp.MustCompile(`\.T "([^"]+)"`)
	counted := regexp.MustCompile(`\.N "([^"]+)"`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v %v", names, err)
	}
	keys := 0
	for _, n := range names {
		src, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range plain.FindAllStringSubmatch(string(src), -1) {
			keys++
			if en.T(m[1]) == m[1] {
				t.Errorf("%s asks for %q, which the catalog lacks", n, m[1])
			}
		}
		for _, m := range counted.FindAllStringSubmatch(string(src), -1) {
			keys++
			if en.N(m[1], 2) == m[1]+".other" || en.N(m[1], 2) == m[1] {
				t.Errorf("%s counts with %q, which the catalog lacks", n, m[1])
			}
		}
	}
	if keys < 100 {
		t.Errorf("found only %d keys in the templates; the patterns no longer match how templates ask", keys)
	}
}
