package stage

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/es"
)

// realES opens a backend on the node EARSHOT_TEST_ES names, under a fresh
// index prefix, with its schema, and deletes its indices and templates when
// the test or benchmark ends; without the variable it skips, saying why.
func realES(tb testing.TB, prefix, without string) *es.Backend {
	tb.Helper()
	addr := os.Getenv("EARSHOT_TEST_ES")
	if addr == "" {
		tb.Skip("EARSHOT_TEST_ES is not set; " + without)
	}
	cfg := es.DefaultConfig()
	cfg.Addresses = []string{addr}
	cfg.Replicas = 0
	cfg.IndexPrefix = fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9)
	b, err := es.Open(cfg, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		b.Close()
		for _, path := range []string{"/" + cfg.IndexPrefix + "-*", "/_index_template/" + cfg.IndexPrefix + "-*"} {
			req, _ := http.NewRequest(http.MethodDelete, addr+path, nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
	})
	if err := b.EnsureSchema(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return b
}
