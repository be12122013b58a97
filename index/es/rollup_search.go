package es

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
)

// A search is answered from the rollup days when what it counts can be
// read from them: no full-text words, filters only on sentiment plus at
// most one facet value (brand:acme), facets over the counted fields (over
// sentiment alone with such a value filter), a time-sorted page, and at
// least minRollupDays whole UTC days in the range. The whole days come from
// the rollups; the ragged ends and any day still dirty are aggregated from
// the mentions with the search's own query, and the page of hits is an
// ordinary sorted search without aggregations. Anything else aggregates the
// mentions as before. The integration test compares both answers.

// minRollupDays is the least number of whole days a range must hold for
// the rollups to be worth reading; shorter ranges aggregate quickly.
const minRollupDays = 2

// maxRollupDays bounds the day documents one search reads.
const maxRollupDays = 3700

// exactFacetSize is how many values an edge aggregation returns per facet:
// all of them, so they add up with the rollups' complete counts.
const exactFacetSize = 10000

type esRollupPlan struct {
	sents  map[string]bool // nil: every sentiment
	field  string          // "" or the facet field of the one value filter
	value  string
	days   []rollupDoc    // the clean whole days read from the rollups
	exact  [][2]time.Time // ranges aggregated from the mentions; a zero time is open
	facets map[string]string
}

// planRollup decides whether the rollups answer c and reads the days they
// answer for; nil when they do not.
func (b *Backend) planRollup(ctx context.Context, c *index.Compiled) (*esRollupPlan, error) {
	if b.exactOnly || c.Sort == index.SortRelevance || c.Highlight && len(c.TextTerms) > 0 {
		return nil, nil
	}
	p := &esRollupPlan{facets: map[string]string{}}
	for _, n := range append([]query.Node{c.Query}, c.Filters...) {
		if !p.constrain(n) {
			return nil, nil
		}
	}
	for _, f := range c.Facets {
		field := index.FacetFields[f]
		if field != query.FieldSentiment && (!isRollupDim[field] || p.field != "") {
			return nil, nil
		}
		p.facets[f] = field
	}
	if p.field != "" && c.Interval == index.IntervalHour {
		return nil, nil // hours are not counted per value
	}
	if ok, err := b.rollupsComplete(ctx); err != nil || !ok {
		return nil, err
	}
	var loD, hiD int64
	if !c.From.IsZero() {
		loD = floorDay(c.From.Unix())
		if !c.From.Equal(time.Unix(loD, 0)) {
			loD += daySeconds
		}
	}
	if !c.To.IsZero() {
		hiD = floorDay(c.To.Unix())
	}
	if c.From.IsZero() || c.To.IsZero() {
		first, last, ok, err := b.mentionSpan(ctx)
		if err != nil || !ok {
			return nil, err
		}
		if c.From.IsZero() {
			loD = floorDay(first.Unix())
		}
		if c.To.IsZero() {
			hiD = floorDay(last.Unix()) + daySeconds
		}
	}
	if hiD-loD < minRollupDays*daySeconds || hiD-loD > maxRollupDays*daySeconds {
		return nil, nil
	}
	days, err := b.readDays(ctx, loD, hiD)
	if err != nil {
		return nil, err
	}
	// The edges before and after the whole days, and every dirty day.
	if c.From.IsZero() || c.From.Before(time.Unix(loD, 0)) {
		p.exact = append(p.exact, [2]time.Time{c.From, time.Unix(loD, 0)})
	}
	for _, d := range days {
		if !d.Dirty {
			p.days = append(p.days, d)
			continue
		}
		start, end := time.Unix(d.Day, 0), time.Unix(d.Day+daySeconds, 0)
		if n := len(p.exact); n > 0 && p.exact[n-1][1].Equal(start) {
			p.exact[n-1][1] = end
		} else {
			p.exact = append(p.exact, [2]time.Time{start, end})
		}
	}
	if c.To.IsZero() || c.To.After(time.Unix(hiD, 0)) {
		start := time.Unix(hiD, 0)
		if n := len(p.exact); n > 0 && p.exact[n-1][1].Equal(start) {
			p.exact[n-1][1] = c.To
		} else {
			p.exact = append(p.exact, [2]time.Time{start, c.To})
		}
	}
	return p, nil
}

// constrain adds one conjunct of the query; false when the rollups cannot
// answer it.
func (p *esRollupPlan) constrain(n query.Node) bool {
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
		if !isRollupDim[n.Field] || (p.field != "" && (p.field != n.Field || p.value != v)) {
			return false
		}
		p.field, p.value = n.Field, v
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

func (p *esRollupPlan) restrictSents(set map[string]bool) {
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

// mentionSpan is the time of the first and the last mention.
func (b *Backend) mentionSpan(ctx context.Context) (first, last time.Time, ok bool, err error) {
	var res struct {
		Aggregations struct {
			Min struct {
				Value *float64 `json:"value"`
			} `json:"min"`
			Max struct {
				Value *float64 `json:"value"`
			} `json:"max"`
		} `json:"aggregations"`
	}
	t := true
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t,
		Body: body(obj{"size": 0, "track_total_hits": false, "aggs": obj{
			"min": obj{"min": obj{"field": "created_at"}}, "max": obj{"max": obj{"field": "created_at"}}}})}, &res); err != nil {
		return first, last, false, fmt.Errorf("finding the time span of the mentions: %w", err)
	}
	lo, hi := res.Aggregations.Min.Value, res.Aggregations.Max.Value
	if lo == nil || hi == nil {
		return first, last, false, nil
	}
	return time.UnixMilli(int64(*lo)), time.UnixMilli(int64(*hi)), true, nil
}

// readDays reads the rollup documents of the days in [lo, hi) in real time
// (a multi-get sees a mark the moment it is acknowledged). A day without a
// document has no mentions.
func (b *Backend) readDays(ctx context.Context, lo, hi int64) ([]rollupDoc, error) {
	var ids []string
	for d := lo; d < hi; d += daySeconds {
		ids = append(ids, dayID(d))
	}
	var res struct {
		Docs []struct {
			Found  bool      `json:"found"`
			Source rollupDoc `json:"_source"`
		} `json:"docs"`
	}
	if err := b.do(ctx, esapi.MgetRequest{Index: b.rollupIndex(), Body: body(obj{"ids": ids})}, &res); err != nil {
		return nil, fmt.Errorf("reading rollup days: %w", err)
	}
	days := make([]rollupDoc, 0, len(res.Docs))
	for _, d := range res.Docs {
		if d.Found {
			days = append(days, d.Source)
		}
	}
	return days, nil
}

// searchRollup answers c from the plan's days, the exact ranges and one
// page of hits.
func (b *Backend) searchRollup(ctx context.Context, c *index.Compiled, tp *textPlan, p *esRollupPlan) (*index.SearchResult, error) {
	t := index.NewSearchCounts(c.Facets) // every facet of c is in p.facets
	sentOK := func(s string) bool { return p.sents == nil || p.sents[s] }
	for _, d := range p.days {
		for _, cl := range d.Cells {
			if !sentOK(cl.Sent) {
				continue
			}
			switch {
			case cl.Hour >= 0:
				if c.Interval == index.IntervalHour && p.field == "" {
					t.AddHist(time.Unix(d.Day+int64(cl.Hour)*3600, 0).UTC(), cl.Sent, cl.N)
				}
				continue
			case cl.Field == "" && p.field != "":
				continue
			case cl.Field != "" && (p.field != cl.Field || p.value != cl.Value):
				// A facet value of an unfiltered search.
				if p.field == "" {
					for f, field := range p.facets {
						if field == cl.Field {
							t.Facets[f][cl.Value] += cl.N
						}
					}
				}
				continue
			}
			// The day's matching mentions by sentiment.
			t.Total += cl.N
			for f, field := range p.facets {
				if field == query.FieldSentiment && cl.Sent != index.NoSentiment {
					t.Facets[f][cl.Sent] += cl.N
				}
			}
			if c.Interval != "" && c.Interval != index.IntervalHour {
				t.AddHist(index.BucketStart(time.Unix(d.Day, 0), c.Interval), cl.Sent, cl.N)
			}
		}
	}
	if len(p.exact) > 0 {
		if err := b.aggregateExact(ctx, c, tp, p, t); err != nil {
			return nil, err
		}
	}
	out := t.Result(c)
	if c.Size > 0 {
		if err := b.pageOfHits(ctx, c, tp, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// aggregateExact aggregates the plan's exact ranges with the search's own
// query and adds them to t.
func (b *Backend) aggregateExact(ctx context.Context, c *index.Compiled, tp *textPlan, p *esRollupPlan, t *index.SearchCounts) error {
	var ranges []obj
	for _, r := range p.exact {
		rg := obj{"format": "strict_date_optional_time"}
		if !r[0].IsZero() {
			rg["gte"] = r[0].UTC().Format(time.RFC3339Nano)
		}
		if !r[1].IsZero() {
			rg["lt"] = r[1].UTC().Format(time.RFC3339Nano)
		}
		ranges = append(ranges, obj{"range": obj{"created_at": rg}})
	}
	unbounded := *c
	unbounded.From, unbounded.To = time.Time{}, time.Time{}
	q := obj{"bool": obj{"must": []obj{tp.buildQuery(&unbounded)}, "filter": []obj{anyOf(ranges)}}}
	aggs := obj{}
	for f, field := range p.facets {
		aggs["facet_"+f] = obj{"terms": obj{"field": field, "size": exactFacetSize}}
	}
	if c.Interval != "" {
		aggs["histogram"] = obj{
			"date_histogram": obj{"field": "created_at", "calendar_interval": c.Interval, "time_zone": "UTC", "min_doc_count": 1},
			"aggs":           obj{"sentiment": obj{"terms": obj{"field": "sentiment", "missing": index.NoSentiment, "size": 10}}},
		}
	}
	req := obj{"query": q, "size": 0, "track_total_hits": true}
	if len(aggs) > 0 {
		req["aggs"] = aggs
	}
	tr := true
	var sr searchResponse
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &tr, AllowNoIndices: &tr, Body: body(req)}, &sr); err != nil {
		return fmt.Errorf("counting the edges of the range: %w", err)
	}
	t.Total += sr.Hits.Total.Value
	for f := range p.facets {
		var ta termsAgg
		if raw := sr.Aggregations["facet_"+f]; raw != nil {
			if err := json.Unmarshal(raw, &ta); err != nil {
				return fmt.Errorf("decoding facet %s: %w", f, err)
			}
		}
		for _, bk := range ta.Buckets {
			t.Facets[f][bk.Key] += bk.DocCount
		}
	}
	if c.Interval != "" {
		var ha histogramAgg
		if raw := sr.Aggregations["histogram"]; raw != nil {
			if err := json.Unmarshal(raw, &ha); err != nil {
				return fmt.Errorf("decoding histogram: %w", err)
			}
		}
		for _, hb := range ha.Buckets {
			for _, s := range hb.Sentiment.Buckets {
				t.AddHist(time.UnixMilli(hb.Key).UTC(), s.Key, s.DocCount)
			}
		}
	}
	return nil
}

// pageOfHits fetches the page of hits without aggregating anything.
func (b *Backend) pageOfHits(ctx context.Context, c *index.Compiled, tp *textPlan, out *index.SearchResult) error {
	req := obj{"query": tp.buildQuery(c), "size": c.Size, "sort": sortOrder(c.Sort), "track_total_hits": false, "_source": []string{"record"}}
	if c.After != nil {
		after := make([]json.RawMessage, len(c.After))
		for i, v := range c.After {
			after[i] = json.RawMessage(v)
		}
		req["search_after"] = after
	}
	tr := true
	var sr searchResponse
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &tr, AllowNoIndices: &tr, Body: body(req)}, &sr); err != nil {
		return fmt.Errorf("searching mentions: %w", err)
	}
	hits, next, err := tp.hitsOf(&sr, c, false)
	if err != nil {
		return err
	}
	out.Hits, out.Next = hits, next
	return nil
}
