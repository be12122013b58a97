package pages

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/i18n"
)

// funcs are the locale-independent template helpers (the locale is the
// view's L, so templates call {{$.L.T "key"}}).
var funcs = template.FuncMap{
	"snippet":  safeSnippet,
	"safeURL":  safeURL,
	"pathEsc":  url.PathEscape,
	"queryEsc": url.QueryEscape,
	"pct":      func(f float64) int { return int(f*100 + 0.5) },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
	"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// tokenLifetimes are the choices of a new API token's lifetime.
	"tokenLifetimes": func() []string {
		keys := make([]string, len(tokenLifetimes))
		for i, l := range tokenLifetimes {
			keys[i] = l.Key
		}
		return keys
	},
	"when": when,
	"errorBox": func(l *i18n.Locale, e *inputError) *errorBox {
		if e == nil {
			return nil
		}
		return &errorBox{E: e, L: l}
	},
	"contains": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"truncate":  truncateRunes,
	"add":       func(a, b int) int { return a + b },
	"stages":    func() []string { return Stages },
	"sentClass": sentClass,
	"list":      func(vs ...string) []string { return vs },
	"int64":     func(n int) int64 { return int64(n) },
	"deref":     func(f *float64) float64 { return *f },
	"day": func(s string) time.Time {
		t, _ := time.Parse("2006-01-02", s)
		return t
	},
	"personName": func(p *index.Profile) string {
		name := firstNonEmpty(p.Name, p.Company)
		if name == "" && len(p.Emails) > 0 {
			name = p.Emails[0]
		}
		if name == "" && len(p.Handles) > 0 {
			name = p.Handles[0]
		}
		return firstNonEmpty(name, p.PersonID)
	},
	"int": func(n int64) int { return int(n) },
}

// safeSnippet passes a backend snippet through as HTML. Snippets are the
// text HTML-escaped with matches in <mark>; as a second line of defence
// anything but <mark> and </mark> that still looks like markup is escaped
// again, so a backend bug cannot turn a mention into live HTML.
func safeSnippet(s string) template.HTML {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, "<>\"'")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<mark>"):
			b.WriteString("<mark>")
			s = s[len("<mark>"):]
		case strings.HasPrefix(s, "</mark>"):
			b.WriteString("</mark>")
			s = s[len("</mark>"):]
		default:
			b.WriteString(template.HTMLEscapeString(s[:1]))
			s = s[1:]
		}
	}
	// Balance marks so a cut fragment cannot leave one open.
	out := b.String()
	if open := strings.Count(out, "<mark>") - strings.Count(out, "</mark>"); open > 0 {
		out += strings.Repeat("</mark>", open)
	}
	return template.HTML(out)
}

// safeURL keeps only http(s) links to originals: a mention's URL is
// attacker-controlled ("javascript:" and "data:" are dropped).
func safeURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}

func sentClass(label string) string {
	switch label {
	case record.SentimentPositive, record.SentimentNegative, record.SentimentNeutral:
		return "s-" + label
	}
	return "s-unknown"
}

// mentionView is a mention as its card shows it.
type mentionView struct {
	ID         string
	Author     string
	Handle     string
	ProfileURL string
	AuthorKey  string // the index's author keyword (for muting)
	Source     string
	Channel    string
	Kind       string
	Language   string
	Sentiment  string
	Score      float64
	Created    time.Time
	URL        string
	Title      string
	Snippets   []template.HTML
	Text       string
	Intents    []intentView
	Aspects    []record.Aspect
	PersonID   string // profile id: customer:ID or prospect:ID
	PersonKind string
	Corrected  bool
	Irrelevant bool
	Rating     string
}

type intentView struct {
	Name     string
	Evidence string
}

func newMentionView(h index.Hit) mentionView {
	m := h.Mention
	v := mentionView{
		ID: m.ID, Author: firstNonEmpty(m.Author.Name, m.Author.Handle, m.Author.Email), Handle: m.Author.Handle,
		ProfileURL: safeURL(m.Author.ProfileURL), AuthorKey: index.Keyword(firstNonEmpty(m.Author.Handle, m.Author.Name)),
		Source: m.Source, Channel: m.Channel, Kind: string(m.Kind), Language: index.LanguageOf(m),
		Created: m.CreatedAt, URL: safeURL(m.URL), Title: m.Title, Text: m.Text,
	}
	if s := m.Analysis.Sentiment; s != nil {
		v.Sentiment, v.Score = index.Keyword(s.Label), s.Score
	}
	for _, in := range m.Analysis.Intents {
		iv := intentView{Name: in.Name}
		if len(in.Evidence) > 0 {
			iv.Evidence = in.Evidence[0].Text
		}
		v.Intents = append(v.Intents, iv)
	}
	v.Aspects = m.Analysis.Aspects
	for _, s := range h.Snippets {
		v.Snippets = append(v.Snippets, safeSnippet(s))
	}
	if id := m.Identity; id != nil {
		switch {
		case id.CustomerID != "":
			v.PersonID, v.PersonKind = index.ProfileID(index.ProfileCustomer, id.CustomerID), index.ProfileCustomer
		case id.ProspectID != "":
			v.PersonID, v.PersonKind = index.ProfileID(index.ProfileProspect, id.ProspectID), index.ProfileProspect
		}
	}
	if r := m.Rating; r != nil && r.Best > 0 {
		v.Rating = strconv.FormatFloat(r.Value, 'f', -1, 64) + "/" + strconv.FormatFloat(r.Best, 'f', -1, 64)
	}
	return v
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// quoteValue writes a value for a field:value filter in the query language.
func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// filterFor is the filter the query language spells for field = value.
func filterFor(field, value string) string { return field + ":" + quoteValue(value) }

// when shows a moment as a <time> element: in UTC in the locale's order as
// the server renders it, and in the reader's own time zone once app.js has
// run (data-local), with the UTC form kept as its title.
func when(l *i18n.Locale, t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" data-local>` +
		template.HTMLEscapeString(l.DateTime(t)) + `</time>`)
}
