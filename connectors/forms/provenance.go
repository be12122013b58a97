package forms

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/record"
)

// proxies is the set of reverse proxies whose forwarding headers are believed.
type proxies []netip.Prefix

func (ps proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the submitter's address: the peer, unless the peer is a
// trusted proxy, in which case X-Forwarded-For is read from the right,
// skipping trusted proxies, and the first untrusted hop is the client. Hops
// left of it are written by the client itself and never believed.
func (ps proxies) clientIP(r *http.Request) netip.Addr {
	peer := remoteAddr(r)
	if !peer.IsValid() || !ps.trusted(peer) {
		return peer
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer // a garbled hop: trust nothing beyond the last good proxy
		}
		a = a.Unmap()
		if !ps.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

// scheme is the scheme the client used: X-Forwarded-Proto from a trusted
// proxy, else whether this connection is TLS.
func (ps proxies) scheme(r *http.Request) string {
	if peer := remoteAddr(r); peer.IsValid() && ps.trusted(peer) {
		if p := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))); p == "https" || p == "http" {
			return p
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func forwardedFor(headers []string) []string {
	var hops []string
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			if part = strings.TrimSpace(part); part != "" {
				hops = append(hops, part)
			}
		}
	}
	return hops
}

// maxProvenanceLen caps each provenance value (URLs, UTM tags, user agent)
// in bytes; longer values are cut at a character boundary rather than
// refusing a person's submission over what their browser sent.
const maxProvenanceLen = 2048

// provenanceText cleans a machine-sent value: valid UTF-8, single line, capped.
func provenanceText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = cleanText(s, false)
	if len(s) > maxProvenanceLen {
		s = strings.TrimSuffix(truncate(s, maxProvenanceLen), "…")
	}
	return s
}

var utmKeys = [...]string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}

// campaign gathers the marketing provenance of a submission. Each UTM tag is
// taken from the first place that has it: the posted fields (the embed
// copies them from the landing page), the post URL's query, then the
// landing page's query. The landing page is the posted _page, else the
// Referer of the post (the page the form sits on); the referrer is the
// posted _referrer (where the visitor came from).
func campaign(v url.Values, r *http.Request) *record.Campaign {
	c := &record.Campaign{
		LandingPage: provenanceText(first(v, fieldPage)),
		Referrer:    provenanceText(first(v, fieldReferrer)),
	}
	if c.LandingPage == "" && r != nil {
		c.LandingPage = provenanceText(r.Referer())
	}
	var pageQuery url.Values
	if u, err := url.Parse(c.LandingPage); err == nil {
		pageQuery = u.Query()
	}
	var postQuery url.Values
	if r != nil {
		postQuery = r.URL.Query()
	}
	tags := [len(utmKeys)]string{}
	for i, k := range utmKeys {
		for _, src := range []url.Values{v, postQuery, pageQuery} {
			if s := provenanceText(first(src, k)); s != "" {
				tags[i] = s
				break
			}
		}
	}
	c.Source, c.Medium, c.Name, c.Term, c.Content = tags[0], tags[1], tags[2], tags[3], tags[4]
	if *c == (record.Campaign{}) {
		return nil
	}
	return c
}

func first(v url.Values, k string) string {
	if vs := v[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}
