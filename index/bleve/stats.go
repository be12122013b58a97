package bleve

import "github.com/blevesearch/bleve/v2/index/scorch"

// DayCacheStats says how the day cache has served counting searches: days
// read from it, days counted, and what it holds now (for benchmarks and
// debugging).
type DayCacheStats struct {
	Hits, Misses      uint64
	Searches, Entries int
}

// DayCacheStats reports the day cache's use so far.
func (b *Backend) DayCacheStats() DayCacheStats {
	if b.days == nil {
		return DayCacheStats{}
	}
	b.days.mu.Lock()
	defer b.days.mu.Unlock()
	return DayCacheStats{Hits: b.days.hits, Misses: b.days.miss, Searches: len(b.days.searches), Entries: b.days.entries}
}

// MergesDone is how many background segment merges of the mention index
// have ended and whether one is running now: a benchmark waits for them
// to settle after a bulk build, whose merges would otherwise be measured
// as the cost of what runs beside them.
func (b *Backend) MergesDone() (done uint64, running bool) {
	raw, err := b.mentions.Advanced()
	if err != nil {
		return 0, false
	}
	s, ok := raw.(*scorch.Scorch)
	if !ok {
		return 0, false
	}
	st := s.StatsMap()
	beg, _ := st["TotFileMergeZapBeg"].(uint64)
	end, _ := st["TotFileMergeZapEnd"].(uint64)
	return end, beg != end
}
