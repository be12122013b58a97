package forms

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the connector's Prometheus series. Form labels only ever take
// configured form ids (unknown ids count as "_unknown"), so a scanner cannot
// blow up the label space.
type metrics struct {
	received *prometheus.CounterVec // submissions that passed every check, by form and intake path
	acked    *prometheus.CounterVec // submissions Kafka acknowledged
	failed   *prometheus.CounterVec // submissions answered 503
	rejected *prometheus.CounterVec // refusals, by form and reason (the problem type)
	replayed *prometheus.CounterVec // retries answered from the idempotency cache
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "received_total", Help: "Form submissions and webhooks that passed validation."}, []string{"form", "via"}),
		acked: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "acked_total", Help: "Submissions acknowledged by Kafka and answered 2xx."}, []string{"form"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "failed_total", Help: "Valid submissions answered 503 because the pipeline could not take them."}, []string{"form", "cause"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "rejected_total", Help: "Refused requests by reason (spam reasons are answered as if accepted)."}, []string{"form", "reason"}),
		replayed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "replayed_total", Help: "Retries answered from the idempotency cache without publishing again."}, []string{"form"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "ack_seconds", Help: "Time from a valid submission to Kafka's ack.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"form"}),
	}
	for _, c := range []prometheus.Collector{m.received, m.acked, m.failed, m.rejected, m.replayed, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering forms metrics: %w", err)
		}
	}
	return m, nil
}
