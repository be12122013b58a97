// Package promx registers connector metrics on an injected registerer,
// sharing the series when several instances of one connector type register
// the same metric (they are told apart by their "connector" label).
package promx

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Set registers one connector instance's metrics on reg and keeps the
// first registration error, so the factory fails loudly (a metric whose
// labels clash with another's would otherwise vanish from /metrics).
type Set struct {
	reg prometheus.Registerer
	err error
}

// NewSet returns a set registering on reg (nil: metrics are not exported).
func NewSet(reg prometheus.Registerer) *Set { return &Set{reg: reg} }

// Err is the first registration error, or nil.
func (s *Set) Err() error { return s.err }

// CounterVec creates a counter vector and registers it, returning the
// already registered vector when another instance of the connector type
// registered the same one (they tell their series apart by the
// "connector" label).
func (s *Set) CounterVec(opts prometheus.CounterOpts, labels ...string) *prometheus.CounterVec {
	cv := prometheus.NewCounterVec(opts, labels)
	if existing := s.register(cv); existing != nil {
		if e, ok := existing.(*prometheus.CounterVec); ok {
			return e
		}
		s.fail(fmt.Errorf("registering %s: another collector of a different kind has its name", prometheus.BuildFQName(opts.Namespace, opts.Subsystem, opts.Name)))
	}
	return cv
}

// HistogramVec is CounterVec for histograms.
func (s *Set) HistogramVec(opts prometheus.HistogramOpts, labels ...string) *prometheus.HistogramVec {
	hv := prometheus.NewHistogramVec(opts, labels)
	if existing := s.register(hv); existing != nil {
		if e, ok := existing.(*prometheus.HistogramVec); ok {
			return e
		}
		s.fail(fmt.Errorf("registering %s: another collector of a different kind has its name", prometheus.BuildFQName(opts.Namespace, opts.Subsystem, opts.Name)))
	}
	return hv
}

// register registers c, returning the collector already registered in its
// place; any other error is kept.
func (s *Set) register(c prometheus.Collector) prometheus.Collector {
	if s.reg == nil {
		return nil
	}
	err := s.reg.Register(c)
	if err == nil {
		return nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		return are.ExistingCollector
	}
	s.fail(fmt.Errorf("registering metrics: %w", err))
	return nil
}

func (s *Set) fail(err error) {
	if s.err == nil {
		s.err = err
	}
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
