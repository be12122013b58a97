package promx

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestCounterVecSharesSeriesAcrossInstances(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "x_total", Help: "x"}
	a := NewSet(reg).CounterVec(opts, "connector")
	bs := NewSet(reg)
	b := bs.CounterVec(opts, "connector")
	if bs.Err() != nil {
		t.Fatal(bs.Err())
	}
	a.WithLabelValues("one").Inc()
	b.WithLabelValues("two").Add(2)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || len(families[0].GetMetric()) != 2 {
		t.Fatalf("want one family with two series, got %v", families)
	}
	for _, m := range families[0].GetMetric() {
		if m.GetLabel()[0].GetValue() == "two" && m.GetCounter().GetValue() != 2 {
			t.Fatalf("series two = %v, want 2", m.GetCounter().GetValue())
		}
	}
}

// A clash (the hub once wrapped the registerer with a constant "connector"
// label the connectors also use) is an error, not a silently private vector.
func TestClashingRegistrationIsAnError(t *testing.T) {
	reg := prometheus.NewRegistry()
	wrapped := prometheus.WrapRegistererWith(prometheus.Labels{"connector": "news"}, reg)
	s := NewSet(wrapped)
	s.CounterVec(prometheus.CounterOpts{Name: "fetches_total", Help: "x"}, "connector", "result")
	if s.Err() == nil {
		t.Fatal("a label clashing with a constant label registered without error")
	}
	s = NewSet(reg)
	s.CounterVec(prometheus.CounterOpts{Name: "y_total", Help: "y"}, "a")
	s.CounterVec(prometheus.CounterOpts{Name: "y_total", Help: "y"}, "a", "b")
	if s.Err() == nil {
		t.Fatal("the same name with other labels registered without error")
	}
}
