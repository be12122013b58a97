package identity

import (
	"testing"

	"github.com/earshothq/earshot/record"
)

// TestCountsAfterUpdatesAndErasures: the table counts are people held, not
// records read — an update replaces, a tombstone removes, an unknown
// tombstone changes nothing.
func TestCountsAfterUpdatesAndErasures(t *testing.T) {
	r := newTestResolver(t)
	c0, p0 := r.Counts()
	if c0 != len(fixtureCustomers()) || p0 != 0 {
		t.Fatalf("start: %d customers %d prospects", c0, p0)
	}
	c := fixtureCustomers()[0]
	c.Address.City = "Łódź"
	r.ApplyCustomer(c.ID, &c) // an update
	r.ApplyCustomer("C2", nil)
	r.ApplyCustomer("C404", nil) // nobody
	r.ApplyProspect("P1", &record.Prospect{ID: "P1", Key: "email:x@example.com", Emails: []string{"x@example.com"}})
	r.ApplyProspect("P1", &record.Prospect{ID: "P1", Key: "email:x@example.com", Emails: []string{"x@example.com"}, Name: "X"})
	r.ApplyProspect("P2", &record.Prospect{ID: "P2", Key: "email:y@example.com", Emails: []string{"y@example.com"}})
	r.ApplyProspect("P2", nil)
	if cs, ps := r.Counts(); cs != c0-1 || ps != 1 {
		t.Fatalf("after updates and erasures: %d customers %d prospects, want %d and 1", cs, ps, c0-1)
	}
}
