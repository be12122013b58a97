package pipeline

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the pipeline's Prometheus series, labelled by stage.
type Metrics struct {
	In       *prometheus.CounterVec
	Out      *prometheus.CounterVec
	Failed   *prometheus.CounterVec
	DLQ      *prometheus.CounterVec
	Retries  *prometheus.CounterVec
	Lag      *prometheus.GaugeVec
	InFlight *prometheus.GaugeVec
	// FetchTimeouts counts reader fetches that timed out and were retried:
	// normal on a loaded or idle machine, so logged at debug level only.
	FetchTimeouts *prometheus.CounterVec
	// Shredded counts records skipped because their person was erased
	// (their key is gone).
	Shredded *prometheus.CounterVec
	// SinkBatch is the size of the batches a sink stage writes: small
	// batches under a steady stream mean the stage pays its per-batch cost
	// (a segment, the profiles of everyone in it) far more often.
	SinkBatch *prometheus.HistogramVec
}

// NewMetrics creates the series and registers them on reg (nil: unregistered,
// for tests and one-shot commands).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		In: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "records_in_total", Help: "Records consumed by a stage.",
		}, []string{"stage"}),
		Out: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "records_out_total", Help: "Records a stage produced and had acknowledged.",
		}, []string{"stage"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "records_failed_total", Help: "Record processing attempts that failed.",
		}, []string{"stage"}),
		DLQ: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "records_dlq_total", Help: "Records sent to the dead-letter queue.",
		}, []string{"stage"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "produce_retries_total", Help: "Produce attempts retried after a broker error.",
		}, []string{"stage"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "earshot", Name: "consumer_lag", Help: "Records behind the end of the topic, per stage and partition.",
		}, []string{"stage", "topic", "partition"}),
		InFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "earshot", Name: "records_in_flight", Help: "Records fetched but not yet settled.",
		}, []string{"stage"}),
		FetchTimeouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "fetch_timeouts_total", Help: "Fetches from the brokers that timed out and were retried.",
		}, []string{"stage"}),
		Shredded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Name: "pipeline_shredded_total", Help: "Records skipped because their person was erased (key deleted).",
		}, []string{"stage"}),
		SinkBatch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "earshot", Name: "sink_batch_records", Help: "Records per batch a sink stage wrote.",
			Buckets: []float64{1, 10, 50, 100, 200, 500, 1000, 2000, 5000},
		}, []string{"stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.In, m.Out, m.Failed, m.DLQ, m.Retries, m.Lag, m.InFlight, m.FetchTimeouts, m.Shredded, m.SinkBatch)
	}
	return m
}
