package auth

import (
	"fmt"
	"sync"
	"time"
)

// ThrottleConfig bounds failed sign-ins: after PerAccount failures for one
// user name, or PerAddress from one client address, within Window, further
// attempts are refused until the oldest failure leaves the window. Counts
// are per serve instance.
type ThrottleConfig struct {
	PerAccount int           `yaml:"per_account"`
	PerAddress int           `yaml:"per_address"`
	Window     time.Duration `yaml:"window"`
}

// DefaultThrottleConfig allows 5 failures per account and 20 per address in 15 minutes.
func DefaultThrottleConfig() ThrottleConfig {
	return ThrottleConfig{PerAccount: 5, PerAddress: 20, Window: 15 * time.Minute}
}

// Validate names bad settings.
func (c ThrottleConfig) Validate() error {
	if c.PerAccount < 1 || c.PerAddress < 1 || c.Window <= 0 {
		return fmt.Errorf("per_account and per_address must be at least 1 and window positive (got %d, %d, %s)", c.PerAccount, c.PerAddress, c.Window)
	}
	return nil
}

// maxThrottleKeys bounds the memory an attacker cycling names or
// addresses can make the throttle use; the oldest keys go first.
const maxThrottleKeys = 100000

// Throttle counts recent sign-in failures per account and per address.
type Throttle struct {
	cfg ThrottleConfig
	now func() time.Time

	mu      sync.Mutex
	account map[string][]time.Time
	address map[string][]time.Time
}

// NewThrottle creates a throttle.
func NewThrottle(cfg ThrottleConfig) *Throttle {
	return &Throttle{cfg: cfg, now: time.Now, account: map[string][]time.Time{}, address: map[string][]time.Time{}}
}

// SetClock replaces the clock (tests).
func (t *Throttle) SetClock(now func() time.Time) { t.now = now }

// Allow reports whether a sign-in for account from address may be tried
// now, and if not, how long to wait.
func (t *Throttle) Allow(account, address string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := max(t.blocked(t.account, account, t.cfg.PerAccount, now), t.blocked(t.address, address, t.cfg.PerAddress, now))
	return wait == 0, wait
}

func (t *Throttle) blocked(m map[string][]time.Time, key string, limit int, now time.Time) time.Duration {
	fails := t.prune(m, key, now)
	if len(fails) < limit {
		return 0
	}
	return fails[len(fails)-limit].Add(t.cfg.Window).Sub(now)
}

func (t *Throttle) prune(m map[string][]time.Time, key string, now time.Time) []time.Time {
	fails := m[key]
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= t.cfg.Window {
		i++
	}
	fails = fails[i:]
	if len(fails) == 0 {
		delete(m, key)
	} else {
		m[key] = fails
	}
	return fails
}

// Failed records a failed sign-in.
func (t *Throttle) Failed(account, address string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, e := range []struct {
		m   map[string][]time.Time
		key string
	}{{t.account, account}, {t.address, address}} {
		if _, ok := e.m[e.key]; !ok && len(e.m) >= maxThrottleKeys {
			t.evict(e.m, now)
		}
		e.m[e.key] = append(t.prune(e.m, e.key, now), now)
	}
}

// Succeeded clears an account's failures (its address keeps them).
func (t *Throttle) Succeeded(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.account, account)
}

// evict drops expired keys, and if none expired, an arbitrary tenth.
func (t *Throttle) evict(m map[string][]time.Time, now time.Time) {
	before := len(m)
	for k := range m {
		t.prune(m, k, now)
	}
	if len(m) < before {
		return
	}
	n := len(m) / 10
	for k := range m {
		if n == 0 {
			break
		}
		delete(m, k)
		n--
	}
}
