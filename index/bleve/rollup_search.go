package bleve

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
)

// A search is answered from the rollups when what it counts can be read
// from them: no full-text words, filters only on sentiment plus at most one
// facet value (brand:acme), facets over every field when there is no such
// value filter (over sentiment alone when there is), a time-sorted page of
// hits. The time range is cut into whole days (day counts), whole hours
// (hour counts) and the ragged ends of less than an hour, or of the partial
// days when their hours keep no per-value counts, which are counted
// exactly with the same query. So the whole-year overview reads a few
// hundred day counts instead of a million documents, and the result is the
// same as counting: the contract and rollup tests compare both. Anything
// else (text queries, other filters, short ranges) counts exactly.

// minRollupSpan is the least part of a range the counts must answer for a
// search to use them rather than count exactly.
const minRollupSpan = 2 * time.Hour

// rollupPlan is how one search reads the counts.
type rollupPlan struct {
	sents    map[string]bool // nil: every sentiment
	dim      *dimValue       // nil: no facet-value filter
	lo, hi   int64           // the range (unix seconds), open ends closed at the data's edges
	days     [2]int64        // whole days answered by day counts [from, to)
	hours    [][2]int64      // hour ranges answered by hour counts
	exact    [][2]time.Time  // ranges counted exactly; a zero time is open
	needDims bool
}

func (b *Backend) planRollup(c *index.Compiled) *rollupPlan {
	if c.Sort == index.SortRelevance || !b.roll.isReady() {
		return nil
	}
	p := &rollupPlan{}
	for _, n := range append([]query.Node{c.Query}, c.Filters...) {
		if !p.constrain(n) {
			return nil
		}
	}
	for _, f := range c.Facets {
		if f != "sentiment" && !isRollupDim[index.FacetFields[f]] {
			return nil // counted per value only in the index (authors)
		}
		if f != "sentiment" {
			p.needDims = true
			if p.dim != nil {
				return nil // per-value counts are not crossed with other fields
			}
		}
	}
	if p.dim != nil {
		p.needDims = true
	}
	b.roll.mu.RLock()
	defer b.roll.mu.RUnlock()
	keys := b.roll.hourKeys
	if len(keys) == 0 {
		return nil
	}
	minH, maxH := keys[0], keys[len(keys)-1]
	// [loH, hiH) is the hour-aligned part of the range; [lo, hi) all of it.
	loH, hiH := minH, maxH+3600
	p.lo, p.hi = loH, hiH
	if !c.From.IsZero() {
		p.lo = c.From.Unix()
		loH = ceilTo(unixCeil(c.From), 3600)
	}
	if !c.To.IsZero() {
		p.hi = unixCeil(c.To)
		hiH = floorTo(c.To.Unix(), 3600)
	}
	if loH >= hiH {
		return nil
	}
	dimsSince := b.roll.hourlySince() + 3600 // an hour's margin for a clock that moved
	hourly := func(start int64) bool { return !p.needDims || start >= dimsSince }
	// [first, last) is what the counts answer.
	loD, hiD := ceilDay(loH), floorDay(hiH)
	var first, last int64
	switch {
	case loD < hiD:
		p.days = [2]int64{loD, hiD}
		first, last = loD, hiD
		if loH < loD && hourly(loH) {
			p.hours = append(p.hours, [2]int64{loH, loD})
			first = loH
		}
		if hiD < hiH && hourly(hiD) {
			p.hours = append(p.hours, [2]int64{hiD, hiH})
			last = hiH
		}
		if c.Interval == index.IntervalHour && p.dim != nil && loD < dimsSince {
			return nil // hourly bars of one value exist only for recent days
		}
	case hourly(loH):
		p.hours = append(p.hours, [2]int64{loH, hiH})
		first, last = loH, hiH
	default:
		return nil
	}
	covered := p.days[1] - p.days[0]
	for _, h := range p.hours {
		covered += h[1] - h[0]
	}
	if time.Duration(covered)*time.Second < minRollupSpan {
		return nil
	}
	// The rest of the range is counted exactly: from its start to first,
	// from last to its end (an open end reaches the data's edge).
	if (c.From.IsZero() && first > minH) || (!c.From.IsZero() && c.From.Before(time.Unix(first, 0))) {
		p.exact = append(p.exact, [2]time.Time{c.From, time.Unix(first, 0)})
	}
	if (c.To.IsZero() && last < maxH+3600) || (!c.To.IsZero() && c.To.After(time.Unix(last, 0))) {
		p.exact = append(p.exact, [2]time.Time{time.Unix(last, 0), c.To})
	}
	return p
}

// constrain adds one conjunct of the query; false when counts cannot
// answer it.
func (p *rollupPlan) constrain(n query.Node) bool {
	switch n := n.(type) {
	case *query.All:
		return true
	case *query.And:
		for _, c := range n.Children {
			if !p.constrain(c) {
				return false
			}
		}
		return true
	case *query.Term:
		if n.Prefix || n.Field == "" {
			return false
		}
		v := index.Keyword(n.Value)
		if n.Field == query.FieldSentiment {
			p.restrictSents(map[string]bool{v: true})
			return true
		}
		if !isRollupDim[n.Field] {
			return false
		}
		dv := dimValue{n.Field, v}
		if p.dim != nil && *p.dim != dv {
			return false
		}
		p.dim = &dv
		return true
	case *query.Or:
		set := map[string]bool{}
		for _, c := range n.Children {
			t, ok := c.(*query.Term)
			if !ok || t.Prefix || t.Field != query.FieldSentiment {
				return false
			}
			set[index.Keyword(t.Value)] = true
		}
		p.restrictSents(set)
		return true
	}
	return false
}

func (p *rollupPlan) restrictSents(set map[string]bool) {
	if p.sents == nil {
		p.sents = set
		return
	}
	for s := range p.sents {
		if !set[s] {
			delete(p.sents, s)
		}
	}
}

// counts is what a plan reads from one bucket: the mentions it matches, by
// sentiment.
func (p *rollupPlan) counts(c *cells) sentCounts {
	if p.dim != nil {
		return c.counts(*p.dim)
	}
	return c.all
}

func (p *rollupPlan) sentOK(s string) bool { return p.sents == nil || p.sents[s] }

// searchRollup answers c with plan p.
func (b *Backend) searchRollup(ctx context.Context, c *index.Compiled, p *rollupPlan) (*index.SearchResult, error) {
	t := index.NewSearchCounts(c.Facets)
	facetOf := map[string]string{} // field → facet name
	for _, f := range c.Facets {
		facetOf[index.FacetFields[f]] = f
	}
	_, wantSent := t.Facets["sentiment"]
	hourlyHist := c.Interval == index.IntervalHour
	// from adds one bucket's counts: totals and facets (count) and the
	// histogram (hist), each read from exactly one kind of bucket.
	from := func(cl *cells, start int64, count, hist bool) {
		for s, n := range p.counts(cl) {
			if !p.sentOK(s) {
				continue
			}
			if count {
				t.Total += n
				if wantSent && s != "" {
					t.Facets["sentiment"][s] += n
				}
			}
			if hist && c.Interval != "" {
				t.AddHist(index.BucketStart(time.Unix(start, 0), c.Interval), s, n)
			}
		}
		if !count || p.dim != nil {
			return
		}
		for field, f := range facetOf {
			out := t.Facets[f]
			for v, sc := range cl.dims[field] {
				for s, n := range sc {
					if p.sentOK(s) {
						out[v] += n
					}
				}
			}
		}
	}
	b.roll.mu.RLock()
	for _, d := range keysIn(b.roll.dayKeys, p.days[0], p.days[1]) {
		from(b.roll.days[d], d, true, !hourlyHist)
	}
	for _, r := range p.hours {
		for _, h := range keysIn(b.roll.hourKeys, r[0], r[1]) {
			from(b.roll.hours[h], h, true, true)
		}
	}
	if hourlyHist {
		for _, h := range keysIn(b.roll.hourKeys, p.days[0], p.days[1]) {
			from(b.roll.hours[h], h, false, true)
		}
	}
	window := b.hitWindow(p, c)
	b.roll.mu.RUnlock()

	if len(p.exact) > 0 {
		if err := b.countExact(ctx, c, p, t); err != nil {
			return nil, err
		}
	}
	out := t.Result(c)
	if c.Size > 0 {
		if err := b.rollupHits(ctx, c, window, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// countExact counts the plan's exact ranges with the search's own query.
func (b *Backend) countExact(ctx context.Context, c *index.Compiled, p *rollupPlan, t *index.SearchCounts) error {
	var ranges []bq.Query
	for _, r := range p.exact {
		ranges = append(ranges, timeRangeQuery(r[0], r[1]))
	}
	req := bleve.NewSearchRequestOptions(b.translator().buildQueryIn(c, false, disjunction(ranges)), 0, 0, false)
	req.Score = "none"
	for _, f := range c.Facets {
		req.AddFacet(f, bleve.NewFacetRequest(index.FacetFields[f], maxHistogramTerms))
	}
	if c.Interval != "" {
		req.AddFacet("_histogram", bleve.NewFacetRequest(fieldHistHour, maxHistogramTerms))
	}
	sr, err := b.mentions.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("counting the edges of the range: %w", err)
	}
	t.Total += int64(sr.Total)
	for _, f := range c.Facets {
		fr := sr.Facets[f]
		if fr == nil || fr.Terms == nil {
			continue
		}
		for _, term := range fr.Terms.Terms() {
			t.Facets[f][term.Term] += int64(term.Count)
		}
	}
	if c.Interval != "" {
		hs, err := histogram(sr.Facets["_histogram"], c.Interval)
		if err != nil {
			return err
		}
		for _, hb := range hs {
			for s, n := range hb.Sentiment {
				if s == index.NoSentiment {
					s = ""
				}
				t.AddHist(hb.Start, s, n)
			}
		}
	}
	return nil
}

// keysIn is the part of sorted keys in [from, to).
func keysIn(keys []int64, from, to int64) []int64 {
	lo, _ := slices.BinarySearch(keys, from)
	hi, _ := slices.BinarySearch(keys, to)
	return keys[lo:max(lo, hi)]
}

// hitWindow is the time range that holds the first page of hits by the
// counts: for the newest first, the stretch of last hours whose matching
// mentions reach the page size (for the oldest, the first hours), so a
// year-long overview sorts a few hundred documents, not a million. nil
// when the whole range must be searched (a cursor page, too few matches).
// Caller holds the rollup lock.
func (b *Backend) hitWindow(p *rollupPlan, c *index.Compiled) bq.Query {
	if c.After != nil {
		return nil
	}
	keys := keysIn(b.roll.hourKeys, floorTo(p.lo, 3600), p.hi)
	need := int64(c.Size)
	count := func(h int64) {
		for s, n := range b.roll.hours[h].all {
			if p.sentOK(s) {
				need -= n
			}
		}
	}
	if c.Sort == index.SortNewest {
		for i := len(keys) - 1; i >= 0; i-- {
			if count(keys[i]); need <= 0 {
				from := time.Unix(keys[i], 0)
				if from.Before(c.From) {
					from = c.From
				}
				return timeRangeQuery(from, c.To)
			}
		}
		return nil
	}
	for i := range keys {
		if count(keys[i]); need <= 0 {
			to := time.Unix(keys[i]+3600, 0)
			if !c.To.IsZero() && to.After(c.To) {
				to = c.To
			}
			return timeRangeQuery(c.From, to)
		}
	}
	return nil
}

// rollupHits fetches the page of hits, within window first (see
// hitWindow); if the window falls short it searches the whole range.
func (b *Backend) rollupHits(ctx context.Context, c *index.Compiled, window bq.Query, out *index.SearchResult) error {
	var full bq.Query
	if !c.From.IsZero() || !c.To.IsZero() {
		full = timeRangeQuery(c.From, c.To)
	}
	if window == nil {
		window = full
	}
	for {
		req := bleve.NewSearchRequestOptions(b.translator().buildQueryIn(c, false, window), c.Size, 0, false)
		req.Score = "none"
		req.Fields = []string{fieldRaw}
		req.SortByCustom(sortOrder(c.Sort))
		if c.After != nil {
			req.SearchAfter = c.After
		}
		sr, err := b.mentions.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("searching mentions: %w", err)
		}
		if len(sr.Hits) < c.Size && window != full {
			window = full
			continue
		}
		hits, next, err := b.toHits(sr, c)
		if err != nil {
			return err
		}
		out.Hits, out.Next = hits, next
		return nil
	}
}

func unixCeil(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

func ceilTo(t, step int64) int64 {
	if f := floorTo(t, step); f != t {
		return f + step
	}
	return t
}

func floorTo(t, step int64) int64 { return t - ((t%step)+step)%step }

func floorDay(t int64) int64 { return floorTo(t, 86400) }

func ceilDay(t int64) int64 { return ceilTo(t, 86400) }
