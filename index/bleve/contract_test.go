package bleve

import (
	"context"
	"testing"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
)

func newTestBackend(t *testing.T) index.Backend {
	t.Helper()
	b, err := Open(Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestContract(t *testing.T) { contract.Run(t, newTestBackend) }

// TestPolishStemming checks what only the embedded index has: a Polish
// stemmer, so an inflected form finds the others.
func TestPolishStemming(t *testing.T) {
	b := newTestBackend(t)
	ctx := context.Background()
	for _, err := range b.UpsertMentions(ctx, contract.Mentions()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.Search(ctx, &index.SearchRequest{Query: "zamówienia"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Fatalf("zamówienia matched %d mentions; want pl1 (zamówienie) and pl2 (zamówienia)", res.Total)
	}
}

func TestReopenKeepsDocumentsAndChecksSchema(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(Config{Path: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range b.UpsertMentions(context.Background(), contract.Mentions()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b, err = Open(Config{Path: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n, _, err := b.DocCount()
	if err != nil || n != uint64(len(contract.Mentions())) {
		t.Fatalf("after reopening: %d mentions, %v", n, err)
	}
}
