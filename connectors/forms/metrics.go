package forms

import (
	"fmt"

	"github.com/earshothq/earshot/connectors/internal/promx"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the connector's Prometheus series, labelled with the
// connector instance (so several forms connectors share them). Form labels
// only ever take configured form ids (unknown ids count as "_unknown"), so a
// scanner cannot blow up the label space.
type metrics struct {
	received *prometheus.CounterVec // submissions that passed every check, by form and intake path
	acked    *prometheus.CounterVec // submissions Kafka acknowledged
	failed   *prometheus.CounterVec // submissions answered 503
	rejected *prometheus.CounterVec // refusals, by form and reason (the problem type)
	replayed *prometheus.CounterVec // retries answered from the idempotency cache
	optIn    *prometheus.CounterVec // double opt-in: mailed, confirmed, used, expired, invalid, erased, mail_failed
	latency  prometheus.ObserverVec
}

func newMetrics(reg prometheus.Registerer, connector string) (*metrics, error) {
	ms := promx.NewSet(reg)
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		cv := ms.CounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "forms", Name: name, Help: help}, append([]string{"connector"}, labels...)...)
		return cv.MustCurryWith(prometheus.Labels{"connector": connector})
	}
	m := &metrics{
		received: counter("received_total", "Form submissions and webhooks that passed validation.", "form", "via"),
		acked:    counter("acked_total", "Submissions acknowledged by Kafka and answered 2xx.", "form"),
		failed:   counter("failed_total", "Valid submissions answered 503 because the pipeline could not take them.", "form", "cause"),
		rejected: counter("rejected_total", "Refused requests by reason (spam reasons are answered as if accepted).", "form", "reason"),
		replayed: counter("replayed_total", "Retries answered from the idempotency cache without publishing again.", "form"),
		optIn: counter("opt_in_total", "Double opt-in events: links mailed, confirmed; links refused as used, expired, invalid or erased (the person was forgotten); mails that failed.",
			"form", "event"),
		latency: ms.HistogramVec(prometheus.HistogramOpts{Namespace: "earshot", Subsystem: "forms",
			Name: "ack_seconds", Help: "Time from a valid submission to Kafka's ack.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, "connector", "form").
			MustCurryWith(prometheus.Labels{"connector": connector}),
	}
	if err := ms.Err(); err != nil {
		return nil, fmt.Errorf("registering forms metrics: %w", err)
	}
	return m, nil
}
