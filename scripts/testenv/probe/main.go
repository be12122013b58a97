// Command probe checks the real services that scripts/testenv starts, with the
// same client libraries Earshot uses (kafka-go, go-elasticsearch/v8).
//
//	probe kafka-ready -addr 127.0.0.1:19092 -timeout 60s
//	probe kafka-check -addr 127.0.0.1:19092 -records 2000
//	probe es-check    -url http://127.0.0.1:19200
//	probe kafka-secure-init -dir .testenv/kafka/secure -addr 127.0.0.1:19094
//
// kafka-ready is the readiness probe of kafka.sh: it succeeds once the broker
// answers a metadata request naming itself and a controller. kafka-check and
// es-check are end-to-end smoke tests: they create a throwaway topic or index,
// write, read back, verify and delete it. Every command exits non-zero with a
// message naming what failed. kafka-secure-init writes the certificates,
// users and settings of the broker's SASL_SSL test listener (secure.go).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/segmentio/kafka-go"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "kafka-ready":
		err = kafkaReadyCmd(args)
	case "kafka-check":
		err = kafkaCheckCmd(args)
	case "es-check":
		err = esCheckCmd(args)
	case "kafka-secure-init":
		err = kafkaSecureInitCmd(args)
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "probe: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  probe kafka-ready -addr HOST:PORT [-timeout 60s]
  probe kafka-check -addr HOST:PORT [-records 2000] [-timeout 60s]
  probe es-check    -url http://HOST:PORT [-timeout 60s]
  probe kafka-secure-init -dir DIR [-addr HOST:PORT]`)
}

func kafkaReadyCmd(args []string) error {
	fs := flag.NewFlagSet("kafka-ready", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:19092", "Kafka bootstrap address")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to keep asking")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	md, err := waitKafkaMetadata(ctx, *addr)
	if err != nil {
		return err
	}
	fmt.Printf("kafka ready at %s: cluster %s, %d broker(s), controller %d\n",
		*addr, md.ClusterID, len(md.Brokers), md.Controller.ID)
	return nil
}

// waitKafkaMetadata asks the broker for cluster metadata until it lists at
// least one broker and a controller, which in KRaft mode means the broker has
// registered with the controller and been unfenced.
func waitKafkaMetadata(ctx context.Context, addr string) (*kafka.MetadataResponse, error) {
	client := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	var lastErr error
	for {
		md, err := client.Metadata(ctx, &kafka.MetadataRequest{})
		switch {
		case err != nil:
			lastErr = err
		case len(md.Brokers) == 0:
			lastErr = errors.New("metadata lists no brokers yet")
		case md.Controller.ID < 0 || md.Controller.Host == "":
			lastErr = errors.New("metadata names no controller yet")
		default:
			return md, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for kafka metadata from %s: %w (last error: %v)", addr, ctx.Err(), lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitTopicLeaders asks for the topic's metadata until it lists its
// partitions, each with a leader.
func waitTopicLeaders(ctx context.Context, client *kafka.Client, topic string, partitions int) error {
	var lastErr error
	for {
		md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		lastErr = err
		if err == nil {
			lastErr = fmt.Errorf("topic %s is not in the metadata yet", topic)
			for _, t := range md.Topics {
				if t.Name != topic {
					continue
				}
				lastErr = t.Error
				if lastErr == nil && len(t.Partitions) < partitions {
					lastErr = fmt.Errorf("topic %s lists %d of %d partitions", topic, len(t.Partitions), partitions)
				}
				for _, p := range t.Partitions {
					if lastErr == nil && (p.Error != nil || p.Leader.ID < 0 || p.Leader.Host == "") {
						lastErr = fmt.Errorf("partition %d of %s has no leader yet (%v)", p.ID, topic, p.Error)
					}
				}
			}
		}
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the partitions of %s to have leaders: %w (last: %v)", topic, ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func kafkaCheckCmd(args []string) error {
	fs := flag.NewFlagSet("kafka-check", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:19092", "Kafka bootstrap address")
	records := fs.Int("records", 2000, "records to produce and consume")
	timeout := fs.Duration("timeout", 60*time.Second, "deadline for the whole check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *records < 1 {
		return fmt.Errorf("-records must be at least 1, got %d", *records)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	return kafkaRoundTrip(ctx, *addr, *records)
}

// kafkaRoundTrip creates a three-partition topic, produces n keyed records
// with acks from all replicas, consumes them back in a consumer group with
// explicit commits, checks that every record came back intact and in order
// per key, and deletes the topic.
func kafkaRoundTrip(ctx context.Context, addr string, n int) error {
	md, err := waitKafkaMetadata(ctx, addr)
	if err != nil {
		return err
	}
	topic := fmt.Sprintf("earshot-testenv-probe-%d", time.Now().UnixNano())
	client := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 10 * time.Second}
	created, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: 3, ReplicationFactor: 1,
	}}})
	if err != nil {
		return fmt.Errorf("creating topic %s: %w", topic, err)
	}
	if err := created.Errors[topic]; err != nil {
		return fmt.Errorf("creating topic %s: %w", topic, err)
	}
	defer func() {
		// A fresh context: the check's own may have expired.
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		if res, err := client.DeleteTopics(dctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}}); err != nil {
			fmt.Fprintf(os.Stderr, "probe: deleting topic %s: %v\n", topic, err)
		} else if err := res.Errors[topic]; err != nil {
			fmt.Fprintf(os.Stderr, "probe: deleting topic %s: %v\n", topic, err)
		}
	}()

	// A topic just created is not yet known to every part of a broker
	// that has only started (its partitions' leaders come a moment
	// later); producing at once was refused with "Unknown Topic Or
	// Partition" on a loaded CI machine.
	if err := waitTopicLeaders(ctx, client, topic, 3); err != nil {
		return err
	}

	const keys = 16
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		// Multilingual payloads: the broker must carry UTF-8 bytes untouched.
		msgs[i] = kafka.Message{
			Key:   []byte("author-" + strconv.Itoa(i%keys)),
			Value: []byte(fmt.Sprintf(`{"seq":%d,"text":"Dostawa szybka · Piegāde ātra · 配送很快 · entrega rápida #%d"}`, i, i)),
		}
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(addr),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		BatchSize:    500,
		Compression:  kafka.Snappy,
	}
	start := time.Now()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		_ = w.Close()
		return fmt.Errorf("producing %d records to %s: %w", n, topic, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("closing producer: %w", err)
	}
	produced := time.Since(start)

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     []string{addr},
		GroupID:     topic + "-group",
		Topic:       topic,
		StartOffset: kafka.FirstOffset,
		MaxWait:     100 * time.Millisecond,
	})
	defer r.Close()
	start = time.Now()
	lastSeq := make(map[string]int, keys)
	seen := make(map[int]bool, n)
	pending := make([]kafka.Message, 0, 250) // committed in batches, as a stage would
	for len(seen) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("consuming %s after %d of %d records: %w", topic, len(seen), n, err)
		}
		var body struct {
			Seq  int    `json:"seq"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(m.Value, &body); err != nil {
			return fmt.Errorf("decoding record at partition %d offset %d: %w", m.Partition, m.Offset, err)
		}
		if want := string(msgs[body.Seq].Value); string(m.Value) != want {
			return fmt.Errorf("record %d came back altered: %q", body.Seq, m.Value)
		}
		key := string(m.Key)
		if prev, ok := lastSeq[key]; ok && body.Seq <= prev {
			return fmt.Errorf("key %s out of order: seq %d after %d", key, body.Seq, prev)
		}
		lastSeq[key] = body.Seq
		seen[body.Seq] = true
		pending = append(pending, m)
		if len(pending) == cap(pending) || len(seen) == n {
			if err := r.CommitMessages(ctx, pending...); err != nil {
				return fmt.Errorf("committing offsets after %d records: %w", len(seen), err)
			}
			pending = pending[:0]
		}
	}
	consumed := time.Since(start)
	fmt.Printf("kafka ok at %s (cluster %s): topic %s, %d records produced in %s, consumed and committed in %s\n",
		addr, md.ClusterID, topic, n, produced.Round(time.Millisecond), consumed.Round(time.Millisecond))
	return nil
}

func esCheckCmd(args []string) error {
	fs := flag.NewFlagSet("es-check", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:19200", "Elasticsearch HTTP address")
	timeout := fs.Duration("timeout", 60*time.Second, "deadline for the whole check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	return esRoundTrip(ctx, *url)
}

// esDoc is what es-check indexes: short multilingual mentions.
type esDoc struct {
	Text     string `json:"text"`
	Language string `json:"language"`
	Source   string `json:"source"`
	Created  string `json:"created_at"`
}

// esRoundTrip creates an index with an explicit mapping, bulk-indexes a few
// multilingual documents, searches them (full text, keyword filter, terms
// facet), checks the answers, and deletes the index.
func esRoundTrip(ctx context.Context, url string) error {
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{url}})
	if err != nil {
		return fmt.Errorf("creating client: %w", err)
	}
	health, err := es.Cluster.Health(es.Cluster.Health.WithContext(ctx),
		es.Cluster.Health.WithWaitForStatus("yellow"), es.Cluster.Health.WithTimeout(30*time.Second))
	var h struct {
		Cluster string `json:"cluster_name"`
		Status  string `json:"status"`
	}
	if err := decodeES(health, err, &h); err != nil {
		return fmt.Errorf("reading cluster health: %w", err)
	}
	nodes, err := es.Nodes.Info(es.Nodes.Info.WithContext(ctx), es.Nodes.Info.WithNodeID("_local"))
	var ni struct {
		Nodes map[string]struct {
			Version string `json:"version"`
		} `json:"nodes"`
	}
	if err := decodeES(nodes, err, &ni); err != nil {
		return fmt.Errorf("reading node info: %w", err)
	}
	version := "unknown"
	for _, n := range ni.Nodes {
		version = n.Version
	}

	index := fmt.Sprintf("earshot-testenv-probe-%d", time.Now().UnixNano())
	mapping := `{"settings":{"number_of_shards":1,"number_of_replicas":0},
	  "mappings":{"dynamic":"strict","properties":{
	    "text":{"type":"text"},"language":{"type":"keyword"},
	    "source":{"type":"keyword"},"created_at":{"type":"date"}}}}`
	res, err := es.Indices.Create(index, es.Indices.Create.WithContext(ctx),
		es.Indices.Create.WithBody(strings.NewReader(mapping)))
	if err := decodeES(res, err, nil); err != nil {
		return fmt.Errorf("creating index %s: %w", index, err)
	}
	defer func() {
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		res, err := es.Indices.Delete([]string{index}, es.Indices.Delete.WithContext(dctx))
		if err := decodeES(res, err, nil); err != nil {
			fmt.Fprintf(os.Stderr, "probe: deleting index %s: %v\n", index, err)
		}
	}()

	docs := []esDoc{
		{"Dostawa była szybka, polecam", "pl", "reviews", "2026-11-01T10:00:00Z"},
		{"Piegāde bija ātra, paldies", "lv", "forms", "2026-11-02T10:00:00Z"},
		{"配送很快，客服很好", "zh", "social", "2026-11-03T10:00:00Z"},
		{"A entrega foi rápida", "pt", "reviews", "2026-11-04T10:00:00Z"},
		{"Delivery was slow, support was great", "en", "social", "2026-11-05T10:00:00Z"},
	}
	var bulk bytes.Buffer
	for i, d := range docs {
		fmt.Fprintf(&bulk, `{"index":{"_index":%q,"_id":"doc-%d"}}`+"\n", index, i)
		line, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encoding document %d: %w", i, err)
		}
		bulk.Write(line)
		bulk.WriteByte('\n')
	}
	res, err = es.Bulk(&bulk, es.Bulk.WithContext(ctx), es.Bulk.WithRefresh("true"))
	var br struct {
		Errors bool             `json:"errors"`
		Items  []map[string]any `json:"items"`
	}
	if err := decodeES(res, err, &br); err != nil {
		return fmt.Errorf("bulk indexing: %w", err)
	}
	if br.Errors || len(br.Items) != len(docs) {
		return fmt.Errorf("bulk indexing: errors=%v, %d items for %d documents: %v", br.Errors, len(br.Items), len(docs), br.Items)
	}

	type searchResult struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
		Aggregations struct {
			Source struct {
				Buckets []struct {
					Key   string `json:"key"`
					Count int    `json:"doc_count"`
				} `json:"buckets"`
			} `json:"source"`
		} `json:"aggregations"`
	}
	search := func(body string) (searchResult, error) {
		var sr searchResult
		res, err := es.Search(es.Search.WithContext(ctx), es.Search.WithIndex(index),
			es.Search.WithBody(strings.NewReader(body)))
		return sr, decodeES(res, err, &sr)
	}

	// Full text in Chinese: the standard analyser splits CJK into single
	// characters, so a two-character word matches as a phrase.
	sr, err := search(`{"query":{"match_phrase":{"text":"配送"}}}`)
	if err != nil {
		return fmt.Errorf("searching Chinese text: %w", err)
	}
	if sr.Hits.Total.Value != 1 || sr.Hits.Hits[0].ID != "doc-2" {
		return fmt.Errorf("searching Chinese text: want doc-2 only, got %+v", sr.Hits)
	}
	// Full text in Latvian with diacritics, filtered by language.
	sr, err = search(`{"query":{"bool":{"must":{"match":{"text":"ātra"}},"filter":{"term":{"language":"lv"}}}}}`)
	if err != nil {
		return fmt.Errorf("searching Latvian text: %w", err)
	}
	if sr.Hits.Total.Value != 1 || sr.Hits.Hits[0].ID != "doc-1" {
		return fmt.Errorf("searching Latvian text: want doc-1 only, got %+v", sr.Hits)
	}
	// A facet over every document.
	sr, err = search(`{"size":0,"aggs":{"source":{"terms":{"field":"source"}}}}`)
	if err != nil {
		return fmt.Errorf("counting by source: %w", err)
	}
	counts := map[string]int{}
	for _, b := range sr.Aggregations.Source.Buckets {
		counts[b.Key] = b.Count
	}
	if sr.Hits.Total.Value != len(docs) || counts["reviews"] != 2 || counts["social"] != 2 || counts["forms"] != 1 {
		return fmt.Errorf("counting by source: total %d, buckets %v", sr.Hits.Total.Value, counts)
	}

	fmt.Printf("elasticsearch ok at %s: version %s, cluster %s (%s), index %s: %d documents indexed, searched and faceted\n",
		url, version, h.Cluster, h.Status, index, len(docs))
	return nil
}

// decodeES turns a go-elasticsearch call's (response, error) pair into one
// error, decoding a successful JSON body into out when out is not nil.
func decodeES(res *esapi.Response, err error, out any) error {
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return fmt.Errorf("%s: %s", res.Status(), msg)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding response: %w", err)
	}
	return nil
}
