package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// The customer-reviews feed in its JSON form: iTunes RSS entries where every
// value is an object with a "label" (and sometimes "attributes").
type appleFeed struct {
	Feed struct {
		// Entry is an array, or a single object when the page holds one.
		Entry json.RawMessage `json:"entry"`
		Link  json.RawMessage `json:"link"`
	} `json:"feed"`
}

type label struct {
	Label      string            `json:"label"`
	Attributes map[string]string `json:"attributes"`
}

type appleEntry struct {
	Author struct {
		URI  label `json:"uri"`
		Name label `json:"name"`
	} `json:"author"`
	Updated   label           `json:"updated"`
	Rating    *label          `json:"im:rating"`
	Version   label           `json:"im:version"`
	ID        label           `json:"id"`
	Title     label           `json:"title"`
	Content   label           `json:"content"`
	Link      json.RawMessage `json:"link"`
	VoteSum   label           `json:"im:voteSum"`
	VoteCount label           `json:"im:voteCount"`
}

// applePage reads page n of an app's most recent reviews in one storefront.
func (c *Connector) applePage(ctx context.Context, app AppleApp, country, _ string, page int) (*pageResult, error) {
	u := fmt.Sprintf("%s/%s/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/json", strings.TrimRight(c.cfg.Apple.BaseURL, "/"), country, page, app.ID)
	body, status, err := c.get(ctx, storeApple, u, "")
	if err != nil {
		return nil, err
	}
	if status != 200 {
		c.metrics.requests.WithLabelValues(c.deps.Name, storeApple, "unavailable").Inc()
		return nil, &unavailableError{Msg: fmt.Sprintf("App Store feed of app %s in %q: HTTP %d", app.ID, country, status)}
	}
	var f appleFeed
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, c.malformed(storeApple, body, fmt.Errorf("App Store feed of app %s in %q: %w", app.ID, country, err))
	}
	var raws []json.RawMessage
	switch e := strings.TrimSpace(string(f.Feed.Entry)); {
	case e == "" || e == "null":
	case strings.HasPrefix(e, "["):
		if err := json.Unmarshal(f.Feed.Entry, &raws); err != nil {
			return nil, c.malformed(storeApple, body, fmt.Errorf("App Store feed of app %s in %q: entries: %w", app.ID, country, err))
		}
	default:
		raws = []json.RawMessage{f.Feed.Entry}
	}
	c.decoded(storeApple)
	res := &pageResult{}
	if len(raws) > 0 && page < c.cfg.Apple.MaxPages && hasNext(f.Feed.Link, page) {
		res.next = strconv.Itoa(page + 1)
	}
	now := c.now().UTC()
	for _, raw := range raws {
		var e appleEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			res.reviews = append(res.reviews, review{bad: fmt.Errorf("decoding App Store review: %w", err), raw: raw})
			continue
		}
		if e.Rating == nil {
			continue // the app's own entry, which older feeds put first
		}
		r, err := appleReview(app, country, &e, now, c.cfg.Prospects)
		if err != nil {
			res.reviews = append(res.reviews, review{id: e.ID.Label, bad: err, raw: raw})
			continue
		}
		res.reviews = append(res.reviews, r)
	}
	return res, nil
}

// hasNext reports whether the feed links a page after page (feeds without
// links are paged until an empty page).
func hasNext(links json.RawMessage, page int) bool {
	var ls []label
	if json.Unmarshal(links, &ls) != nil || len(ls) == 0 {
		return true
	}
	for _, l := range ls {
		if l.Attributes["rel"] == "last" {
			return !strings.Contains(l.Attributes["href"], fmt.Sprintf("/page=%d/", page))
		}
	}
	return true
}

func appleReview(app AppleApp, country string, e *appleEntry, now time.Time, prospects bool) (review, error) {
	id := strings.TrimSpace(e.ID.Label)
	if id == "" {
		return review{}, errors.New("App Store review without id")
	}
	updated, err := time.Parse(time.RFC3339, strings.TrimSpace(e.Updated.Label))
	if err != nil {
		return review{}, fmt.Errorf("App Store review %s: updated %q: %w", id, e.Updated.Label, err)
	}
	stars, err := strconv.Atoi(strings.TrimSpace(e.Rating.Label))
	if err != nil || stars < 1 || stars > 5 {
		return review{}, fmt.Errorf("App Store review %s: rating %q is not 1-5", id, e.Rating.Label)
	}
	text := strings.TrimSpace(e.Content.Label)
	title := strings.TrimSpace(e.Title.Label)
	votes, _ := strconv.Atoi(e.VoteSum.Label)
	voteCount, _ := strconv.Atoi(e.VoteCount.Label)
	name := strings.TrimSpace(e.Author.Name.Label)
	profile := strings.TrimSpace(e.Author.URI.Label)
	m := &record.Mention{
		Source:   Type,
		SourceID: "apple:" + id,
		Channel:  app.Name,
		Kind:     record.KindReview,
		Author: record.Author{Platform: "appstore", ID: appleUserID(profile), Handle: name, Name: name, ProfileURL: profile,
			Country: strings.ToUpper(country)},
		Title:     title,
		Text:      text,
		URL:       "https://apps.apple.com/" + country + "/app/id" + app.ID + "?see-all=reviews",
		Rating:    &record.Rating{Value: float64(stars), Best: 5, Worst: 1},
		CreatedAt: updated.UTC(),
		FetchedAt: now,
		Consent:   &record.Consent{Basis: "legitimate_interest", NoProspect: !prospects},
		Fields: map[string]string{"store": storeApple, "app_id": app.ID, "country": country,
			"review_id": id, "app_version": strings.TrimSpace(e.Version.Label)},
	}
	if voteCount > 0 {
		m.Fields["vote_count"] = strconv.Itoa(voteCount)
	}
	if votes > 0 {
		m.Engagement = &record.Engagement{Favourites: votes}
	}
	if text == "" {
		m.Text = title
	}
	_ = m.Normalize()
	content := progress.Hash(strings.Join([]string{title, text, e.Rating.Label, e.Version.Label, e.Updated.Label}, "\x00"))
	return review{pos: position(updated, id), id: "apple:" + id, content: content, rec: m}, nil
}

// appleUserID is the numeric id in a reviewer's profile URL
// (https://itunes.apple.com/us/reviews/id123456789).
func appleUserID(profile string) string {
	u, err := url.Parse(profile)
	if err != nil {
		return ""
	}
	i := strings.LastIndex(u.Path, "/id")
	if i < 0 {
		return ""
	}
	id := u.Path[i+3:]
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return ""
	}
	return id
}
