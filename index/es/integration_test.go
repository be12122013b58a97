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
	"github.com/earshothq/earshot/record"
)

// EnvES names the environment variable holding a real cluster's address.
const EnvES = "EARSHOT_TEST_ES"

var prefixSeq atomic.Int64

// realConfig is a configuration for EARSHOT_TEST_ES with a fresh index
// prefix; it skips the test when the variable is not set.
func realConfig(t testing.TB) Config {
	t.Helper()
	addr := os.Getenv(EnvES)
	if addr == "" {
		t.Skip(EnvES + " is not set; the contract runs against the embedded backend only")
	}
	cfg := DefaultConfig()
	cfg.Addresses = []string{addr}
	cfg.Replicas = 0
	cfg.IndexPrefix = fmt.Sprintf("earshot-test-%d-%d", time.Now().UnixNano()%1e9, prefixSeq.Add(1))
	return cfg
}

// openReal opens a backend for cfg, ensures its schema and removes
// everything it created when the test ends.
func openReal(t testing.TB, cfg Config) *Backend {
	t.Helper()
	b, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.EnsureSchema(ctx); err != nil {
		t.Fatalf("ensuring schema on %s: %v", cfg.Addresses[0], err)
	}
	t.Cleanup(func() {
		b.do(ctx, esapi.IndicesDeleteRequest{Index: []string{cfg.IndexPrefix + "-*"}}, nil)
		b.do(ctx, esapi.IndicesDeleteIndexTemplateRequest{Name: cfg.IndexPrefix + "-*"}, nil)
		b.Close()
	})
	return b
}

func newRealBackend(t *testing.T) *Backend { return openReal(t, realConfig(t)) }

func TestIntegrationContract(t *testing.T) {
	contract.Run(t, func(t *testing.T) index.Backend { return newRealBackend(t) })
}

func mustLoad(t testing.TB, b index.Backend, ms []*record.EnrichedMention) {
	t.Helper()
	ctx := context.Background()
	for i, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatalf("upserting %s: %v", ms[i].ID, err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

func totalOf(t testing.TB, b index.Backend, q string) int64 {
	t.Helper()
	res, err := b.Search(context.Background(), &index.SearchRequest{Query: q, Size: 1})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res.Total
}

// TestIntegrationWithoutCompatibilityMode: the plain 8.x media types work
// too (the default sends compatible-with=8, which the contract covers).
func TestIntegrationWithoutCompatibilityMode(t *testing.T) {
	cfg := realConfig(t)
	cfg.CompatibilityMode = false
	b := openReal(t, cfg)
	mustLoad(t, b, contract.Mentions())
	if n := totalOf(t, b, "entrega OR 快递"); n != 3 {
		t.Fatalf("entrega OR 快递 matched %d; want pt1, pt2, zh1", n)
	}
}

// TestIntegrationLatvianStemming checks what only a cluster with a Latvian
// analyser has: "piegāde" finds "piegādes".
func TestIntegrationLatvianStemming(t *testing.T) {
	b := newRealBackend(t)
	if _, ok := b.plan.Load().Native["lv"]; !ok {
		t.Skipf("the cluster has no latvian analyser (%s); Latvian is searched by exact words and prefixes", b.plan.Load().summary())
	}
	mustLoad(t, b, contract.Mentions())
	if n := totalOf(t, b, "piegāde"); n != 2 {
		t.Fatalf("piegāde matched %d mentions; want lv1 and lv2", n)
	}
}

// TestIntegrationPolishStemming: Polish has no analyser in a default
// distribution; Earshot stems it itself, so inflected forms find each other.
func TestIntegrationPolishStemming(t *testing.T) {
	b := newRealBackend(t)
	mustLoad(t, b, contract.Mentions())
	if n := totalOf(t, b, "zamówienia"); n != 2 {
		t.Fatalf("zamówienia matched %d mentions; want pl1 (zamówienie) and pl2 (zamówienia)", n)
	}
}

// personMentions makes n mentions of customer C9 spread over three months,
// and as many of other people.
func personMentions(n int) (mine, others []*record.EnrichedMention) {
	base := contract.Mentions()
	for i := range 2 * n {
		m := *base[i%len(base)]
		m.ID = fmt.Sprintf("pm-%04d", i)
		m.SourceID = m.ID
		m.CreatedAt = contract.T0.AddDate(0, i%3, 0).Add(time.Duration(i) * time.Minute)
		m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: "C9"}
		if i%2 == 1 {
			m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: "C8"}
			others = append(others, &m)
			continue
		}
		mine = append(mine, &m)
	}
	return mine, others
}

// TestIntegrationErasurePagesThroughEveryMonth: erasure without
// _delete_by_query pages with search_after through more mentions than one
// page holds, across monthly indices, and leaves other people alone.
func TestIntegrationErasurePagesThroughEveryMonth(t *testing.T) {
	b := newRealBackend(t)
	b.erasePage = 7
	mine, others := personMentions(40)
	mustLoad(t, b, append(mine, others...))
	n, err := b.DeletePerson(context.Background(), index.Person{CustomerID: "C9"})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(mine) {
		t.Fatalf("deleted %d mentions; want %d", n, len(mine))
	}
	if got := totalOf(t, b, "customer:C9"); got != 0 {
		t.Fatalf("%d mentions of C9 left", got)
	}
	if got := totalOf(t, b, "customer:C8"); got != int64(len(others)) {
		t.Fatalf("%d mentions of C8 left; want %d", got, len(others))
	}
	// Erasing again finds nothing and is not an error.
	if n, err := b.DeletePerson(context.Background(), index.Person{CustomerID: "C9"}); err != nil || n != 0 {
		t.Fatalf("second erasure: %d, %v", n, err)
	}
}

// TestIntegrationDropMentionsBefore: old months go as whole indices and the
// alias keeps answering for the rest.
func TestIntegrationDropMentionsBefore(t *testing.T) {
	b := newRealBackend(t)
	mine, others := personMentions(12)
	all := append(mine, others...)
	mustLoad(t, b, all)
	cutoff := contract.T0.AddDate(0, 2, 0) // the third month stays
	dropped, err := b.DropMentionsBefore(context.Background(), cutoff)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{b.MentionIndex(contract.T0), b.MentionIndex(contract.T0.AddDate(0, 1, 0))}
	if fmt.Sprint(dropped) != fmt.Sprint(want) {
		t.Fatalf("dropped %v; want %v", dropped, want)
	}
	var kept int64
	for _, m := range all {
		if !m.CreatedAt.Before(cutoff) {
			kept++
		}
	}
	if got := totalOf(t, b, ""); got != kept {
		t.Fatalf("%d mentions after dropping; want %d", got, kept)
	}
}
