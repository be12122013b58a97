package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/earshothq/earshot/record"
	"github.com/prometheus/client_golang/prometheus"
)

// Publisher delivers a connector's records to the raw topic.
// pipeline.RawPublisher is the Kafka implementation.
type Publisher interface {
	// Publish queues m and returns; done is called exactly once, with nil
	// when Kafka acknowledged the record or with the error that stopped it.
	Publish(ctx context.Context, m *record.Mention, done func(error)) error
}

// RunnerMetrics count records per connector instance.
type RunnerMetrics struct {
	Received *prometheus.CounterVec
	Acked    *prometheus.CounterVec
	Failed   *prometheus.CounterVec
	Connects *prometheus.CounterVec
}

// NewRunnerMetrics creates and registers (when reg is not nil) the series.
func NewRunnerMetrics(reg prometheus.Registerer) *RunnerMetrics {
	m := &RunnerMetrics{
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "connector", Name: "received_total", Help: "Records read from the source."}, []string{"connector"}),
		Acked:    prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "connector", Name: "acked_total", Help: "Records Kafka acknowledged."}, []string{"connector"}),
		Failed:   prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "connector", Name: "failed_total", Help: "Records rejected or not delivered."}, []string{"connector"}),
		Connects: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "earshot", Subsystem: "connector", Name: "connects_total", Help: "Connection attempts, by result."}, []string{"connector", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.Received, m.Acked, m.Failed, m.Connects)
	}
	return m
}

// Runner carries one connector's records to the publisher.
type Runner struct {
	Name      string
	Connector Connector
	Publisher Publisher
	// DeadLetters receives items the connector rejected; nil logs them only.
	DeadLetters DeadLetterer
	Logger      *slog.Logger
	Metrics     *RunnerMetrics
	// MaxInFlight bounds records published but not yet acknowledged.
	MaxInFlight int
	// BackoffMin and BackoffMax bound the reconnect backoff (with jitter).
	BackoffMin, BackoffMax time.Duration
	// ShutdownTimeout bounds the wait for outstanding acks when stopping.
	ShutdownTimeout time.Duration
}

func (r *Runner) defaults() {
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	r.Logger = r.Logger.With("component", "connector", "connector", r.Name)
	if r.Metrics == nil {
		r.Metrics = NewRunnerMetrics(nil)
	}
	if r.MaxInFlight <= 0 {
		r.MaxInFlight = DefaultMaxInFlight
	}
	if r.BackoffMin <= 0 {
		r.BackoffMin = 200 * time.Millisecond
	}
	if r.BackoffMax <= 0 {
		r.BackoffMax = 30 * time.Second
	}
	if r.ShutdownTimeout <= 0 {
		r.ShutdownTimeout = 15 * time.Second
	}
}

// Run connects, reads and publishes until ctx ends or the source reports
// ErrEndOfInput. On the way out it waits (bounded) for outstanding acks so
// the connector can save its last checkpoint, then closes the connector.
func (r *Runner) Run(ctx context.Context) error {
	r.defaults()
	slots := make(chan struct{}, r.MaxInFlight)
	var inflight sync.WaitGroup
	// Acks are delivered on a context that outlives ctx until the shutdown
	// deadline, so records acked during the drain still move checkpoints.
	ackCtx, stopAcks := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAcks()

	err := r.connect(ctx)
	for err == nil {
		var m *record.Mention
		var ack AckFunc
		var rejected *RejectedError
		m, ack, err = r.Connector.Read(ctx)
		switch {
		case err == nil:
		case errors.As(err, &rejected):
			r.reject(ctx, ackCtx, rejected)
			err = nil
			continue
		case errors.Is(err, ErrNotConnected):
			r.Logger.Warn("source disconnected", "error", err)
			err = r.connect(ctx)
			continue
		case errors.Is(err, ErrEndOfInput):
			r.Logger.Info("end of input")
			continue // leaves the loop with err set
		case ctx.Err() != nil:
			continue
		default:
			r.Logger.Warn("reading from source", "error", err)
			r.Metrics.Failed.WithLabelValues(r.Name).Inc()
			if err = Sleep(ctx, r.BackoffMin); err == nil {
				err = r.connect(ctx)
			}
			continue
		}
		r.Metrics.Received.WithLabelValues(r.Name).Inc()
		if nerr := m.Normalize(); nerr != nil {
			r.Metrics.Failed.WithLabelValues(r.Name).Inc()
			r.Logger.Warn("rejecting record", "error", nerr)
			if ack != nil {
				_ = ack(ackCtx, fmt.Errorf("invalid record: %w", nerr))
			}
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			if ack != nil {
				_ = ack(ackCtx, ctx.Err())
			}
			err = ctx.Err()
			continue
		}
		inflight.Add(1)
		done := func(perr error) {
			defer inflight.Done()
			defer func() { <-slots }()
			if perr != nil {
				r.Metrics.Failed.WithLabelValues(r.Name).Inc()
			} else {
				r.Metrics.Acked.WithLabelValues(r.Name).Inc()
			}
			if ack != nil {
				if aerr := ack(ackCtx, perr); aerr != nil {
					r.Logger.Warn("acknowledging record to source", "error", aerr)
				}
			}
		}
		// A record the broker cannot take is dead-lettered (truncated) and
		// acknowledged, so its source moves past it instead of jamming.
		publishDone := func(perr error) {
			if errors.Is(perr, record.ErrTooLarge) {
				// Off the producer's completion goroutine: the dead letter
				// waits for its own acknowledgement.
				go func() { done(r.tooLarge(ackCtx, m, perr)) }()
				return
			}
			done(perr)
		}
		if perr := r.Publisher.Publish(ctx, m, publishDone); perr != nil {
			publishDone(perr)
		}
	}

	drained := make(chan struct{})
	go func() { inflight.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(r.ShutdownTimeout):
		r.Logger.Warn("shutdown deadline reached with records unacknowledged; the source will resend them")
	}
	stopAcks()
	closeCtx, cancel := context.WithTimeout(context.Background(), r.ShutdownTimeout)
	defer cancel()
	cerr := r.Connector.Close(closeCtx)
	if errors.Is(err, ErrEndOfInput) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		err = nil
	}
	if cerr != nil {
		cerr = fmt.Errorf("closing connector %s: %w", r.Name, cerr)
	}
	return errors.Join(err, cerr)
}

// reject dead-letters an item the connector could not turn into a record.
func (r *Runner) reject(ctx, ackCtx context.Context, rej *RejectedError) {
	r.Metrics.Failed.WithLabelValues(r.Name).Inc()
	r.Logger.Warn("rejecting input", "position", rej.Position, "error", rej.Err)
	var err error
	if r.DeadLetters != nil {
		err = r.DeadLetters.DeadLetter(ctx, &record.DeadLetter{Stage: "connector:" + r.Name, Error: rej.Err.Error(), Attempts: 1,
			Partition: -1, Offset: -1, Position: rej.Position, Value: rej.Raw, Size: rej.Size, At: time.Now().UTC()})
		if err != nil {
			r.Logger.Error("dead-lettering rejected input", "position", rej.Position, "error", err)
		}
	}
	if rej.Ack != nil {
		_ = rej.Ack(ackCtx, err)
	}
}

// tooLarge dead-letters a record the broker refused for its size, with its
// origin (source and source id) and size. It returns nil once the dead
// letter is acknowledged, else the error that keeps the record unacked.
func (r *Runner) tooLarge(ctx context.Context, m *record.Mention, cause error) error {
	if r.DeadLetters == nil {
		return cause
	}
	raw, err := record.Encode(m)
	if err != nil {
		return errors.Join(cause, err)
	}
	origin := m.Source + ":" + m.SourceID
	r.Logger.Warn("record too large for the broker; dead-lettering it", "origin", origin, "bytes", len(raw))
	if err := r.DeadLetters.DeadLetter(ctx, &record.DeadLetter{Stage: "connector:" + r.Name, Error: cause.Error(), Attempts: 1,
		Partition: -1, Offset: -1, Position: origin, Value: raw, At: time.Now().UTC()}); err != nil {
		r.Logger.Error("dead-lettering a record too large for the broker", "origin", origin, "error", err)
		return errors.Join(cause, err)
	}
	return nil
}

// connect calls Connect with exponential backoff and jitter until it
// succeeds or ctx ends.
func (r *Runner) connect(ctx context.Context) error {
	backoff := r.BackoffMin
	for {
		err := r.Connector.Connect(ctx)
		if err == nil {
			r.Metrics.Connects.WithLabelValues(r.Name, "ok").Inc()
			return nil
		}
		r.Metrics.Connects.WithLabelValues(r.Name, "error").Inc()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		r.Logger.Warn("connecting to source", "error", err, "retry_in", wait)
		if err := Sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(backoff*2, r.BackoffMax)
	}
}
