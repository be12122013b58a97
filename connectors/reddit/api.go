package reddit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors/internal/apiclient"
	"github.com/earshothq/earshot/record"
)

// The shapes follow Reddit's API documentation (reddit.com/dev/api and the
// OAuth2 wiki): a Listing of things, each {kind, data}; t3 posts and t1
// comments; fullnames "t3_…"; created_utc in seconds.

type listing struct {
	Kind string `json:"kind"`
	Data struct {
		After    string            `json:"after"`
		Before   string            `json:"before"`
		Children []json.RawMessage `json:"children"`
	} `json:"data"`
}

type thing struct {
	Kind string `json:"kind"` // t1 comment, t3 post
	Data item   `json:"data"`
}

type item struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"` // fullname
	Subreddit         string  `json:"subreddit"`
	Author            string  `json:"author"`
	AuthorFullname    string  `json:"author_fullname"`
	CreatedUTC        float64 `json:"created_utc"`
	Permalink         string  `json:"permalink"`
	Title             string  `json:"title"`
	Selftext          string  `json:"selftext"`
	URL               string  `json:"url"`
	IsSelf            bool    `json:"is_self"`
	NumComments       int     `json:"num_comments"`
	Body              string  `json:"body"`
	LinkID            string  `json:"link_id"`
	LinkTitle         string  `json:"link_title"`
	ParentID          string  `json:"parent_id"`
	Score             int     `json:"score"`
	Edited            any     `json:"edited"` // false, or when (seconds)
	RemovedByCategory *string `json:"removed_by_category"`
	Over18            bool    `json:"over_18"`
}

// gone reports why an item is not ingested: deleted by its author or
// removed by moderators ("" when it is fine).
func (it *item) gone() string {
	switch {
	case it.RemovedByCategory != nil && *it.RemovedByCategory != "":
		return "removed"
	case it.Author == "[deleted]":
		return "deleted"
	}
	for _, t := range []string{it.Body, it.Selftext} {
		switch strings.TrimSpace(t) {
		case "[deleted]":
			return "deleted"
		case "[removed]":
			return "removed"
		}
	}
	return ""
}

// parseThing decodes one listing child and checks what a record needs.
func parseThing(raw json.RawMessage) (*thing, error) {
	var t thing
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("decoding listing child: %w", err)
	}
	if t.Kind != "t1" && t.Kind != "t3" {
		return nil, fmt.Errorf("listing child of kind %q, not a post (t3) or comment (t1)", t.Kind)
	}
	if t.Data.Name == "" || !strings.HasPrefix(t.Data.Name, t.Kind+"_") {
		return nil, fmt.Errorf("%s without a fullname", t.Kind)
	}
	if t.Data.CreatedUTC <= 0 {
		return nil, fmt.Errorf("%s without created_utc", t.Data.Name)
	}
	return &t, nil
}

// base36 is the number of a fullname's id part ("t3_1abc" → 1abc in base 36).
func base36(fullname string) int64 {
	_, id, _ := strings.Cut(fullname, "_")
	n, _ := strconv.ParseInt(id, 36, 64)
	return n
}

// toRecord maps a post or comment to a raw mention.
func toRecord(channel string, t *thing, prospects bool, now time.Time) *record.Mention {
	it := &t.Data
	m := &record.Mention{
		Source:   Type,
		SourceID: it.Name,
		Channel:  "r/" + it.Subreddit,
		Kind:     record.KindMention,
		Author: record.Author{
			Platform:   "reddit",
			ID:         it.AuthorFullname,
			Handle:     it.Author,
			Name:       it.Author,
			ProfileURL: "https://www.reddit.com/user/" + url.PathEscape(it.Author),
		},
		URL:        "https://www.reddit.com" + it.Permalink,
		Engagement: &record.Engagement{Favourites: it.Score, Replies: it.NumComments},
		Visibility: "public",
		CreatedAt:  time.Unix(int64(it.CreatedUTC), 0).UTC(),
		FetchedAt:  now,
		Consent:    &record.Consent{Basis: "legitimate_interest", NoProspect: !prospects},
		Fields:     map[string]string{"subreddit": it.Subreddit, "watch": channel},
	}
	if t.Kind == "t3" {
		m.Title = strings.TrimSpace(it.Title)
		m.Text = strings.TrimSpace(it.Selftext)
		if m.Text == "" {
			m.Text = m.Title
		}
		if !it.IsSelf && it.URL != "" {
			m.Fields["link"] = it.URL
		}
	} else {
		m.Kind = record.KindComment
		m.Text = strings.TrimSpace(it.Body)
		m.InReplyTo = it.ParentID
		m.Fields["link_id"] = it.LinkID
		if it.LinkTitle != "" {
			m.Fields["link_title"] = it.LinkTitle
		}
	}
	if e, ok := it.Edited.(float64); ok && e > 0 {
		m.Fields["edited_at"] = time.Unix(int64(e), 0).UTC().Format(time.RFC3339)
	}
	if it.Over18 {
		m.Fields["nsfw"] = "true"
	}
	_ = m.Normalize() // source, source id and kind are always set here
	return m
}

// oauth holds the access token (client credentials, or the password grant
// of a script app), renewed a minute before it expires or when refused.
type oauth struct {
	cfg *Config
	api *apiclient.Client // the token endpoint's: basic auth with the app's id and secret

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (o *oauth) get(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token != "" && time.Until(o.expires) > time.Minute {
		return o.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if o.cfg.Username != "" {
		form = url.Values{"grant_type": {"password"}, "username": {o.cfg.Username}, "password": {o.cfg.Password}}
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	endpoint := strings.TrimRight(o.cfg.AuthURL, "/") + "/api/v1/access_token"
	if err := o.api.Do(ctx, http.MethodPost, endpoint, "application/x-www-form-urlencoded", []byte(form.Encode()), &out); err != nil {
		return "", fmt.Errorf("getting a reddit access token: %w", err)
	}
	if out.Error != "" || out.AccessToken == "" {
		// A wrong username or password is a 200 with {"error": "invalid_grant"}.
		detail := out.Error
		if detail == "invalid_grant" {
			detail += " (check username and password)"
		}
		return "", fmt.Errorf("getting a reddit access token: %w", &apiclient.CredentialsError{Platform: "reddit", Status: http.StatusOK, Detail: detail})
	}
	o.token = out.AccessToken
	o.expires = time.Now().Add(time.Duration(max(out.ExpiresIn, 120)) * time.Second)
	return o.token, nil
}

func (o *oauth) authorize(ctx context.Context, req *http.Request) error {
	tok, err := o.get(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "bearer "+tok)
	return nil
}

func (o *oauth) drop() {
	o.mu.Lock()
	o.token = ""
	o.mu.Unlock()
}

// budget reads X-Ratelimit-Remaining (requests left, a float) and
// X-Ratelimit-Reset (seconds until the window resets): when fewer than two
// requests remain, requests wait for the reset.
func budget(h http.Header, now time.Time) time.Time {
	rem, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-Ratelimit-Remaining")), 64)
	if err != nil || rem >= 2 {
		return time.Time{}
	}
	reset, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 64)
	if err != nil {
		return now.Add(time.Minute)
	}
	return now.Add(time.Duration(reset * float64(time.Second)))
}
