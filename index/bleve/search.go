package bleve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// translator turns parsed queries into bleve queries over the text fields
// that exist: the neutral field and the language fields of languages
// indexed so far. A full-text word is looked up in each of them.
type translator struct {
	textFields []string
	mapping    mapping.IndexMapping
}

// translate turns a parsed query into a bleve query.
func (tr translator) translate(n query.Node) bq.Query {
	switch n := n.(type) {
	case *query.All:
		return bq.NewMatchAllQuery()
	case *query.Term:
		return tr.term(n)
	case *query.Or:
		qs := make([]bq.Query, len(n.Children))
		for i, c := range n.Children {
			qs[i] = tr.translate(c)
		}
		return bq.NewDisjunctionQuery(qs)
	case *query.Not:
		return bq.NewBooleanQuery([]bq.Query{bq.NewMatchAllQuery()}, nil, []bq.Query{tr.translate(n.Child)})
	case *query.And:
		var must, mustNot []bq.Query
		for _, c := range n.Children {
			if not, ok := c.(*query.Not); ok {
				mustNot = append(mustNot, tr.translate(not.Child))
				continue
			}
			must = append(must, tr.translate(c))
		}
		if len(mustNot) == 0 {
			return bq.NewConjunctionQuery(must)
		}
		if len(must) == 0 {
			must = []bq.Query{bq.NewMatchAllQuery()}
		}
		return bq.NewBooleanQuery(must, nil, mustNot)
	}
	return bq.NewMatchNoneQuery()
}

func (tr translator) term(t *query.Term) bq.Query {
	if t.Field == "" {
		if t.Prefix {
			q := bq.NewPrefixQuery(index.Fold(t.Value))
			q.SetField(index.NeutralField)
			return q
		}
		qs := make([]bq.Query, 0, len(tr.textFields))
		for _, f := range tr.textFields {
			if q := tr.word(f, t.Value); q != nil {
				qs = append(qs, q)
			}
		}
		return disjunction(qs)
	}
	v := t.Value
	if !query.CaseSensitive(t.Field) {
		v = index.Keyword(v)
	}
	if t.Prefix {
		q := bq.NewPrefixQuery(v)
		q.SetField(t.Field)
		return q
	}
	return termQuery(t.Field, v)
}

// word matches a full-text word (or quoted phrase) in one text field. The
// text is analysed as the field was: one token is a term query, which
// reads posting lists only; several tokens (a phrase, a Chinese word split
// into characters, "e-mail") are a phrase query in the neutral field,
// which must also read positions, so that their order holds. Language
// fields keep no positions (mentionMapping): there several tokens match
// nothing, and the neutral field finds the phrase in its exact words. A
// word the analyser drops (a stop word) matches nothing in that field.
func (tr translator) word(field, text string) bq.Query {
	a := tr.mapping.AnalyzerNamed(tr.mapping.AnalyzerNameForPath(field))
	if a == nil {
		q := bq.NewMatchPhraseQuery(text)
		q.SetField(field)
		return q
	}
	tokens := a.Analyze([]byte(text))
	switch {
	case len(tokens) == 0:
		return nil
	case len(tokens) == 1:
		return termQuery(field, string(tokens[0].Term))
	case field != index.NeutralField:
		return nil
	}
	q := bq.NewMatchPhraseQuery(text)
	q.SetField(field)
	return q
}

// buildQuery combines the query, the filters and the time range.
//
// Filters and the time range never score, and bleve evaluates unscored
// clauses much faster: it ORs and ANDs their posting bitmaps instead of
// walking postings one document at a time. So when scores are needed
// (relevance sort) the main query drives and the rest is a bleve Filter,
// which bleve builds unscored and checks against each match of the main
// query. When they are not (time sorts), the whole search runs unscored
// as one conjunction, in which the most selective clause leads and a main
// query that matches everything is dropped: "everything in the last 7
// days" reads only the last 7 days.
func (tr translator) buildQuery(c *index.Compiled, scored bool) bq.Query {
	var within bq.Query
	if !c.From.IsZero() || !c.To.IsZero() {
		within = timeRangeQuery(c.From, c.To)
	}
	return tr.buildQueryIn(c, scored, within)
}

// buildQueryIn is buildQuery with the time restriction given as a query
// (nil: none) instead of c's range.
//
// What must not match (a muted author, "-word") is taken out of the
// conjunction and excluded from the whole: "everything except X" on its
// own is everything minus X, and bleve walks "everything" one document at
// a time, even to skip ahead (its document-id reader's Advance is a
// linear scan), so a mute inside a conjunction made every search read
// the whole index up to its matches. Excluded from what the other clauses
// match, X is only looked up at their matches.
func (tr translator) buildQueryIn(c *index.Compiled, scored bool, within bq.Query) bq.Query {
	var must, mustNot []bq.Query
	for _, f := range c.Filters {
		tr.split(f, &must, &mustNot)
	}
	if within != nil {
		must = append(must, within)
	}
	if scored {
		main := tr.translate(c.Query)
		if len(must) == 0 && len(mustNot) == 0 {
			return main
		}
		q := bq.NewBooleanQuery([]bq.Query{main}, nil, mustNot)
		if len(must) > 0 {
			q.Filter = conjunction(must)
		}
		return q
	}
	var mainMust []bq.Query
	tr.split(c.Query, &mainMust, &mustNot)
	must = append(mainMust, must...)
	switch {
	case len(must) == 0 && len(mustNot) == 0:
		return bq.NewMatchAllQuery()
	case len(mustNot) == 0:
		return conjunction(must)
	case len(must) == 0:
		return bq.NewBooleanQuery([]bq.Query{bq.NewMatchAllQuery()}, nil, mustNot)
	}
	return bq.NewBooleanQuery([]bq.Query{conjunction(must)}, nil, mustNot)
}

// split adds a conjunctive node's parts to what must match and what must
// not (a node matching everything adds nothing).
func (tr translator) split(n query.Node, must, mustNot *[]bq.Query) {
	switch n := n.(type) {
	case *query.All:
	case *query.Not:
		*mustNot = append(*mustNot, tr.translate(n.Child))
	case *query.And:
		for _, c := range n.Children {
			tr.split(c, must, mustNot)
		}
	default:
		*must = append(*must, tr.translate(n))
	}
}

func conjunction(qs []bq.Query) bq.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bq.NewConjunctionQuery(qs)
}

func sortOrder(sort string) search.SortOrder {
	switch sort {
	case index.SortNewest:
		return search.SortOrder{&search.SortField{Field: fieldTimeKey, Type: search.SortFieldAsString, Desc: true}, &search.SortDocID{}}
	case index.SortOldest:
		return search.SortOrder{&search.SortField{Field: fieldTimeKey, Type: search.SortFieldAsString}, &search.SortDocID{}}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
}

// histogramHeadroom is how many extra facet terms are fetched beyond the
// requested size so that ties at the cut are ordered like Elasticsearch's.
const facetHeadroom = 20

// maxHistogramTerms bounds the (bucket, sentiment) pairs of one histogram.
const maxHistogramTerms = 1 << 20

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
	if p := b.planRollup(c); p != nil {
		return b.searchRollup(ctx, c, p)
	}
	if res, ok, err := b.searchByDays(ctx, r, c); ok {
		return res, err
	}
	return b.searchExact(ctx, c)
}

// searchExact answers c by counting every matching document.
func (b *Backend) searchExact(ctx context.Context, c *index.Compiled) (*index.SearchResult, error) {
	if res, ok, err := b.searchAllByTime(ctx, c); ok || err != nil {
		return res, err
	}
	return b.searchSorted(ctx, c)
}

// searchSorted is searchExact with bleve sorting the matches.
func (b *Backend) searchSorted(ctx context.Context, c *index.Compiled) (*index.SearchResult, error) {
	scored := c.Sort == index.SortRelevance
	req := bleve.NewSearchRequestOptions(b.translator().buildQuery(c, scored), c.Size, 0, false)
	if !scored {
		// Without scores bleve can intersect and union posting bitmaps
		// directly instead of scoring every match.
		req.Score = "none"
	}
	req.Fields = []string{fieldRaw}
	req.SortByCustom(sortOrder(c.Sort))
	if c.After != nil {
		req.SearchAfter = c.After
	}
	for _, f := range c.Facets {
		req.AddFacet(f, bleve.NewFacetRequest(index.FacetFields[f], c.FacetSize+facetHeadroom))
	}
	if c.Interval != "" {
		req.AddFacet("_histogram", bleve.NewFacetRequest(fieldHistHour, maxHistogramTerms))
	}
	sr, err := b.mentions.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching mentions: %w", err)
	}
	out := &index.SearchResult{Total: int64(sr.Total)}
	if out.Hits, out.Next, err = b.toHits(sr, c); err != nil {
		return nil, err
	}
	if len(c.Facets) > 0 {
		out.Facets = map[string][]index.Bucket{}
		for _, f := range c.Facets {
			out.Facets[f] = termBuckets(sr.Facets[f], c.FacetSize)
		}
	}
	if c.Interval != "" {
		out.Interval = c.Interval
		out.Histogram, err = histogram(sr.Facets["_histogram"], c.Interval)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchAllByTime answers a time-sorted page that holds every match (a
// person's mentions read back, a small result) without bleve's sort: to
// sort, bleve reads each match's time key from its doc-value chunk, which
// it decompresses per document, and the matches of a few people lie in as
// many chunks as there are matches. Their records are decoded anyway, and
// hold the time. ok is false when the search is not of that kind or has
// more matches than the page (then bleve sorts).
func (b *Backend) searchAllByTime(ctx context.Context, c *index.Compiled) (_ *index.SearchResult, ok bool, _ error) {
	if c.Sort == index.SortRelevance || c.After != nil || c.Size <= 0 || len(c.Facets) > 0 || c.Interval != "" {
		return nil, false, nil
	}
	if _, all := c.Query.(*query.All); all && len(c.Filters) == 0 && c.From.IsZero() && c.To.IsZero() {
		return nil, false, nil // everything: more than a page, no need to count first
	}
	q := b.translator().buildQuery(c, false)
	count := bleve.NewSearchRequestOptions(q, 0, 0, false)
	count.Score = "none"
	sr, err := b.mentions.SearchInContext(ctx, count)
	if err != nil {
		return nil, true, fmt.Errorf("searching mentions: %w", err)
	}
	if sr.Total > uint64(c.Size) {
		return nil, false, nil
	}
	req := bleve.NewSearchRequestOptions(q, c.Size, 0, false)
	req.Score = "none" // every score is 0: no sort values are read
	req.Fields = []string{fieldRaw}
	if sr, err = b.mentions.SearchInContext(ctx, req); err != nil {
		return nil, true, fmt.Errorf("searching mentions: %w", err)
	}
	if sr.Total > uint64(c.Size) {
		return nil, false, nil // written to meanwhile: let bleve sort
	}
	unpaged := *c
	unpaged.Size = 0 // no cursor from bleve's order
	hits, _, err := b.toHits(sr, &unpaged)
	if err != nil {
		return nil, true, err
	}
	keys := sortByTime(hits, func(h index.Hit) *record.EnrichedMention { return h.Mention }, c.Sort == index.SortNewest)
	out := &index.SearchResult{Total: int64(sr.Total), Hits: hits}
	if len(hits) == c.Size {
		last := hits[len(hits)-1]
		out.Next = index.EncodeCursor(c.Sort, []string{keys[last.ID], last.ID})
	}
	return out, true, nil
}

// sortByTime orders xs as sortOrder does (the time key, newest or oldest
// first, then the id ascending) and returns each one's time key by id.
func sortByTime[T any](xs []T, mention func(T) *record.EnrichedMention, newest bool) map[string]string {
	keys := make(map[string]string, len(xs))
	for _, x := range xs {
		m := mention(x)
		keys[m.ID] = timeKey(m.CreatedAt)
	}
	slices.SortFunc(xs, func(x, y T) int {
		a, b := mention(x).ID, mention(y).ID
		if kc := strings.Compare(keys[a], keys[b]); kc != 0 {
			if newest {
				return -kc
			}
			return kc
		}
		return strings.Compare(a, b)
	})
	return keys
}

// hitMention decodes the stored record of a hit.
func hitMention(h *search.DocumentMatch) (*record.EnrichedMention, error) {
	raw, err := rawField(h.Fields)
	if err != nil {
		return nil, fmt.Errorf("reading hit %s: %w", h.ID, err)
	}
	var m record.EnrichedMention
	if err := record.Decode(raw, &m); err != nil {
		return nil, fmt.Errorf("decoding hit %s: %w", h.ID, err)
	}
	return &m, nil
}

// toHits decodes a page of hits and makes the cursor after it.
func (b *Backend) toHits(sr *bleve.SearchResult, c *index.Compiled) ([]index.Hit, string, error) {
	hits := make([]index.Hit, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		m, err := hitMention(h)
		if err != nil {
			return nil, "", err
		}
		hit := index.Hit{ID: h.ID, Mention: m}
		if c.Sort == index.SortRelevance {
			hit.Score = h.Score
		}
		if c.Highlight {
			hit.Snippets = b.snippets(m, c.TextTerms)
		}
		hits = append(hits, hit)
	}
	next := ""
	if len(sr.Hits) == c.Size && c.Size > 0 {
		last := sr.Hits[len(sr.Hits)-1]
		first := formatScore(last.Score)
		if c.Sort != index.SortRelevance {
			first = timeKey(hits[len(hits)-1].Mention.CreatedAt)
		}
		next = index.EncodeCursor(c.Sort, []string{first, last.ID})
	}
	return hits, next, nil
}

func termBuckets(fr *search.FacetResult, n int) []index.Bucket {
	out := []index.Bucket{}
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		out = append(out, index.Bucket{Value: t.Term, Count: int64(t.Count)})
	}
	return index.SortBuckets(out, n)
}

// histogram folds "bucket|sentiment" facet terms into calendar buckets.
func histogram(fr *search.FacetResult, interval string) ([]index.HistogramBucket, error) {
	if fr == nil || fr.Terms == nil {
		return []index.HistogramBucket{}, nil
	}
	terms := map[string]int64{}
	for _, t := range fr.Terms.Terms() {
		terms[t.Term] += int64(t.Count)
	}
	return histogramOf(terms, interval)
}

// histogramOf folds "bucket|sentiment" term counts into calendar buckets.
func histogramOf(terms map[string]int64, interval string) ([]index.HistogramBucket, error) {
	const layout = "2006010215"
	byStart := map[time.Time]*index.HistogramBucket{}
	for term, n := range terms {
		key, sent, ok := strings.Cut(term, "|")
		if !ok {
			return nil, fmt.Errorf("reading histogram term %q: no sentiment part", term)
		}
		ts, err := time.Parse(layout, key)
		if err != nil {
			return nil, fmt.Errorf("reading histogram term %q: %w", term, err)
		}
		start := index.BucketStart(ts, interval)
		hb := byStart[start]
		if hb == nil {
			hb = &index.HistogramBucket{Start: start, Sentiment: map[string]int64{}}
			byStart[start] = hb
		}
		hb.Count += n
		hb.Sentiment[sent] += n
	}
	out := make([]index.HistogramBucket, 0, len(byStart))
	for _, hb := range byStart {
		out = append(out, *hb)
	}
	sortHistogram(out)
	return out, nil
}

func sortHistogram(hs []index.HistogramBucket) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].Start.Before(hs[j-1].Start); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
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
	var must []bq.Query
	if strings.TrimSpace(r.Text) != "" {
		mq := bq.NewMatchQuery(r.Text)
		mq.SetField(pfName)
		mq.SetOperator(bq.MatchQueryOperatorAnd)
		must = append(must, mq)
	}
	for field, v := range map[string]string{
		pfKind: r.Kind, pfStatus: r.Status, "aspects": r.Aspect, "aspects_negative": r.NegativeAspect,
		"brands": r.Brand, "products": r.Product, "competitors": r.Competitor, "languages": r.Language,
	} {
		if v != "" {
			must = append(must, termQuery(field, index.Keyword(v)))
		}
	}
	if r.MinLeadScore > 0 {
		min := r.MinLeadScore
		incl := true
		nq := bq.NewNumericRangeInclusiveQuery(&min, nil, &incl, nil)
		nq.SetField(pfLeadScore)
		must = append(must, nq)
	}
	var q bq.Query = bq.NewMatchAllQuery()
	if len(must) > 0 {
		q = bq.NewConjunctionQuery(must)
	}
	req := bleve.NewSearchRequestOptions(q, r.Size, r.From, false)
	req.Fields = []string{fieldRaw}
	switch r.Sort {
	case index.ProfileSortLastSeen:
		req.SortByCustom(search.SortOrder{&search.SortField{Field: pfLastSeen, Type: search.SortFieldAsDate, Desc: true}, &search.SortDocID{}})
	case index.ProfileSortMentions:
		req.SortByCustom(search.SortOrder{&search.SortField{Field: pfMentionCount, Type: search.SortFieldAsNumber, Desc: true}, &search.SortDocID{}})
	default:
		req.SortByCustom(search.SortOrder{&search.SortField{Field: pfLeadScore, Type: search.SortFieldAsNumber, Desc: true}, &search.SortDocID{}})
	}
	sr, err := b.profiles.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching profiles: %w", err)
	}
	out := &index.ProfileResult{Total: int64(sr.Total), Profiles: make([]*index.Profile, 0, len(sr.Hits))}
	for _, h := range sr.Hits {
		p, err := hitProfile(h)
		if err != nil {
			return nil, err
		}
		out.Profiles = append(out.Profiles, p)
	}
	return out, nil
}

// hitProfile decodes the stored profile of a hit.
func hitProfile(h *search.DocumentMatch) (*index.Profile, error) {
	raw, err := rawField(h.Fields)
	if err != nil {
		return nil, fmt.Errorf("reading profile %s: %w", h.ID, err)
	}
	var p index.Profile
	if err := record.DecodeJSON(raw, &p); err != nil {
		return nil, fmt.Errorf("decoding profile %s: %w", h.ID, err)
	}
	return &p, nil
}
