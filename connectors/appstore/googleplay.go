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

// The reviews.list answer of the Google Play Developer API (v3).
type googleReviews struct {
	Reviews         []json.RawMessage `json:"reviews"`
	TokenPagination struct {
		NextPageToken string `json:"nextPageToken"`
	} `json:"tokenPagination"`
}

type googleReview struct {
	ReviewID   string `json:"reviewId"`
	AuthorName string `json:"authorName"`
	Comments   []struct {
		UserComment *struct {
			Text             string    `json:"text"`
			LastModified     timestamp `json:"lastModified"`
			StarRating       int       `json:"starRating"`
			ReviewerLanguage string    `json:"reviewerLanguage"`
			Device           string    `json:"device"`
			AndroidOSVersion int       `json:"androidOsVersion"`
			AppVersionCode   int       `json:"appVersionCode"`
			AppVersionName   string    `json:"appVersionName"`
			ThumbsUpCount    int       `json:"thumbsUpCount"`
			ThumbsDownCount  int       `json:"thumbsDownCount"`
			OriginalText     string    `json:"originalText"`
		} `json:"userComment"`
		DeveloperComment *struct {
			Text         string    `json:"text"`
			LastModified timestamp `json:"lastModified"`
		} `json:"developerComment"`
	} `json:"comments"`
}

// timestamp is the API's {"seconds": "…", "nanos": …}.
type timestamp struct {
	Seconds json.Number `json:"seconds"`
	Nanos   int64       `json:"nanos"`
}

func (t timestamp) time() (time.Time, error) {
	s, err := t.Seconds.Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("lastModified seconds %q: %w", t.Seconds, err)
	}
	return time.Unix(s, t.Nanos).UTC(), nil
}

// googlePage reads one page of a package's reviews (those created or
// changed in the last week, newest first), with a cached access token.
func (c *Connector) googlePage(ctx context.Context, app GoogleApp, token string) (*pageResult, error) {
	params := url.Values{"maxResults": {strconv.Itoa(c.cfg.GooglePlay.PageSize)}}
	if token != "" {
		params.Set("token", token)
	}
	if c.cfg.GooglePlay.TranslationLanguage != "" {
		params.Set("translationLanguage", c.cfg.GooglePlay.TranslationLanguage)
	}
	u := strings.TrimRight(c.cfg.GooglePlay.BaseURL, "/") + "/androidpublisher/v3/applications/" + url.PathEscape(app.Package) + "/reviews?" + params.Encode()
	var body []byte
	for attempt := 1; ; attempt++ {
		bearer, err := c.google.Token(ctx)
		if err != nil {
			var ce *CredentialError
			if errors.As(err, &ce) {
				c.metrics.requests.WithLabelValues(c.deps.Name, storeGoogle, "credentials").Inc()
			}
			return nil, err
		}
		b, status, err := c.get(ctx, storeGoogle, u, bearer)
		if err != nil {
			return nil, err
		}
		var ae struct {
			Error struct {
				Message string `json:"message"`
				Status  string `json:"status"`
			} `json:"error"`
		}
		_ = json.Unmarshal(b, &ae)
		switch {
		case status == 200:
			body = b
		case status == 401 && attempt == 1:
			c.google.Invalidate() // revoked or expired early: one fresh token
			continue
		case status == 401 || status == 403:
			c.metrics.requests.WithLabelValues(c.deps.Name, storeGoogle, "credentials").Inc()
			return nil, &CredentialError{Store: "Google Play", What: fmt.Sprintf(
				"the Developer API refused service account %s for %s (HTTP %d %s: %s); invite it in Play Console (Users and permissions) with access to the app's reviews",
				c.google.sa.ClientEmail, app.Package, status, ae.Error.Status, ae.Error.Message)}
		default:
			c.metrics.requests.WithLabelValues(c.deps.Name, storeGoogle, "unavailable").Inc()
			return nil, &unavailableError{Msg: fmt.Sprintf("Google Play reviews of %s: HTTP %d %s", app.Package, status, ae.Error.Message)}
		}
		break
	}
	var gr googleReviews
	if err := json.Unmarshal(body, &gr); err != nil {
		return nil, c.malformed(storeGoogle, body, fmt.Errorf("Google Play reviews of %s: %w", app.Package, err))
	}
	c.decoded(storeGoogle)
	res := &pageResult{next: gr.TokenPagination.NextPageToken}
	now := c.now().UTC()
	for _, raw := range gr.Reviews {
		var r googleReview
		if err := json.Unmarshal(raw, &r); err != nil {
			res.reviews = append(res.reviews, review{bad: fmt.Errorf("decoding Google Play review: %w", err), raw: raw})
			continue
		}
		rv, err := googleRecord(app, &r, now, c.cfg.Prospects)
		if err != nil {
			res.reviews = append(res.reviews, review{id: r.ReviewID, bad: err, raw: raw})
			continue
		}
		res.reviews = append(res.reviews, rv)
	}
	return res, nil
}

func googleRecord(app GoogleApp, r *googleReview, now time.Time, prospects bool) (review, error) {
	if r.ReviewID == "" {
		return review{}, errors.New("Google Play review without reviewId")
	}
	var user, dev = -1, -1
	for i, cm := range r.Comments {
		if cm.UserComment != nil && user < 0 {
			user = i
		}
		if cm.DeveloperComment != nil && dev < 0 {
			dev = i
		}
	}
	if user < 0 {
		return review{}, fmt.Errorf("Google Play review %s has no userComment", r.ReviewID)
	}
	uc := r.Comments[user].UserComment
	modified, err := uc.LastModified.time()
	if err != nil {
		return review{}, fmt.Errorf("Google Play review %s: %w", r.ReviewID, err)
	}
	if uc.StarRating < 1 || uc.StarRating > 5 {
		return review{}, fmt.Errorf("Google Play review %s: starRating %d is not 1-5", r.ReviewID, uc.StarRating)
	}
	// A review written with a title comes as title, tab, body.
	var title string
	text := strings.TrimSpace(uc.Text)
	if t, body, ok := strings.Cut(text, "\t"); ok {
		title, text = strings.TrimSpace(t), strings.TrimSpace(body)
	}
	name := strings.TrimSpace(r.AuthorName)
	m := &record.Mention{
		Source:    Type,
		SourceID:  "google:" + r.ReviewID,
		Channel:   app.Name,
		Kind:      record.KindReview,
		Author:    record.Author{Platform: "googleplay", Handle: name, Name: name},
		Title:     title,
		Text:      text,
		URL:       "https://play.google.com/store/apps/details?id=" + url.QueryEscape(app.Package) + "&reviewId=" + url.QueryEscape(r.ReviewID),
		Lang:      uc.ReviewerLanguage,
		Rating:    &record.Rating{Value: float64(uc.StarRating), Best: 5, Worst: 1},
		CreatedAt: modified,
		FetchedAt: now,
		Consent:   &record.Consent{Basis: "legitimate_interest", NoProspect: !prospects},
		Fields:    map[string]string{"store": storeGoogle, "package": app.Package, "review_id": r.ReviewID},
	}
	if m.Lang != "" {
		m.Lang = strings.ReplaceAll(m.Lang, "_", "-")
	}
	set := func(k, v string) {
		if v != "" && v != "0" {
			m.Fields[k] = v
		}
	}
	set("app_version", uc.AppVersionName)
	set("app_version_code", strconv.Itoa(uc.AppVersionCode))
	set("device", uc.Device)
	set("android_os_version", strconv.Itoa(uc.AndroidOSVersion))
	set("original_text", strings.TrimSpace(uc.OriginalText))
	set("thumbs_down", strconv.Itoa(uc.ThumbsDownCount))
	if dev >= 0 {
		set("developer_reply", strings.TrimSpace(r.Comments[dev].DeveloperComment.Text))
	}
	if uc.ThumbsUpCount > 0 {
		m.Engagement = &record.Engagement{Favourites: uc.ThumbsUpCount}
	}
	_ = m.Normalize()
	content := progress.Hash(strings.Join([]string{uc.Text, strconv.Itoa(uc.StarRating), uc.LastModified.Seconds.String(), uc.AppVersionName}, "\x00"))
	return review{pos: position(modified, r.ReviewID), id: "google:" + r.ReviewID, content: content, rec: m}, nil
}
