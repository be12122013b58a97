package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// BenchmarkHop measures the raw → stage → enriched hop end to end with 1 KB
// records: a producer writes b.N raw records while a stage decodes each,
// wraps it as an enriched record and writes it; the clock stops when the
// last enriched record is acknowledged. Runs on the embedded broker, or on
// the real Kafka named by EARSHOT_TEST_KAFKA.
//
// Two sub-benchmarks do the same work on the same kind of broker, one
// after the other: "earshot" through pipeline.RunStage and the Producer,
// "plain-kafka-go" as a plain kafka-go program would (a group reader, the
// same decode and encode, one writer, a batch written and committed at a
// time). The ratio of their records/s is the cost of the pipeline's
// guarantees (per-record acks, ordered settling, DLQ, retries).
//
//	go test -run '^$' -bench Hop -benchtime 200000x ./pipeline
//
// "earshot-sealed" is "earshot" with personal data sealed (package
// privacy): each raw record is encrypted with its author's key (1,000
// authors whose keys are stored before the clock starts: people already
// seen), opened by the stage and its output sealed again. Its ratio to
// "earshot" is the cost of encryption on the hop. "earshot-sealed-new-people"
// also creates and stores the 1,000 keys on the way (a new person's first
// record waits until the key is acknowledged by the broker), so the
// difference between the two is the cost of 1,000 new people.
func BenchmarkHop(b *testing.B) {
	b.Run("earshot", func(b *testing.B) { benchHopEarshot(b, hopPlaintext) })
	b.Run("earshot-sealed", func(b *testing.B) { benchHopEarshot(b, hopSealedKnown) })
	b.Run("earshot-sealed-new-people", func(b *testing.B) { benchHopEarshot(b, hopSealedNew) })
	b.Run("plain-kafka-go", benchHopPlain)
}

func hopCluster(b *testing.B) *pipelinetest.Cluster {
	return pipelinetest.NewWithConfig(b, func(cfg *pipeline.Config) {
		cfg.Topics.Partitions = 6
		cfg.Producer.Compression = "snappy"
		cfg.Producer.StreamBatchTimeout = pipeline.DefaultConfig().Producer.StreamBatchTimeout // as shipped, not the tests' 2 ms
		cfg.Consumer.MaxInFlight = 20000
	})
}

// hopInputs are b.N raw records of about 1 KB, keyed by author.
func hopInputs(b *testing.B, topics pipeline.Topics) ([]pipeline.Output, int64) {
	text := strings.Repeat("Great speaker, delivery was slow. ", 28) // ~1 KB with the envelope
	values := make([]pipeline.Output, 0, b.N)
	var bytesIn int64
	for i := range b.N {
		m := &record.Mention{Source: "bench", SourceID: fmt.Sprint(i), Text: text,
			Author: record.Author{Handle: fmt.Sprintf("user%d", i%1000)}, CreatedAt: time.Now()}
		_ = m.Normalize()
		v, _ := record.Encode(m)
		bytesIn += int64(len(v))
		values = append(values, pipeline.Output{Topic: topics.Raw(), Key: []byte(m.AuthorKey()), Value: v})
	}
	return values, bytesIn
}

// enrich is the work both variants do per record.
func enrich(value []byte) ([]byte, error) {
	var m record.Mention
	if err := record.Decode(value, &m); err != nil {
		return nil, err
	}
	return record.Encode(&record.EnrichedMention{Mention: m, EnrichedAt: time.Now()})
}

// waitEnriched waits until the enriched topic holds n records.
func waitEnriched(ctx context.Context, b *testing.B, c *pipelinetest.Cluster, n int) {
	for {
		ends, err := c.Kafka.EndOffsets(ctx, c.Kafka.Topics().Enriched())
		if err != nil {
			b.Fatal(err)
		}
		var got int64
		for _, e := range ends {
			got += e
		}
		if got >= int64(n) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// processCPU is the CPU time this process has used (with the embedded
// broker, the broker's too): on a shared machine it says more than the
// rate does.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, elapsed, cpu time.Duration, bytesIn int64) {
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/record")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(bytesIn)/elapsed.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(bytesIn)/float64(b.N), "bytes/record")
}

type hopMode int

const (
	hopPlaintext hopMode = iota
	hopSealedKnown
	hopSealedNew
)

func benchHopEarshot(b *testing.B, mode hopMode) {
	c := hopCluster(b)
	topics := c.Kafka.Topics()
	values, bytesIn := hopInputs(b, topics)
	if mode != hopPlaintext {
		kr, err := privacy.NewKeyring("bench secret of enough length")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Kafka.EnableSealing(context.Background(), kr); err != nil {
			b.Fatal(err)
		}
		for i := range values {
			values[i].Subject = kr.Subject(string(values[i].Key))
			values[i].Key = []byte(values[i].Subject)
		}
		if mode == hopSealedKnown {
			storeKeys(b, c, kr, values)
		}
	}
	proc := pipeline.ProcessorFunc(func(_ context.Context, msg pipeline.Message) ([]pipeline.Output, error) {
		v, err := enrich(msg.Value)
		if err != nil {
			return nil, pipeline.Permanent(err)
		}
		return []pipeline.Output{{Topic: topics.Enriched(), Key: msg.Key, Value: v}}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stageDone := make(chan error, 1)
	go func() {
		stageDone <- c.Kafka.RunStage(ctx, pipeline.StageConfig{Name: "bench", Topics: []string{topics.Raw()}, Processor: proc})
	}()

	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	p := c.Kafka.NewProducer("bench-in", 20000)
	for _, v := range values {
		if err := p.Produce(ctx, v, func(err error) {
			if err != nil {
				b.Error(err)
			}
		}); err != nil {
			b.Fatal(err)
		}
	}
	p.Flush()
	waitEnriched(ctx, b, c, b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	p.Close()
	cancel()
	<-stageDone
	report(b, elapsed, processCPU()-cpu0, bytesIn)
}

// benchHopPlain is the same hop written directly on kafka-go.
func benchHopPlain(b *testing.B) {
	c := hopCluster(b)
	topics := c.Kafka.Topics()
	values, bytesIn := hopInputs(b, topics)
	// The loop below writes each batch synchronously, which waits out the
	// batch timeout of every partition the batch did not fill: 2 ms suits
	// it (Earshot's 25 ms took it from about 59,000 to 25,500 records/s).
	// Its own transport: kafka-go's shared one keeps the metadata of the
	// clusters of earlier runs for seconds and refuses these new topics.
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	newWriter := func() *kafka.Writer {
		return &kafka.Writer{Addr: kafka.TCP(c.Brokers...), Transport: transport, Balancer: &kafka.Murmur2Balancer{Consistent: true},
			BatchSize: 1000, BatchBytes: 1 << 20, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll,
			Compression: compress.Snappy}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reader := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Brokers, GroupID: c.Config.Consumer.GroupPrefix + "plain",
		GroupTopics: []string{topics.Raw()}, MinBytes: 1, MaxBytes: 4 << 20, MaxWait: 250 * time.Millisecond,
		StartOffset: kafka.FirstOffset, QueueCapacity: 1000})
	defer reader.Close()
	out := newWriter()
	defer out.Close()
	fetched := make(chan kafka.Message, 1000)
	go func() {
		defer close(fetched)
		for {
			m, err := reader.FetchMessage(ctx)
			if err != nil {
				return
			}
			fetched <- m
		}
	}()
	hopDone := make(chan error, 1)
	go func() {
		// Read what is there (up to 1000), write it, commit it, repeat.
		batch := make([]kafka.Message, 0, 1000)
		for m := range fetched {
			batch = append(batch[:0], m)
		more:
			for len(batch) < cap(batch) {
				select {
				case m, ok := <-fetched:
					if !ok {
						break more
					}
					batch = append(batch, m)
				default:
					break more
				}
			}
			outs := make([]kafka.Message, len(batch))
			for i, m := range batch {
				v, err := enrich(m.Value)
				if err != nil {
					hopDone <- err
					return
				}
				outs[i] = kafka.Message{Topic: topics.Enriched(), Key: m.Key, Value: v}
			}
			if err := out.WriteMessages(ctx, outs...); err != nil {
				hopDone <- err
				return
			}
			if err := reader.CommitMessages(ctx, batch...); err != nil {
				hopDone <- err
				return
			}
		}
		hopDone <- nil
	}()

	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	in := newWriter()
	in.Async = true
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		msgs[i] = kafka.Message{Topic: v.Topic, Key: v.Key, Value: v.Value}
	}
	for lo := 0; lo < len(msgs); lo += 1000 {
		if err := in.WriteMessages(ctx, msgs[lo:min(lo+1000, len(msgs))]...); err != nil {
			b.Fatal(err)
		}
	}
	if err := in.Close(); err != nil { // flushes what is queued
		b.Fatal(err)
	}
	waitEnriched(ctx, b, c, b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	if err := <-hopDone; err != nil && ctx.Err() == nil {
		b.Fatal(err)
	}
	report(b, elapsed, processCPU()-cpu0, bytesIn)
}

// storeKeys writes a key for every subject of values to the keys topic
// and loads it, as for people seen before.
func storeKeys(b *testing.B, c *pipelinetest.Cluster, kr *privacy.Keyring, values []pipeline.Output) {
	ctx := context.Background()
	p := c.Kafka.NewProducer("bench-keys", 2000)
	defer p.Close()
	var keys []privacy.StoredKey
	seen := map[string]bool{}
	for _, v := range values {
		if seen[v.Subject] {
			continue
		}
		seen[v.Subject] = true
		sk, err := kr.NewKey(v.Subject)
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, sk)
		if err := p.Produce(ctx, pipeline.Output{Topic: c.Kafka.Topics().Keys(), Key: sk.Key, Value: sk.Value}, func(err error) {
			if err != nil {
				b.Error(err)
			}
		}); err != nil {
			b.Fatal(err)
		}
	}
	p.Flush()
	for _, sk := range keys {
		if err := kr.Apply(sk.Key, sk.Value); err != nil {
			b.Fatal(err)
		}
	}
}
