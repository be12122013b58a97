package promx

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestCounterVecSharesSeriesAcrossInstances(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "x_total", Help: "x"}
	a := CounterVec(reg, opts, "connector")
	b := CounterVec(reg, opts, "connector")
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
