package pipeline

import (
	"net"
	"strconv"
	"testing"
	"time"
)

// The embedded broker has no authentication: it must be reachable from this
// machine only, or anyone on the network could write to the erasures or
// corrections topics.
func TestEmbeddedBrokerListensOnLoopbackOnly(t *testing.T) {
	e, err := StartEmbedded(EmbeddedConfig{Port: 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	host, port, err := net.SplitHostPort(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("embedded broker listens on %s, not a loopback address", e.Addr())
	}
	conn, err := net.DialTimeout("tcp", e.Addr(), 2*time.Second)
	if err != nil {
		t.Fatalf("dialing the broker on loopback: %v", err)
	}
	conn.Close()
	// Every other address of this machine refuses the port.
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), port), 2*time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the broker's port %s answers on %s", port, ipn.IP)
		}
	}
	t.Logf("checked %d non-loopback addresses on port %s", tried, strconv.Quote(port))
}
