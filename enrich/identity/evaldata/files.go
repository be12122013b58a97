package evaldata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/record"
)

// csvColumns are the columns of generated customer and lead files; the
// customer file reader finds them by name.
var csvColumns = []string{"id", "first_name", "last_name", "name", "email", "phone", "company", "domain",
	"street", "city", "postal_code", "country", "date_of_birth", "mastodon", "segment", "lifetime_value"}

// WriteCSV writes people as a CSV file with a header.
func WriteCSV(w io.Writer, people []record.Customer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("writing CSV header: %w", err)
	}
	for _, p := range people {
		name := ""
		if len(p.Names) > 0 {
			name = p.Names[0]
		}
		var handles []string
		for _, h := range p.Handles {
			handles = append(handles, h.Handle)
		}
		ltv := ""
		if p.LifetimeValue != 0 {
			ltv = strconv.FormatFloat(p.LifetimeValue, 'f', 2, 64)
		}
		rec := []string{p.ID, p.FirstName, p.LastName, name, strings.Join(p.Emails, ";"), strings.Join(p.Phones, ";"),
			p.Company, p.Domain, p.Address.Street, p.Address.City, p.Address.PostalCode, p.Address.Country,
			p.DateOfBirth, strings.Join(handles, ";"), p.Segment, ltv}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing CSV row %s: %w", p.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// WriteLabels writes the truth as CSV: lead_id, customer_id, type.
func WriteLabels(w io.Writer, labels []Label) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"lead_id", "customer_id", "type"}); err != nil {
		return fmt.Errorf("writing labels: %w", err)
	}
	for _, l := range labels {
		if err := cw.Write([]string{l.LeadID, l.CustomerID, l.Type}); err != nil {
			return fmt.Errorf("writing labels: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadLabels reads a file written by WriteLabels.
func ReadLabels(r io.Reader) ([]Label, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading labels header: %w", err)
	}
	if strings.Join(header, ",") != "lead_id,customer_id,type" {
		return nil, fmt.Errorf("labels header is %q, want lead_id,customer_id,type", strings.Join(header, ","))
	}
	var out []Label
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading labels: %w", err)
		}
		out = append(out, Label{LeadID: rec[0], CustomerID: rec[1], Type: rec[2]})
	}
}

// WriteFiles writes customers.csv, leads.csv and labels.csv into dir.
func (ds *Dataset) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write("customers.csv", func(w io.Writer) error { return WriteCSV(w, ds.Customers) }); err != nil {
		return err
	}
	if err := write("leads.csv", func(w io.Writer) error { return WriteCSV(w, ds.Leads) }); err != nil {
		return err
	}
	return write("labels.csv", func(w io.Writer) error { return WriteLabels(w, ds.Labels) })
}
