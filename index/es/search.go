package es

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/index/snippet"
	"github.com/earshothq/earshot/record"
)

// facetHeadroom: extra terms fetched so ties at the cut are ordered by the
// shared rule (index.SortBuckets) on both backends.
const facetHeadroom = 20

// translate turns a parsed query into Elasticsearch query DSL under plan p.
func (p *textPlan) translate(n query.Node) obj {
	switch n := n.(type) {
	case *query.All:
		return obj{"match_all": obj{}}
	case *query.Term:
		if n.Field == "" {
			return p.textQuery(n)
		}
		return keywordQuery(n)
	case *query.Or:
		should := make([]obj, len(n.Children))
		for i, c := range n.Children {
			should[i] = p.translate(c)
		}
		return obj{"bool": obj{"should": should, "minimum_should_match": 1}}
	case *query.Not:
		return obj{"bool": obj{"must_not": []obj{p.translate(n.Child)}}}
	case *query.And:
		var must, mustNot []obj
		for _, c := range n.Children {
			if not, ok := c.(*query.Not); ok {
				mustNot = append(mustNot, p.translate(not.Child))
				continue
			}
			must = append(must, p.translate(c))
		}
		b := obj{}
		if len(must) > 0 {
			b["must"] = must
		}
		if len(mustNot) > 0 {
			b["must_not"] = mustNot
		}
		return obj{"bool": b}
	}
	return obj{"match_none": obj{}}
}

func keywordQuery(t *query.Term) obj {
	v := t.Value
	if !query.CaseSensitive(t.Field) {
		v = index.Keyword(v)
	}
	if t.Prefix {
		return obj{"prefix": obj{t.Field: obj{"value": v}}}
	}
	return obj{"term": obj{t.Field: obj{"value": v}}}
}

// textQuery searches a full-text word in the neutral field and every
// language field. Each word is a phrase, so a word an analyser splits
// (Chinese into characters or bigrams) keeps its order.
func (p *textPlan) textQuery(t *query.Term) obj {
	folded := index.Fold(t.Value)
	if t.Prefix {
		// Prefixes are not analysed: fold them as the neutral field is.
		return prefixQuery(index.NeutralField, folded)
	}
	var should []obj
	var fields []string
	if p.Fold {
		fields = append(fields, index.NeutralField)
	} else {
		// The neutral text of a mention with diacritics is stored folded.
		should = append(should, phraseQuery(index.NeutralField, folded))
	}
	for _, key := range p.nativeKeys() {
		fields = append(fields, index.LanguageFieldName(key))
	}
	if len(fields) > 0 {
		should = append(should, obj{"multi_match": obj{"query": t.Value, "type": "phrase", "fields": fields}})
	}
	// One clause per distinct analysis: most languages leave a brand or a
	// name as it is, so "acme" costs one clause, not one per language.
	seen := map[string]bool{}
	for _, key := range p.clientKeys() {
		if terms := clientTerms(p.Client[key], t.Value); terms != "" && !seen[terms] {
			seen[terms] = true
			should = append(should, phraseQuery(clientField, terms))
		}
	}
	return anyOf(should)
}

func prefixQuery(field, v string) obj { return obj{"prefix": obj{field: obj{"value": v}}} }
func phraseQuery(field, v string) obj { return obj{"match_phrase": obj{field: obj{"query": v}}} }

func anyOf(qs []obj) obj {
	if len(qs) == 1 {
		return qs[0]
	}
	return obj{"bool": obj{"should": qs, "minimum_should_match": 1}}
}

func (p *textPlan) buildQuery(c *index.Compiled) obj {
	var filters []obj
	for _, f := range c.Filters {
		filters = append(filters, p.translate(f))
	}
	if !c.From.IsZero() || !c.To.IsZero() {
		r := obj{"format": "strict_date_optional_time"}
		if !c.From.IsZero() {
			r["gte"] = c.From.Format(time.RFC3339Nano)
		}
		if !c.To.IsZero() {
			r["lt"] = c.To.Format(time.RFC3339Nano)
		}
		filters = append(filters, obj{"range": obj{"created_at": r}})
	}
	main := p.translate(c.Query)
	if len(filters) == 0 {
		return main
	}
	return obj{"bool": obj{"must": []obj{main}, "filter": filters}}
}

func sortOrder(s string) []obj {
	switch s {
	case index.SortNewest:
		return []obj{{"created_at": obj{"order": "desc"}}, {"id": obj{"order": "asc"}}}
	case index.SortOldest:
		return []obj{{"created_at": obj{"order": "asc"}}, {"id": obj{"order": "asc"}}}
	}
	return []obj{{"_score": obj{"order": "desc"}}, {"id": obj{"order": "asc"}}}
}

type searchResponse struct {
	Hits struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID     string   `json:"_id"`
			Score  *float64 `json:"_score"`
			Source struct {
				Record json.RawMessage `json:"record"`
			} `json:"_source"`
			Sort      []json.RawMessage   `json:"sort"`
			Highlight map[string][]string `json:"highlight"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]json.RawMessage `json:"aggregations"`
}

type termsAgg struct {
	Buckets []struct {
		Key      string `json:"key"`
		DocCount int64  `json:"doc_count"`
	} `json:"buckets"`
}

type histogramAgg struct {
	Buckets []struct {
		KeyAsString string   `json:"key_as_string"`
		Key         int64    `json:"key"`
		DocCount    int64    `json:"doc_count"`
		Sentiment   termsAgg `json:"sentiment"`
	} `json:"buckets"`
}

// Search runs a mention search.
func (b *Backend) Search(ctx context.Context, r *index.SearchRequest) (*index.SearchResult, error) {
	res, err := b.search(ctx, r)
	b.metrics.CountSearch("mention", err)
	return res, err
}

func (b *Backend) search(ctx context.Context, r *index.SearchRequest) (*index.SearchResult, error) {
	c, err := r.Compile()
	if err != nil {
		return nil, err
	}
	p, err := b.textPlan(ctx)
	if err != nil {
		return nil, fmt.Errorf("searching mentions: %w", err)
	}
	rp, err := b.planRollup(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("searching mentions: %w", err)
	}
	if rp != nil {
		return b.searchRollup(ctx, c, p, rp)
	}
	req := obj{
		"query": p.buildQuery(c), "size": c.Size, "sort": sortOrder(c.Sort),
		"track_total_hits": true, "_source": []string{"record"},
	}
	if c.After != nil {
		after := make([]json.RawMessage, len(c.After))
		for i, v := range c.After {
			after[i] = json.RawMessage(v)
		}
		req["search_after"] = after
	}
	aggs := obj{}
	for _, f := range c.Facets {
		aggs["facet_"+f] = obj{"terms": obj{"field": index.FacetFields[f], "size": c.FacetSize + facetHeadroom}}
	}
	if c.Interval != "" {
		aggs["histogram"] = obj{
			"date_histogram": obj{"field": "created_at", "calendar_interval": c.Interval, "time_zone": "UTC", "min_doc_count": 1},
			"aggs":           obj{"sentiment": obj{"terms": obj{"field": "sentiment", "missing": index.NoSentiment, "size": 10}}},
		}
	}
	if len(aggs) > 0 {
		req["aggs"] = aggs
	}
	highlight := c.Highlight && len(c.TextTerms) > 0
	if highlight && len(p.Native) > 0 {
		fields := obj{index.NeutralField: obj{}}
		for _, key := range p.nativeKeys() {
			fields[index.LanguageFieldName(key)] = obj{}
		}
		req["highlight"] = obj{
			"pre_tags": []string{"<mark>"}, "post_tags": []string{"</mark>"}, "encoder": "html",
			"number_of_fragments": snippet.Count, "fragment_size": snippet.Size, "require_field_match": true,
			"fields": fields,
		}
	}
	t := true
	var sr searchResponse
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t, Body: body(req)}, &sr); err != nil {
		return nil, fmt.Errorf("searching mentions: %w", err)
	}
	out := &index.SearchResult{Total: sr.Hits.Total.Value}
	if out.Hits, out.Next, err = p.hitsOf(&sr, c, highlight); err != nil {
		return nil, err
	}
	if len(c.Facets) > 0 {
		out.Facets = map[string][]index.Bucket{}
		for _, f := range c.Facets {
			var ta termsAgg
			if raw := sr.Aggregations["facet_"+f]; raw != nil {
				if err := json.Unmarshal(raw, &ta); err != nil {
					return nil, fmt.Errorf("decoding facet %s: %w", f, err)
				}
			}
			bs := []index.Bucket{}
			for _, b := range ta.Buckets {
				bs = append(bs, index.Bucket{Value: b.Key, Count: b.DocCount})
			}
			out.Facets[f] = index.SortBuckets(bs, c.FacetSize)
		}
	}
	if c.Interval != "" {
		out.Interval = c.Interval
		out.Histogram = []index.HistogramBucket{}
		var ha histogramAgg
		if raw := sr.Aggregations["histogram"]; raw != nil {
			if err := json.Unmarshal(raw, &ha); err != nil {
				return nil, fmt.Errorf("decoding histogram: %w", err)
			}
		}
		for _, hb := range ha.Buckets {
			b := index.HistogramBucket{Start: time.UnixMilli(hb.Key).UTC(), Count: hb.DocCount, Sentiment: map[string]int64{}}
			for _, s := range hb.Sentiment.Buckets {
				b.Sentiment[s.Key] = s.DocCount
			}
			out.Histogram = append(out.Histogram, b)
		}
	}
	return out, nil
}

// hitsOf decodes the hits of a search response and the cursor of the
// next page.
func (p *textPlan) hitsOf(sr *searchResponse, c *index.Compiled, highlight bool) ([]index.Hit, string, error) {
	hits := make([]index.Hit, 0, len(sr.Hits.Hits))
	for _, h := range sr.Hits.Hits {
		var m record.EnrichedMention
		if err := json.Unmarshal(h.Source.Record, &m); err != nil {
			return nil, "", fmt.Errorf("decoding hit %s: %w", h.ID, err)
		}
		hit := index.Hit{ID: h.ID, Mention: &m}
		if highlight {
			hit.Snippets = p.highlight(&m, h.Highlight, c.TextTerms)
		}
		if c.Sort == index.SortRelevance && h.Score != nil {
			hit.Score = *h.Score
		}
		hits = append(hits, hit)
	}
	next := ""
	if n := len(sr.Hits.Hits); n == c.Size && n > 0 {
		last := sr.Hits.Hits[n-1]
		vals := make([]string, len(last.Sort))
		for i, v := range last.Sort {
			vals[i] = string(v)
		}
		next = index.EncodeCursor(c.Sort, vals)
	}
	return hits, next, nil
}

// SearchProfiles searches customer and prospect profiles.
func (b *Backend) SearchProfiles(ctx context.Context, r *index.ProfileRequest) (*index.ProfileResult, error) {
	res, err := b.searchProfiles(ctx, r)
	b.metrics.CountSearch("profile", err)
	return res, err
}

func (b *Backend) searchProfiles(ctx context.Context, r *index.ProfileRequest) (*index.ProfileResult, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	p, err := b.textPlan(ctx)
	if err != nil {
		return nil, fmt.Errorf("searching profiles: %w", err)
	}
	var filter []obj
	var must []obj
	if strings.TrimSpace(r.Text) != "" {
		words := []obj{{"match": obj{"name_text": obj{"query": r.Text, "operator": "and"}}}}
		if !p.Fold {
			words = append(words, obj{"match": obj{profileFoldedField: obj{"query": index.Fold(r.Text), "operator": "and"}}})
		}
		must = append(must, anyOf(words))
	}
	for field, v := range map[string]string{
		"kind": r.Kind, "status": r.Status, "aspects.name": r.Aspect, "aspects_negative": r.NegativeAspect,
		"brands": r.Brand, "products": r.Product, "competitors": r.Competitor, "languages": r.Language,
	} {
		if v != "" {
			filter = append(filter, obj{"term": obj{field: index.Keyword(v)}})
		}
	}
	if r.MinLeadScore > 0 {
		filter = append(filter, obj{"range": obj{"lead_score": obj{"gte": r.MinLeadScore}}})
	}
	q := obj{"bool": obj{"must": append(must, obj{"match_all": obj{}}), "filter": filter}}
	sortField := "lead_score"
	switch r.Sort {
	case index.ProfileSortLastSeen:
		sortField = "last_seen"
	case index.ProfileSortMentions:
		sortField = "mention_count"
	}
	req := obj{
		"query": q, "from": r.From, "size": r.Size, "track_total_hits": true,
		"sort": []obj{{sortField: obj{"order": "desc", "missing": "_last"}}, {"id": obj{"order": "asc"}}},
	}
	var sr struct {
		Hits struct {
			Total struct {
				Value int64 `json:"value"`
			} `json:"total"`
			Hits []struct {
				Source index.Profile `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	t := true
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.profileIndex()}, IgnoreUnavailable: &t, AllowNoIndices: &t, Body: body(req)}, &sr); err != nil {
		return nil, fmt.Errorf("searching profiles: %w", err)
	}
	out := &index.ProfileResult{Total: sr.Hits.Total.Value, Profiles: make([]*index.Profile, 0, len(sr.Hits.Hits))}
	for i := range sr.Hits.Hits {
		p := sr.Hits.Hits[i].Source
		out.Profiles = append(out.Profiles, &p)
	}
	return out, nil
}
