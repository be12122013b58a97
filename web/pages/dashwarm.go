package pages

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/i18n"
)

// Dashboards are warmed in the background. The embedded index keeps what
// each counting search found per day (index/bleve/daycache.go), so a
// dashboard reads the days it counted before and counts only the days
// written since; the first look at a saved search over a year would still
// count two years of mentions (the year and the year before). The warmer
// counts them before anyone looks: the longest period the page offers
// (365 days and its previous period) of the all-mentions dashboard and of
// every saved search, when it is new or changed, when the mutes change
// (they are part of every dashboard search) and once a day (the year
// moves on). Shorter periods ending today fall inside what it counted.
// A warm-up that finds everything counted costs a merge of day counts.

// warmState is what the warmer last counted.
type warmState map[string]string // saved search id ("" for all) → signature

func (p *Pages) warmDashboards(ctx context.Context, every time.Duration) {
	done := warmState{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.warmOnce(ctx, done)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// warmOnce warms every dashboard whose signature changed since done.
func (p *Pages) warmOnce(ctx context.Context, done warmState) {
	l := i18n.New(i18n.ByCode("en"))
	now := p.d.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from, end := today.AddDate(0, 0, -364), today.AddDate(0, 0, 1)
	prevFrom := from.Add(-end.Sub(from))
	var mutes []string
	for _, m := range p.activeMutes(ctx) {
		mutes = append(mutes, m.Kind+":"+m.Value)
	}
	sort.Strings(mutes)
	base := today.Format("2006-01-02") + "\x00" + strings.Join(mutes, "\x00")
	searches := []*record.SavedSearch{{Name: "all"}}
	if p.d.Searches != nil {
		ss, err := p.d.Searches.List(ctx)
		if err != nil {
			p.log.Warn("warming dashboards: listing saved searches", "error", err)
			return
		}
		searches = append(searches, ss...)
	}
	seen := map[string]bool{}
	for _, s := range searches {
		seen[s.ID] = true
		sig := base + "\x00" + s.UpdatedAt.String() + "\x00" + s.Query + "\x00" + strings.Join(s.Filters, "\x00")
		if done[s.ID] == sig || ctx.Err() != nil {
			continue
		}
		start := time.Now()
		d := &dashboardData{Search: s, From: from.Format("2006-01-02"), To: today.Format("2006-01-02")}
		if err := p.fillDashboard(ctx, l, d, from, end, prevFrom); err != nil {
			// A saved search that no longer parses shows its error on its page.
			p.log.Debug("warming a dashboard", "search", s.ID, "error", err)
		}
		done[s.ID] = sig
		p.log.Debug("warmed a dashboard", "search", s.ID, "took", time.Since(start))
	}
	for id := range done {
		if !seen[id] {
			delete(done, id)
		}
	}
}
