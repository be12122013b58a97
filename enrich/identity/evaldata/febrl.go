package evaldata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/earshothq/earshot/enrich/identity"
)

// Febrl data sets (Christen's Febrl generator: 1–3 for deduplication, 4 for
// linkage) hold original records "rec-N-org" and their duplicates
// "rec-N-dup-K" in one file. SplitFebrl turns one into what `earshot match`
// reads, as a linkage task: the originals are the customer file, the
// duplicates the lead file, and each duplicate's truth is its original.
// The duplicates carry no error label, so each is classified by comparing
// it with its original (FebrlTags).

// FebrlLabel is the truth of one duplicate with the kinds of change the
// generator made to it.
type FebrlLabel struct {
	Label
	Tags []string
}

// Febrl change kinds, in report order.
var FebrlTags = []string{
	"identical", "given_typo", "given_replaced", "surname_typo", "surname_replaced", "names_swapped",
	"address_typo", "address_replaced", "address_lines_swapped", "street_number_changed", "suburb_changed",
	"postcode_changed", "state_changed", "dob_typo", "dob_replaced", "value_missing",
}

// febrlColumns are the columns of a Febrl file, in order.
var febrlColumns = []string{"rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"}

// SplitFebrl reads a Febrl file and writes its originals to customers and
// its duplicates to leads (both CSV with the file's header), returning the
// labels of the duplicates.
func SplitFebrl(src io.Reader, customers, leads io.Writer) ([]FebrlLabel, error) {
	cr := csv.NewReader(src)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the Febrl header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if !slices.Equal(header, febrlColumns) {
		return nil, fmt.Errorf("not a Febrl file: columns %v, want %v", header, febrlColumns)
	}
	cw, lw := csv.NewWriter(customers), csv.NewWriter(leads)
	if err := cw.Write(header); err != nil {
		return nil, fmt.Errorf("writing customers: %w", err)
	}
	if err := lw.Write(header); err != nil {
		return nil, fmt.Errorf("writing leads: %w", err)
	}
	orgs := map[string][]string{}
	var dups [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading Febrl rows: %w", err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		id := rec[0]
		switch {
		case strings.HasSuffix(id, "-org"):
			orgs[strings.TrimSuffix(id, "-org")] = rec
			if err := cw.Write(rec); err != nil {
				return nil, fmt.Errorf("writing customers: %w", err)
			}
		case strings.Contains(id, "-dup-"):
			dups = append(dups, rec)
			if err := lw.Write(rec); err != nil {
				return nil, fmt.Errorf("writing leads: %w", err)
			}
		default:
			return nil, fmt.Errorf("Febrl record id %q is neither an original nor a duplicate", id)
		}
	}
	labels := make([]FebrlLabel, 0, len(dups))
	for _, d := range dups {
		base := d[0][:strings.Index(d[0], "-dup-")]
		org, ok := orgs[base]
		if !ok {
			return nil, fmt.Errorf("duplicate %s has no original", d[0])
		}
		t := febrlChanges(org, d)
		labels = append(labels, FebrlLabel{Label: Label{LeadID: d[0], CustomerID: org[0], Type: t[0]}, Tags: t})
	}
	cw.Flush()
	lw.Flush()
	if err := errors.Join(cw.Error(), lw.Error()); err != nil {
		return nil, fmt.Errorf("writing the split: %w", err)
	}
	return labels, nil
}

// febrlChanges names what changed between an original and its duplicate.
func febrlChanges(org, dup []string) []string {
	const (
		given = iota + 1
		surname
		number
		addr1
		addr2
		suburb
		postcode
		state
		dob
	)
	var tags []string
	add := func(t string) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	for f := given; f <= dob; f++ {
		if org[f] != "" && dup[f] == "" {
			add("value_missing")
		}
	}
	// similar: a typo rather than another value.
	similar := func(a, b string) bool { return identity.JaroWinkler(a, b) >= 0.8 }
	switch {
	case org[given] != "" && dup[given] == org[surname] && dup[surname] == org[given] && org[given] != org[surname]:
		add("names_swapped")
	default:
		for _, f := range []struct {
			i    int
			name string
		}{{given, "given"}, {surname, "surname"}} {
			if a, b := org[f.i], dup[f.i]; a != b && a != "" && b != "" {
				if similar(a, b) {
					add(f.name + "_typo")
				} else {
					add(f.name + "_replaced")
				}
			}
		}
	}
	if org[addr1] != "" && org[addr2] != "" && similar(dup[addr1], org[addr2]) && similar(dup[addr2], org[addr1]) && dup[addr1] != org[addr1] {
		add("address_lines_swapped")
	} else {
		for _, f := range []int{addr1, addr2} {
			if a, b := org[f], dup[f]; a != b && a != "" && b != "" {
				if similar(a, b) {
					add("address_typo")
				} else {
					add("address_replaced")
				}
			}
		}
	}
	changed := func(f int) bool { return org[f] != dup[f] && org[f] != "" && dup[f] != "" }
	if changed(number) {
		add("street_number_changed")
	}
	if changed(suburb) {
		add("suburb_changed")
	}
	if changed(postcode) {
		add("postcode_changed")
	}
	if changed(state) {
		add("state_changed")
	}
	if changed(dob) {
		if identity.EditDistanceAtMost1(org[dob], dup[dob]) || len(org[dob]) == len(dup[dob]) && transposed(org[dob], dup[dob]) {
			add("dob_typo")
		} else {
			add("dob_replaced")
		}
	}
	if len(tags) == 0 {
		add("identical")
	}
	return tags
}

// transposed reports two strings equal but for one pair of adjacent
// characters swapped.
func transposed(a, b string) bool {
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// EvaluateFebrl scores decisions against Febrl labels: all duplicates, and
// every change kind (a duplicate counts under each of its kinds).
func EvaluateFebrl(labels []FebrlLabel, decisions map[string]Decision) Report {
	all := make([]Label, len(labels))
	for i, l := range labels {
		all[i] = l.Label
	}
	rep := Evaluate(all, decisions)
	rep.ByType = nil
	for _, tag := range FebrlTags {
		var sub []Label
		for _, l := range labels {
			if slices.Contains(l.Tags, tag) {
				sub = append(sub, l.Label)
			}
		}
		if len(sub) == 0 {
			continue
		}
		c := Evaluate(sub, decisions).All
		c.Group = tag
		rep.ByType = append(rep.ByType, c)
	}
	rep.NoExact.Group = "" // Febrl has no exact identifiers
	return rep
}
