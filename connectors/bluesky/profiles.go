package bluesky

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/connectors/internal/apiclient"
)

// profiles resolves authors' DIDs to their profiles (handle, name,
// followers, opt-out labels) through the AppView, keeping a bounded,
// time-limited cache: the firehose names authors by DID only.
type profiles struct {
	api     *apiclient.Client
	appView string
	ttl     time.Duration
	cap     int
	now     func() time.Time

	mu    sync.Mutex
	order *list.List // front: most recently used
	byDID map[string]*list.Element
}

type cached struct {
	did     string
	p       *profile
	fetched time.Time
}

func newProfiles(api *apiclient.Client, appView string, capacity int, ttl time.Duration, now func() time.Time) *profiles {
	return &profiles{api: api, appView: strings.TrimRight(appView, "/"), ttl: ttl, cap: capacity, now: now,
		order: list.New(), byDID: map[string]*list.Element{}}
}

// errNoProfile is an author the AppView does not know (deleted, taken down).
var errNoProfile = errors.New("profile not found")

// get returns did's profile, from the cache while it is fresh.
func (ps *profiles) get(ctx context.Context, did string) (*profile, error) {
	ps.mu.Lock()
	if el, ok := ps.byDID[did]; ok {
		c := el.Value.(*cached)
		if ps.now().Sub(c.fetched) < ps.ttl {
			ps.order.MoveToFront(el)
			ps.mu.Unlock()
			return c.p, nil
		}
	}
	ps.mu.Unlock()
	var p profile
	err := ps.api.GetJSON(ctx, ps.appView+"/xrpc/app.bsky.actor.getProfile?actor="+url.QueryEscape(did), &p)
	var se *apiclient.StatusError
	if errors.As(err, &se) && se.Status == 400 {
		return nil, fmt.Errorf("resolving %s: %w", did, errNoProfile)
	}
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", did, err)
	}
	if p.DID == "" {
		p.DID = did
	}
	ps.put(&p)
	return &p, nil
}

func (ps *profiles) put(p *profile) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if el, ok := ps.byDID[p.DID]; ok {
		el.Value = &cached{did: p.DID, p: p, fetched: ps.now()}
		ps.order.MoveToFront(el)
		return
	}
	ps.byDID[p.DID] = ps.order.PushFront(&cached{did: p.DID, p: p, fetched: ps.now()})
	for ps.order.Len() > ps.cap {
		last := ps.order.Back()
		ps.order.Remove(last)
		delete(ps.byDID, last.Value.(*cached).did)
	}
}

// rename applies a handle change from an identity event to a cached profile.
func (ps *profiles) rename(did, handle string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if el, ok := ps.byDID[did]; ok && handle != "" {
		c := el.Value.(*cached)
		cp := *c.p
		cp.Handle = handle
		c.p = &cp
	}
}

// forget drops a profile (an account deactivated or changed status).
func (ps *profiles) forget(did string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if el, ok := ps.byDID[did]; ok {
		ps.order.Remove(el)
		delete(ps.byDID, did)
	}
}

// resolveHandle returns the DID of a handle (a DID is returned as is).
func (ps *profiles) resolveHandle(ctx context.Context, actor string) (string, error) {
	if strings.HasPrefix(actor, "did:") {
		return actor, nil
	}
	var out struct {
		DID string `json:"did"`
	}
	err := ps.api.GetJSON(ctx, ps.appView+"/xrpc/com.atproto.identity.resolveHandle?handle="+url.QueryEscape(actor), &out)
	if err != nil {
		return "", fmt.Errorf("resolving handle %s: %w", actor, err)
	}
	if out.DID == "" {
		return "", fmt.Errorf("resolving handle %s: the answer has no did", actor)
	}
	return out.DID, nil
}

// optedOut reports why an author asked not to be read, or "" when not:
// a self-applied (or moderation) label such as !no-unauthenticated, or an
// opt-out word in the profile description (#nobot, #noindex).
func optedOut(p *profile, labels, tags []string) string {
	for _, l := range p.Labels {
		if l.Neg {
			continue
		}
		for _, want := range labels {
			if strings.EqualFold(l.Val, want) {
				return "label " + l.Val
			}
		}
	}
	desc := strings.ToLower(p.Description)
	for _, t := range tags {
		if t != "" && containsWord(desc, strings.ToLower(t)) {
			return "profile says " + t
		}
	}
	return ""
}

// containsWord reports whether w occurs in s not inside a longer word.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		beforeOK := start == 0 || !isWordByte(s[start-1])
		afterOK := end == len(s) || !isWordByte(s[end])
		if beforeOK && afterOK {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 0x80
}
