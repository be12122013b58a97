package netguard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestPolicyRefusesInternalRangesUnlessAllowed(t *testing.T) {
	p, err := NewPolicy([]string{"127.0.0.1/32", "10.1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{ // address → refused
		"127.0.0.1":        false,
		"127.0.0.2":        true,
		"10.1.2.3":         false,
		"10.1.2.4":         true,
		"169.254.169.254":  true,
		"192.168.1.1":      true,
		"172.20.0.1":       true,
		"100.100.100.200":  true,
		"::1":              true,
		"::ffff:127.0.0.2": true,
		"fd00:ec2::254":    true,
		"fe80::1":          true,
		"0.0.0.0":          true,
		"93.184.216.34":    false,
		"2606:4700::1111":  false,
	}
	for addr, refused := range cases {
		err := p.Check(netip.MustParseAddr(addr))
		if (err != nil) != refused {
			t.Errorf("%s: err = %v, want refused=%v", addr, err, refused)
		}
		if err != nil && !errors.Is(err, ErrRefused) {
			t.Errorf("%s: error does not wrap ErrRefused: %v", addr, err)
		}
	}
	if _, err := NewPolicy([]string{"not-a-cidr"}); err == nil {
		t.Fatal("want an error for a malformed network")
	}
}

func TestTransportRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	strict, _ := NewPolicy(nil)
	_, err := (&http.Client{Transport: strict.Transport(TransportOptions{})}).Get(srv.URL)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("GET %s with the default policy: err = %v, want refusal", srv.URL, err)
	}
	open, _ := NewPolicy([]string{"127.0.0.1/32"})
	resp, err := (&http.Client{Transport: open.Transport(TransportOptions{})}).Get(srv.URL)
	if err != nil {
		t.Fatalf("GET %s with loopback allowed: %v", srv.URL, err)
	}
	resp.Body.Close()
}
