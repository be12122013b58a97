package pages

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/chart"
)

type stagePanel struct {
	ProspectID string
	Stage      string
	Owner      string
	Notes      []Note
	History    []StageChange
	FirstSeen  time.Time
}

func (p *Pages) stagePanel(ctx context.Context, pr *index.Profile, w ProspectWork) stagePanel {
	sp := stagePanel{ProspectID: pr.PersonID, Stage: mapStatus(pr.Status), Owner: w.Owner, Notes: w.Notes, History: w.History}
	if w.Stage != "" {
		sp.Stage = w.Stage
	}
	if pr.Prospect != nil {
		sp.FirstSeen = pr.Prospect.FirstSeen
	}
	// Newest first.
	slices.Reverse(sp.History)
	sp.Notes = slices.Clone(sp.Notes)
	slices.Reverse(sp.Notes)
	return sp
}

type profileData struct {
	Profile   *index.Profile
	Phones    []string
	URLs      []string
	Stage     *stagePanel
	Sentiment template.HTML
	Aspects   template.HTML
	Mentions  []mentionView
	Total     int64
	Next      string
	Evidence  []record.ProspectEvidence
	AllURL    string
	// Earlier is sales' work on the prospects this customer was before
	// (converted into them): kept with the prospect, shown here too.
	Earlier []earlierLead
}

// earlierLead is one prospect that became the customer, with the stage
// it reached, its owner, notes and stage history.
type earlierLead struct {
	Profile *index.Profile
	Work    stagePanel
}

// earlierLeads finds the worked-on prospects converted into the customer:
// one read of the work table and one GetProfiles. A failure leaves the
// section out; the profile itself still shows.
func (p *Pages) earlierLeads(ctx context.Context, customerID string) []earlierLead {
	if p.d.Prospects == nil {
		return nil
	}
	works, err := p.d.Prospects.All(ctx)
	if err != nil || len(works) == 0 {
		if err != nil {
			p.log.Warn("reading the prospects' work for a customer's profile failed", "error", err)
		}
		return nil
	}
	ids := make([]string, len(works))
	for i, w := range works {
		ids[i] = index.ProfileID(index.ProfileProspect, w.ProspectID)
	}
	prs, err := p.d.Backend.GetProfiles(ctx, ids)
	if err != nil {
		p.log.Warn("reading worked-on prospects for a customer's profile failed", "error", err)
		return nil
	}
	var out []earlierLead
	for i, pr := range prs {
		if pr != nil && pr.Prospect != nil && pr.Prospect.CustomerID == customerID {
			out = append(out, earlierLead{Profile: pr, Work: p.stagePanel(ctx, pr, works[i])})
		}
	}
	return out
}

func (p *Pages) profile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	pr, err := p.d.Backend.GetProfile(ctx, id)
	if errors.Is(err, index.ErrNotFound) {
		p.notFoundTitled(w, r, "profile.not_found")
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	l := p.locale(r)
	d := &profileData{Profile: pr}
	if c := pr.Customer; c != nil {
		d.Phones, d.URLs = c.Phones, c.ProfileURLs
	}
	if pp := pr.Prospect; pp != nil {
		d.Phones, d.URLs, d.Evidence = pp.Phones, pp.ProfileURLs, pp.Evidence
		slices.Reverse(d.Evidence)
	}
	if pr.Kind == index.ProfileProspect {
		var wk ProspectWork
		if p.d.Prospects != nil {
			if got, ok, err := p.d.Prospects.Get(ctx, pr.PersonID); err == nil && ok {
				wk = got
			}
		}
		sp := p.stagePanel(ctx, pr, wk)
		d.Stage = &sp
	} else {
		d.Earlier = p.earlierLeads(ctx, pr.PersonID)
	}
	field := "customer"
	if pr.Kind == index.ProfileProspect {
		field = "prospect"
	}
	filter := filterFor(field, pr.PersonID)
	d.AllURL = listing{Filters: []string{filter}, Path: "/mentions"}.URL()
	req := &index.SearchRequest{Filters: []string{filter}, Sort: index.SortNewest, Size: mentionsPageSize,
		Cursor: r.URL.Query().Get("cursor"), Histogram: index.IntervalWeek}
	res, err := p.d.Backend.Search(ctx, req)
	if err != nil {
		if ie := asInputError(err, ""); ie != nil {
			p.badRequest(w, r, ie.Msg)
			return
		}
		p.fail(w, r, fmt.Errorf("searching the person's mentions: %w", err))
		return
	}
	d.Total = res.Total
	for _, h := range res.Hits {
		mv := newMentionView(h)
		if mv.PersonID == pr.ID {
			mv.PersonID = "" // no link to the page it is on
		}
		d.Mentions = append(d.Mentions, mv)
	}
	if res.Next != "" {
		d.Next = fmt.Sprintf("/people/%s?cursor=%s", id, res.Next)
	}
	if len(res.Histogram) > 0 {
		first, last := res.Histogram[0].Start, res.Histogram[len(res.Histogram)-1].Start
		for _, b := range res.Histogram {
			if b.Start.Before(first) {
				first = b.Start
			}
			if b.Start.After(last) {
				last = b.Start
			}
		}
		// At least twelve weeks up to now, so one busy week is not one wide bar.
		if early := p.d.Now().UTC().AddDate(0, 0, -7*12); early.Before(first) {
			first = early
		}
		if now := p.d.Now().UTC(); now.After(last) {
			last = now
		}
		starts := bucketStarts(first, last.AddDate(0, 0, 7), index.IntervalWeek)
		by := map[time.Time]index.HistogramBucket{}
		for _, b := range res.Histogram {
			by[b.Start.UTC()] = b
		}
		sents := []string{record.SentimentNegative, record.SentimentNeutral, record.SentimentPositive, index.NoSentiment}
		stacks := make([]chart.Series, len(sents))
		for i, s := range sents {
			stacks[i] = chart.Series{Name: l.T("sentiment." + s), Class: sentClass(s), Values: make([]float64, len(starts))}
		}
		labels := make([]string, len(starts))
		for i, st := range starts {
			labels[i] = l.Date(st)
			for j, s := range sents {
				stacks[j].Values[i] = float64(by[st].Sentiment[s])
			}
		}
		d.Sentiment = chart.Volume{Title: l.T("profile.sentiment_over_time"), Labels: labels, Stacks: stacks,
			Format: func(f float64) string { return l.Int(int64(f)) }}.SVG()
	}
	if len(pr.Aspects) > 0 {
		var ps []chart.Pair
		for _, a := range pr.Aspects {
			ps = append(ps, chart.Pair{Label: l.Maybe("aspect."+a.Name, a.Name), Positive: float64(a.Positive), Negative: float64(a.Negative),
				PositiveTitle: l.T("sentiment.positive"), NegativeTitle: l.T("sentiment.negative")})
		}
		d.Aspects = chart.Diverging{Title: l.T("profile.aspects"), Pairs: ps, Format: func(f float64) string { return l.Int(int64(f)) }}.SVG()
	}
	v := p.newView(r, "", "", d)
	v.Title = firstNonEmpty(pr.Name, pr.Company, pr.PersonID)
	if pr.Kind == index.ProfileProspect {
		v.Nav = "prospects"
	}
	p.render(w, r, http.StatusOK, "profile", "", v)
}
