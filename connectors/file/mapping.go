package file

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// targets are the record fields a mapping can fill, besides fields.<name>.
var targets = []string{
	"id", "kind", "text", "title", "url", "lang", "created_at", "in_reply_to", "visibility",
	"author.platform", "author.id", "author.handle", "author.name", "author.email", "author.phone",
	"author.company", "author.profile_url", "author.followers", "author.city", "author.country", "author.postal_code",
	"rating", "rating_best",
	"campaign.utm_source", "campaign.utm_medium", "campaign.utm_campaign", "campaign.utm_term", "campaign.utm_content",
	"campaign.referrer", "campaign.landing_page",
	"consent", "consent_text", "consent_version",
}

func knownTarget(t string) bool {
	if strings.HasPrefix(t, "fields.") && len(t) > len("fields.") {
		return true
	}
	for _, k := range targets {
		if k == t {
			return true
		}
	}
	return false
}

// inputKey returns the input field a record field is read from.
func (c *Connector) inputKey(target string) string {
	if k, ok := c.cfg.Mapping[target]; ok {
		return k
	}
	if target == "id" {
		return c.cfg.IDField
	}
	return target
}

// str reads a record field as a trimmed string.
func (c *Connector) str(r row, target string) string {
	key := c.inputKey(target)
	if key == "" {
		return ""
	}
	v, ok := r.get(key)
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// toMention maps one row to a record; errors name the field.
func (c *Connector) toMention(r row, raw []byte) (*record.Mention, error) {
	m := &record.Mention{
		Source:     c.cfg.Source,
		Channel:    c.cfg.Channel,
		Kind:       record.Kind(c.cfg.Kind),
		Text:       c.str(r, "text"),
		Title:      c.str(r, "title"),
		URL:        c.str(r, "url"),
		Lang:       c.str(r, "lang"),
		InReplyTo:  c.str(r, "in_reply_to"),
		Visibility: c.str(r, "visibility"),
		FetchedAt:  time.Now().UTC(),
	}
	if m.Text == "" && m.Title == "" {
		return nil, fmt.Errorf("field %q is empty or missing", c.inputKey("text"))
	}
	if k := c.str(r, "kind"); k != "" {
		m.Kind = record.Kind(k)
		if !m.Kind.Valid() {
			return nil, fmt.Errorf("field %q: %q is not a record kind", c.inputKey("kind"), k)
		}
	}
	if id := c.str(r, "id"); id != "" {
		m.SourceID = id
	} else {
		// No native id: the row's content is its identity, so re-importing
		// the same export overwrites instead of duplicating.
		sum := sha256.Sum256(raw)
		m.SourceID = filepath.Base(c.cfg.Path) + "#" + hex.EncodeToString(sum[:12])
	}
	if ts := c.str(r, "created_at"); ts != "" {
		t, err := parseTime(ts, c.cfg.TimeLayout)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", c.inputKey("created_at"), err)
		}
		m.CreatedAt = t
	} else {
		m.CreatedAt = m.FetchedAt
	}
	a := &m.Author
	a.Platform = c.str(r, "author.platform")
	a.ID = c.str(r, "author.id")
	a.Handle = c.str(r, "author.handle")
	a.Name = c.str(r, "author.name")
	a.Email = c.str(r, "author.email")
	a.Phone = c.str(r, "author.phone")
	a.Company = c.str(r, "author.company")
	a.ProfileURL = c.str(r, "author.profile_url")
	a.City = c.str(r, "author.city")
	a.Country = c.str(r, "author.country")
	a.PostalCode = c.str(r, "author.postal_code")
	if f := c.str(r, "author.followers"); f != "" {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("field %q: %q is not a whole number", c.inputKey("author.followers"), f)
		}
		a.Followers = n
	}
	if v := c.str(r, "rating"); v != "" {
		val, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("field %q: %q is not a number", c.inputKey("rating"), v)
		}
		m.Rating = &record.Rating{Value: val, Best: 5, Worst: 1}
		if b := c.str(r, "rating_best"); b != "" {
			if m.Rating.Best, err = strconv.ParseFloat(b, 64); err != nil {
				return nil, fmt.Errorf("field %q: %q is not a number", c.inputKey("rating_best"), b)
			}
		}
	}
	camp := record.Campaign{
		Source: c.str(r, "campaign.utm_source"), Medium: c.str(r, "campaign.utm_medium"),
		Name: c.str(r, "campaign.utm_campaign"), Term: c.str(r, "campaign.utm_term"),
		Content: c.str(r, "campaign.utm_content"), Referrer: c.str(r, "campaign.referrer"),
		LandingPage: c.str(r, "campaign.landing_page"),
	}
	if camp != (record.Campaign{}) {
		m.Campaign = &camp
	}
	if v := c.str(r, "consent"); v != "" {
		given, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %q is not true or false", c.inputKey("consent"), v)
		}
		m.Consent = &record.Consent{Given: given, Text: c.str(r, "consent_text"), Version: c.str(r, "consent_version"), At: m.CreatedAt}
	}
	for target, key := range c.cfg.Mapping {
		if name, ok := strings.CutPrefix(target, "fields."); ok {
			if v, ok := r.get(key); ok {
				if m.Fields == nil {
					m.Fields = map[string]string{}
				}
				m.Fields[name] = fmt.Sprint(v)
			}
		}
	}
	if jr, ok := r.(jsonRow); ok {
		// A JSONL row in Earshot's own shape may carry free-form fields.
		if f, ok := jr["fields"].(map[string]any); ok {
			for k, v := range f {
				if m.Fields == nil {
					m.Fields = map[string]string{}
				}
				if _, set := m.Fields[k]; !set {
					m.Fields[k] = fmt.Sprint(v)
				}
			}
		}
	}
	return m, nil
}

// parseTime accepts the configured layout, RFC 3339, and a plain date.
func parseTime(s, layout string) (time.Time, error) {
	layouts := []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"}
	if layout != "" {
		layouts = append([]string{layout}, layouts...)
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e9 {
		if n > 1e12 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339%s)", s, map[bool]string{true: " or " + layout, false: ""}[layout != ""])
}
