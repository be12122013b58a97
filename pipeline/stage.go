package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// Processor turns one consumed message into the records it produces. An
// error is retried (Consumer.Retries times, with backoff) and then the
// message goes to the dead-letter queue; errors marked Permanent skip the
// retries. Process may be called from several goroutines, but messages of
// one partition are processed one at a time, in order.
type Processor interface {
	Process(ctx context.Context, m Message) ([]Output, error)
}

// ProcessorFunc adapts a function to Processor.
type ProcessorFunc func(ctx context.Context, m Message) ([]Output, error)

// Process calls f.
func (f ProcessorFunc) Process(ctx context.Context, m Message) ([]Output, error) { return f(ctx, m) }

// StageConfig describes a transform stage: topics in, records out.
type StageConfig struct {
	Name      string
	Group     string // defaults to the consumer group prefix + Name
	Topics    []string
	Processor Processor
	// Workers overrides Consumer.Workers.
	Workers int
}

// RunStage consumes sc.Topics in a consumer group and writes what the
// processor returns. A message's offset is committed only after every record
// it produced (or its dead letter) was acknowledged. It returns when ctx is
// cancelled, after draining in-flight messages, or on a fatal error.
func (k *Kafka) RunStage(ctx context.Context, sc StageConfig) error {
	if sc.Processor == nil || len(sc.Topics) == 0 || sc.Name == "" {
		return errors.New("running stage: name, topics and processor are required")
	}
	c := k.newConsumer(sc.Name, sc.Group, sc.Topics)
	out := k.NewProducer(sc.Name, k.cfg.Consumer.MaxInFlight)
	workers := sc.Workers
	if workers <= 0 {
		workers = max(k.cfg.Consumer.Workers, 1)
	}
	// work continues after ctx is cancelled so in-flight records drain; it
	// ends at the shutdown deadline.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	queues := make([]chan Message, workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan Message, cap(c.slots)/workers+1)
		wg.Add(1)
		go func(q chan Message) {
			defer wg.Done()
			for m := range q {
				k.handle(work, c, out, sc.Processor, m)
			}
		}(queues[i])
	}
	go c.commitLoop(ctx)
	go c.lagLoop(ctx)
	c.logger.Info("stage started", "topics", sc.Topics, "group", c.group, "workers", workers)

	var fetchErr error
	for {
		m, err := c.fetch(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fetchErr = fmt.Errorf("fetching from %v: %w", sc.Topics, err)
			}
			break
		}
		queues[partitionWorker(m, workers)] <- m
	}
	for _, q := range queues {
		close(q)
	}
	timer := time.AfterFunc(shutdownTimeout, stopWork)
	defer timer.Stop()
	wg.Wait()
	err := c.drain(shutdownTimeout)
	out.Close()
	c.logger.Info("stage stopped")
	return errors.Join(fetchErr, err)
}

// partitionWorker keeps each partition on one worker, so its order holds.
func partitionWorker(m Message, workers int) int {
	h := fnv.New32a()
	h.Write([]byte(m.Topic))
	return int((h.Sum32() + uint32(m.Partition)) % uint32(workers))
}

// handle processes one message with retries, produces its outputs (or its
// dead letter) and settles it once they are acknowledged.
func (k *Kafka) handle(ctx context.Context, c *consumer, out *Producer, p Processor, m Message) {
	outs, attempts, err := k.process(ctx, c, p, m)
	if ctx.Err() != nil {
		c.abandon()
		return
	}
	if err != nil {
		if dlErr := c.deadLetter(ctx, m, err, attempts); dlErr != nil {
			c.logger.Error("writing dead letter", "error", dlErr, "offset", m.Offset)
			c.abandon()
			return
		}
		c.settle(m)
		return
	}
	if len(outs) == 0 {
		c.settle(m)
		return
	}
	k.inheritSubject(m, outs)
	var (
		mu      sync.Mutex
		left    = len(outs)
		failed  bool
		settled = func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = true
			}
			left--
			if left > 0 {
				return
			}
			if failed {
				c.abandon()
				return
			}
			c.out.Add(float64(len(outs)))
			c.settle(m)
		}
	)
	for i, o := range outs {
		if err := out.ProduceRetry(ctx, o, settled); err != nil {
			// The rest were never queued: count them as failed too.
			for range len(outs) - i {
				settled(err)
			}
			return
		}
	}
}

// process runs the processor with bounded retries.
func (k *Kafka) process(ctx context.Context, c *consumer, p Processor, m Message) ([]Output, int, error) {
	retries := k.cfg.Consumer.Retries
	backoff := k.cfg.Consumer.RetryBackoff
	if backoff <= 0 {
		backoff = 100 * time.Millisecond
	}
	var err error
	attempt := 0
	for attempt <= retries {
		attempt++
		var outs []Output
		outs, err = p.Process(ctx, m)
		if err == nil {
			return outs, attempt, nil
		}
		c.failed.Inc()
		if IsPermanent(err) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, attempt, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	return nil, attempt, err
}
