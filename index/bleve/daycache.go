package bleve

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
)

// Counting searches the rollups cannot answer (a saved search's words, a
// top-authors facet) count every matching document, and a dashboard over
// a year of a busy search counts hundreds of thousands. Most of those
// documents sit in days no write has touched since the last count, so
// this cache keeps, per counting search and UTC day, what the day
// contributes (its matches, their histogram terms and the value counts of
// each facet asked for), and the next search over a range counts only the
// days that changed and the ragged ends that are not whole days.
//
// A day's entry is valid while the day's write generation is the one it
// was counted at. Every committed mention write (upserts, corrections,
// deletions, erasure, retention: they all go through commitMentions)
// bumps the generation of each day its documents had or now have, after
// the commit is visible; a failed commit, whose outcome is unknown, bumps
// the epoch, which every entry carries too. A count reads the generation
// before it searches, so a write landing meanwhile leaves an entry that
// the next lookup refuses. Results therefore equal counting
// (daycache_test.go compares both after each kind of write).
//
// Facet counts are kept whole per day, not as a top-N, so merged days
// give the exact top-N. The cache holds at most maxEntries facet values
// and histogram terms; the least recently used searches go first.
type dayCache struct {
	mu         sync.Mutex
	dicts      map[string]*valueDict // by facet name
	dictValues int
	era        uint64           // bumped when the dictionaries start afresh
	inflight   map[int64]int    // days a write is committing to: counts of them are not kept
	gen        map[int64]uint64 // UTC day start (unix seconds) → writes that touched it
	epoch      uint64
	searches   map[string]*cachedSearch
	entries    int
	maxEntries int
	tick       uint64
	hits, miss uint64
}

type cachedSearch struct {
	c       *index.Compiled // what it matches and counts, to count a write's new documents
	days    map[int64]*dayCounts
	used    uint64
	entries int
}

// dayCounts is what one UTC day (or a ragged end) contributes to a search.
// Facet values are numbered per facet (valueDict), so that summing a
// year of days is adding numbers in an array, not hashing a million
// author names.
type dayCounts struct {
	gen, epoch uint64
	total      int64
	hist       map[string]int64 // "2006010215|sentiment" → matches
	facets     map[string]idCounts
}

// idCounts are the counts of a facet's values by their number.
type idCounts struct {
	ids []uint32
	ns  []int64
}

func (d *dayCounts) size() int {
	n := len(d.hist) + 1
	for _, vs := range d.facets {
		n += len(vs.ids)
	}
	return n
}

func newDayCounts() *dayCounts {
	return &dayCounts{hist: map[string]int64{}, facets: map[string]idCounts{}}
}

// valueDict numbers the values of one facet. Numbers are never reused;
// the cache starts afresh when its dictionaries grow too large.
type valueDict struct {
	ids    map[string]uint32
	values []string
}

// daySum adds up days.
type daySum struct {
	total  int64
	hist   map[string]int64
	facets map[string][]int64 // facet → value number → matches
}

func (s *daySum) add(d *dayCounts) {
	s.total += d.total
	for k, n := range d.hist {
		s.hist[k] += n
	}
	for f, vc := range d.facets {
		acc := s.facets[f]
		need := len(acc)
		for _, id := range vc.ids {
			need = max(need, int(id)+1)
		}
		if need > len(acc) {
			acc = append(acc, make([]int64, need-len(acc))...)
		}
		for i, id := range vc.ids {
			acc[id] += vc.ns[i]
		}
		s.facets[f] = acc
	}
}

// DefaultQueryCacheEntries bounds the day cache (facet values and
// histogram terms, some 60 bytes each).
const DefaultQueryCacheEntries = 1_000_000

func newDayCache(maxEntries int) *dayCache {
	return &dayCache{gen: map[int64]uint64{}, searches: map[string]*cachedSearch{}, maxEntries: maxEntries, dicts: map[string]*valueDict{},
		inflight: map[int64]int{}}
}

// intern turns counted facet values into numbered counts.
func (c *dayCache) intern(facets map[string]map[string]int64) map[string]idCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dictValues > 4*max(c.maxEntries, 1) {
		// Values seen long ago pile up; number them afresh.
		c.dicts, c.dictValues, c.searches, c.entries = map[string]*valueDict{}, 0, map[string]*cachedSearch{}, 0
		c.era++
	}
	out := make(map[string]idCounts, len(facets))
	for f, vs := range facets {
		d := c.dicts[f]
		if d == nil {
			d = &valueDict{ids: map[string]uint32{}}
			c.dicts[f] = d
		}
		ic := idCounts{ids: make([]uint32, 0, len(vs)), ns: make([]int64, 0, len(vs))}
		for v, n := range vs {
			id, ok := d.ids[v]
			if !ok {
				id = uint32(len(d.values))
				d.ids[v] = id
				d.values = append(d.values, v)
				c.dictValues++
			}
			ic.ids = append(ic.ids, id)
			ic.ns = append(ic.ns, n)
		}
		out[f] = ic
	}
	return out
}

// top is the n values of a facet with the most matches, ties by value, as
// index.SortBuckets orders them; ok is false when the values were
// numbered afresh since era (the sum mixes numberings: count again).
func (c *dayCache) top(era uint64, facet string, acc []int64, n int) (_ []index.Bucket, ok bool) {
	c.mu.Lock()
	if c.era != era {
		c.mu.Unlock()
		return nil, false
	}
	d := c.dicts[facet]
	var values []string
	if d != nil {
		values = d.values[:len(d.values):len(d.values)]
	}
	c.mu.Unlock()
	out := make([]index.Bucket, 0, n+1)
	before := func(a, b index.Bucket) bool {
		return a.Count > b.Count || (a.Count == b.Count && a.Value < b.Value)
	}
	for id, cnt := range acc {
		if cnt == 0 {
			continue
		}
		b := index.Bucket{Value: values[id], Count: cnt}
		if len(out) == n && !before(b, out[n-1]) {
			continue
		}
		i := len(out)
		for i > 0 && before(b, out[i-1]) {
			i--
		}
		out = slices.Insert(out, i, b)
		if len(out) > n {
			out = out[:n]
		}
	}
	return out, true
}

// A write's days are "in flight" from before its commit until its
// generation is bumped after it: counts made meanwhile are not kept (they
// may or may not see the write). A day the write only adds documents to
// keeps its entries, brought up to date by counting just the added
// documents (dayDeltas): a dashboard over today stays cheap while
// mentions stream in. Entries are replaced, never changed in place
// (searches read them without the lock).

// dayWrite is one write in flight.
type dayWrite struct {
	days  []int64
	era   uint64
	snaps []daySnap
}

// daySnap is an entry a write brings up to date.
type daySnap struct {
	key   string
	c     *index.Compiled
	day   int64
	entry *dayCounts
}

// beginWrite marks the write's days in flight and picks the entries of
// days it only adds to.
func (c *dayCache) beginWrite(dl *delta) *dayWrite {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &dayWrite{era: c.era}
	for d := range dl.days {
		w.days = append(w.days, d)
		c.inflight[d]++
		if dl.removed[d] || len(dl.added) == 0 {
			continue
		}
		for key, s := range c.searches {
			if e := s.days[d]; e != nil && e.gen == c.gen[d] && e.epoch == c.epoch && s.c != nil {
				w.snaps = append(w.snaps, daySnap{key: key, c: s.c, day: d, entry: e})
			}
		}
	}
	return w
}

// endWrite bumps the generation of the write's days and installs the
// entries brought up to date (updated[i] for w.snaps[i]; nil: none).
func (c *dayCache) endWrite(w *dayWrite, updated []*dayCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range w.days {
		c.gen[d]++
		if c.inflight[d]--; c.inflight[d] <= 0 {
			delete(c.inflight, d)
		}
	}
	if c.era != w.era {
		return
	}
	for i, e := range updated {
		sn := w.snaps[i]
		s := c.searches[sn.key]
		if e == nil || s == nil || s.days[sn.day] != sn.entry {
			continue
		}
		e.gen, e.epoch = c.gen[sn.day], c.epoch
		s.days[sn.day] = e
		s.entries += e.size() - sn.entry.size()
		c.entries += e.size() - sn.entry.size()
	}
}

// dayDeltas counts, for each entry a committed write brings up to date,
// the write's added documents it matches, and returns the entries plus
// those counts (nil where counting failed: the entry then goes stale).
// Caller holds wmu.
func (b *Backend) dayDeltas(ctx context.Context, w *dayWrite, added []string) []*dayCounts {
	if len(w.snaps) == 0 {
		return nil
	}
	out := make([]*dayCounts, len(w.snaps))
	tr := b.translator()
	ids := bq.NewDocIDQuery(added)
	byKey := map[string][]int{}
	for i, sn := range w.snaps {
		byKey[sn.key] = append(byKey[sn.key], i)
	}
	for _, is := range byKey {
		lo, hi := w.snaps[is[0]].day, w.snaps[is[0]].day
		for _, i := range is {
			lo, hi = min(lo, w.snaps[i].day), max(hi, w.snaps[i].day)
		}
		got, err := b.countDaysIn(ctx, tr, w.snaps[is[0]].c, time.Unix(lo, 0).UTC(), time.Unix(hi+day, 0).UTC(), ids)
		if err != nil {
			b.logger.Debug("counting a write for the day cache", "error", err)
			continue
		}
		for _, i := range is {
			sn := w.snaps[i]
			out[i] = sn.entry.plus(got[sn.day])
		}
	}
	return out
}

// plus is d with more counts added (a new entry; d is not changed).
func (d *dayCounts) plus(more *dayCounts) *dayCounts {
	out := &dayCounts{total: d.total, hist: make(map[string]int64, len(d.hist)), facets: make(map[string]idCounts, len(d.facets))}
	for k, n := range d.hist {
		out.hist[k] = n
	}
	if more == nil {
		for f, vc := range d.facets {
			out.facets[f] = vc
		}
		return out
	}
	out.total += more.total
	for k, n := range more.hist {
		out.hist[k] += n
	}
	for f := range mergeKeys(d.facets, more.facets) {
		sum := map[uint32]int64{}
		for _, vc := range []idCounts{d.facets[f], more.facets[f]} {
			for i, id := range vc.ids {
				sum[id] += vc.ns[i]
			}
		}
		vc := idCounts{ids: make([]uint32, 0, len(sum)), ns: make([]int64, 0, len(sum))}
		for id, n := range sum {
			vc.ids = append(vc.ids, id)
			vc.ns = append(vc.ns, n)
		}
		out.facets[f] = vc
	}
	return out
}

func mergeKeys(a, b map[string]idCounts) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// doubt records a write whose outcome is unknown: every entry is stale.
func (c *dayCache) doubt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
}

// lookup returns the valid entries of key for days, and the stamps to
// count the others at.
func (c *dayCache) lookup(key string, days []int64) (have map[int64]*dayCounts, stamps map[int64]dayStamp, era uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	have, stamps, era = map[int64]*dayCounts{}, map[int64]dayStamp{}, c.era
	s := c.searches[key]
	if s != nil {
		c.tick++
		s.used = c.tick
	}
	for _, d := range days {
		if s != nil {
			if e := s.days[d]; e != nil && e.gen == c.gen[d] && e.epoch == c.epoch {
				have[d] = e
				c.hits++
				continue
			}
		}
		c.miss++
		stamps[d] = dayStamp{gen: c.gen[d], epoch: c.epoch, keep: c.inflight[d] == 0}
	}
	return have, stamps, era
}

// dayStamp is the generation a day is counted at; keep is false while a
// write to it is in flight.
type dayStamp struct {
	gen, epoch uint64
	keep       bool
}

// store keeps freshly counted days, numbered in era, of the search cc.
func (c *dayCache) store(era uint64, key string, cc *index.Compiled, counted map[int64]*dayCounts) {
	if c.maxEntries <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.era != era {
		return
	}
	s := c.searches[key]
	if s == nil {
		s = &cachedSearch{days: map[int64]*dayCounts{}, c: cc}
		c.searches[key] = s
	}
	c.tick++
	s.used = c.tick
	for d, e := range counted {
		if old := s.days[d]; old != nil {
			s.entries -= old.size()
			c.entries -= old.size()
		}
		s.days[d] = e
		s.entries += e.size()
		c.entries += e.size()
	}
	for c.entries > c.maxEntries && len(c.searches) > 0 {
		var oldest string
		for k, v := range c.searches {
			if oldest == "" || v.used < c.searches[oldest].used {
				oldest = k
			}
		}
		c.entries -= c.searches[oldest].entries
		delete(c.searches, oldest)
	}
}

// dayCacheKey names a counting search independently of its range and
// page: what it matches and what it counts.
func dayCacheKey(r *index.SearchRequest, facets []string, textFields int) string {
	var sb strings.Builder
	sb.WriteString(strconv.Quote(r.Query))
	for _, f := range r.Filters {
		sb.WriteString("\x00f")
		sb.WriteString(strconv.Quote(f))
	}
	for _, f := range facets {
		sb.WriteString("\x00a")
		sb.WriteString(f)
	}
	fmt.Fprintf(&sb, "\x00t%d", textFields)
	return sb.String()
}

const day = int64(24 * 60 * 60)

// searchByDays answers a counting search (no hits) over a range holding
// at least one whole UTC day from the day cache, counting what it lacks.
// ok is false when the search is not of that kind.
func (b *Backend) searchByDays(ctx context.Context, r *index.SearchRequest, c *index.Compiled) (_ *index.SearchResult, ok bool, _ error) {
	if b.days == nil || b.days.maxEntries <= 0 || c.From.IsZero() || c.To.IsZero() || (c.Size > 0 && c.Sort == index.SortRelevance) {
		return nil, false, nil
	}
	loD, hiD := ceilDay(unixCeil(c.From)), floorDay(c.To.Unix())
	if hiD-loD < day {
		return nil, false, nil
	}
	for range 3 {
		res, err := b.sumDays(ctx, r, c, loD, hiD)
		if res != nil || err != nil {
			return res, true, err
		}
	}
	return nil, false, nil // the values kept being numbered afresh: count
}

// sumDays is searchByDays over the whole days [loD, hiD); nil when the
// facet values were numbered afresh meanwhile.
func (b *Backend) sumDays(ctx context.Context, r *index.SearchRequest, c *index.Compiled, loD, hiD int64) (*index.SearchResult, error) {
	tr := b.translator()
	key := dayCacheKey(r, c.Facets, len(tr.textFields))
	var days []int64
	for d := loD; d < hiD; d += day {
		days = append(days, d)
	}
	have, stamps, era := b.days.lookup(key, days)
	// The histogram's terms are hours, so the days' terms hardly overlap:
	// sizing the sum for all of them at once spares a year's range the
	// map's repeated growth (the largest part of summing it).
	terms := 0
	for _, e := range have {
		terms += len(e.hist)
	}
	sum := &daySum{hist: make(map[string]int64, terms), facets: map[string][]int64{}}
	for _, e := range have {
		sum.add(e)
	}
	// Count the missing days, a run of consecutive ones per search.
	counted := map[int64]*dayCounts{}
	for i := 0; i < len(days); {
		if _, ok := stamps[days[i]]; !ok {
			i++
			continue
		}
		j := i
		for j < len(days) {
			if _, ok := stamps[days[j]]; !ok {
				break
			}
			j++
		}
		got, err := b.countDays(ctx, tr, c, time.Unix(days[i], 0).UTC(), time.Unix(days[j-1]+day, 0).UTC())
		if err != nil {
			return nil, err
		}
		for _, d := range days[i:j] {
			e := got[d]
			if e == nil {
				e = newDayCounts()
			}
			st := stamps[d]
			e.gen, e.epoch = st.gen, st.epoch
			if st.keep {
				counted[d] = e
			}
			sum.add(e)
		}
		i = j
	}
	b.days.store(era, key, c, counted)
	// The ragged ends are counted every time.
	for _, rg := range [][2]time.Time{{c.From, time.Unix(loD, 0).UTC()}, {time.Unix(hiD, 0).UTC(), c.To}} {
		if !rg[0].Before(rg[1]) {
			continue
		}
		got, err := b.countDays(ctx, tr, c, rg[0], rg[1])
		if err != nil {
			return nil, err
		}
		for _, e := range got {
			sum.add(e)
		}
	}
	out := &index.SearchResult{Total: sum.total, Hits: []index.Hit{}}
	if c.Size > 0 {
		if err := b.rollupHits(ctx, c, hitWindowOf(sum.hist, c), out); err != nil {
			return nil, err
		}
	}
	if len(c.Facets) > 0 {
		out.Facets = map[string][]index.Bucket{}
		for _, f := range c.Facets {
			var ok bool
			if out.Facets[f], ok = b.days.top(era, f, sum.facets[f], c.FacetSize); !ok {
				return nil, nil
			}
		}
	}
	if c.Interval != "" {
		out.Interval = c.Interval
		var err error
		if out.Histogram, err = histogramOf(sum.hist, c.Interval); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hitWindowOf is hitWindow for a search counted by days: the matches per
// hour are in its histogram terms.
func hitWindowOf(hist map[string]int64, c *index.Compiled) bq.Query {
	if c.After != nil {
		return nil
	}
	perHour := map[string]int64{}
	for term, n := range hist {
		h, _, _ := strings.Cut(term, "|")
		perHour[h] += n
	}
	hours := make([]string, 0, len(perHour))
	for h := range perHour {
		hours = append(hours, h)
	}
	slices.Sort(hours)
	if c.Sort == index.SortNewest {
		slices.Reverse(hours)
	}
	need := int64(c.Size)
	for _, h := range hours {
		if need -= perHour[h]; need > 0 {
			continue
		}
		t, err := time.Parse("2006010215", h)
		if err != nil {
			return nil
		}
		if c.Sort == index.SortNewest {
			return timeRangeQuery(maxTime(t, c.From), c.To)
		}
		return timeRangeQuery(c.From, minTime(t.Add(time.Hour), c.To))
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// countDays counts c's matches in [from, to) in one pass over them,
// split by the UTC day of each match: its histogram term and the values
// of every facet c asks for, read from doc values as bleve's own facets
// read them.
func (b *Backend) countDays(ctx context.Context, tr translator, c *index.Compiled, from, to time.Time) (map[int64]*dayCounts, error) {
	return b.countDaysIn(ctx, tr, c, from, to, nil)
}

// countDaysIn is countDays among the documents also matching only (nil:
// every document).
func (b *Backend) countDaysIn(ctx context.Context, tr translator, c *index.Compiled, from, to time.Time, only bq.Query) (map[int64]*dayCounts, error) {
	var within bq.Query = timeRangeQuery(from, to)
	if only != nil {
		within = bq.NewConjunctionQuery([]bq.Query{only, within})
	}
	req := bleve.NewSearchRequestOptions(tr.buildQueryIn(c, false, within), 0, 0, false)
	req.Score = "none"
	fields := []string{fieldHistHour}
	facetOf := map[string]string{}
	for _, f := range c.Facets {
		field := index.FacetFields[f]
		fields = append(fields, field)
		facetOf[field] = f
	}
	out := map[int64]*dayCounts{}
	byValue := map[int64]map[string]map[string]int64{} // day → facet → value → matches
	var visitErr error
	handler := func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		dvr, err := sc.IndexReader.DocValueReader(fields)
		if err != nil {
			return nil, false, err
		}
		var lastDay string
		var cur *dayCounts
		var curValues map[string]map[string]int64
		var doc []struct {
			field string
			term  string
		}
		visit := func(field string, term []byte) {
			doc = append(doc, struct {
				field string
				term  string
			}{field, string(term)})
		}
		return func(dm *search.DocumentMatch) error {
			if dm == nil {
				return nil
			}
			doc = doc[:0]
			if err := dvr.VisitDocValues(dm.IndexInternalID, visit); err != nil {
				return err
			}
			sc.DocumentMatchPool.Put(dm)
			// The day comes from the histogram term, which every mention has.
			var dc *dayCounts
			for _, v := range doc {
				if v.field != fieldHistHour {
					continue
				}
				if len(v.term) < 8 {
					visitErr = fmt.Errorf("reading histogram term %q: too short", v.term)
					return visitErr
				}
				if v.term[:8] != lastDay || cur == nil {
					ts, err := time.Parse("20060102", v.term[:8])
					if err != nil {
						visitErr = fmt.Errorf("reading histogram term %q: %w", v.term, err)
						return visitErr
					}
					k := ts.Unix()
					if cur = out[k]; cur == nil {
						cur = newDayCounts()
						out[k] = cur
						byValue[k] = map[string]map[string]int64{}
					}
					curValues = byValue[k]
					lastDay = v.term[:8]
				}
				dc = cur
				dc.hist[v.term]++
			}
			if dc == nil {
				return nil // no time: outside every range, never matched
			}
			dc.total++
			for _, v := range doc {
				f, ok := facetOf[v.field]
				if !ok {
					continue
				}
				m := curValues[f]
				if m == nil {
					m = map[string]int64{}
					curValues[f] = m
				}
				m[v.term]++
			}
			return nil
		}, false, nil
	}
	var mk search.MakeDocumentMatchHandler = handler
	if _, err := b.mentions.SearchInContext(context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, mk), req); err != nil {
		return nil, fmt.Errorf("counting mentions by day: %w", err)
	}
	if visitErr != nil {
		return nil, visitErr
	}
	for k, dc := range out {
		dc.facets = b.days.intern(byValue[k])
	}
	return out, nil
}
