package contract

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// Factory returns a new, empty backend with its schema ensured; it
// registers its own cleanup with t.
type Factory func(t *testing.T) index.Backend

// Run runs the whole contract against backends made by newBackend.
func Run(t *testing.T, newBackend Factory) {
	ctx := context.Background()
	b := newBackend(t)
	load(t, b, Mentions())
	// A second write of every record must not duplicate anything.
	load(t, b, Mentions())

	t.Run("UpsertIsIdempotent", func(t *testing.T) { testIdempotent(ctx, t, b) })
	t.Run("GetMention", func(t *testing.T) { testGet(ctx, t, b) })
	t.Run("FullTextMultilingual", func(t *testing.T) { testFullText(ctx, t, b) })
	t.Run("FieldQueriesMatchReference", func(t *testing.T) { testFieldQueries(ctx, t, b) })
	t.Run("FiltersAndTimeRange", func(t *testing.T) { testFilters(ctx, t, b) })
	t.Run("FacetsMatchReference", func(t *testing.T) { testFacets(ctx, t, b) })
	t.Run("HistogramBySentiment", func(t *testing.T) { testHistogram(ctx, t, b) })
	t.Run("Highlight", func(t *testing.T) { testHighlight(ctx, t, b) })
	t.Run("CursorPagination", func(t *testing.T) { testCursor(ctx, t, b) })
	t.Run("SyntaxErrorNamesPosition", func(t *testing.T) { testSyntaxError(ctx, t, b) })
	t.Run("Profiles", func(t *testing.T) { testProfiles(ctx, t, newBackend(t)) })
	t.Run("DeletePerson", func(t *testing.T) { testDeletePerson(ctx, t, newBackend(t)) })
	t.Run("DeleteMentions", func(t *testing.T) { testDeleteMentions(ctx, t, newBackend(t)) })
	t.Run("MentionsOf", func(t *testing.T) { testMentionsOf(ctx, t, newBackend(t)) })
	t.Run("MentionsOfPeople", func(t *testing.T) { testMentionsOfPeople(ctx, t, newBackend(t)) })
}

func load(t *testing.T, b index.Backend, ms []*record.EnrichedMention) {
	t.Helper()
	ctx := context.Background()
	for i, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatalf("upserting %s: %v", ms[i].ID, err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatalf("refreshing: %v", err)
	}
}

func mustSearch(ctx context.Context, t *testing.T, b index.Backend, r index.SearchRequest) *index.SearchResult {
	t.Helper()
	res, err := b.Search(ctx, &r)
	if err != nil {
		t.Fatalf("search %+v: %v", r, err)
	}
	return res
}

func hitIDs(res *index.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func testIdempotent(ctx context.Context, t *testing.T, b index.Backend) {
	res := mustSearch(ctx, t, b, index.SearchRequest{Size: 100})
	if res.Total != int64(len(fixtures)) || len(res.Hits) != len(fixtures) {
		t.Fatalf("after writing every record twice: total %d, %d hits; want %d", res.Total, len(res.Hits), len(fixtures))
	}
	want := ids(refSearch(docs(Mentions()), &index.Compiled{Query: &query.All{}, Sort: index.SortNewest}))
	if got := hitIDs(res); !slices.Equal(got, want) {
		t.Fatalf("newest-first order %v; want %v", got, want)
	}
}

func testGet(ctx context.Context, t *testing.T, b index.Backend) {
	want := fixtures[2].mention()
	got, err := b.GetMention(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != want.Text || !got.CreatedAt.Equal(want.CreatedAt) || got.Author.Email != want.Author.Email ||
		got.Identity == nil || got.Identity.CustomerID != "C2" || got.Analysis.Sentiment.Label != "negative" {
		t.Fatalf("GetMention returned %+v; want the stored record %+v", got, want)
	}
	if _, err := b.GetMention(ctx, "no-such-id"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("GetMention(unknown) error = %v; want ErrNotFound", err)
	}
}

// textCases are full-text queries whose answers both engines must agree on.
// They avoid words whose matches depend on a stemmer only one engine has
// (Polish in bleve, Latvian in Elasticsearch); see the backends' own tests.
var textCases = []struct {
	q    string
	want []string
}{
	{"entrega", []string{"pt1", "pt2"}},                   // Portuguese stemming: "entrega" finds "entregas"
	{"ENTREGAS", []string{"pt1", "pt2"}},                  // and the other way round, case-insensitive
	{"快递", []string{"zh1"}},                               // a Chinese word finds its text
	{`"很慢"`, []string{"zh1"}},                             // as a phrase too
	{"质量", []string{"zh2"}},                               // and not the other Chinese text
	{"客服 回复", []string{"zh1"}},                            // two Chinese words, implicit AND
	{"dotarło", []string{"pl1"}},                          // Polish exact word
	{"dotarlo", []string{"pl1"}},                          // without diacritics
	{"zamówieni*", []string{"pl1", "pl2"}},                // prefix reaches inflected forms
	{"paldies", []string{"lv1"}},                          // Latvian exact word
	{"piegād*", []string{"lv1", "lv2"}},                   // Latvian prefix with a long vowel
	{"piegad*", []string{"lv1", "lv2"}},                   // and typed without it
	{"delivery", []string{"en1"}},                         // English stemming: "delivery" finds "Deliveries"
	{`"arriving late"`, []string{"en1"}},                  // phrase
	{`"late arriving"`, nil},                              // phrase order matters
	{"acme AND NOT language:en", []string{"pt1", "raw1"}}, // text and field, negation
	{"(dostawa OR paldies) AND sentiment:positive", []string{"lv1"}},
	{"riga", []string{"raw1"}},                              // a mention without any enrichment is searchable
	{"acme -switching language:en", []string{"en1", "en2"}}, // '-' negation
	{"pop-up", []string{"raw1"}},                            // a hyphenated word
	{"entrega OR 快递 OR paldies", []string{"lv1", "pt1", "pt2", "zh1"}},
}

func testFullText(ctx context.Context, t *testing.T, b index.Backend) {
	for _, c := range textCases {
		res := mustSearch(ctx, t, b, index.SearchRequest{Query: c.q, Size: 50})
		if got := sorted(hitIDs(res)); !slices.Equal(got, sorted(c.want)) {
			t.Errorf("query %q matched %v; want %v", c.q, got, sorted(c.want))
		}
		if res.Total != int64(len(c.want)) {
			t.Errorf("query %q total %d; want %d", c.q, res.Total, len(c.want))
		}
	}
}

var fieldQueries = []string{
	"language:pl", "lang:(pl OR lv)", "sentiment:negative", "intent:buying", "aspect:delivery AND sentiment:positive",
	"brand:acme", "brand:ACME NOT source:mastodon", "customer:C1", "prospect:P2", "source:forms OR source:web",
	"competitor:globex", `product:"acme pro"`, "aspect:pri*", "NOT aspect:delivery", "intent:complaint -language:pt",
	"customer:c1", // ids are case-sensitive: matches nothing
}

func testFieldQueries(ctx context.Context, t *testing.T, b index.Backend) {
	all := docs(Mentions())
	for _, order := range []string{index.SortNewest, index.SortOldest} {
		for _, q := range fieldQueries {
			r := index.SearchRequest{Query: q, Sort: order, Size: 50}
			c, err := r.Compile()
			if err != nil {
				t.Fatal(err)
			}
			want := ids(refSearch(all, c))
			res := mustSearch(ctx, t, b, r)
			if got := hitIDs(res); !slices.Equal(got, want) {
				t.Errorf("query %q sorted %s: %v; want %v", q, order, got, want)
			}
			if res.Total != int64(len(want)) {
				t.Errorf("query %q total %d; want %d", q, res.Total, len(want))
			}
		}
	}
}

func testFilters(ctx context.Context, t *testing.T, b index.Backend) {
	all := docs(Mentions())
	reqs := []index.SearchRequest{
		{Filters: []string{"language:pt"}},
		{Query: "brand:acme", Filters: []string{"sentiment:negative", "NOT source:web"}},
		{From: T0.Add(24 * time.Hour), To: T0.Add(72 * time.Hour)}, // from is inclusive, to exclusive
		{Query: "aspect:delivery", Filters: []string{"intent:complaint"}, From: T0.Add(25 * time.Hour)},
		{To: T0.Add(time.Second)},
	}
	for _, r := range reqs {
		r.Size = 50
		c, err := r.Compile()
		if err != nil {
			t.Fatal(err)
		}
		want := ids(refSearch(all, c))
		res := mustSearch(ctx, t, b, r)
		if got := hitIDs(res); !slices.Equal(got, want) || res.Total != int64(len(want)) {
			t.Errorf("request %+v: %v (total %d); want %v", r, got, res.Total, want)
		}
	}
	// Filters restrict a text query without changing what it matches.
	res := mustSearch(ctx, t, b, index.SearchRequest{Query: "acme", Filters: []string{"language:en"}, Size: 50})
	if got := sorted(hitIDs(res)); !slices.Equal(got, []string{"en1", "en2", "en3"}) {
		t.Errorf("acme filtered to English: %v", got)
	}
}

func testFacets(ctx context.Context, t *testing.T, b index.Backend) {
	all := docs(Mentions())
	for _, q := range []string{"", "brand:acme", "sentiment:negative OR intent:buying"} {
		r := index.SearchRequest{Query: q, Facets: index.DefaultFacets, FacetSize: 5, Size: 1}
		c, err := r.Compile()
		if err != nil {
			t.Fatal(err)
		}
		matched := refSearch(all, c)
		res := mustSearch(ctx, t, b, r)
		if res.Total != int64(len(matched)) {
			t.Errorf("query %q total %d; want %d", q, res.Total, len(matched))
		}
		for _, f := range index.DefaultFacets {
			want := refFacet(matched, index.FacetFields[f], 5)
			if got := res.Facets[f]; !reflect.DeepEqual(got, want) {
				t.Errorf("query %q facet %s = %v; want %v", q, f, got, want)
			}
		}
	}
}

func testHistogram(ctx context.Context, t *testing.T, b index.Backend) {
	all := docs(Mentions())
	for _, iv := range []string{index.IntervalDay, index.IntervalHour, index.IntervalWeek, index.IntervalMonth} {
		r := index.SearchRequest{Query: "NOT source:forms", Histogram: iv, Size: 1}
		c, err := r.Compile()
		if err != nil {
			t.Fatal(err)
		}
		want := refHistogram(refSearch(all, c), iv)
		res := mustSearch(ctx, t, b, r)
		if res.Interval != iv {
			t.Errorf("interval %q; want %q", res.Interval, iv)
		}
		if !histEqual(res.Histogram, want) {
			t.Errorf("%s histogram:\n got %s\nwant %s", iv, fmtHist(res.Histogram), fmtHist(want))
		}
	}
}

func histEqual(a, b []index.HistogramBucket) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || a[i].Count != b[i].Count || !reflect.DeepEqual(a[i].Sentiment, b[i].Sentiment) {
			return false
		}
	}
	return true
}

func fmtHist(hs []index.HistogramBucket) string {
	var sb strings.Builder
	for _, h := range hs {
		keys := make([]string, 0, len(h.Sentiment))
		for k := range h.Sentiment {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&sb, "[%s %d", h.Start.Format(time.RFC3339), h.Count)
		for _, k := range keys {
			fmt.Fprintf(&sb, " %s=%d", k, h.Sentiment[k])
		}
		sb.WriteString("] ")
	}
	return sb.String()
}

func testHighlight(ctx context.Context, t *testing.T, b index.Backend) {
	cases := []struct{ q, id, mark string }{
		{"entrega", "pt1", "<mark>entregas</mark>"},
		{"快递", "zh1", "<mark>快递</mark>"},
		{`"arriving late"`, "en1", "<mark>arriving late</mark>"},
		{"piegād*", "lv2", "<mark>piegādes</mark>"},
	}
	for _, c := range cases {
		res := mustSearch(ctx, t, b, index.SearchRequest{Query: c.q, Highlight: true, Size: 10})
		var found bool
		for _, h := range res.Hits {
			if h.ID != c.id {
				continue
			}
			found = true
			joined := strings.Join(h.Snippets, " ")
			if !strings.Contains(joined, c.mark) {
				t.Errorf("query %q: snippets of %s are %q; want them to contain %q", c.q, c.id, h.Snippets, c.mark)
			}
		}
		if !found {
			t.Errorf("query %q did not return %s", c.q, c.id)
		}
	}
	// Snippets are HTML-escaped, only <mark> is markup.
	res := mustSearch(ctx, t, b, index.SearchRequest{Query: "acme", Highlight: true, Size: 50})
	for _, h := range res.Hits {
		for _, s := range h.Snippets {
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
			if strings.ContainsAny(rest, "<>") {
				t.Errorf("snippet %q carries unescaped markup", s)
			}
		}
	}
}

func testCursor(ctx context.Context, t *testing.T, b index.Backend) {
	for _, r := range []index.SearchRequest{
		{Sort: index.SortNewest},
		{Sort: index.SortOldest, Query: "NOT language:zh"},
		{Query: "acme OR entrega OR 快递", Sort: index.SortRelevance},
	} {
		full := mustSearch(ctx, t, b, index.SearchRequest{Query: r.Query, Sort: r.Sort, Size: 100})
		var paged []string
		r.Size = 3
		for page := 0; ; page++ {
			if page > 20 {
				t.Fatalf("cursor never ends for %+v", r)
			}
			res := mustSearch(ctx, t, b, r)
			paged = append(paged, hitIDs(res)...)
			if res.Total != full.Total {
				t.Errorf("page %d total %d; want %d", page, res.Total, full.Total)
			}
			if res.Next == "" {
				break
			}
			r.Cursor = res.Next
		}
		if want := hitIDs(full); !slices.Equal(paged, want) {
			t.Errorf("paging %q by %s gave %v; one page gives %v", r.Query, r.Sort, paged, want)
		}
	}
}

func testSyntaxError(ctx context.Context, t *testing.T, b index.Backend) {
	_, err := b.Search(ctx, &index.SearchRequest{Query: "entrega AND (atraso"})
	var se *query.SyntaxError
	if !errors.As(err, &se) || se.Pos != 20 {
		t.Fatalf("error %v; want a syntax error at position 20", err)
	}
}

func testProfiles(ctx context.Context, t *testing.T, b index.Backend) {
	ms := Mentions()
	load(t, b, ms)
	c1 := &record.Customer{ID: "C1", FirstName: "Maria", LastName: "Silva", Emails: []string{"Maria@Example.com"},
		Company: "Padaria Lisboa", Address: record.Address{Country: "pt"}}
	p2 := &record.Prospect{ID: "P2", Key: "email:anna@example.com", Name: "Anna Kowalska", Emails: []string{"anna@example.com"},
		Score: 0.82, Status: record.ProspectQualified, Languages: []string{"pl"}}
	var personMentions = func(pick func(*record.EnrichedMention) bool) []*record.EnrichedMention {
		var out []*record.EnrichedMention
		for _, m := range ms {
			if pick(m) {
				out = append(out, m)
			}
		}
		return out
	}
	now := T0.Add(200 * time.Hour)
	profiles := []*index.Profile{
		index.CustomerProfile(c1).WithStats(index.Aggregate(personMentions(func(m *record.EnrichedMention) bool {
			return m.Identity != nil && m.Identity.CustomerID == "C1"
		})), now),
		index.ProspectProfile(p2).WithStats(index.Aggregate(personMentions(func(m *record.EnrichedMention) bool {
			return m.Identity != nil && m.Identity.ProspectID == "P2"
		})), now),
		index.PlaceholderProfile(index.ProfileProspect, "P1").WithStats(index.Aggregate(personMentions(func(m *record.EnrichedMention) bool {
			return m.Identity != nil && m.Identity.ProspectID == "P1"
		})), now),
	}
	for i, err := range b.UpsertProfiles(ctx, profiles) {
		if err != nil {
			t.Fatalf("upserting profile %s: %v", profiles[i].ID, err)
		}
	}
	// Idempotent: the same profiles again.
	for _, err := range b.UpsertProfiles(ctx, profiles) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetProfile(ctx, "customer:C1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Maria Silva" || got.MentionCount != 3 || got.Customer == nil || got.Customer.Company != "Padaria Lisboa" {
		t.Fatalf("customer profile %+v", got)
	}
	if !reflect.DeepEqual(got.AspectsNegative, []string{"delivery", "price"}) || !reflect.DeepEqual(got.Languages, []string{"en", "lv", "pt"}) {
		t.Fatalf("customer preferences: negative %v languages %v", got.AspectsNegative, got.Languages)
	}
	if _, err := b.GetProfile(ctx, "customer:nobody"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("GetProfile(unknown) = %v; want ErrNotFound", err)
	}
	// Many at once, in the order asked, nil for the unknown; more ids than
	// one request of a backend names.
	ids := []string{"prospect:P2", "customer:nobody"}
	for i := range 600 {
		ids = append(ids, fmt.Sprintf("prospect:nobody%d", i))
	}
	ids = append(ids, "customer:C1")
	many, err := b.GetProfiles(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(many) != len(ids) {
		t.Fatalf("GetProfiles returned %d profiles for %d ids", len(many), len(ids))
	}
	for i, p := range many {
		switch want := ids[i]; {
		case want == "prospect:P2" || want == "customer:C1":
			if p == nil || p.ID != want {
				t.Fatalf("GetProfiles[%d] = %+v; want %s", i, p, want)
			}
		case p != nil:
			t.Fatalf("GetProfiles[%d] (%s) = %+v; want nil", i, want, p)
		}
	}
	if c1 := many[len(many)-1]; c1.MentionCount != 3 || c1.Customer == nil || c1.Customer.Company != "Padaria Lisboa" {
		t.Fatalf("customer profile read with others %+v", c1)
	}
	if none, err := b.GetProfiles(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("GetProfiles(none) = %v, %v", none, err)
	}
	cases := []struct {
		r    index.ProfileRequest
		want []string
	}{
		{index.ProfileRequest{}, []string{"prospect:P2", "customer:C1", "prospect:P1"}}, // lead score, then id
		{index.ProfileRequest{Kind: index.ProfileProspect}, []string{"prospect:P2", "prospect:P1"}},
		{index.ProfileRequest{NegativeAspect: "delivery"}, []string{"customer:C1"}},
		{index.ProfileRequest{Aspect: "quality"}, []string{"prospect:P1"}},
		{index.ProfileRequest{Competitor: "Globex"}, []string{"prospect:P2", "customer:C1"}},
		{index.ProfileRequest{Text: "kowalska"}, []string{"prospect:P2"}},
		{index.ProfileRequest{Text: "maria@example.com"}, []string{"customer:C1"}},
		{index.ProfileRequest{Status: "qualified", MinLeadScore: 0.5}, []string{"prospect:P2"}},
		{index.ProfileRequest{Sort: index.ProfileSortMentions}, []string{"customer:C1", "prospect:P1", "prospect:P2"}},
		{index.ProfileRequest{Sort: index.ProfileSortLastSeen}, []string{"customer:C1", "prospect:P2", "prospect:P1"}},
		{index.ProfileRequest{Language: "pl"}, []string{"prospect:P2"}},
	}
	for _, c := range cases {
		res, err := b.SearchProfiles(ctx, &c.r)
		if err != nil {
			t.Fatalf("profile search %+v: %v", c.r, err)
		}
		var gotIDs []string
		for _, p := range res.Profiles {
			gotIDs = append(gotIDs, p.ID)
		}
		if !slices.Equal(gotIDs, c.want) || res.Total != int64(len(c.want)) {
			t.Errorf("profile search %+v = %v (total %d); want %v", c.r, gotIDs, res.Total, c.want)
		}
	}
	for _, err := range b.DeleteProfiles(ctx, []string{"prospect:P1"}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetProfile(ctx, "prospect:P1"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("deleted profile still there: %v", err)
	}
}

func testDeletePerson(ctx context.Context, t *testing.T, b index.Backend) {
	load(t, b, Mentions())
	p := index.CustomerProfile(&record.Customer{ID: "C1", FirstName: "Maria"})
	for _, err := range b.UpsertProfiles(ctx, []*index.Profile{p}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// C1 wrote pt1, lv1 and en3; anna@example.com wrote en2.
	n, err := b.DeletePerson(ctx, index.Person{CustomerID: "C1", Emails: []string{"ANNA@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("DeletePerson deleted %d mentions; want 4", n)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res := mustSearch(ctx, t, b, index.SearchRequest{Query: "customer:C1 OR author:user_en2", Size: 50})
	if res.Total != 0 {
		t.Fatalf("after erasure %d mentions remain: %v", res.Total, hitIDs(res))
	}
	res = mustSearch(ctx, t, b, index.SearchRequest{Size: 50})
	if res.Total != int64(len(fixtures)-4) {
		t.Fatalf("erasure touched other people: %d mentions left; want %d", res.Total, len(fixtures)-4)
	}
	if _, err := b.GetProfile(ctx, "customer:C1"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("erased profile still there: %v", err)
	}
	if _, err := b.DeletePerson(ctx, index.Person{}); err == nil {
		t.Fatal("an erasure naming nobody was accepted")
	}
}
