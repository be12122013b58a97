package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/apiclient"
	"github.com/earshothq/earshot/connectors/internal/progress"
)

// session is the backfill account's login (com.atproto.server.createSession
// with an app password); the access token is renewed by signing in again
// when the service refuses it or after tokenLife.
type session struct {
	cfg *Backfill
	api *apiclient.Client

	mu     sync.Mutex
	access string
	at     time.Time
}

// tokenLife is how long an access token is used before signing in again
// (Bluesky's access tokens live about two hours).
const tokenLife = 90 * time.Minute

func (s *session) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != "" && time.Since(s.at) < tokenLife {
		return s.access, nil
	}
	body, _ := json.Marshal(map[string]string{"identifier": s.cfg.Identifier, "password": s.cfg.AppPassword})
	var out struct {
		AccessJwt string `json:"accessJwt"`
		DID       string `json:"did"`
	}
	err := s.api.Do(ctx, http.MethodPost, strings.TrimRight(s.cfg.Service, "/")+"/xrpc/com.atproto.server.createSession",
		"application/json", body, &out)
	var se *apiclient.StatusError
	if errors.As(err, &se) && se.Status == http.StatusBadRequest {
		// createSession answers a wrong identifier or password with 400.
		err = &apiclient.CredentialsError{Platform: "bluesky", Status: se.Status, Detail: se.Body}
	}
	if err != nil {
		return "", fmt.Errorf("signing in as %s: %w", s.cfg.Identifier, err)
	}
	if out.AccessJwt == "" {
		return "", fmt.Errorf("signing in as %s: the answer has no accessJwt", s.cfg.Identifier)
	}
	s.access, s.at = out.AccessJwt, time.Now()
	return s.access, nil
}

func (s *session) authorize(ctx context.Context, req *http.Request) error {
	tok, err := s.token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

func (s *session) drop() {
	s.mu.Lock()
	s.access = ""
	s.mu.Unlock()
}

// backfillMarker is a query's saved progress: the searchPosts cursor of the
// next page to fetch, and whether the range is done.
type backfillMarker struct {
	Cursor string `json:"cursor,omitempty"`
	Done   bool   `json:"done,omitempty"`
}

// backfillState follows one query in a run: pages are positions of a
// sequence, so the saved cursor moves only past pages whose every post
// was acknowledged.
type backfillState struct {
	marker backfillMarker
	pages  *progress.Sequence
	next   map[string]backfillMarker // page number → marker after it
}

func (st *backfillState) saved() backfillMarker {
	if st.pages == nil {
		return st.marker
	}
	if m, ok := st.next[st.pages.Mark()]; ok {
		return m
	}
	return st.marker
}

// queries returns the backfill queries: configured, or the keywords,
// hashtags and mentions.
func (c *Connector) queries() []string {
	b := c.cfg.Backfill
	if len(b.Queries) > 0 {
		return b.Queries
	}
	var qs []string
	for _, k := range c.cfg.Keywords {
		qs = append(qs, k.Text)
	}
	for _, h := range c.cfg.Hashtags {
		qs = append(qs, "#"+h)
	}
	for _, m := range c.cfg.Mentions {
		qs = append(qs, "mentions:"+m)
	}
	for _, a := range c.cfg.Accounts {
		qs = append(qs, "from:"+a)
	}
	return qs
}

func (c *Connector) backfillDone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.queries() {
		if st := c.backfill[q]; st == nil || !st.saved().Done {
			return false
		}
	}
	return true
}

// runBackfill searches each query's range page by page, newest first.
func (c *Connector) runBackfill(ctx context.Context, out *progress.Outbox) {
	for _, q := range c.queries() {
		if err := c.backfillQuery(ctx, out, q); err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.Error("bluesky backfill stopped", "query", q, "error", err)
			return
		}
	}
}

func (c *Connector) backfillQuery(ctx context.Context, out *progress.Outbox, q string) error {
	c.mu.Lock()
	st := c.backfill[q]
	if st == nil {
		st = &backfillState{}
		c.backfill[q] = st
	}
	st.marker = st.saved()
	st.pages = progress.NewSequence("", compareNumbers)
	st.next = map[string]backfillMarker{}
	cursor, done := st.marker.Cursor, st.marker.Done
	c.mu.Unlock()
	b := c.cfg.Backfill
	for page := 0; !done; page++ {
		v := url.Values{"q": {q}, "sort": {"latest"}, "limit": {strconv.Itoa(b.PageSize)},
			"since": {b.Since.UTC().Format(time.RFC3339)}}
		if !b.Until.IsZero() {
			v.Set("until", b.Until.UTC().Format(time.RFC3339))
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var res struct {
			Cursor string            `json:"cursor"`
			Posts  []json.RawMessage `json:"posts"`
		}
		err := c.search.GetJSON(ctx, strings.TrimRight(b.Service, "/")+"/xrpc/app.bsky.feed.searchPosts?"+v.Encode(), &res)
		if err != nil {
			if apiclient.IsPermanent(err) || ctx.Err() != nil {
				return fmt.Errorf("searching %q: %w", q, err)
			}
			c.log.Warn("searching bluesky, retrying", "query", q, "error", err)
			page--
			if err := connectors.Sleep(ctx, c.cfg.BackoffMax); err != nil {
				return err
			}
			continue
		}
		id := strconv.Itoa(page)
		done = res.Cursor == "" || len(res.Posts) == 0
		c.mu.Lock()
		st.next[id] = backfillMarker{Cursor: res.Cursor, Done: done}
		c.mu.Unlock()
		for i, raw := range res.Posts {
			if err := c.backfillPost(ctx, out, st, id, fmt.Sprintf("search %q page %d hit %d", q, page, i), raw); err != nil {
				return err
			}
		}
		c.mu.Lock()
		st.pages.Pass(id)
		c.dirty = true
		c.mu.Unlock()
		cursor = res.Cursor
	}
	c.log.Info("bluesky backfill done", "query", q)
	return nil
}

func (c *Connector) backfillPost(ctx context.Context, out *progress.Outbox, st *backfillState, page, where string, raw json.RawMessage) error {
	var pv postView
	err := json.Unmarshal(raw, &pv)
	var did, rkey string
	var p *post
	if err == nil {
		var ok bool
		if did, rkey, ok = splitURI(pv.URI); !ok {
			err = fmt.Errorf("hit with a post URI %q that is not at://did/app.bsky.feed.post/rkey", pv.URI)
		} else {
			p, err = decodePost(pv.Record)
		}
	}
	if err != nil {
		c.mu.Lock()
		pos := st.pages.Add(page)
		c.mu.Unlock()
		return c.reject(ctx, out, where, raw, err, func() { st.pages.Done(pos) })
	}
	c.metrics.posts.WithLabelValues(c.deps.Name, "received").Inc()
	prof, err := c.profile(ctx, did)
	switch {
	case errors.Is(err, errNoProfile):
		c.metrics.posts.WithLabelValues(c.deps.Name, "no_profile").Inc()
		return nil
	case err != nil:
		return err
	}
	if c.cfg.RespectOptOuts && optedOut(prof, c.cfg.OptOutLabels, c.cfg.OptOutTags) != "" {
		c.metrics.posts.WithLabelValues(c.deps.Name, "opted_out").Inc()
		return nil
	}
	eng := engagement{replies: pv.Reply, reposts: pv.Repost, likes: pv.Like, quotes: pv.Quote}
	m := toRecord(c.deps.Name, did, rkey, pv.CID, p, prof, eng, "search", c.cfg.Prospects, c.now().UTC())
	key, content := progress.Hash(m.SourceID), progress.Hash(pv.CID+"\x00"+m.Text)
	c.mu.Lock()
	if !c.claim(key, content) {
		c.mu.Unlock()
		c.metrics.posts.WithLabelValues(c.deps.Name, "duplicate").Inc()
		return nil
	}
	pos := st.pages.Add(page)
	c.mu.Unlock()
	return c.deliver(ctx, out, m, key, content, func() { st.pages.Done(pos) })
}
