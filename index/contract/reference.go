package contract

import (
	"sort"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// The reference model answers keyword-only queries by brute force over the
// fixtures, so expected ids, totals, facets and histograms are computed,
// not typed in.

func docs(ms []*record.EnrichedMention) []index.MentionDoc {
	out := make([]index.MentionDoc, len(ms))
	for i, m := range ms {
		out[i] = index.NewMentionDoc(m, func(string) bool { return false })
	}
	return out
}

func fieldValues(d index.MentionDoc, field string) []string {
	switch field {
	case query.FieldSource:
		return []string{d.Source}
	case query.FieldChannel:
		return []string{d.Channel}
	case query.FieldKind:
		return []string{d.Kind}
	case query.FieldLanguage:
		return []string{d.Language}
	case query.FieldSentiment:
		return []string{d.Sentiment}
	case query.FieldIntent:
		return d.Intents
	case query.FieldAspect:
		return d.Aspects
	case query.FieldBrand:
		return d.Brands
	case query.FieldProduct:
		return d.Products
	case query.FieldCompetitor:
		return d.Competitors
	case query.FieldCustomer:
		return []string{d.CustomerID}
	case query.FieldProspect:
		return []string{d.ProspectID}
	case query.FieldAuthor:
		return []string{d.Author}
	}
	panic("reference model: unknown field " + field)
}

// eval answers a keyword-only query for one document.
func eval(n query.Node, d index.MentionDoc) bool {
	switch n := n.(type) {
	case *query.All:
		return true
	case *query.Term:
		if n.Field == "" {
			panic("reference model: full-text term " + n.Value)
		}
		want := n.Value
		if !query.CaseSensitive(n.Field) {
			want = index.Keyword(want)
		}
		for _, v := range fieldValues(d, n.Field) {
			if v == "" {
				continue
			}
			if v == want || (n.Prefix && strings.HasPrefix(v, want)) {
				return true
			}
		}
		return false
	case *query.And:
		for _, c := range n.Children {
			if !eval(c, d) {
				return false
			}
		}
		return true
	case *query.Or:
		for _, c := range n.Children {
			if eval(c, d) {
				return true
			}
		}
		return false
	case *query.Not:
		return !eval(n.Child, d)
	}
	panic("reference model: unknown node")
}

// refSearch returns the documents matching a keyword-only request, in the
// request's time order.
func refSearch(all []index.MentionDoc, c *index.Compiled) []index.MentionDoc {
	var out []index.MentionDoc
	for _, d := range all {
		if !eval(c.Query, d) {
			continue
		}
		ok := true
		for _, f := range c.Filters {
			ok = ok && eval(f, d)
		}
		if !c.From.IsZero() && d.CreatedAt.Before(c.From) {
			ok = false
		}
		if !c.To.IsZero() && !d.CreatedAt.Before(c.To) {
			ok = false
		}
		if ok {
			out = append(out, d)
		}
	}
	sortDocs(out, c.Sort)
	return out
}

func sortDocs(ds []index.MentionDoc, order string) {
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			if order == index.SortOldest {
				return a.CreatedAt.Before(b.CreatedAt)
			}
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}

func refFacet(ds []index.MentionDoc, field string, n int) []index.Bucket {
	counts := map[string]int64{}
	for _, d := range ds {
		for _, v := range fieldValues(d, field) {
			if v != "" {
				counts[v]++
			}
		}
	}
	var out []index.Bucket
	for v, c := range counts {
		out = append(out, index.Bucket{Value: v, Count: c})
	}
	if out == nil {
		out = []index.Bucket{}
	}
	return index.SortBuckets(out, n)
}

func refHistogram(ds []index.MentionDoc, interval string) []index.HistogramBucket {
	by := map[int64]*index.HistogramBucket{}
	for _, d := range ds {
		start := index.BucketStart(d.CreatedAt, interval)
		hb := by[start.Unix()]
		if hb == nil {
			hb = &index.HistogramBucket{Start: start, Sentiment: map[string]int64{}}
			by[start.Unix()] = hb
		}
		s := d.Sentiment
		if s == "" {
			s = index.NoSentiment
		}
		hb.Count++
		hb.Sentiment[s]++
	}
	out := []index.HistogramBucket{}
	for _, hb := range by {
		out = append(out, *hb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func ids(ds []index.MentionDoc) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
