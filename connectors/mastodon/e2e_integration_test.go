package mastodon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/es"
	"github.com/earshothq/earshot/index/stage"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// A post travels connector → raw → enrich → enriched → index; its edit
// replaces the text and the analysis in the index, its deletion removes it
// from search. On the embedded broker and bleve always, on real Kafka and
// Elasticsearch when EARSHOT_TEST_KAFKA / EARSHOT_TEST_ES are set.
func TestIntegrationDeletionsAndEditsReachTheIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	cl := pipelinetest.New(t)
	backend := testIndex(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 3)
	var running int
	t.Cleanup(func() {
		cancel()
		for ; running > 0; running-- {
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("stopping: %v", err)
			}
		}
	})

	a, err := analysis.New(analysis.DefaultConfig(), logger)
	if err != nil {
		t.Fatal(err)
	}
	r, err := identity.New(identity.DefaultConfig(), logger)
	if err != nil {
		t.Fatal(err)
	}
	enr := &enrich.Stage{Analyzer: a, Resolver: r, Logger: logger}
	idx, err := stage.New(backend, cl.Kafka.Topics(), stage.DefaultConfig(), logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	running += 2
	go func() { done <- enrich.Run(ctx, cl.Kafka, enr) }()
	go func() { done <- idx.Run(ctx, cl.Kafka) }()

	f := newFakeMastodon(t)
	store, err := cl.Kafka.OpenCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	c := newTest(t, testConfig(f, nil), connectors.Deps{Name: "masto-e2e", Logger: logger, Checkpoints: store})
	producer := cl.Kafka.NewProducer("masto-e2e", 0)
	t.Cleanup(func() { _ = producer.Close() })
	runner := &connectors.Runner{Name: "masto-e2e", Connector: c, Publisher: cl.Kafka.NewRawPublisher(producer), Logger: logger,
		MaxInFlight: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 500 * time.Millisecond, ShutdownTimeout: 15 * time.Second}
	running++
	go func() { done <- runner.Run(ctx) }()
	waitFor(t, "the hashtag stream", func() bool { return f.streamCount() >= 1 })

	st := f.publish(post{author: "ola", lang: "en", tags: []string{"earshot"},
		html: "<p>I love my new #earshot zyxkettle, it is wonderful and fast!</p>"})
	keep := f.publish(post{author: "jan", lang: "en", tags: []string{"earshot"}, html: "<p>#earshot qwvteapot works</p>"})
	id := record.RecordID(Type, st.uri())
	got := waitIndexed(t, backend, id, func(m *record.EnrichedMention) bool { return true })
	if got.Analysis.Sentiment == nil || got.Analysis.Sentiment.Label != record.SentimentPositive {
		t.Fatalf("first version analysed as %+v, want positive", got.Analysis.Sentiment)
	}

	f.edit(st, "<p>My #earshot zyxkettle broke after one day. Terrible, awful quality, I want a refund.</p>", time.Now(), false)
	got = waitIndexed(t, backend, id, func(m *record.EnrichedMention) bool { return m.Fields["edited_at"] != "" })
	if got.Analysis.Sentiment == nil || got.Analysis.Sentiment.Label != record.SentimentNegative {
		t.Fatalf("edited version analysed as %+v, want negative", got.Analysis.Sentiment)
	}
	if hits := searchTotal(t, backend, "wonderful"); hits != 0 {
		t.Fatalf("the text before the edit is still found (%d hits)", hits)
	}
	if hits := searchTotal(t, backend, "zyxkettle"); hits != 1 {
		t.Fatalf("%d hits for the edited post, want 1 (updated in place)", hits)
	}

	f.remove(st, false)
	deadline := time.Now().Add(60 * time.Second)
	for searchTotal(t, backend, "zyxkettle") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the deleted post is still found after 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := backend.GetMention(context.Background(), id); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("the deleted post is still readable: %v", err)
	}
	waitIndexed(t, backend, record.RecordID(Type, keep.uri()), func(*record.EnrichedMention) bool { return true })
}

// testIndex is real Elasticsearch when EARSHOT_TEST_ES is set, else bleve.
func testIndex(t *testing.T) index.Backend {
	t.Helper()
	if addr := os.Getenv("EARSHOT_TEST_ES"); addr != "" {
		cfg := es.DefaultConfig()
		cfg.Addresses = []string{addr}
		cfg.Replicas = 0
		cfg.IndexPrefix = fmt.Sprintf("earshot-masto-%d", time.Now().UnixNano()%1e9)
		b, err := es.Open(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			req, _ := http.NewRequest(http.MethodDelete, addr+"/"+cfg.IndexPrefix+"-*", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			b.Close()
		})
		return b
	}
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func waitIndexed(t *testing.T, b index.Backend, id string, ok func(*record.EnrichedMention) bool) *record.EnrichedMention {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_ = b.Refresh(context.Background())
		m, err := b.GetMention(context.Background(), id)
		if err == nil && ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("mention %s not indexed as expected after 60s (last: %v)", id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func searchTotal(t *testing.T, b index.Backend, q string) int64 {
	t.Helper()
	_ = b.Refresh(context.Background())
	res, err := b.Search(context.Background(), &index.SearchRequest{Query: q, Size: 1})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res.Total
}
