// Package parallel spreads the independent items of a batch over the CPUs.
package parallel

import (
	"runtime"
	"sync"
)

// Chunks calls fn on contiguous ranges [lo, hi) that together cover
// [0, n), at most one per CPU and none shorter than minChunk, and returns
// once every call has returned. A batch of fewer than 2×minChunk items is
// one call on the caller's goroutine, so a small batch (a form post) pays
// for no hand-off. fn must only touch its own range of whatever it fills.
func Chunks(n, minChunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if most := n / max(minChunk, 1); most < workers {
		workers = most
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	size := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := size; lo < n; lo += size {
		wg.Go(func() { fn(lo, min(lo+size, n)) })
	}
	fn(0, size)
	wg.Wait()
}
