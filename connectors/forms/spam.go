package forms

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Reserved field names the embed snippet posts besides the form's fields.
const (
	fieldToken    = "_t"        // the signed time-trap token
	fieldPage     = "_page"     // the landing page the visitor arrived on
	fieldReferrer = "_referrer" // the page that sent the visitor there
)

// timeTrap issues and checks render-time tokens: the time a form was
// rendered and a random nonce, signed with HMAC-SHA256 over the form id, so
// a token is valid for one form only and cannot be back-dated.
type timeTrap struct {
	secret []byte
	min    time.Duration
	maxAge time.Duration
}

const (
	tokenPayloadLen = 16 // 8 bytes of Unix milliseconds, 8 random bytes
	tokenMACLen     = 16
)

var b64 = base64.RawURLEncoding

// issue returns a token for form rendered at t.
func (tt *timeTrap) issue(form string, t time.Time) string {
	var payload [tokenPayloadLen]byte
	binary.BigEndian.PutUint64(payload[:8], uint64(t.UnixMilli()))
	_, _ = rand.Read(payload[8:])
	return b64.EncodeToString(payload[:]) + "." + b64.EncodeToString(tt.mac(form, payload[:]))
}

func (tt *timeTrap) mac(form string, payload []byte) []byte {
	m := hmac.New(sha256.New, tt.secret)
	m.Write([]byte(form))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:tokenMACLen]
}

// tokenVerdict is what checking a token found.
type tokenVerdict int

const (
	tokenOK tokenVerdict = iota
	tokenMissing
	tokenInvalid // bad format or signature, or for another form
	tokenExpired // older than max_age
	tokenTooFast // posted sooner than min after rendering: a bot
)

// check verifies token for form at time now and returns the render time.
func (tt *timeTrap) check(form, token string, now time.Time) (tokenVerdict, time.Time) {
	if token == "" {
		return tokenMissing, time.Time{}
	}
	p, m, ok := strings.Cut(token, ".")
	if !ok {
		return tokenInvalid, time.Time{}
	}
	payload, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(m)
	if err1 != nil || err2 != nil || len(payload) != tokenPayloadLen || !hmac.Equal(mac, tt.mac(form, payload)) {
		return tokenInvalid, time.Time{}
	}
	rendered := time.UnixMilli(int64(binary.BigEndian.Uint64(payload[:8])))
	age := now.Sub(rendered)
	switch {
	case age > tt.maxAge:
		return tokenExpired, rendered
	case age < tt.min: // also catches tokens from the future
		return tokenTooFast, rendered
	}
	return tokenOK, rendered
}

// honeypotFilled reports whether the hidden field people never see holds
// anything.
func honeypotFilled(v url.Values, field string) bool {
	for _, s := range v[field] {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// spentTokens remembers which submission (values fingerprint) used each
// time-trap token until the token expires, so one rendering of a form
// cannot carry several different submissions; the same submission again is
// a retry and passes. In-process memory, bounded by max: the oldest go first.
type spentTokens struct {
	max   int
	mu    sync.Mutex
	byTok map[string]*list.Element // token -> *spentToken
	order *list.List
}

type spentToken struct {
	token, fingerprint string
	expires            time.Time
}

func newSpentTokens(max int) *spentTokens {
	return &spentTokens{max: max, byTok: map[string]*list.Element{}, order: list.New()}
}

// use records token for a submission with fingerprint, valid until expires;
// it reports false when the token already carried a different submission.
func (s *spentTokens) use(token, fingerprint string, expires, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byTok[token]; ok {
		e := el.Value.(*spentToken)
		if now.Before(e.expires) {
			return e.fingerprint == fingerprint
		}
		s.order.Remove(el)
		delete(s.byTok, token)
	}
	for front := s.order.Front(); front != nil && (s.order.Len() >= s.max || !now.Before(front.Value.(*spentToken).expires)); front = s.order.Front() {
		delete(s.byTok, front.Value.(*spentToken).token)
		s.order.Remove(front)
	}
	s.byTok[token] = s.order.PushBack(&spentToken{token: token, fingerprint: fingerprint, expires: expires})
	return true
}
