package i18n

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// pluralBase returns the key without its plural form suffix, if it has one.
func pluralBase(k string) (string, bool) {
	for _, f := range []string{".zero", ".one", ".two", ".few", ".many", ".other"} {
		if b, ok := strings.CutSuffix(k, f); ok {
			return b, true
		}
	}
	return "", false
}

func TestCatalogsAreComplete(t *testing.T) {
	plurals := map[string]bool{}
	for k := range en {
		if b, ok := pluralBase(k); ok {
			plurals[b] = true
		}
	}
	for _, l := range Langs[1:] {
		for k, msg := range en {
			if _, ok := pluralBase(k); ok {
				continue
			}
			got, ok := l.msgs[k]
			if !ok {
				t.Errorf("%s: missing %q", l.Code, k)
				continue
			}
			if a, b := verb.FindAllString(msg, -1), verb.FindAllString(got, -1); !slices.Equal(a, b) {
				t.Errorf("%s: %q has verbs %v, English has %v", l.Code, k, b, a)
			}
		}
		for k := range l.msgs {
			if b, ok := pluralBase(k); ok {
				if !plurals[b] {
					t.Errorf("%s: plural %q has no English original", l.Code, k)
				}
				continue
			}
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %q is not in the English catalog", l.Code, k)
			}
		}
		for b := range plurals {
			for _, f := range l.Forms() {
				msg, ok := l.msgs[b+"."+f]
				if !ok {
					t.Errorf("%s: %q lacks plural form %s", l.Code, b, f)
					continue
				}
				if !strings.Contains(msg, "%d") {
					t.Errorf("%s: %q.%s does not print the count", l.Code, b, f)
				}
			}
		}
	}
}

func TestPluralsAndNumbers(t *testing.T) {
	pl := New(ByCode("pl"))
	for n, want := range map[int]string{1: "1 wzmianka", 3: "3 wzmianki", 5: "5 wzmianek", 22: "22 wzmianki", 25: "25 wzmianek"} {
		if got := pl.N("mentions.total", n); got != want {
			t.Errorf("pl N(%d) = %q; want %q", n, got, want)
		}
	}
	if got := pl.N("mentions.total", 12345); !strings.Contains(got, "12") || strings.Contains(got, "12345") {
		t.Errorf("pl 12345 not grouped: %q", got)
	}
	en := New(ByCode("en"))
	if got := en.N("mentions.total", 1); got != "1 mention" {
		t.Errorf("en one = %q", got)
	}
	if got := en.Int(1234567); got != "1,234,567" {
		t.Errorf("en Int = %q", got)
	}
	if got := New(ByCode("pt")).Float(1234.5, 1); got != "1.234,5" {
		t.Errorf("pt Float = %q", got)
	}
	lv := New(ByCode("lv"))
	if got := lv.N("mentions.total", 21); got != "21 pieminējums" {
		t.Errorf("lv 21 = %q", got)
	}
	d := time.Date(2026, 3, 4, 15, 6, 0, 0, time.UTC)
	for code, want := range map[string]string{"en": "4 Mar 2026", "pl": "04.03.2026", "lv": "04.03.2026.", "zh": "2026年3月4日", "pt": "04/03/2026"} {
		if got := New(ByCode(code)).Date(d); got != want {
			t.Errorf("%s Date = %q; want %q", code, got, want)
		}
	}
	for code, want := range map[string]string{"en": "4 Mar", "pl": "04.03", "lv": "04.03.", "zh": "3月4日", "pt": "04/03"} {
		if got := New(ByCode(code)).DayMonth(d); got != want {
			t.Errorf("%s DayMonth = %q; want %q", code, got, want)
		}
	}
	if got := New(ByCode("zh")).T("value.negative"); got != "负面" {
		t.Errorf("zh value.negative = %q", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	for header, want := range map[string]string{
		"pl-PL,pl;q=0.9,en;q=0.5": "pl", "lv": "lv", "zh-CN,zh;q=0.9": "zh", "zh-TW": "zh", "pt-BR": "pt",
		"de-DE": "en", "": "en", "garbage;;q=x": "en", "fr;q=0.9, lv;q=0.8": "lv",
	} {
		if got := Match(header).Code; got != want {
			t.Errorf("Match(%q) = %s; want %s", header, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/mentions?lang=pt", nil)
	r.Header.Set("Accept-Language", "pl")
	if l, fromURL := FromRequest(r); l.Code != "pt" || !fromURL {
		t.Errorf("URL choice = %s, %v; want pt from the URL", l.Code, fromURL)
	}
	r = httptest.NewRequest("GET", "/mentions?lang=xx", nil)
	r.Header.Set("Accept-Language", "pl")
	r.Header.Set("Cookie", CookieName+"=lv")
	if l, fromURL := FromRequest(r); l.Code != "lv" || fromURL {
		t.Errorf("cookie choice = %s, %v; want lv from the cookie", l.Code, fromURL)
	}
}
