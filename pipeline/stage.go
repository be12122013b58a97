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
	// Latest names the output topics whose records are each the whole
	// current state of their key (compacted topics: a prospect). A worker
	// holds such records back for up to LatestDelay and writes only the
	// last one per topic and key, so an entity that many messages change
	// is written once rather than once per message. The messages wait
	// (unsettled, their offsets uncommitted) until what was held for them
	// is acknowledged: a crash replays them. Their other records are
	// written at once.
	Latest []string
	// LatestDelay is the longest a record on a Latest topic is held back
	// (default 1s). A worker also writes what it holds once
	// Consumer.MaxInFlight/(2×workers) messages wait for it.
	LatestDelay time.Duration
}

const defaultLatestDelay = time.Second

// RunStage consumes sc.Topics in a consumer group and writes what the
// processor returns. A message's offset is committed only after every record
// it produced (or its dead letter) was acknowledged. It returns when ctx is
// cancelled, after draining in-flight messages, or on a fatal error.
func (k *Kafka) RunStage(ctx context.Context, sc StageConfig) error {
	if sc.Processor == nil || len(sc.Topics) == 0 || sc.Name == "" {
		return errors.New("running stage: name, topics and processor are required")
	}
	c := k.newConsumer(sc.Name, sc.Group, sc.Topics)
	out := k.NewStreamProducer(sc.Name, k.cfg.Consumer.MaxInFlight)
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
			if len(sc.Latest) == 0 {
				for m := range q {
					k.handle(work, c, out, sc.Processor, m, nil)
				}
				return
			}
			h := newHolder(sc, max(cap(c.slots)/workers/2, 1))
			k.holdLoop(work, c, out, sc.Processor, q, h)
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
// dead letter) and settles it once they are acknowledged. With a holder,
// its records on the Latest topics are held there instead, and it settles
// once the holder's flush of them is acknowledged too.
func (k *Kafka) handle(ctx context.Context, c *consumer, out *Producer, p Processor, m Message, h *holder) {
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
	k.inheritSubject(m, outs)
	var held []Output
	if h != nil {
		outs, held = h.split(outs)
	}
	g := &settlement{c: c, msg: m}
	if len(outs) > 0 {
		g.parts++
	}
	if len(held) > 0 {
		g.parts++
	}
	if g.parts == 0 {
		c.settle(m)
		return
	}
	if len(held) > 0 {
		h.hold(held, g)
	}
	if len(outs) > 0 {
		k.produceAll(ctx, c, out, outs, g.done)
	}
}

// settlement settles a message once each of its parts is done (the
// records written for it at once; the flush of those held back), or
// abandons it if any part failed.
type settlement struct {
	c      *consumer
	msg    Message
	mu     sync.Mutex
	parts  int
	failed bool
}

func (g *settlement) done(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		g.failed = true
	}
	g.parts--
	if g.parts > 0 {
		return
	}
	if g.failed {
		g.c.abandon()
	} else {
		g.c.settle(g.msg)
	}
}

// produceAll queues outs (taking each value from Output.Current where it
// is set) and calls done once: nil when every record was acknowledged,
// else the first error.
func (k *Kafka) produceAll(ctx context.Context, c *consumer, out *Producer, outs []Output, done func(error)) {
	kept := outs[:0:0]
	for _, o := range outs {
		if o.Current != nil {
			v, ok := o.Current()
			if !ok {
				continue
			}
			o.Value, o.Current = v, nil
		}
		kept = append(kept, o)
	}
	if len(kept) == 0 {
		done(nil)
		return
	}
	var (
		mu       sync.Mutex
		left     = len(kept)
		firstErr error
		settled  = func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			left--
			if left > 0 {
				return
			}
			if firstErr == nil {
				c.out.Add(float64(len(kept)))
			}
			done(firstErr)
		}
	)
	for i, o := range kept {
		if err := out.ProduceRetry(ctx, o, settled); err != nil {
			// The rest were never queued: count them as failed too.
			for range len(kept) - i {
				settled(err)
			}
			return
		}
	}
}

// holder is one worker's records held back on the Latest topics: the last
// one per topic and key, and the settlements waiting for their flush.
type holder struct {
	latest  map[string]bool
	delay   time.Duration
	max     int // messages waiting before a flush
	index   map[heldKey]int
	recs    []Output
	waiting []*settlement
	since   time.Time // when the oldest held record arrived
}

type heldKey struct{ topic, key string }

func newHolder(sc StageConfig, maxWaiting int) *holder {
	h := &holder{latest: map[string]bool{}, delay: sc.LatestDelay, max: maxWaiting, index: map[heldKey]int{}}
	if h.delay <= 0 {
		h.delay = defaultLatestDelay
	}
	for _, t := range sc.Latest {
		h.latest[t] = true
	}
	return h
}

// split separates the records to hold from those to write at once.
func (h *holder) split(outs []Output) (now, held []Output) {
	for _, o := range outs {
		if h.latest[o.Topic] {
			held = append(held, o)
		} else {
			now = append(now, o)
		}
	}
	return now, held
}

// hold keeps recs, each replacing an earlier record of its topic and key,
// until the next flush settles g.
func (h *holder) hold(recs []Output, g *settlement) {
	if len(h.waiting) == 0 {
		h.since = time.Now()
	}
	for _, o := range recs {
		k := heldKey{o.Topic, string(o.Key)}
		if i, ok := h.index[k]; ok {
			h.recs[i] = o
			continue
		}
		h.index[k] = len(h.recs)
		h.recs = append(h.recs, o)
	}
	h.waiting = append(h.waiting, g)
}

// flush writes what is held; the waiting settlements complete when it is
// acknowledged.
func (k *Kafka) flush(ctx context.Context, c *consumer, out *Producer, h *holder) {
	if len(h.waiting) == 0 {
		return
	}
	recs, waiting := h.recs, h.waiting
	h.recs, h.waiting, h.index = nil, nil, map[heldKey]int{}
	k.produceAll(ctx, c, out, recs, func(err error) {
		for _, g := range waiting {
			g.done(err)
		}
	})
}

// holdLoop is a worker with a holder: it handles messages as they come and
// flushes what it holds when the oldest record has waited the delay, when
// enough messages wait for it, and when the queue closes.
func (k *Kafka) holdLoop(ctx context.Context, c *consumer, out *Producer, p Processor, q <-chan Message, h *holder) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var due <-chan time.Time
		if len(h.waiting) > 0 {
			timer.Reset(time.Until(h.since.Add(h.delay)))
			due = timer.C
		}
		select {
		case m, ok := <-q:
			if !ok {
				k.flush(ctx, c, out, h)
				return
			}
			k.handle(ctx, c, out, p, m, h)
			if len(h.waiting) >= h.max {
				k.flush(ctx, c, out, h)
			}
		case <-due:
			k.flush(ctx, c, out, h)
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
