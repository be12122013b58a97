package alert

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// digestAspects and digestProspects bound what a digest lists.
const (
	digestAspects   = 5
	digestProspects = 10
)

// BuildDigest gathers a digest of [from, to) for a saved search (nil = all
// mentions): volume and sentiment against the period before, the volume
// series, top mentions, top aspects and the prospects first seen in it.
func BuildDigest(ctx context.Context, b index.Backend, cfg Config, ss *record.SavedSearch, period string, from, to time.Time) (*record.DigestContent, error) {
	from, to = from.UTC(), to.UTC()
	var q string
	var filters []string
	d := &record.DigestContent{Period: period, From: from, To: to}
	if ss != nil {
		q, filters, d.Search = ss.Query, ss.Filters, ss.Name
	}
	interval := index.IntervalDay
	if period == record.PeriodDaily {
		interval = index.IntervalHour
	}
	cur, err := b.Search(ctx, &index.SearchRequest{Query: q, Filters: filters, From: from, To: to, Size: cfg.Defaults.TopMentions,
		Facets: []string{"sentiment", "aspect"}, FacetSize: digestAspects, Histogram: interval})
	if err != nil {
		return nil, fmt.Errorf("searching this period: %w", err)
	}
	prevFrom := from.Add(-to.Sub(from))
	prev, err := b.Search(ctx, &index.SearchRequest{Query: q, Filters: filters, From: prevFrom, To: from, Size: 1,
		Facets: []string{"sentiment"}, Histogram: interval})
	if err != nil {
		return nil, fmt.Errorf("searching the previous period: %w", err)
	}
	d.Volume, d.PreviousTotal = cur.Total, prev.Total
	d.Sentiment, d.PrevSentiment = facetMap(cur.Facets["sentiment"]), facetMap(prev.Facets["sentiment"])
	step := 24 * time.Hour
	if interval == index.IntervalHour {
		step = time.Hour
	}
	d.Series = series(cur.Histogram, index.BucketStart(from, interval), to, step)
	d.PrevSeries = series(prev.Histogram, index.BucketStart(prevFrom, interval), from, step)
	d.TopMentions = notifiedMentions(cur.Hits)
	for _, a := range cur.Facets["aspect"] {
		da := record.DigestAspect{Name: a.Value}
		for _, s := range []string{record.SentimentPositive, record.SentimentNegative} {
			r, err := b.Search(ctx, &index.SearchRequest{Query: q, From: from, To: to, Size: 1,
				Filters: append(append([]string(nil), filters...), "aspect:"+strconv.Quote(a.Value), "sentiment:"+s)})
			if err != nil {
				return nil, fmt.Errorf("counting aspect %q: %w", a.Value, err)
			}
			if s == record.SentimentPositive {
				da.Positive = r.Total
			} else {
				da.Negative = r.Total
			}
		}
		d.TopAspects = append(d.TopAspects, da)
	}
	profiles, err := b.SearchProfiles(ctx, &index.ProfileRequest{Kind: index.ProfileProspect, Sort: index.ProfileSortLastSeen, Size: 200})
	if err != nil {
		return nil, fmt.Errorf("listing prospects: %w", err)
	}
	for _, p := range profiles.Profiles {
		pr := p.Prospect
		if pr == nil || pr.FirstSeen.Before(from) || !pr.FirstSeen.Before(to) {
			continue
		}
		d.Prospects = append(d.Prospects, notifiedProspect(cfg, pr, "new"))
	}
	sort.SliceStable(d.Prospects, func(i, j int) bool { return d.Prospects[i].Score > d.Prospects[j].Score })
	if len(d.Prospects) > digestProspects {
		d.Prospects = d.Prospects[:digestProspects]
	}
	for i := range d.Prospects {
		d.Prospects[i].Evidence = nil // the digest lists them; the link has the rest
	}
	return d, nil
}

func facetMap(bs []index.Bucket) map[string]int64 {
	m := map[string]int64{}
	for _, b := range bs {
		m[b.Value] = b.Count
	}
	return m
}

// series lays histogram buckets on every step of [from, to), zeros included.
func series(hs []index.HistogramBucket, from, to time.Time, step time.Duration) []record.DigestPoint {
	by := map[time.Time]index.HistogramBucket{}
	for _, h := range hs {
		by[h.Start.UTC()] = h
	}
	var out []record.DigestPoint
	for t := from; t.Before(to); t = t.Add(step) {
		h := by[t]
		p := record.DigestPoint{Start: t, Count: h.Count, Sentiment: map[string]int64{}}
		for k, v := range h.Sentiment {
			p.Sentiment[k] = v
		}
		out = append(out, p)
	}
	return out
}

func notifiedProspect(cfg Config, p *record.Prospect, trigger string) record.NotifiedProspect {
	return record.NotifiedProspect{
		ID: p.ID, Name: p.Name, Emails: p.Emails, Handles: p.Handles, Company: p.Company, Score: p.Score,
		Status: p.Status, Evidence: p.Evidence, Link: cfg.prospectLink(p.ID), Trigger: trigger,
		FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, Identities: prospectIdentities(p),
	}
}
