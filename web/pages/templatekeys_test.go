package pages

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// Every problem code a rule check gives (alert.ValidationError's Code) is
// in the catalog, and so is every field label the pages name it by.
func TestEveryAlertProblemCodeIsInTheCatalog(t *testing.T) {
	en := i18n.New(i18n.ByCode("en"))
	code := regexp.MustCompile(`(?:badAs\(|Code: )"([a-z_]+)"`)
	srcs, err := filepath.Glob("../../alert/*.go")
	if err != nil {
		t.Fatal(err)
	}
	srcs = append(srcs, "alerts.go")
	codes := 0
	for _, name := range srcs {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllStringSubmatch(string(src), -1) {
			codes++
			if key := "alerts.err." + m[1]; en.T(key) == key {
				t.Errorf("%s gives the code %q, which the catalog lacks", name, m[1])
			}
		}
	}
	if codes < 10 {
		t.Fatalf("found %d codes: the pattern no longer reads the checks", codes)
	}
	for field, key := range ruleFields {
		if en.T(key) == key {
			t.Errorf("the field %s is labelled %q, which the catalog lacks", field, key)
		}
	}
}
