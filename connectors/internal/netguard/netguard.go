// Package netguard keeps Earshot's outgoing HTTP connections (crawler,
// feed reader) away from addresses a page or a redirect must not make us
// reach: loopback, private, link-local (cloud metadata), carrier-grade NAT,
// multicast and unspecified addresses. The check runs in the dialer on the
// resolved address, so redirects and DNS answers are covered alike.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is wrapped by every refusal.
var ErrRefused = errors.New("address refused by network guard")

// RefusedError names the address and why it was refused.
type RefusedError struct {
	Addr   netip.Addr
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("connecting to %s: %s address refused (allow it with allow_networks)", e.Addr, e.Reason)
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

// blocked lists the refused ranges with a word for the error message.
var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol (cloud metadata)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
}

// Policy decides which addresses connections may reach.
type Policy struct {
	allow []netip.Prefix
}

// NewPolicy returns a policy refusing the blocked ranges except the allowed
// networks (CIDR, e.g. "127.0.0.1/32", or a single address).
func NewPolicy(allowNetworks []string) (*Policy, error) {
	p := &Policy{}
	for _, s := range allowNetworks {
		s = strings.TrimSpace(s)
		var pfx netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			pfx, err = netip.ParsePrefix(s)
		} else {
			var a netip.Addr
			a, err = netip.ParseAddr(s)
			pfx = netip.PrefixFrom(a, a.BitLen())
		}
		if err != nil {
			return nil, fmt.Errorf("parsing allowed network %q: %w", s, err)
		}
		p.allow = append(p.allow, pfx.Masked())
	}
	return p, nil
}

// Check returns a *RefusedError when a may not be reached.
func (p *Policy) Check(a netip.Addr) error {
	a = a.Unmap()
	for _, pfx := range p.allow {
		if pfx.Contains(a) {
			return nil
		}
	}
	for _, b := range blocked {
		if b.prefix.Contains(a) {
			return &RefusedError{Addr: a, Reason: b.reason}
		}
	}
	return nil
}

// Control is a net.Dialer Control hook checking the address about to be
// connected to, after name resolution.
func (p *Policy) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("checking dial address %q: %w", address, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("checking dial address %q: %w", address, err)
	}
	return p.Check(a)
}

// TransportOptions tune the guarded transport.
type TransportOptions struct {
	DialTimeout           time.Duration // default 10s
	ResponseHeaderTimeout time.Duration // default 30s; 0 keeps the default
	MaxConnsPerHost       int           // 0 = unlimited
}

// Transport returns an HTTP transport whose every connection is checked by p.
// It never uses an environment proxy: a proxy would hide the real target.
func (p *Policy) Transport(o TransportOptions) *http.Transport {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.ResponseHeaderTimeout <= 0 {
		o.ResponseHeaderTimeout = 30 * time.Second
	}
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second, Control: p.Control}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		MaxConnsPerHost:       o.MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
}
