package mastodon

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	gomasto "github.com/mattn/go-mastodon"

	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/record"
)

// original returns the status a boost points to, or s itself.
func original(s *gomasto.Status) *gomasto.Status {
	if s.Reblog != nil {
		return s.Reblog
	}
	return s
}

// fullAcct returns the account's handle as user@instance; Mastodon gives
// local accounts without the domain.
func fullAcct(a gomasto.Account, serverHost string) string {
	acct := strings.TrimPrefix(a.Acct, "@")
	if acct == "" {
		acct = a.Username
	}
	if acct != "" && !strings.Contains(acct, "@") {
		host := serverHost
		if u, err := url.Parse(a.URL); err == nil && u.Host != "" {
			host = u.Host
		}
		acct += "@" + host
	}
	return acct
}

// statusText is the status's content as clean text, with mentions written
// as full handles (@user@instance) so the same person reads the same
// everywhere.
func statusText(s *gomasto.Status, serverHost string) string {
	byURL := map[string]string{}
	for _, m := range s.Mentions {
		acct := m.Acct
		if acct != "" && !strings.Contains(acct, "@") {
			if u, err := url.Parse(m.URL); err == nil && u.Host != "" {
				acct += "@" + u.Host
			} else {
				acct += "@" + serverHost
			}
		}
		byURL[m.URL] = "@" + acct
	}
	return htmltext.String(s.Content, htmltext.Options{Link: func(href, class, text string) string {
		if strings.Contains(class, "mention") && !strings.Contains(class, "hashtag") {
			if full, ok := byURL[href]; ok {
				return full
			}
		}
		return text
	}})
}

// toRecord builds the raw mention of status st (a boost is resolved to its
// original) seen by watch w. text is statusText of the original.
func toRecord(serverName, serverHost string, w *watch, st *gomasto.Status, kind record.Kind, text string, now time.Time) *record.Mention {
	o := original(st)
	sourceID := o.URI
	if sourceID == "" {
		sourceID = o.URL
	}
	if sourceID == "" {
		sourceID = fmt.Sprintf("https://%s/statuses/%s", serverHost, o.ID)
	}
	if kind == "" {
		kind = record.KindMention
		if o.InReplyToID != nil {
			kind = record.KindReply
		}
	}
	name := strings.TrimSpace(o.Account.DisplayName)
	if name == "" {
		name = o.Account.Username
	}
	link := o.URL
	if link == "" {
		link = o.URI
	}
	m := &record.Mention{
		Source:   Type,
		SourceID: sourceID,
		Channel:  serverName,
		Kind:     kind,
		Author: record.Author{
			Platform:   "mastodon",
			ID:         string(o.Account.ID),
			Handle:     fullAcct(o.Account, serverHost),
			Name:       name,
			ProfileURL: o.Account.URL,
			Followers:  int(o.Account.FollowersCount),
		},
		Title: strings.TrimSpace(o.SpoilerText),
		Text:  text,
		URL:   link,
		Lang:  o.Language,
		Engagement: &record.Engagement{
			Replies:    int(o.RepliesCount),
			Shares:     int(o.ReblogsCount),
			Favourites: int(o.FavouritesCount),
			Media:      len(o.MediaAttachments),
		},
		Visibility: o.Visibility,
		CreatedAt:  o.CreatedAt.UTC(),
		FetchedAt:  now,
		Consent:    &record.Consent{Basis: "legitimate_interest"},
	}
	fields := map[string]string{"status_id": string(o.ID), "watch": w.label}
	if st.Reblog != nil {
		fields["boosted_by"] = fullAcct(st.Account, serverHost)
	}
	if o.InReplyToID != nil {
		fields["in_reply_to_id"] = fmt.Sprint(o.InReplyToID)
	}
	if len(o.Tags) > 0 {
		tags := make([]string, 0, len(o.Tags))
		for _, t := range o.Tags {
			tags = append(tags, t.Name)
		}
		fields["tags"] = strings.Join(tags, ",")
	}
	if o.Sensitive {
		fields["sensitive"] = "true"
	}
	if !o.EditedAt.IsZero() {
		fields["edited_at"] = o.EditedAt.UTC().Format(time.RFC3339)
	}
	m.Fields = fields
	_ = m.Normalize() // source, source id and kind are always set here
	return m
}
