package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// The shapes below follow Jetstream's README (events) and the
// app.bsky.feed.post, app.bsky.richtext.facet, app.bsky.actor.getProfile
// and app.bsky.feed.searchPosts lexicons.

// postCollection is the collection of Bluesky posts.
const postCollection = "app.bsky.feed.post"

// event is one Jetstream message.
type event struct {
	DID    string  `json:"did"`
	TimeUS int64   `json:"time_us"`
	Kind   string  `json:"kind"` // commit, identity, account
	Commit *commit `json:"commit"`
	// Identity carries a handle change; Account an activation change.
	Identity *struct {
		DID    string `json:"did"`
		Handle string `json:"handle"`
	} `json:"identity"`
	Account *struct {
		DID    string `json:"did"`
		Active bool   `json:"active"`
		Status string `json:"status"`
	} `json:"account"`
}

type commit struct {
	Rev        string          `json:"rev"`
	Operation  string          `json:"operation"` // create, update, delete
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	CID        string          `json:"cid"`
	Record     json.RawMessage `json:"record"`
}

// post is an app.bsky.feed.post record.
type post struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
	Langs     []string  `json:"langs"`
	Facets    []facet   `json:"facets"`
	Reply     *struct {
		Parent strongRef `json:"parent"`
		Root   strongRef `json:"root"`
	} `json:"reply"`
	Embed *struct {
		Type   string            `json:"$type"`
		Images []json.RawMessage `json:"images"`
		Video  json.RawMessage   `json:"video"`
		Media  *struct {
			Images []json.RawMessage `json:"images"`
		} `json:"media"`
	} `json:"embed"`
	Tags []string `json:"tags"`
}

type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		DID  string `json:"did"`
		URI  string `json:"uri"`
		Tag  string `json:"tag"`
	} `json:"features"`
}

// profile is what getProfile tells about an author.
type profile struct {
	DID         string  `json:"did"`
	Handle      string  `json:"handle"`
	DisplayName string  `json:"displayName"`
	Description string  `json:"description"`
	Followers   int     `json:"followersCount"`
	Labels      []label `json:"labels"`
}

type label struct {
	Src string `json:"src"`
	Val string `json:"val"`
	Neg bool   `json:"neg"`
}

// postView is one searchPosts hit.
type postView struct {
	URI    string          `json:"uri"`
	CID    string          `json:"cid"`
	Author profile         `json:"author"`
	Record json.RawMessage `json:"record"`
	Reply  int             `json:"replyCount"`
	Repost int             `json:"repostCount"`
	Like   int             `json:"likeCount"`
	Quote  int             `json:"quoteCount"`
}

// engagement is what a search hit counts; the firehose has none yet.
type engagement struct{ replies, reposts, likes, quotes int }

// decodePost parses a post record and checks what a mention needs.
func decodePost(raw json.RawMessage) (*post, error) {
	if len(raw) == 0 {
		return nil, errors.New("post event without a record")
	}
	var p post
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decoding post record: %w", err)
	}
	if p.CreatedAt.IsZero() {
		return nil, errors.New("post record without createdAt")
	}
	return &p, nil
}

// postURI is the post's AT URI, its native id.
func postURI(did, rkey string) string {
	return "at://" + did + "/" + postCollection + "/" + rkey
}

// splitURI returns the DID and record key of a post's AT URI.
func splitURI(uri string) (did, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != postCollection || parts[0] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// text returns the post text with every link facet written out in full
// (clients shorten the visible text of links).
func (p *post) text() string {
	type repl struct {
		start, end int
		with       string
	}
	var rs []repl
	for _, f := range p.Facets {
		s, e := f.Index.ByteStart, f.Index.ByteEnd
		if s < 0 || e > len(p.Text) || s >= e {
			continue
		}
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#link" && ft.URI != "" {
				rs = append(rs, repl{s, e, ft.URI})
			}
		}
	}
	if len(rs) == 0 {
		return p.Text
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
	var b strings.Builder
	at := 0
	for _, r := range rs {
		if r.start < at {
			continue // overlapping facets: keep the first
		}
		b.WriteString(p.Text[at:r.start])
		b.WriteString(r.with)
		at = r.end
	}
	b.WriteString(p.Text[at:])
	return b.String()
}

// tags returns the post's hashtags in lower case: tag facets and the
// record's own tags.
func (p *post) tags() []string {
	var out []string
	for _, f := range p.Facets {
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#tag" && ft.Tag != "" {
				out = append(out, strings.ToLower(strings.TrimPrefix(ft.Tag, "#")))
			}
		}
	}
	for _, t := range p.Tags {
		out = append(out, strings.ToLower(strings.TrimPrefix(t, "#")))
	}
	return out
}

// mentioned returns the DIDs the post mentions.
func (p *post) mentioned() []string {
	var out []string
	for _, f := range p.Facets {
		for _, ft := range f.Features {
			if ft.Type == "app.bsky.richtext.facet#mention" && ft.DID != "" {
				out = append(out, ft.DID)
			}
		}
	}
	return out
}

func (p *post) media() int {
	if p.Embed == nil {
		return 0
	}
	n := len(p.Embed.Images)
	if len(p.Embed.Video) > 0 {
		n++
	}
	if p.Embed.Media != nil {
		n += len(p.Embed.Media.Images)
	}
	return n
}

// toRecord builds the raw mention of a post by the author of prof.
func toRecord(channel, did, rkey, cid string, p *post, prof *profile, eng engagement, via string, prospects bool, now time.Time) *record.Mention {
	handle := prof.Handle
	if handle == "" || handle == "handle.invalid" {
		handle = did
	}
	name := strings.TrimSpace(prof.DisplayName)
	if name == "" {
		name = handle
	}
	m := &record.Mention{
		Source:   Type,
		SourceID: postURI(did, rkey),
		Channel:  channel,
		Kind:     record.KindMention,
		Author: record.Author{
			Platform:   "bluesky",
			ID:         did,
			Handle:     handle,
			Name:       name,
			ProfileURL: "https://bsky.app/profile/" + did,
			Followers:  prof.Followers,
		},
		Text: p.text(),
		URL:  "https://bsky.app/profile/" + did + "/post/" + rkey,
		Engagement: &record.Engagement{
			Replies: eng.replies, Shares: eng.reposts + eng.quotes, Favourites: eng.likes, Media: p.media(),
		},
		Visibility: "public",
		CreatedAt:  p.CreatedAt.UTC(),
		FetchedAt:  now,
		Consent:    &record.Consent{Basis: "legitimate_interest", NoProspect: !prospects},
		Fields:     map[string]string{"cid": cid, "watch": via},
	}
	if len(p.Langs) > 0 {
		m.Lang = p.Langs[0]
	}
	if p.Reply != nil && p.Reply.Parent.URI != "" {
		m.Kind = record.KindReply
		m.InReplyTo = p.Reply.Parent.URI
		m.Fields["reply_root"] = p.Reply.Root.URI
	}
	if tags := p.tags(); len(tags) > 0 {
		m.Fields["tags"] = strings.Join(tags, ",")
	}
	_ = m.Normalize() // source, source id and kind are always set here
	return m
}
