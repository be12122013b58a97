package index

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are a backend's counters, labelled by backend name.
type Metrics struct {
	Written  *prometheus.CounterVec // by kind (mention, profile)
	Failed   *prometheus.CounterVec // by kind and reason (permanent, transient)
	Deleted  *prometheus.CounterVec // by kind
	Searches *prometheus.CounterVec // by kind and result (ok, error)
}

// NewMetrics registers a backend's counters with reg (nil: unregistered).
// Registering twice with one registry reuses the first collectors.
func NewMetrics(reg prometheus.Registerer, backend string) *Metrics {
	labels := prometheus.Labels{"backend": backend}
	m := &Metrics{
		Written: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index",
			Name: "documents_written_total", Help: "Documents stored in the search index.", ConstLabels: labels}, []string{"kind"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index",
			Name: "documents_failed_total", Help: "Documents the search index refused or could not take.", ConstLabels: labels}, []string{"kind", "reason"}),
		Deleted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index",
			Name: "documents_deleted_total", Help: "Documents deleted from the search index.", ConstLabels: labels}, []string{"kind"}),
		Searches: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "index",
			Name: "searches_total", Help: "Searches run against the search index.", ConstLabels: labels}, []string{"kind", "result"}),
	}
	if reg == nil {
		return m
	}
	m.Written = register(reg, m.Written)
	m.Failed = register(reg, m.Failed)
	m.Deleted = register(reg, m.Deleted)
	m.Searches = register(reg, m.Searches)
	return m
}

func register(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
	}
	return c
}

// CountWrites records the outcome of a write of n items of kind.
func (m *Metrics) CountWrites(kind string, errs []error) {
	var ok, perm, trans float64
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case IsPermanent(err):
			perm++
		default:
			trans++
		}
	}
	m.Written.WithLabelValues(kind).Add(ok)
	if perm > 0 {
		m.Failed.WithLabelValues(kind, "permanent").Add(perm)
	}
	if trans > 0 {
		m.Failed.WithLabelValues(kind, "transient").Add(trans)
	}
}

// CountSearch records one search.
func (m *Metrics) CountSearch(kind string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.Searches.WithLabelValues(kind, result).Inc()
}
