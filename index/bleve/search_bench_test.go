package bleve

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/index/synth"
)

// benchSearchDocs is the corpus of BenchmarkSearch: big enough for facets
// and time ranges to do real work, small enough for `make bench`. The
// 1,000,000-mention figures come from `go run ./bench/index`.
const benchSearchDocs = 50000

// benchIndex is built once per test binary, on disk, and removed by
// TestMain.
var benchIndex struct {
	once sync.Once
	dir  string
	be   *Backend
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchIndex.be != nil {
		benchIndex.be.Close()
	}
	if benchIndex.dir != "" {
		os.RemoveAll(benchIndex.dir)
	}
	os.Exit(code)
}

func searchBenchBackend(b *testing.B) *Backend {
	benchIndex.once.Do(func() {
		dir, err := os.MkdirTemp("", "earshot-bleve-bench-")
		if err != nil {
			benchIndex.err = err
			return
		}
		benchIndex.dir = dir
		be, err := Open(Config{Path: dir}, nil, nil)
		if err != nil {
			benchIndex.err = err
			return
		}
		benchIndex.be = be
		gen := synth.New(synth.Config{Seed: 1, Count: benchSearchDocs})
		for done := 0; done < benchSearchDocs; done += 1000 {
			for _, err := range be.UpsertMentions(context.Background(), gen.Batch(1000)) {
				if err != nil {
					benchIndex.err = err
					return
				}
			}
		}
	})
	if benchIndex.err != nil {
		b.Fatal(benchIndex.err)
	}
	return benchIndex.be
}

// BenchmarkSearch runs each listening query shape (synth.Shapes) over
// 50,000 generated mentions and reports its latency percentiles; a shape
// with pages reports the latency per page.
func BenchmarkSearch(b *testing.B) {
	be := searchBenchBackend(b)
	cfg := synth.DefaultConfig()
	cfg.Count = benchSearchDocs
	for _, s := range synth.Shapes {
		b.Run(s.Name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 99))
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				req := s.Make(rng, cfg)
				for p := 0; p < max(s.Pages, 1); p++ {
					t0 := time.Now()
					res, err := be.Search(context.Background(), &req)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					if res.Next == "" {
						break
					}
					req.Cursor = res.Next
				}
			}
			slices.Sort(lat)
			at := func(p int) float64 {
				return float64(lat[min(len(lat)-1, len(lat)*p/100)]) / float64(time.Millisecond)
			}
			b.ReportMetric(at(50), "p50-ms")
			b.ReportMetric(at(99), "p99-ms")
		})
	}
}
