package pages

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/chart"
	"github.com/earshothq/earshot/web/i18n"
)

// dashboardDays is the default period of a dashboard.
const dashboardDays = 30

type kpi struct {
	Key      string
	Value    string
	Previous string
	Delta    string // "+12.5%", "" when there is nothing to compare
	Up       bool   // the change is an increase
	Good     bool   // the increase or decrease is good news
}

type dashboardData struct {
	Searches    []*record.SavedSearch
	Search      *record.SavedSearch
	From, To    string
	PrevFrom    string
	PrevTo      string
	Ranges      []rangeLink
	Error       *inputError
	Total       int64
	KPIs        []kpi
	Volume      template.HTML
	Share       template.HTML
	Aspects     template.HTML
	Languages   template.HTML
	Sources     template.HTML
	Authors     template.HTML
	Spikes      []string
	MentionsURL string
	HasShare    bool
	// Edit is the saved search's edit form: its values now, or as sent
	// with why they were refused.
	Edit *searchEdit
}

func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request) {
	p.showDashboard(w, r, r.URL.Query(), nil)
}

// showDashboard draws the dashboard the query q asks for; edit, when
// set, is a refused change to its saved search, shown in its form.
func (p *Pages) showDashboard(w http.ResponseWriter, r *http.Request, q url.Values, edit *searchEdit) {
	ctx := r.Context()
	l := p.locale(r)
	d := &dashboardData{Edit: edit}
	if p.d.Searches != nil {
		ss, err := p.d.Searches.List(ctx)
		if err != nil {
			p.fail(w, r, fmt.Errorf("listing saved searches: %w", err))
			return
		}
		sort.Slice(ss, func(i, j int) bool { return strings.ToLower(ss[i].Name) < strings.ToLower(ss[j].Name) })
		d.Searches = ss
		if id := q.Get("search"); id != "" {
			s, err := p.d.Searches.Get(ctx, id)
			if errors.Is(err, index.ErrNotFound) {
				p.notFound(w, r)
				return
			}
			if err != nil {
				p.fail(w, r, err)
				return
			}
			d.Search = s
		}
	}
	if d.Search == nil {
		d.Search = &record.SavedSearch{Name: l.T("dashboard.all")}
	} else if d.Edit == nil {
		d.Edit = editOf(d.Search)
	}
	now := p.d.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from, to := today.AddDate(0, 0, -(dashboardDays-1)), today
	var err error
	if v := q.Get("from"); v != "" {
		if from, err = parseDay("from", v); err != nil {
			d.Error = asInputError(err, "")
		}
	}
	if v := q.Get("to"); v != "" && d.Error == nil {
		if to, err = parseDay("to", v); err != nil {
			d.Error = asInputError(err, "")
		}
	}
	if d.Error == nil && to.Before(from) {
		d.Error = &inputError{Msg: l.T("dashboard.bad_range")}
	}
	end := to.AddDate(0, 0, 1)
	span := end.Sub(from)
	prevFrom := from.Add(-span)
	d.From, d.To = from.Format("2006-01-02"), to.Format("2006-01-02")
	d.PrevFrom, d.PrevTo = prevFrom.Format("2006-01-02"), from.AddDate(0, 0, -1).Format("2006-01-02")
	base := url.Values{}
	if d.Search.ID != "" {
		base.Set("search", d.Search.ID)
	}
	d.Ranges = dashboardRanges(base, today, d.From, d.To)
	ml := listing{Q: d.Search.Query, Filters: d.Search.Filters, From: d.From, To: d.To, Path: "/mentions"}
	d.MentionsURL = ml.URL()
	v := p.newView(r, "", "dashboard", d)
	v.Title = l.T("nav.dashboard") + " · " + d.Search.Name
	if d.Error == nil {
		if err := p.fillDashboard(ctx, v.L, d, from, end, prevFrom); err != nil {
			var ie *inputError
			if !errors.As(err, &ie) {
				p.fail(w, r, err)
				return
			}
			d.Error = ie
		}
	}
	code := http.StatusOK
	switch {
	case edit != nil && edit.Status != 0:
		code = edit.Status
	case d.Error != nil:
		code = http.StatusBadRequest
	}
	p.render(w, r, code, "dashboard", "", v)
}

func dashboardRanges(base url.Values, today time.Time, from, to string) []rangeLink {
	var out []rangeLink
	for _, r := range []struct {
		key  string
		days int
	}{{"range.7d", 7}, {"range.30d", 30}, {"range.90d", 90}, {"range.365d", 365}} {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		f, t := today.AddDate(0, 0, -(r.days-1)).Format("2006-01-02"), today.Format("2006-01-02")
		v.Set("from", f)
		v.Set("to", t)
		out = append(out, rangeLink{Key: r.key, Href: "/dashboard?" + v.Encode(), Active: from == f && to == t})
	}
	return out
}

// fillDashboard runs the dashboard's searches concurrently and draws the charts.
func (p *Pages) fillDashboard(ctx context.Context, l *i18n.Locale, d *dashboardData, from, end, prevFrom time.Time) error {
	s := d.Search
	mutes := p.activeMutes(ctx)
	filters := slices.Clone(s.Filters)
	for _, m := range mutes {
		switch m.Kind {
		case MuteAuthor:
			filters = append(filters, "-"+filterFor("author", m.Value))
		case MuteSite:
			filters = append(filters, "-"+filterFor("channel", m.Value))
		}
	}
	interval := index.IntervalDay
	switch span := end.Sub(from); {
	case span <= 2*24*time.Hour:
		interval = index.IntervalHour
	case span > 120*24*time.Hour:
		interval = index.IntervalWeek
	}
	// Counts only (NoHits). The previous period asks for the same facets as
	// the current one although it shows only sentiment: the embedded
	// index keeps counted days per search (index/bleve/daycache.go), and
	// one search over both periods is counted once per day.
	mk := func(q string, extra []string, f, t time.Time, facets []string, hist string) *index.SearchRequest {
		return &index.SearchRequest{Query: q, Filters: append(slices.Clone(filters), extra...), From: f, To: t, NoHits: true,
			Facets: facets, FacetSize: 8, Histogram: hist, Sort: index.SortNewest}
	}
	facets := []string{"sentiment", "language", "source", "author"}
	cur := mk(s.Query, nil, from, end, facets, interval)
	if err := validate(cur); err != nil {
		return err
	}
	reqs := map[string]*index.SearchRequest{
		"cur":  cur,
		"prev": mk(s.Query, nil, prevFrom, from, facets, interval),
		"pos":  mk(s.Query, []string{"sentiment:positive"}, from, end, []string{"aspect"}, ""),
		"neg":  mk(s.Query, []string{"sentiment:negative"}, from, end, []string{"aspect"}, ""),
	}
	names := make([]string, 0, len(s.Competitors))
	for name, cq := range s.Competitors {
		names = append(names, name)
		reqs["sov:"+name] = &index.SearchRequest{Query: cq, Filters: filters, From: from, To: end, NoHits: true, Sort: index.SortNewest}
	}
	sort.Strings(names)
	res := map[string]*index.SearchResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for k, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.d.Backend.Search(ctx, req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if ie := asInputError(err, req.Query); ie != nil {
					if strings.HasPrefix(k, "sov:") {
						ie.Context = l.T("dashboard.bad_competitor", strings.TrimPrefix(k, "sov:"))
						ie.Msg = ie.Context + " " + ie.Msg
					}
					err = ie
				} else {
					err = fmt.Errorf("dashboard search %s: %w", k, err)
				}
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			res[k] = r
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	c, prev := res["cur"], res["prev"]
	d.Total = c.Total
	num := func(f float64) string { return l.Int(int64(f)) }

	// Volume over time by sentiment, aligned with the previous period.
	starts := bucketStarts(from, end, interval)
	byStart := map[time.Time]index.HistogramBucket{}
	for _, b := range c.Histogram {
		byStart[b.Start.UTC()] = b
	}
	prevBy := map[time.Time]int64{}
	for _, b := range prev.Histogram {
		prevBy[b.Start.UTC()] = b.Count
	}
	span := from.Sub(prevFrom)
	labels := make([]string, len(starts))
	totals := make([]float64, len(starts))
	previous := make([]float64, len(starts))
	sentiments := []string{record.SentimentNegative, record.SentimentNeutral, record.SentimentPositive, index.NoSentiment}
	stacks := make([]chart.Series, len(sentiments))
	for i, sname := range sentiments {
		stacks[i] = chart.Series{Name: l.T("sentiment." + sname), Class: sentClass(sname), Values: make([]float64, len(starts))}
	}
	// Axis labels drop the year when the range stays within one: full dates
	// run into each other on a narrow chart (Chinese ones above all).
	oneYear := len(starts) > 0 && starts[0].UTC().Year() == starts[len(starts)-1].UTC().Year()
	for i, st := range starts {
		switch {
		case interval == index.IntervalHour:
			labels[i] = st.Format("15:04")
		case oneYear:
			labels[i] = l.DayMonth(st)
		default:
			labels[i] = l.Date(st)
		}
		b := byStart[st]
		totals[i] = float64(b.Count)
		for j, sname := range sentiments {
			stacks[j].Values[i] = float64(b.Sentiment[sname])
		}
		previous[i] = float64(prevBy[index.BucketStart(st.Add(-span), interval)])
	}
	spikes := chart.Spikes(totals, 14, 5)
	for _, i := range spikes {
		d.Spikes = append(d.Spikes, labels[i])
	}
	d.Volume = chart.Volume{Title: l.T("dashboard.volume"), Labels: labels, Stacks: stacks, Spikes: spikes,
		Previous: previous, SpikeLabel: l.T("dashboard.spike"), Format: num}.SVG()

	// Key figures against the previous period.
	count := func(r *index.SearchResult, label string) int64 {
		for _, b := range r.Facets["sentiment"] {
			if b.Value == label {
				return b.Count
			}
		}
		return 0
	}
	d.KPIs = []kpi{
		deltaKPI(l, "kpi.mentions", float64(c.Total), float64(prev.Total), l.Int(c.Total), l.Int(prev.Total), true, false),
		shareKPI(l, "kpi.negative", count(c, "negative"), c.Total, count(prev, "negative"), prev.Total, false),
		shareKPI(l, "kpi.positive", count(c, "positive"), c.Total, count(prev, "positive"), prev.Total, true),
	}

	link := func(filter string) string {
		ls := listing{Q: s.Query, Filters: append(slices.Clone(s.Filters), filter), From: d.From, To: d.To, Path: "/mentions"}
		return ls.URL()
	}
	bars := func(facet, field, title string, label func(string) string) template.HTML {
		var bs []chart.Bar
		for _, b := range c.Facets[facet] {
			bs = append(bs, chart.Bar{Label: label(b.Value), Value: float64(b.Count), Href: link(filterFor(field, b.Value))})
		}
		return chart.Bars{Title: title, Bars: bs, Format: num}.SVG()
	}
	same := func(v string) string { return v }
	d.Languages = bars("language", "language", l.T("facet.language"), func(v string) string { return l.Maybe("value."+v, v) })
	d.Sources = bars("source", "source", l.T("facet.source"), same)
	d.Authors = bars("author", "author", l.T("facet.author"), same)

	// Aspects: negative to the left, positive to the right.
	pairs := map[string]*chart.Pair{}
	var order []string
	add := func(r *index.SearchResult, positive bool) {
		for _, b := range r.Facets["aspect"] {
			pp := pairs[b.Value]
			if pp == nil {
				pp = &chart.Pair{Label: l.Maybe("aspect."+b.Value, b.Value), PositiveTitle: l.T("sentiment.positive"), NegativeTitle: l.T("sentiment.negative"),
					PositiveHref: link(filterFor("aspect", b.Value) + " sentiment:positive"),
					NegativeHref: link(filterFor("aspect", b.Value) + " sentiment:negative")}
				pairs[b.Value] = pp
				order = append(order, b.Value)
			}
			if positive {
				pp.Positive = float64(b.Count)
			} else {
				pp.Negative = float64(b.Count)
			}
		}
	}
	add(res["neg"], false)
	add(res["pos"], true)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := pairs[order[i]], pairs[order[j]]
		return a.Positive+a.Negative > b.Positive+b.Negative
	})
	var ps []chart.Pair
	for _, name := range order[:min(len(order), 10)] {
		ps = append(ps, *pairs[name])
	}
	d.Aspects = chart.Diverging{Title: l.T("dashboard.aspects"), Pairs: ps, Format: num}.SVG()

	// Share of voice: this search against each competitor's query.
	if len(names) > 0 {
		d.HasShare = true
		slices := []chart.Bar{{Label: s.Name, Value: float64(c.Total), Href: d.MentionsURL}}
		for _, n := range names {
			cl := listing{Q: s.Competitors[n], Filters: s.Filters, From: d.From, To: d.To, Path: "/mentions"}
			slices = append(slices, chart.Bar{Label: n, Value: float64(res["sov:"+n].Total), Href: cl.URL()})
		}
		d.Share = chart.Donut{Title: l.T("dashboard.share"), Slices: slices, Percent: l.Percent}.SVG()
	}
	return nil
}

// deltaKPI is a key figure with its change against the previous period.
func deltaKPI(l *i18n.Locale, key string, cur, prev float64, curS, prevS string, upIsGood, points bool) kpi {
	k := kpi{Key: key, Value: curS, Previous: prevS}
	switch {
	case points:
		diff := (cur - prev) * 100
		k.Delta = l.T("kpi.points", l.Float(diff, 1))
		if diff >= 0 {
			k.Delta = "+" + k.Delta
		}
		k.Up = diff > 0
	case prev > 0:
		ch := (cur - prev) / prev
		k.Delta = l.Percent(ch)
		if ch >= 0 {
			k.Delta = "+" + k.Delta
		}
		k.Up = ch > 0
	}
	k.Good = k.Up == upIsGood
	return k
}

// shareKPI is a sentiment's share of the mentions, compared in points with
// the previous period only when both periods have mentions: a share of no
// mentions is no figure, and "+30 pts" against an empty period misleads.
func shareKPI(l *i18n.Locale, key string, n, total, prevN, prevTotal int64, upIsGood bool) kpi {
	cur, prev := share(n, total), share(prevN, prevTotal)
	k := deltaKPI(l, key, cur, prev, l.Percent(cur), l.Percent(prev), upIsGood, true)
	if total == 0 || prevTotal == 0 {
		k.Delta, k.Up, k.Good = "", false, false
	}
	return k
}

// share is n of total as a fraction, 0 of nothing.
func share(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// bucketStarts lists every bucket of [from, end), so empty ones show as gaps.
func bucketStarts(from, end time.Time, interval string) []time.Time {
	var out []time.Time
	for t := index.BucketStart(from, interval); t.Before(end) && len(out) < 2000; {
		out = append(out, t)
		switch interval {
		case index.IntervalHour:
			t = t.Add(time.Hour)
		case index.IntervalWeek:
			t = t.AddDate(0, 0, 7)
		case index.IntervalMonth:
			t = t.AddDate(0, 1, 0)
		default:
			t = t.AddDate(0, 0, 1)
		}
	}
	return out
}
