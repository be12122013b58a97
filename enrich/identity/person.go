package identity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/earshothq/earshot/record"
)

// Person is a record reduced to what identity matching compares, every
// field normalised: names folded to ASCII, emails canonical, phones E.164,
// handles "platform:handle", dates YYYY-MM-DD.
type Person struct {
	ID string
	// First holds the given names, Last the family name, both folded.
	First, Last string
	// AltNames are other spellings, each "first|last" folded.
	AltNames []string
	Emails   []string
	Phones   []string
	Handles  []string
	URLs     []string
	Company  string // folded, without legal form
	Domain   string // web domain of the company
	Street   string // folded, house number included
	Line2    string // folded second address line
	City     string // folded
	Region   string // folded state or province
	Postcode string
	Country  string // ISO 3166-1 alpha-2
	DOB      string
}

// FieldError is a value the normaliser could not read.
type FieldError struct {
	Field string
	Value string
	Err   error
}

func (e FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }

// Customer normalises a customer record. Values it cannot read are left
// out and reported; the rest of the record is still usable.
func (n *Normalizer) Customer(c *record.Customer) (Person, []FieldError) {
	p := Person{ID: c.ID}
	var errs []FieldError
	p.First, p.Last = FoldText(c.FirstName), FoldSurname(c.LastName)
	if p.First == "" && p.Last == "" && len(c.Names) > 0 {
		p.First, p.Last = SplitFullName(c.Names[0])
	}
	for _, alt := range c.Names {
		f, l := SplitFullName(alt)
		if f == p.First && l == p.Last || f == "" && l == "" {
			continue
		}
		p.AltNames = appendUnique(p.AltNames, f+"|"+l)
	}
	p.Country = Country(c.Address.Country)
	if c.Address.Country != "" && p.Country == "" {
		errs = append(errs, FieldError{"country", c.Address.Country, fmt.Errorf("unknown country %q", c.Address.Country)})
	}
	for _, e := range c.Emails {
		v, err := n.Email(e)
		if err != nil {
			errs = append(errs, FieldError{"email", e, err})
			continue
		}
		p.Emails = appendUnique(p.Emails, v)
	}
	for _, ph := range c.Phones {
		v, err := n.Phone(ph, p.Country)
		if err != nil {
			errs = append(errs, FieldError{"phone", ph, err})
			continue
		}
		p.Phones = appendUnique(p.Phones, v)
	}
	for _, h := range c.Handles {
		v, err := Handle(h.Platform, h.Handle)
		if err != nil {
			errs = append(errs, FieldError{"handle", h.Handle, err})
			continue
		}
		p.Handles = appendUnique(p.Handles, v)
	}
	for _, u := range c.ProfileURLs {
		v, err := ProfileURL(u)
		if err != nil {
			errs = append(errs, FieldError{"profile_url", u, err})
			continue
		}
		p.URLs = appendUnique(p.URLs, v)
		if h, ok := HandleFromURL(u); ok {
			p.Handles = appendUnique(p.Handles, h)
		}
	}
	p.Company = Company(c.Company)
	p.Domain = Domain(c.Domain)
	if c.Domain != "" && p.Domain == "" {
		errs = append(errs, FieldError{"domain", c.Domain, fmt.Errorf("domain %q is not a host name", c.Domain)})
	}
	p.Street = FoldText(c.Address.Street)
	p.Line2 = FoldText(c.Address.Line2)
	p.City = FoldText(c.Address.City)
	p.Region = FoldText(c.Address.Region)
	p.Postcode = Postcode(c.Address.PostalCode, p.Country)
	if c.DateOfBirth != "" {
		d, err := n.Date(c.DateOfBirth)
		if err != nil {
			errs = append(errs, FieldError{"date_of_birth", c.DateOfBirth, err})
		}
		p.DOB = d
	}
	return p, errs
}

// Author normalises the author of a mention, with identity fields a form
// carries in its free-form fields.
func (n *Normalizer) Author(m *record.Mention) Person {
	a := m.Author
	platform := a.Platform
	if platform == "" {
		platform = m.Source
	}
	var p Person
	first, last := formField(m.Fields, "first_name", "firstname", "given_name"), formField(m.Fields, "last_name", "lastname", "family_name", "surname")
	switch {
	case first != "" || last != "":
		p.First, p.Last = FoldText(first), FoldSurname(last)
	case a.Name != "":
		p.First, p.Last = SplitFullName(a.Name)
	}
	p.Country = Country(firstNonEmpty(a.Country, formField(m.Fields, "country")))
	for _, e := range []string{a.Email, formField(m.Fields, "email", "e-mail", "mail")} {
		if v, err := n.Email(e); err == nil {
			p.Emails = appendUnique(p.Emails, v)
		}
	}
	for _, ph := range []string{a.Phone, formField(m.Fields, "phone", "tel", "telephone", "mobile")} {
		if v, err := n.Phone(ph, p.Country); err == nil {
			p.Phones = appendUnique(p.Phones, v)
		}
	}
	// A form's author handle is whatever the visitor typed, not an account
	// of the forms "platform": only social sources give handles.
	if a.Handle != "" && m.Kind != record.KindFormSubmission {
		if v, err := Handle(platform, a.Handle); err == nil {
			p.Handles = appendUnique(p.Handles, v)
		}
	}
	if a.ProfileURL != "" {
		if v, err := ProfileURL(a.ProfileURL); err == nil {
			p.URLs = appendUnique(p.URLs, v)
		}
		if h, ok := HandleFromURL(a.ProfileURL); ok {
			p.Handles = appendUnique(p.Handles, h)
		}
	}
	p.Company = Company(firstNonEmpty(a.Company, formField(m.Fields, "company", "organization", "organisation")))
	p.Domain = Domain(formField(m.Fields, "website", "domain"))
	p.City = FoldText(firstNonEmpty(a.City, formField(m.Fields, "city")))
	p.Postcode = Postcode(firstNonEmpty(a.PostalCode, formField(m.Fields, "postal_code", "postcode", "zip")), p.Country)
	p.Street = FoldText(formField(m.Fields, "street", "address", "address_1", "address1"))
	p.Line2 = FoldText(formField(m.Fields, "address_2", "address2", "address_line2"))
	p.Region = FoldText(formField(m.Fields, "region", "state", "province"))
	if d, err := n.Date(firstNonEmpty(a.DateOfBirth, formField(m.Fields, "date_of_birth", "dob", "birthdate"))); err == nil {
		p.DOB = d
	}
	return p
}

// Prospect normalises a prospect for its exact keys.
func (n *Normalizer) Prospect(pr *record.Prospect) Person {
	p := Person{ID: pr.ID}
	p.First, p.Last = SplitFullName(pr.Name)
	p.Country = Country(pr.Country)
	for _, e := range pr.Emails {
		if v, err := n.Email(e); err == nil {
			p.Emails = appendUnique(p.Emails, v)
		}
	}
	for _, ph := range pr.Phones {
		if v, err := n.Phone(ph, p.Country); err == nil {
			p.Phones = appendUnique(p.Phones, v)
		}
	}
	for _, h := range pr.Handles {
		if v, err := Handle(h.Platform, h.Handle); err == nil {
			p.Handles = appendUnique(p.Handles, v)
		}
	}
	for _, u := range pr.ProfileURLs {
		if v, err := ProfileURL(u); err == nil {
			p.URLs = appendUnique(p.URLs, v)
		}
	}
	p.Company = Company(pr.Company)
	return p
}

func formField(fields map[string]string, names ...string) string {
	if len(fields) == 0 {
		return ""
	}
	for _, n := range names {
		if v, ok := fields[n]; ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func appendUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// ExactKeys returns the person's exact identity keys, strongest first:
// "email:", "phone:", "handle:", "url:".
func (p *Person) ExactKeys() []string {
	keys := make([]string, 0, len(p.Emails)+len(p.Phones)+len(p.Handles)+len(p.URLs))
	for _, e := range p.Emails {
		keys = append(keys, "email:"+e)
	}
	for _, ph := range p.Phones {
		keys = append(keys, "phone:"+ph)
	}
	for _, h := range p.Handles {
		keys = append(keys, "handle:"+h)
	}
	for _, u := range p.URLs {
		keys = append(keys, "url:"+u)
	}
	return keys
}
