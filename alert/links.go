package alert

import (
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Links back into the web app (web/pages), so every notification leads to
// what it is about.

func (c Config) link(path string, q url.Values) string {
	if c.BaseURL == "" {
		return ""
	}
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// dashboardLink opens a saved search's dashboard over the days around t.
func (c Config) dashboardLink(searchID string, from, to time.Time) string {
	q := url.Values{}
	if searchID != "" {
		q.Set("search", searchID)
	}
	q.Set("from", from.UTC().Format("2006-01-02"))
	q.Set("to", to.UTC().Format("2006-01-02"))
	return c.link("/dashboard", q)
}

// mentionsLink opens the mentions page on a saved search's query.
func (c Config) mentionsLink(ss *record.SavedSearch) string {
	q := url.Values{}
	if ss.Query != "" {
		q.Set("q", ss.Query)
	}
	for _, f := range ss.Filters {
		q.Add("filter", f)
	}
	return c.link("/mentions", q)
}

// prospectLink opens a prospect's profile.
func (c Config) prospectLink(prospectID string) string {
	return c.link("/people/"+url.PathEscape(index.ProfileID(index.ProfileProspect, prospectID)), nil)
}

// RulesLink is the rules page, where the delivery log of a rule is.
func (c Config) RulesLink(ruleID string) string {
	q := url.Values{}
	if ruleID != "" {
		q.Set("rule", ruleID)
	}
	return c.link("/alerts", q)
}
