package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/i18n"
)

// mentionsPageSize is how many mentions a page lists.
const mentionsPageSize = 25

// mentionsDays is the period the mentions page opens on.
const mentionsDays = 30

// maxStreamLifetime bounds one live-stream connection.
const maxStreamLifetime = 15 * time.Minute

// listing is the state of a mentions or feedback page, all from its URL.
type listing struct {
	Q       string
	Filters []string
	From    string // YYYY-MM-DD, inclusive
	To      string // YYYY-MM-DD, inclusive (the search's exclusive end is the next day)
	Sort    string
	Cursor  string
	Path    string
	// Period "all" asks for all time explicitly (the mentions page
	// otherwise opens on the last mentionsDays days).
	Period string
}

func readListing(r *http.Request, path string) listing {
	q := r.URL.Query()
	ls := listing{Q: strings.TrimSpace(q.Get("q")), From: q.Get("from"), To: q.Get("to"), Sort: q.Get("sort"), Cursor: q.Get("cursor"), Path: path, Period: q.Get("period")}
	if ls.Period != "all" {
		ls.Period = ""
	}
	ls.Filters = cleanFilters(q["filter"])
	return ls
}

// cleanFilters are a form's filters trimmed, without blanks and repeats.
func cleanFilters(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// lastDays sets the listing's period to the mentionsDays days up to now,
// the period the mentions page opens on.
func (ls *listing) lastDays(now time.Time) {
	now = now.UTC()
	ls.From, ls.To = now.AddDate(0, 0, -(mentionsDays-1)).Format("2006-01-02"), now.Format("2006-01-02")
}

// values is the listing as URL parameters (without the cursor).
func (ls listing) values() url.Values {
	v := url.Values{}
	if ls.Q != "" {
		v.Set("q", ls.Q)
	}
	for _, f := range ls.Filters {
		v.Add("filter", f)
	}
	if ls.From != "" {
		v.Set("from", ls.From)
	}
	if ls.To != "" {
		v.Set("to", ls.To)
	}
	if ls.Sort != "" {
		v.Set("sort", ls.Sort)
	}
	if ls.Period != "" && ls.From == "" && ls.To == "" {
		v.Set("period", ls.Period)
	}
	return v
}

func (ls listing) url(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// URL is the listing's page.
func (ls listing) URL() string { return ls.url(ls.Path, ls.values()) }

// WithFilter toggles a filter: the page with it added, or removed if present.
func (ls listing) WithFilter(f string) string {
	c := ls
	if i := slices.Index(c.Filters, f); i >= 0 {
		c.Filters = slices.Delete(slices.Clone(c.Filters), i, i+1)
	} else {
		c.Filters = append(slices.Clone(c.Filters), f)
	}
	return c.url(ls.Path, c.values())
}

// WithRange is the page over the last days days (0 = all time).
func (ls listing) WithRange(from, to string) string {
	c := ls
	c.From, c.To, c.Period = from, to, ""
	if from == "" && to == "" {
		c.Period = "all"
	}
	return c.url(ls.Path, c.values())
}

// WithCursor is the next page.
func (ls listing) WithCursor(cursor string) string {
	v := ls.values()
	v.Set("cursor", cursor)
	return ls.url(ls.Path, v)
}

// Export is the CSV of the listing.
func (ls listing) Export() string { return ls.url(ls.Path+".csv", ls.values()) }

// StreamURL is the live stream of the listing.
func (ls listing) StreamURL() string { return ls.url("/mentions/stream", ls.values()) }

// Has reports whether a filter is active.
func (ls listing) Has(f string) bool { return slices.Contains(ls.Filters, f) }

// request builds the index search; mutes add exclusions.
func (ls listing) request(now time.Time, mutes []Mute) (*index.SearchRequest, error) {
	req := &index.SearchRequest{Query: ls.Q, Filters: slices.Clone(ls.Filters), Sort: ls.Sort, Cursor: ls.Cursor, Highlight: true}
	var err error
	if req.From, err = parseDay("from", ls.From); err != nil {
		return nil, err
	}
	if req.To, err = parseDay("to", ls.To); err != nil {
		return nil, err
	}
	if !req.To.IsZero() {
		req.To = req.To.AddDate(0, 0, 1)
	}
	for _, m := range mutes {
		switch m.Kind {
		case MuteAuthor:
			req.Filters = append(req.Filters, "-"+filterFor("author", m.Value))
		case MuteSite:
			req.Filters = append(req.Filters, "-"+filterFor("channel", m.Value))
		}
	}
	return req, nil
}

// inputError is a problem with what the reader typed, shown on the page.
type inputError struct {
	Msg   string // in English
	Query string // the query, when the problem is at a position in it
	Pos   int    // 1-based rune position, 0 when not positional
	// Code and Args name a query syntax error (query.Err*), which Text
	// says in the reader's language; Context (already in that language)
	// says which of several queries it is in.
	Code    string
	Args    []any
	Context string
}

func (e *inputError) Error() string { return e.Msg }

// Text is the message in l's language: a query syntax error from the
// catalogs ("qerr.CODE", token names "qtok.NAME"), anything else as is.
func (e *inputError) Text(l *i18n.Locale) string {
	msg := e.Msg
	if e.Code != "" {
		args := make([]any, len(e.Args))
		for i, a := range e.Args {
			if s, ok := a.(string); ok {
				a = l.Maybe("qtok."+s, s)
			}
			args[i] = a
		}
		msg = l.T("qerr."+e.Code, args...)
	}
	if e.Context != "" {
		msg = e.Context + " " + msg
	}
	return msg
}

// errorBox is what the error-box template gets.
type errorBox struct {
	E *inputError
	L *i18n.Locale
}

// Before and After split the query at the error position for display.
func (e *inputError) Before() string {
	r := []rune(e.Query)
	return string(r[:min(max(e.Pos-1, 0), len(r))])
}
func (e *inputError) At() string {
	r := []rune(e.Query)
	if e.Pos-1 >= len(r) || e.Pos < 1 {
		return " "
	}
	return string(r[e.Pos-1])
}
func (e *inputError) After() string {
	r := []rune(e.Query)
	if e.Pos >= len(r) {
		return ""
	}
	return string(r[e.Pos:])
}

func parseDay(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, &inputError{Msg: fmt.Sprintf("%s: %q is not a date (YYYY-MM-DD)", name, v)}
	}
	return t, nil
}

// asInputError turns a compile error into what the page shows, or nil for
// an error that is the server's fault.
func asInputError(err error, q string) *inputError {
	var ie *inputError
	if errors.As(err, &ie) {
		return ie
	}
	var se *query.SyntaxError
	if errors.As(err, &se) {
		if se.Query != "" && se.Query != q {
			// A filter's error: positions refer to the filter.
			return &inputError{Msg: err.Error(), Query: se.Query, Pos: se.Pos, Code: se.Code, Args: se.Args}
		}
		return &inputError{Msg: se.Msg, Query: q, Pos: se.Pos, Code: se.Code, Args: se.Args}
	}
	return nil
}

// validate checks a request the way the backend will, so a bad query is
// the reader's error, not a backend failure.
func validate(req *index.SearchRequest) error {
	_, err := req.Compile()
	if err == nil {
		return nil
	}
	if ie := asInputError(err, req.Query); ie != nil {
		return ie
	}
	return &inputError{Msg: err.Error()}
}

type facetView struct {
	Name    string
	Buckets []bucketView
}

type bucketView struct {
	Value  string
	Count  int64
	Href   string
	Active bool
}

// facetField is the query-language name of a facet (FacetFields maps to
// index fields, whose names differ for lists).
var facetField = map[string]string{
	"source": "source", "channel": "channel", "kind": "kind", "language": "language", "sentiment": "sentiment",
	"intent": "intent", "aspect": "aspect", "brand": "brand", "product": "product", "competitor": "competitor", "author": "author",
}

func facetViews(ls listing, res *index.SearchResult, order []string) []facetView {
	var out []facetView
	for _, name := range order {
		bs := res.Facets[name]
		fv := facetView{Name: name}
		for _, b := range bs {
			f := filterFor(facetField[name], b.Value)
			fv.Buckets = append(fv.Buckets, bucketView{Value: b.Value, Count: b.Count, Href: ls.WithFilter(f), Active: ls.Has(f)})
		}
		// An active filter with no bucket left still shows, so it can be removed.
		for _, f := range ls.Filters {
			prefix := facetField[name] + ":"
			if strings.HasPrefix(f, prefix) {
				v := strings.Trim(strings.TrimPrefix(f, prefix), `"`)
				if !slices.ContainsFunc(fv.Buckets, func(b bucketView) bool { return b.Value == v }) {
					fv.Buckets = append(fv.Buckets, bucketView{Value: v, Href: ls.WithFilter(f), Active: true})
				}
			}
		}
		if len(fv.Buckets) > 0 { // an empty group would leave an empty panel
			out = append(out, fv)
		}
	}
	return out
}

type mentionsData struct {
	Listing  listing
	Error    *inputError
	Total    int64
	Mentions []mentionView
	Facets   []facetView
	Next     string
	Mutes    []Mute
	Ranges   []rangeLink
	Live     bool
	Searches []*record.SavedSearch
	// AspectHints offer the mentions about an aspect the search names,
	// in every language (aspecthint.go).
	AspectHints []aspectHint
	Export      bool // offer the CSV of the listing
	CanSave     bool // offer to save the listing as a saved search
	// Save is the save form as sent, with why it was refused.
	Save *searchEdit
	OOB  bool // facets rendered as an out-of-band swap
}

type rangeLink struct {
	Key    string
	Href   string
	Active bool
}

func (p *Pages) ranges(ls listing) []rangeLink {
	today := p.d.Now().UTC()
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	var out []rangeLink
	for _, r := range []struct {
		key  string
		days int
	}{{"range.24h", 1}, {"range.7d", 7}, {"range.30d", 30}, {"range.90d", 90}, {"range.all", 0}} {
		from, to := "", ""
		if r.days > 0 {
			from, to = day(today.AddDate(0, 0, -(r.days-1))), day(today)
			if r.days == 1 {
				from = day(today.AddDate(0, 0, -1))
			}
		}
		out = append(out, rangeLink{Key: r.key, Href: ls.WithRange(from, to), Active: ls.From == from && ls.To == to})
		if r.days == 0 {
			out[len(out)-1].Active = ls.From == "" && ls.To == ""
		}
	}
	return out
}

func (p *Pages) activeMutes(ctx context.Context) []Mute {
	if p.d.Mutes == nil {
		return nil
	}
	ms, err := p.d.Mutes.List(ctx)
	if err != nil {
		p.log.Warn("reading mutes", "error", err)
	}
	return ms
}

// search runs a listing with facets; an input error comes back in data.
func (p *Pages) searchListing(ctx context.Context, ls listing, facets []string, size int) (*index.SearchResult, []Mute, *inputError, error) {
	mutes := p.activeMutes(ctx)
	req, err := ls.request(p.d.Now(), mutes)
	if err == nil {
		req.Facets, req.Size = facets, size
		err = validate(req)
	}
	if err != nil {
		var ie *inputError
		if errors.As(err, &ie) {
			return nil, mutes, ie, nil
		}
		return nil, mutes, nil, err
	}
	res, err := p.d.Backend.Search(ctx, req)
	if err != nil {
		if ie := asInputError(err, ls.Q); ie != nil {
			return nil, mutes, ie, nil
		}
		return nil, mutes, nil, fmt.Errorf("searching mentions: %w", err)
	}
	return res, mutes, nil, nil
}

// mentionFacets are the facets of the mentions page.
var mentionFacets = []string{"sentiment", "language", "source", "intent", "aspect", "brand"}

func (p *Pages) mentionsData(ctx context.Context, r *http.Request, ls listing, facets []string) (*mentionsData, int, error) {
	res, mutes, ie, err := p.searchListing(ctx, ls, facets, mentionsPageSize)
	if err != nil {
		return nil, 0, err
	}
	d := &mentionsData{Listing: ls, Mutes: mutes, Ranges: p.ranges(ls)}
	if ie != nil {
		// The reader's mistake: the page shows it where it happened.
		d.Error = ie
		return d, http.StatusBadRequest, nil //nolint:nilerr // the reader's mistake is shown on the page; the handler did not fail
	}
	d.Total, d.Next = res.Total, res.Next
	for _, h := range res.Hits {
		d.Mentions = append(d.Mentions, newMentionView(h))
	}
	d.Facets = facetViews(ls, res, facets)
	d.AspectHints = aspectHints(ls)
	d.Live = ls.Cursor == "" && (ls.Sort == "" || ls.Sort == index.SortNewest)
	return d, http.StatusOK, nil
}

func (p *Pages) mentions(w http.ResponseWriter, r *http.Request) {
	ls := readListing(r, "/mentions")
	if ls.From == "" && ls.To == "" && ls.Period == "" && ls.Cursor == "" {
		// The page opens on the last mentionsDays days, said in its URL.
		ls.lastDays(p.d.Now())
		v := ls.values()
		if l := r.URL.Query().Get("lang"); l != "" {
			v.Set("lang", l)
		}
		http.Redirect(w, r, ls.url(ls.Path, v), http.StatusSeeOther)
		return
	}
	d, code, err := p.mentionsData(r.Context(), r, ls, mentionFacets)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.CanSave = p.d.Searches != nil
	v := p.newView(r, "", "mentions", d)
	v.Title = v.L.T("nav.mentions")
	block := ""
	if isHTMX(r) && r.Header.Get("HX-Target") == "results" {
		block = "results"
	}
	p.render(w, r, code, "mentions", block, v)
}

// stream sends the listing's new mentions as server-sent events ("mention"
// events carrying a rendered card) until the reader leaves.
func (p *Pages) stream(w http.ResponseWriter, r *http.Request) {
	ls := readListing(r, "/mentions")
	ls.Cursor, ls.Sort = "", index.SortNewest
	// Only recent mentions can be new: bounding the poll to the last two
	// days keeps it cheap on a large index (a backfill of old posts does
	// not stream; it shows on the next page load).
	if recent := p.d.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02"); ls.From < recent {
		ls.From = recent
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		// Only an EventSource gets an endless answer.
		http.Error(w, "this is a server-sent event stream: ask for text/event-stream", http.StatusNotAcceptable)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	// A stream outlives the server's write timeout by design.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", (5 * time.Second).Milliseconds())
	flusher.Flush()
	// Cards link back to the page, not to the stream.
	pageReq := r.Clone(r.Context())
	pageReq.URL = &url.URL{Path: "/mentions", RawQuery: ls.values().Encode()}
	v := p.newView(pageReq, "", "mentions", nil)
	seen := map[string]bool{}
	poll := func(send bool) error {
		res, _, ie, err := p.searchListing(r.Context(), ls, nil, 50)
		if err != nil || ie != nil {
			return err
		}
		var fresh []mentionView
		for _, h := range res.Hits {
			if !seen[h.ID] {
				seen[h.ID] = true
				fresh = append(fresh, newMentionView(h))
			}
		}
		if !send {
			return nil
		}
		// Oldest first, so prepending leaves the newest on top.
		for i := len(fresh) - 1; i >= 0; i-- {
			var buf bytes.Buffer
			v.Data = fresh[i]
			if err := p.pages["mentions"].ExecuteTemplate(&buf, "mention", v); err != nil {
				return err
			}
			w.Write([]byte("event: mention\n"))
			for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
				fmt.Fprintf(w, "data: %s\n", line)
			}
			w.Write([]byte("\n"))
		}
		flusher.Flush()
		return nil
	}
	if err := poll(false); err != nil {
		p.log.Warn("live stream", "error", err)
		return
	}
	tick := time.NewTicker(p.d.StreamInterval)
	defer tick.Stop()
	keepalive := time.NewTicker(20 * time.Second)
	defer keepalive.Stop()
	// A stream ends after a while and the browser reconnects (after the
	// retry above), so proxies recycle connections and new mutes apply.
	lifetime := time.NewTimer(maxStreamLifetime)
	defer lifetime.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-lifetime.C:
			return
		case <-p.jobs.stop:
			return
		case <-keepalive.C:
			w.Write([]byte(": keepalive\n\n"))
			flusher.Flush()
		case <-tick.C:
			if err := poll(true); err != nil {
				if r.Context().Err() == nil {
					p.log.Warn("live stream", "error", err)
				}
				return
			}
		}
	}
}

// Shutdown ends the live streams (http.Server.Shutdown waits for open
// requests; register this with RegisterOnShutdown).
func (p *Pages) Shutdown() {
	p.jobs.shutdown()
	if p.stopWarm != nil {
		p.stopWarm()
		<-p.warmDone
	}
}

func (p *Pages) correctSentiment(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue("value")
	switch v {
	case record.SentimentPositive, record.SentimentNeutral, record.SentimentNegative:
	default:
		p.badRequest(w, r, fmt.Sprintf("sentiment must be positive, neutral or negative, got %q", v))
		return
	}
	p.correct(w, r, record.CorrectSentiment, v)
}

func (p *Pages) correctRelevance(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue("value")
	if v != "irrelevant" && v != "relevant" {
		p.badRequest(w, r, fmt.Sprintf("relevance must be irrelevant or relevant, got %q", v))
		return
	}
	p.correct(w, r, record.CorrectRelevance, v)
}

func (p *Pages) correct(w http.ResponseWriter, r *http.Request, field, value string) {
	if p.d.Corrections == nil {
		p.badRequest(w, r, "corrections are not available on this server")
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	c := &record.Correction{Schema: record.SchemaVersion, ID: record.CorrectionID(id, field), MentionID: id, Field: field, Value: value,
		By: p.viewerName(r), At: p.d.Now().UTC()}
	m, err := p.d.Backend.GetMention(ctx, id)
	switch {
	case errors.Is(err, index.ErrNotFound) && field == record.CorrectRelevance && value == "relevant":
		// Undoing "irrelevant": the mention is out of the index; the
		// corrections store puts it back.
	case errors.Is(err, index.ErrNotFound):
		p.notFound(w, r)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	default:
		c.Text, c.Language = strings.TrimSpace(m.Title+"\n"+m.Text), index.LanguageOf(m)
		if field == record.CorrectSentiment && m.Analysis.Sentiment != nil {
			c.Previous = m.Analysis.Sentiment.Label
		}
	}
	if err := p.d.Corrections.Correct(ctx, c); err != nil {
		p.fail(w, r, fmt.Errorf("storing correction: %w", err))
		return
	}
	if !isHTMX(r) {
		back(w, r, "/mentions", "corrected")
		return
	}
	// The card again, and the facets of the page it sits on (out of band),
	// so the counts show the correction at once. A mention marked
	// irrelevant is out of the index: its card is the one read before.
	if m2, err := p.d.Backend.GetMention(ctx, id); err == nil {
		m = m2
	}
	if m == nil {
		p.notFound(w, r)
		return
	}
	mv := newMentionView(index.Hit{ID: m.ID, Mention: m})
	mv.Corrected = field == record.CorrectSentiment
	mv.Irrelevant = field == record.CorrectRelevance && value == "irrelevant"
	v := p.newView(r, "", "mentions", mv)
	var buf bytes.Buffer
	if err := p.pages["mentions"].ExecuteTemplate(&buf, "mention", v); err != nil {
		p.fail(w, r, err)
		return
	}
	if cur, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && (cur.Path == "/mentions" || cur.Path == "/feedback") {
		rr := r.Clone(ctx)
		rr.URL = cur
		ls := readListing(rr, cur.Path)
		facets := mentionFacets
		if cur.Path == "/feedback" {
			facets = feedbackFacets
		}
		if d, _, err := p.mentionsData(ctx, rr, ls, facets); err == nil && d.Error == nil {
			d.OOB = true
			v.Data = d
			if err := p.pages["mentions"].ExecuteTemplate(&buf, "facets-oob", v); err != nil {
				p.fail(w, r, err)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (p *Pages) mute(w http.ResponseWriter, r *http.Request) {
	kind, value := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("value"))
	if kind != MuteAuthor && kind != MuteSite {
		p.badRequest(w, r, fmt.Sprintf("kind must be author or site, got %q", kind))
		return
	}
	if value == "" || len(value) > 500 {
		p.badRequest(w, r, "a mute needs a value of at most 500 bytes")
		return
	}
	if p.d.Mutes == nil {
		p.badRequest(w, r, "mutes are not available on this server")
		return
	}
	if err := p.d.Mutes.Mute(r.Context(), Mute{ID: record.MuteID(kind, index.Keyword(value)), Kind: kind, Value: value, By: p.viewerName(r), At: p.d.Now().UTC()}); err != nil {
		p.fail(w, r, fmt.Errorf("storing mute: %w", err))
		return
	}
	p.afterChange(w, r, "/mentions", "muted")
}

func (p *Pages) unmute(w http.ResponseWriter, r *http.Request) {
	if p.d.Mutes == nil {
		p.badRequest(w, r, "mutes are not available on this server")
		return
	}
	if err := p.d.Mutes.Unmute(r.Context(), r.PostFormValue("id")); err != nil {
		p.fail(w, r, fmt.Errorf("removing mute: %w", err))
		return
	}
	p.afterChange(w, r, "/mentions", "unmuted")
}

// afterChange reloads the page an action came from: htmx is told to
// refresh, a plain form post is redirected.
func (p *Pages) afterChange(w http.ResponseWriter, r *http.Request, fallback, done string) {
	if isHTMX(r) {
		w.Header().Set("HX-Refresh", "true")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	back(w, r, fallback, done)
}
