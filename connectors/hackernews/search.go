package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/connectors/internal/htmltext"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// The shapes follow the HN Search API documentation (hn.algolia.com/api):
// search_by_date returns hits newest first, nbPages pages of hitsPerPage,
// never more than 1000 hits in all for one query.

// page is one search_by_date answer.
type page struct {
	Hits        []json.RawMessage `json:"hits"`
	NbHits      int               `json:"nbHits"`
	Page        int               `json:"page"`
	NbPages     int               `json:"nbPages"`
	HitsPerPage int               `json:"hitsPerPage"`
}

// hit is one story or comment.
type hit struct {
	ObjectID    string   `json:"objectID"`
	CreatedAtI  int64    `json:"created_at_i"`
	Author      string   `json:"author"`
	Title       string   `json:"title"`
	URL         string   `json:"url"`
	StoryText   string   `json:"story_text"`
	CommentText string   `json:"comment_text"`
	Points      *int     `json:"points"`
	NumComments *int     `json:"num_comments"`
	StoryID     *int64   `json:"story_id"`
	StoryTitle  string   `json:"story_title"`
	StoryURL    string   `json:"story_url"`
	ParentID    *int64   `json:"parent_id"`
	Tags        []string `json:"_tags"`
	id          int64
}

// rawHit is a hit as read, or why it cannot be used.
type rawHit struct {
	pos   string
	where string
	raw   []byte
	hit   *hit
	err   error
}

// sweep returns every hit of q created at or after since, oldest first. A
// query with more than the API's 1000 reachable hits is read in windows
// going back in time (created_at_i<=oldest seen); beyond max_hits_per_poll
// the newest are left for the next poll (the mark stays below them).
func (c *Connector) sweep(ctx context.Context, q string, since int64) ([]rawHit, error) {
	byID := map[string]bool{}
	var all []rawHit
	var upper int64 // 0: no upper bound
	for {
		oldest, complete := int64(0), false
		fetched := 0
		for pg := 0; ; pg++ {
			res, err := c.search(ctx, q, since, upper, pg)
			if err != nil {
				return nil, err
			}
			for i, raw := range res.Hits {
				h := parseHit(raw, since)
				h.where = fmt.Sprintf("search %q page %d hit %d", q, pg, i)
				key := h.pos
				if h.hit != nil {
					key = h.hit.ObjectID
				}
				if byID[key] {
					continue // the window boundary's second is read twice
				}
				byID[key] = true
				if c.delivered(h) {
					continue // re-read in the overlap: nothing to do
				}
				all = append(all, h)
				if h.hit != nil && (oldest == 0 || h.hit.CreatedAtI < oldest) {
					oldest = h.hit.CreatedAtI
				}
			}
			fetched += len(res.Hits)
			if pg+1 >= res.NbPages || len(res.Hits) == 0 {
				complete = res.NbHits <= fetched
				break
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].pos < all[j].pos })
		if len(all) > c.cfg.MaxHitsPerPoll {
			all = all[:c.cfg.MaxHitsPerPoll] // the oldest; the rest next poll
		}
		if complete || oldest == 0 {
			return all, nil
		}
		if upper != 0 && oldest >= upper {
			c.log.Warn("more items in one second than the search API pages through; some may be missed", "query", q, "second", oldest)
			return all, nil
		}
		upper = oldest
	}
}

// delivered reports whether a hit was delivered with this content already.
func (c *Connector) delivered(h rawHit) bool {
	if h.hit == nil {
		return false
	}
	m := toRecord("", "", h.hit, false, time.Time{})
	if m == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.seen.Get(progress.Hash(m.SourceID))
	return ok && v == contentHash(m)
}

func (c *Connector) search(ctx context.Context, q string, since, upper int64, pg int) (*page, error) {
	filters := "created_at_i>" + strconv.FormatInt(since-1, 10)
	if upper != 0 {
		filters += ",created_at_i<=" + strconv.FormatInt(upper, 10)
	}
	v := url.Values{
		"query":          {q},
		"tags":           {"(" + strings.Join(c.cfg.Tags, ",") + ")"},
		"numericFilters": {filters},
		"hitsPerPage":    {strconv.Itoa(c.cfg.HitsPerPage)},
		"page":           {strconv.Itoa(pg)},
	}
	var res page
	if err := c.api.GetJSON(ctx, strings.TrimRight(c.cfg.API, "/")+"/search_by_date?"+v.Encode(), &res); err != nil {
		return nil, fmt.Errorf("searching %q: %w", q, err)
	}
	return &res, nil
}

// parseHit decodes one hit; a hit without a numeric objectID or a creation
// time is kept with its error (positioned at since, so the mark waits for
// its dead letter).
func parseHit(raw json.RawMessage, since int64) rawHit {
	var h hit
	err := json.Unmarshal(raw, &h)
	if err == nil {
		h.id, err = strconv.ParseInt(h.ObjectID, 10, 64)
		if err != nil || h.id <= 0 {
			err = fmt.Errorf("hit with objectID %q, not an item number", h.ObjectID)
		} else if h.CreatedAtI <= 0 {
			err = errors.New("hit without created_at_i")
		}
	} else {
		err = fmt.Errorf("decoding hit: %w", err)
	}
	if err != nil {
		return rawHit{pos: position(since, 0), raw: raw, err: err}
	}
	return rawHit{pos: position(h.CreatedAtI, h.id), raw: raw, hit: &h}
}

func (h *hit) isComment() bool {
	for _, t := range h.Tags {
		if t == "comment" {
			return true
		}
	}
	return h.CommentText != "" && h.Title == ""
}

// contentHash identifies what a record says, to notice edits.
func contentHash(m *record.Mention) uint64 { return progress.Hash(m.Title + "\x00" + m.Text) }

// clean turns HN's item HTML into text, writing links out in full (HN
// shortens long link texts with "...").
func clean(s string) string {
	return htmltext.String(s, htmltext.Options{Link: func(href, _, text string) string {
		if href != "" && (strings.HasPrefix(text, "http") || strings.HasSuffix(text, "...")) {
			return href
		}
		return text
	}})
}

// toRecord maps a hit to a raw mention; nil for a deleted item (no text,
// no title left).
func toRecord(channel, query string, h *hit, prospects bool, now time.Time) *record.Mention {
	comment := h.isComment()
	text := clean(h.StoryText)
	if comment {
		text = clean(h.CommentText)
	}
	title := clean(h.Title)
	if text == "" && title == "" || h.Author == "" {
		return nil
	}
	if text == "" {
		text = title
	}
	m := &record.Mention{
		Source:   Type,
		SourceID: h.ObjectID,
		Channel:  channel,
		Kind:     record.KindMention,
		Author: record.Author{
			Platform:   "hackernews",
			ID:         h.Author,
			Handle:     h.Author,
			Name:       h.Author,
			ProfileURL: "https://news.ycombinator.com/user?id=" + url.QueryEscape(h.Author),
		},
		Title:      title,
		Text:       text,
		URL:        "https://news.ycombinator.com/item?id=" + h.ObjectID,
		Engagement: &record.Engagement{},
		Visibility: "public",
		CreatedAt:  time.Unix(h.CreatedAtI, 0).UTC(),
		FetchedAt:  now,
		Consent:    &record.Consent{Basis: "legitimate_interest", NoProspect: !prospects},
		Fields:     map[string]string{"query": query},
	}
	if h.Points != nil {
		m.Engagement.Favourites = *h.Points
	}
	if h.NumComments != nil {
		m.Engagement.Replies = *h.NumComments
	}
	if comment {
		m.Kind = record.KindComment
		if h.ParentID != nil {
			m.InReplyTo = strconv.FormatInt(*h.ParentID, 10)
		}
		if h.StoryID != nil {
			m.Fields["story_id"] = strconv.FormatInt(*h.StoryID, 10)
		}
		if h.StoryTitle != "" {
			m.Fields["story_title"] = clean(h.StoryTitle)
		}
		if h.StoryURL != "" {
			m.Fields["story_url"] = h.StoryURL
		}
	} else if h.URL != "" {
		m.Fields["link"] = h.URL
	}
	_ = m.Normalize() // source, source id and kind are always set here
	return m
}
