package identity

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Comparison fields of the Fellegi–Sunter model, in vector order.
const (
	fFirst = iota
	fLast
	fDOB
	fPostcode
	fCity
	fStreet
	fLine2
	fRegion
	fEmail
	fPhone
	fCompany
	fHandle
	fCountry
	numFields
)

// maxLevels bounds the agreement levels of one field.
const maxLevels = 6

// missing is the level of a field absent on either side: it weighs nothing.
const missing int8 = -1

// fieldSpec names a field and its agreement levels, strongest first; the
// last level is always the strongest disagreement.
type fieldSpec struct {
	Name   string
	Levels []string
}

var fieldSpecs = [numFields]fieldSpec{
	fFirst: {"first_name", []string{"exact", "alias", "close", "similar", "initial", "different"}},
	fLast:  {"last_name", []string{"exact", "close", "similar", "different"}},
	// Dates are compared as dates: a typed slip, the same year, a few
	// years apart (siblings), a generation apart (parent and child).
	fDOB: {"date_of_birth", []string{"exact", "close", "year", "near", "far"}},
	// Postcode and city depend on each other, so the postcode's levels
	// include the city's, the city alone is compared only where a postcode
	// is missing, and the country only where both are.
	fPostcode: {"postcode", []string{"exact", "exact_other_city", "close", "district", "same_city", "different"}},
	fCity:     {"city", []string{"exact", "close", "different"}},
	// The street (first address line, house number included) and the
	// second line, read the other way round when the lines were swapped.
	fStreet:  {"street", []string{"exact", "close", "same_street", "different"}},
	fLine2:   {"address_2", []string{"exact", "close", "different"}},
	fRegion:  {"region", []string{"exact", "different"}},
	fEmail:   {"email", []string{"exact", "local", "different"}},
	fPhone:   {"phone", []string{"exact", "close", "different"}},
	fCompany: {"company", []string{"exact", "close", "different"}},
	fHandle:  {"handle", []string{"exact", "different"}},
	fCountry: {"country", []string{"exact", "different"}},
}

func (s fieldSpec) levelIndex(name string) int { return slices.Index(s.Levels, name) }

func fieldSpecByName(name string) (fieldSpec, bool) {
	for _, s := range fieldSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return fieldSpec{}, false
}

func fieldNames() []string {
	out := make([]string, numFields)
	for i, s := range fieldSpecs {
		out[i] = s.Name
	}
	return out
}

// defaultMU are hand-set starting probabilities: m among true matches, u
// among random pairs of different people. "fixed" weights use them as they
// are; "em" replaces u with frequencies counted on random customer pairs
// and estimates m from the data, starting here.
var defaultMU = [numFields][]MU{
	fFirst:    {{0.80, 0.02}, {0.06, 0.002}, {0.06, 0.004}, {0.02, 0.01}, {0.02, 0.01}, {0.04, 0.954}},
	fLast:     {{0.85, 0.005}, {0.08, 0.003}, {0.03, 0.01}, {0.04, 0.982}},
	fDOB:      {{0.88, 0.0001}, {0.07, 0.001}, {0.02, 0.016}, {0.02, 0.3}, {0.01, 0.6829}},
	fPostcode: {{0.80, 0.0005}, {0.05, 0.0001}, {0.04, 0.001}, {0.03, 0.005}, {0.04, 0.02}, {0.04, 0.9734}},
	fCity:     {{0.88, 0.06}, {0.04, 0.005}, {0.08, 0.935}},
	fStreet:   {{0.70, 0.0002}, {0.12, 0.0005}, {0.08, 0.005}, {0.10, 0.9943}},
	fLine2:    {{0.75, 0.001}, {0.10, 0.002}, {0.15, 0.997}},
	fRegion:   {{0.95, 0.2}, {0.05, 0.8}},
	fEmail:    {{0.55, 0.000001}, {0.05, 0.0001}, {0.40, 0.999899}},
	fPhone:    {{0.65, 0.000001}, {0.03, 0.00001}, {0.32, 0.999989}},
	fCompany:  {{0.75, 0.01}, {0.10, 0.005}, {0.15, 0.985}},
	fHandle:   {{0.70, 0.000001}, {0.30, 0.999999}},
	fCountry:  {{0.98, 0.3}, {0.02, 0.7}},
}

// Model holds the m/u probabilities of every field level and the log2
// weights derived from them.
type Model struct {
	M, U [numFields][maxLevels]float64
	W    [numFields][maxLevels]float64
	// Prior is the share of true matches among scored pairs (from EM; only
	// reported).
	Prior float64
	// Estimated says the probabilities came from EM rather than by hand.
	Estimated bool
}

// newModel builds the default model with overrides from the configuration.
func newModel(overrides map[string]map[string]MU) (*Model, error) {
	m := &Model{Prior: 0.1}
	for f := range numFields {
		for l, mu := range defaultMU[f] {
			m.M[f][l], m.U[f][l] = mu.M, mu.U
		}
	}
	for field, levels := range overrides {
		spec, ok := fieldSpecByName(field)
		if !ok {
			return nil, fmt.Errorf("unknown field %q in weights", field)
		}
		f := slices.IndexFunc(fieldSpecs[:], func(s fieldSpec) bool { return s.Name == field })
		for level, mu := range levels {
			l := spec.levelIndex(level)
			if l < 0 {
				return nil, fmt.Errorf("unknown level %q of field %q in weights", level, field)
			}
			m.M[f][l], m.U[f][l] = mu.M, mu.U
		}
	}
	m.computeWeights()
	return m, nil
}

func (m *Model) computeWeights() {
	for f := range numFields {
		for l := range fieldSpecs[f].Levels {
			m.W[f][l] = math.Log2(m.M[f][l] / m.U[f][l])
		}
	}
}

// weight is the log2 likelihood ratio of one field at one level.
func (m *Model) weight(f int, level int8) float64 {
	if level < 0 {
		return 0
	}
	return m.W[f][level]
}

// vector is one pair's comparison: a level per field, or missing.
type vector [numFields]int8

// String prints the probabilities and weights, one field a line.
func (m *Model) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "prior %.4f estimated %v\n", m.Prior, m.Estimated)
	for f, spec := range fieldSpecs {
		fmt.Fprintf(&b, "%-14s", spec.Name)
		for l, name := range spec.Levels {
			fmt.Fprintf(&b, " %s m=%.4f u=%.5f w=%+.2f |", name, m.M[f][l], m.U[f][l], m.W[f][l])
		}
		b.WriteByte('\n')
	}
	return b.String()
}
