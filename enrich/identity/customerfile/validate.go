package customerfile

import (
	"fmt"
	"strings"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/record"
)

// Validate checks a customer record pushed as JSON (a CRM upsert) the way
// the file reader checks a row, and returns every problem ("" fields
// named), or nil for a good record.
func Validate(c *record.Customer, norm *identity.Normalizer) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if strings.TrimSpace(c.ID) == "" {
		bad("has no id")
	}
	country := ""
	if c.Address.Country != "" {
		if country = identity.Country(c.Address.Country); country == "" {
			bad("address.country %q is not an ISO 3166 code or a known country name", c.Address.Country)
		}
	}
	for _, e := range c.Emails {
		if _, err := norm.Email(e); err != nil {
			bad("%v", err)
		}
	}
	for _, p := range c.Phones {
		if _, err := norm.Phone(p, country); err != nil {
			bad("%v", err)
		}
	}
	for _, h := range c.Handles {
		if _, err := identity.Handle(h.Platform, h.Handle); err != nil {
			bad("handles: %v", err)
		}
	}
	for _, u := range c.ProfileURLs {
		if _, err := identity.ProfileURL(u); err != nil {
			bad("%v", err)
		}
	}
	if c.Domain != "" && identity.Domain(c.Domain) == "" {
		bad("domain %q is not a host name", c.Domain)
	}
	if c.DateOfBirth != "" {
		if _, err := norm.Date(c.DateOfBirth); err != nil {
			bad("date_of_birth: %v", err)
		}
	}
	if c.LifetimeValue < 0 || c.Purchases.Total < 0 || c.Purchases.Orders < 0 {
		bad("lifetime_value, purchases.total and purchases.orders must not be negative")
	}
	datedAddress := c.DateOfBirth != "" && (c.Address.Street != "" || c.Address.PostalCode != "")
	if c.FirstName == "" && c.LastName == "" && len(c.Names) == 0 && len(c.Emails) == 0 && len(c.Phones) == 0 && len(c.Handles) == 0 && len(c.ProfileURLs) == 0 && !datedAddress {
		bad("has no name, email, phone, handle, profile URL, or birth date with an address to recognise the person by")
	}
	return problems
}
