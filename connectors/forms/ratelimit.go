package forms

import (
	"container/list"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// bucketSet is a set of token buckets keyed by client, bounded in size: the
// least recently seen client is forgotten first (its next request starts
// with a full bucket, so an attacker needs max distinct addresses to gain).
type bucketSet struct {
	limit rate.Limit
	burst int
	max   int

	mu      sync.Mutex
	buckets map[string]*list.Element
	lru     *list.List // front = most recently used
}

type bucketEntry struct {
	key string
	lim *rate.Limiter
}

func newBucketSet(b Bucket, max int) *bucketSet {
	if b.PerSecond <= 0 {
		return nil
	}
	return &bucketSet{limit: rate.Limit(b.PerSecond), burst: b.Burst, max: max,
		buckets: map[string]*list.Element{}, lru: list.New()}
}

// allow takes a token for key at now, or says how long to wait for one.
// A nil set allows everything.
func (s *bucketSet) allow(key string, now time.Time) (bool, time.Duration) {
	if s == nil {
		return true, 0
	}
	s.mu.Lock()
	var lim *rate.Limiter
	if el, ok := s.buckets[key]; ok {
		s.lru.MoveToFront(el)
		lim = el.Value.(*bucketEntry).lim
	} else {
		lim = rate.NewLimiter(s.limit, s.burst)
		s.buckets[key] = s.lru.PushFront(&bucketEntry{key: key, lim: lim})
		for s.lru.Len() > s.max {
			old := s.lru.Back()
			s.lru.Remove(old)
			delete(s.buckets, old.Value.(*bucketEntry).key)
		}
	}
	s.mu.Unlock()
	return take(lim, now)
}

// take reserves one token, cancelling the reservation when it would have
// to wait (the request is refused instead of delayed).
func take(lim *rate.Limiter, now time.Time) (bool, time.Duration) {
	if lim == nil {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientKey is the rate-limit key of an address: IPv4 as is, IPv6 by its
// /64 (one subscriber usually holds a whole /64).
func clientKey(ip netip.Addr) string {
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.Unmap().String()
}
