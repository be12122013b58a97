package es

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
)

var prefixSeq atomic.Int64

// newRealBackend connects to EARSHOT_TEST_ES with a fresh index prefix and
// removes everything it created afterwards.
func newRealBackend(t *testing.T) index.Backend {
	t.Helper()
	addr := os.Getenv("EARSHOT_TEST_ES")
	if addr == "" {
		t.Skip("EARSHOT_TEST_ES is not set; the contract runs against the embedded backend only")
	}
	cfg := Defaults()
	cfg.Addresses = []string{addr}
	cfg.Replicas = 0
	cfg.IndexPrefix = fmt.Sprintf("earshot-test-%d-%d", time.Now().UnixNano()%1e9, prefixSeq.Add(1))
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.EnsureSchema(ctx); err != nil {
		t.Fatalf("ensuring schema on %s: %v", addr, err)
	}
	t.Cleanup(func() {
		b.do(ctx, esapi.IndicesDeleteRequest{Index: []string{cfg.IndexPrefix + "-*"}}, nil)
		b.do(ctx, esapi.IndicesDeleteIndexTemplateRequest{Name: cfg.IndexPrefix + "-*"}, nil)
		b.Close()
	})
	return b
}

func TestIntegrationContract(t *testing.T) { contract.Run(t, newRealBackend) }

// TestIntegrationLatvianStemming checks what only Elasticsearch has: a
// Latvian analyser ("piegāde" finds "piegādes").
func TestIntegrationLatvianStemming(t *testing.T) {
	b := newRealBackend(t)
	ctx := context.Background()
	if errs := b.UpsertMentions(ctx, contract.Mentions()); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := b.Search(ctx, &index.SearchRequest{Query: "piegāde"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Fatalf("piegāde matched %d mentions; want lv1 and lv2", res.Total)
	}
}
