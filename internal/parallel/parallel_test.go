package parallel

import (
	"runtime"
	"sync"
	"testing"
)

func TestChunksCoverEveryItemOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, 63, 64, 127, 128, 129, 1000, 1001} {
		seen := make([]int, n)
		var mu sync.Mutex
		calls := 0
		Chunks(n, 64, func(lo, hi int) {
			mu.Lock()
			calls++
			mu.Unlock()
			if hi-lo < 64 && n >= 128 {
				t.Errorf("n=%d: chunk [%d,%d) shorter than 64", n, lo, hi)
			}
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: item %d seen %d times", n, i, c)
			}
		}
		want := min(max(n/64, 1), 4)
		if n == 0 {
			want = 0
		}
		if calls != want {
			t.Errorf("n=%d: %d calls, want %d", n, calls, want)
		}
	}
}

func TestSmallBatchIsOneCall(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var got [][2]int
	Chunks(100, 64, func(lo, hi int) { got = append(got, [2]int{lo, hi}) })
	if len(got) != 1 || got[0] != [2]int{0, 100} {
		t.Fatalf("a batch under two chunks ran as %v, want one call over [0,100)", got)
	}
}
