package forms

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"
)

// idemCache remembers, for a while, which record answered an idempotency key
// (a client's Idempotency-Key, or a key derived from a browser's rendered
// form and its values), so a retry is answered with the first outcome
// instead of being published again. Only acknowledged submissions are
// remembered; a failed one may be retried. Entries expire after ttl and
// the oldest go first when max is reached. This is in-process memory: across
// instances and restarts it is the deterministic SourceID that keeps a
// retry to one record.
type idemCache struct {
	ttl time.Duration
	max int

	mu       sync.Mutex
	done     map[string]*list.Element // key -> *idemEntry, in insertion order
	order    *list.List
	inflight map[string]chan struct{}
}

type idemEntry struct {
	key         string
	fingerprint string
	recordID    string
	expires     time.Time
}

var errKeyReused = errors.New("idempotency key reused with a different submission")

func newIdemCache(ttl time.Duration, max int) *idemCache {
	return &idemCache{ttl: ttl, max: max, done: map[string]*list.Element{}, order: list.New(),
		inflight: map[string]chan struct{}{}}
}

// begin claims key for a submission with fingerprint. When the key was
// already answered it returns that record id (and no release); when another
// request holds the key it waits for that one to finish. Otherwise the
// caller owns the key and must call release with the outcome.
func (c *idemCache) begin(ctx context.Context, key, fingerprint string, now time.Time) (string, func(recordID string, ok bool), error) {
	for {
		c.mu.Lock()
		c.expire(now)
		if el, ok := c.done[key]; ok {
			e := el.Value.(*idemEntry)
			c.mu.Unlock()
			if e.fingerprint != fingerprint {
				return "", nil, errKeyReused
			}
			return e.recordID, nil, nil
		}
		if wait, busy := c.inflight[key]; busy {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		c.inflight[key] = ch
		c.mu.Unlock()
		var once sync.Once
		return "", func(recordID string, ok bool) {
			once.Do(func() {
				c.mu.Lock()
				defer c.mu.Unlock()
				delete(c.inflight, key)
				close(ch)
				if !ok {
					return
				}
				c.done[key] = c.order.PushBack(&idemEntry{key: key, fingerprint: fingerprint, recordID: recordID, expires: now.Add(c.ttl)})
				for c.order.Len() > c.max {
					c.drop(c.order.Front())
				}
			})
		}, nil
	}
}

// expire drops entries past their time; they are in expiry order.
func (c *idemCache) expire(now time.Time) {
	for el := c.order.Front(); el != nil && now.After(el.Value.(*idemEntry).expires); el = c.order.Front() {
		c.drop(el)
	}
}

func (c *idemCache) drop(el *list.Element) {
	c.order.Remove(el)
	delete(c.done, el.Value.(*idemEntry).key)
}

// fingerprint hashes a submission's posted values in a canonical order
// (names sorted, each string length-prefixed), leaving out the time-trap
// token, so the same submission always hashes the same.
func fingerprint(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != fieldToken {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	for _, k := range keys {
		put(k)
		vs := v[k]
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(vs)))
		h.Write(n[:])
		for _, s := range vs {
			put(s)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashOf hashes parts unambiguously into a short hex id.
func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
