// Package promx registers connector metrics on an injected registerer,
// sharing the series when several instances of one connector type register
// the same metric (they are told apart by their "connector" label).
package promx

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// CounterVec creates a counter vector and registers it on reg (when not
// nil), returning the already registered vector if there is one.
func CounterVec(reg prometheus.Registerer, opts prometheus.CounterOpts, labels ...string) *prometheus.CounterVec {
	cv := prometheus.NewCounterVec(opts, labels)
	if reg == nil {
		return cv
	}
	if err := reg.Register(cv); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		// A conflicting registration (same name, other labels) is a
		// programming error caught by tests; count into the private vector.
	}
	return cv
}

// CounterSum gathers g and sums the counter series called name whose label
// has the given value (tests read connector metrics with it).
func CounterSum(g prometheus.Gatherer, name, label, value string) (float64, error) {
	families, err := g.Gather()
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum, nil
}
