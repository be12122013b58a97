package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// BenchmarkHop measures the raw → stage → enriched hop end to end with 1 KB
// records: a producer writes b.N raw records while a stage decodes each,
// wraps it as an enriched record and writes it; the clock stops when the
// last enriched record is acknowledged. Runs on the embedded broker, or on
// the real Kafka named by EARSHOT_TEST_KAFKA.
//
//	go test -run '^$' -bench Hop -benchtime 200000x ./pipeline
func BenchmarkHop(b *testing.B) {
	c := pipelinetest.NewWithConfig(b, func(cfg *pipeline.Config) {
		cfg.Topics.Partitions = 6
		cfg.Producer.Compression = "snappy"
		cfg.Consumer.MaxInFlight = 20000
	})
	topics := c.Kafka.Topics()
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

	proc := pipeline.ProcessorFunc(func(_ context.Context, msg pipeline.Message) ([]pipeline.Output, error) {
		var m record.Mention
		if err := record.Decode(msg.Value, &m); err != nil {
			return nil, pipeline.Permanent(err)
		}
		v, err := record.Encode(&record.EnrichedMention{Mention: m, EnrichedAt: time.Now()})
		if err != nil {
			return nil, err
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
	start := time.Now()
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
	// Wait until the enriched topic holds b.N records.
	for {
		ends, err := c.Kafka.EndOffsets(ctx, topics.Enriched())
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for _, e := range ends {
			n += e
		}
		if n >= int64(b.N) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	p.Close()
	cancel()
	<-stageDone
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(bytesIn)/elapsed.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(bytesIn)/float64(b.N), "bytes/record")
}
