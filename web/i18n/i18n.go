// Package i18n holds the web app's interface text in English, Polish,
// Latvian, Chinese and Portuguese, and formats numbers, plurals and dates
// for the reader's locale (golang.org/x/text for language matching, plural
// rules and number formats).
//
// A message is a fmt format string; its arguments are formatted by a
// locale-aware printer, so %d prints 12 345 in Polish and 12,345 in English.
// A plural message has one entry per plural form the language uses, keyed
// "key.one", "key.few", "key.many", "key.other".
package i18n

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Lang is a supported interface language.
type Lang struct {
	Code string // BCP 47 code used in URLs and cookies: en, pl, lv, zh, pt
	Name string // the language's name in itself, for the switcher
	tag  language.Tag
	// dateLayout and dateTimeLayout are Go time layouts in the locale's order.
	dateLayout, dateTimeLayout string
	// dayMonthLayout is a day without its year, for chart axes whose
	// range already names the year.
	dayMonthLayout string
	msgs           map[string]string
}

// Langs are the supported languages, English first (the fallback).
var Langs = []*Lang{
	{Code: "en", Name: "English", tag: language.English, dateLayout: "2 Jan 2006", dayMonthLayout: "2 Jan", dateTimeLayout: "2 Jan 2006 15:04", msgs: en},
	{Code: "pl", Name: "Polski", tag: language.Polish, dateLayout: "02.01.2006", dayMonthLayout: "02.01", dateTimeLayout: "02.01.2006 15:04", msgs: pl},
	{Code: "lv", Name: "Latviešu", tag: language.Latvian, dateLayout: "02.01.2006.", dayMonthLayout: "02.01.", dateTimeLayout: "02.01.2006. 15:04", msgs: lv},
	{Code: "zh", Name: "中文", tag: language.Chinese, dateLayout: "2006年1月2日", dayMonthLayout: "1月2日", dateTimeLayout: "2006年1月2日 15:04", msgs: zh},
	{Code: "pt", Name: "Português", tag: language.Portuguese, dateLayout: "02/01/2006", dayMonthLayout: "02/01", dateTimeLayout: "02/01/2006 15:04", msgs: pt},
}

// Facet values (a sentiment, an intent, a kind, a language code) are
// shown through "value.X", filled from the catalogs' own words.
func init() {
	for _, l := range Langs {
		for _, prefix := range []string{"sentiment.", "intent.", "kind.", "lang."} {
			for k, v := range l.msgs {
				if name, ok := strings.CutPrefix(k, prefix); ok {
					if _, taken := l.msgs["value."+name]; !taken {
						l.msgs["value."+name] = v
					}
				}
			}
		}
	}
}

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(Langs))
	for i, l := range Langs {
		tags[i] = l.tag
	}
	return language.NewMatcher(tags)
}()

// ByCode returns the language with this code, or nil.
func ByCode(code string) *Lang {
	code = strings.ToLower(strings.TrimSpace(code))
	for _, l := range Langs {
		if l.Code == code {
			return l
		}
	}
	return nil
}

// Match picks the best supported language for an Accept-Language header
// (English when nothing fits).
func Match(acceptLanguage string) *Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Langs[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Langs[0]
	}
	return Langs[i]
}

// CookieName is the cookie that keeps a reader's language choice.
const CookieName = "earshot_lang"

// FromRequest picks the language of a request: the "lang" URL parameter
// first (a link with ?lang=pl shows Polish), then the cookie, then
// Accept-Language. It reports whether the choice came from the URL, so the
// caller can remember it in the cookie.
func FromRequest(r *http.Request) (l *Lang, fromURL bool) {
	if l := ByCode(r.URL.Query().Get("lang")); l != nil {
		return l, true
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l := ByCode(c.Value); l != nil {
			return l, false
		}
	}
	return Match(r.Header.Get("Accept-Language")), false
}

// Locale formats text, numbers and dates in one language. Make one per
// request with New; it is not safe for concurrent use.
type Locale struct {
	*Lang
	p *message.Printer
}

// New returns a locale for l (English for nil).
func New(l *Lang) *Locale {
	if l == nil {
		l = Langs[0]
	}
	return &Locale{Lang: l, p: message.NewPrinter(l.tag)}
}

// T is the message key formatted with args. A key missing from the
// language falls back to English, then to the key itself (a test keeps
// the catalogs complete, so that is a bug, not a user-visible state).
func (l *Locale) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		if msg, ok = en[key]; !ok {
			msg = key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return l.p.Sprintf(msg, args...)
}

// Maybe is the message key when the catalog has it, else fallback (for
// values that are sometimes known words, such as a facet value).
func (l *Locale) Maybe(key, fallback string) string {
	if msg, ok := l.msgs[key]; ok {
		return msg
	}
	if msg, ok := en[key]; ok {
		return msg
	}
	return fallback
}

// N is the plural message key for the count n, with n as its first
// argument and args after it.
func (l *Locale) N(key string, n int, args ...any) string {
	form := formName(plural.Cardinal.MatchPlural(l.tag, abs(n), 0, 0, 0, 0))
	k := key + "." + form
	if _, ok := l.msgs[k]; !ok {
		k = key + ".other"
	}
	return l.T(k, append([]any{n}, args...)...)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func formName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// Forms are the plural forms the language distinguishes for whole numbers.
func (l *Lang) Forms() []string {
	seen := map[string]bool{}
	var out []string
	for n := 0; n < 200; n++ {
		f := formName(plural.Cardinal.MatchPlural(l.tag, n, 0, 0, 0, 0))
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Int formats a whole number with the locale's grouping.
func (l *Locale) Int(n int64) string { return l.p.Sprintf("%d", n) }

// Float formats a number with the given decimals.
func (l *Locale) Float(f float64, decimals int) string {
	return l.p.Sprintf(fmt.Sprintf("%%.%df", decimals), f)
}

// Percent formats a share in [0,1] as a percentage with one decimal.
func (l *Locale) Percent(f float64) string { return l.p.Sprintf("%.1f%%", f*100) }

// Date formats a day in the locale's order (in UTC: the index buckets by UTC days).
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(l.dateLayout)
}

// DayMonth formats a day without its year (chart axes), in UTC.
func (l *Locale) DayMonth(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(l.dayMonthLayout)
}

// DateTime formats a moment in the locale's order, in UTC.
func (l *Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(l.dateTimeLayout) + " UTC"
}

// Names maps the words every language uses for the keys under prefix
// (lower-cased), and each key's own name with spaces for underscores, to
// the key's name: with prefix "aspect.", "dostawa", "配送" and "delivery"
// all map to "delivery".
func Names(prefix string) map[string]string {
	out := map[string]string{}
	for _, l := range Langs {
		for k, v := range l.msgs {
			if name, ok := strings.CutPrefix(k, prefix); ok {
				out[strings.ToLower(v)] = name
				out[strings.ReplaceAll(strings.ToLower(name), "_", " ")] = name
			}
		}
	}
	return out
}
