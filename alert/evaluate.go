package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Evaluator decides, for the rules it owns, whether something happened.
// Spike rules read hourly histograms (counts), never documents, and keep
// them per rule so that a cycle only asks the index for the newest hours.
type Evaluator struct {
	cfg     Config
	backend index.Backend
	search  func(id string) (*record.SavedSearch, bool)

	mu    sync.Mutex
	cache map[string]*countCache // by rule id
}

// countCache is a rule's hourly counts over [from, to) for one query.
type countCache struct {
	key      string
	from, to time.Time
	hours    map[time.Time]Counts
}

// NewEvaluator makes an evaluator reading backend; search looks up saved
// searches by id.
func NewEvaluator(cfg Config, backend index.Backend, search func(id string) (*record.SavedSearch, bool)) *Evaluator {
	return &Evaluator{cfg: cfg, backend: backend, search: search, cache: map[string]*countCache{}}
}

// Outcome is what one evaluation produced: notifications to send and the
// rule's next state (nil when unchanged).
type Outcome struct {
	Notifications []*record.Notification
	State         *record.AlertState
}

// Evaluate runs one rule at now against its last state.
func (e *Evaluator) Evaluate(ctx context.Context, r *record.AlertRule, st *record.AlertState, now time.Time) (*Outcome, error) {
	res, err := Resolve(e.cfg, r)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	prev := record.AlertState{RuleID: r.ID}
	if st != nil {
		prev = *st
	}
	var ss *record.SavedSearch
	if r.SavedSearchID != "" {
		s, ok := e.search(r.SavedSearchID)
		if !ok {
			return nil, fmt.Errorf("rule %s: saved search %s no longer exists", r.ID, r.SavedSearchID)
		}
		ss = s
	}
	now = now.UTC()
	switch r.Kind {
	case record.RuleSpike:
		return e.spike(ctx, res, ss, prev, now)
	case record.RuleMatch:
		return e.match(ctx, res, ss, prev, now)
	case record.RuleDigest:
		return e.digest(ctx, res, ss, prev, now)
	}
	return &Outcome{}, nil // prospect rules run on the prospects topic
}

// spike evaluates every window that closed since the last evaluation
// (bounded by catch_up), oldest first, so that downtime loses no alert.
func (e *Evaluator) spike(ctx context.Context, res *Resolved, ss *record.SavedSearch, st record.AlertState, now time.Time) (*Outcome, error) {
	last := now.Add(-e.cfg.Lateness).Truncate(res.Window)
	start := st.EvaluatedUntil
	if start.IsZero() {
		start = last.Add(-res.Window)
	}
	if oldest := last.Add(-e.cfg.CatchUp).Truncate(res.Window); start.Before(oldest) {
		start = oldest
	}
	if !last.After(start) {
		return &Outcome{}, nil
	}
	counts, err := e.hourly(ctx, res.Rule.ID, ss, start.Add(-res.History), last)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	for end := start.Add(res.Window); !end.After(last); end = end.Add(res.Window) {
		ws := end.Add(-res.Window)
		cur := sumHours(counts, ws, end)
		var history []Counts
		for hs := ws.Add(-res.History); hs.Before(ws); hs = hs.Add(res.Window) {
			history = append(history, sumHours(counts, hs, hs.Add(res.Window)))
		}
		v := res.Spike.Test(history, cur)
		st.EvaluatedUntil = end
		if !v.Fire || (!st.LastFired.IsZero() && end.Before(st.LastFired.Add(res.Cooldown))) {
			continue
		}
		n, err := e.spikeNotification(ctx, res, ss, v, cur, ws, end, now)
		if err != nil {
			return nil, err
		}
		out.Notifications = append(out.Notifications, n)
		st.LastFired = end
	}
	st.UpdatedAt = now
	out.State = &st
	return out, nil
}

func (e *Evaluator) spikeNotification(ctx context.Context, res *Resolved, ss *record.SavedSearch, v Verdict, cur Counts, ws, we, now time.Time) (*record.Notification, error) {
	r := res.Rule
	req := &index.SearchRequest{Query: ss.Query, Filters: ss.Filters, From: ws, To: we, Size: e.cfg.Defaults.TopMentions}
	if res.Spike.Metric == record.MetricNegativeShare {
		req.Filters = append(append([]string(nil), ss.Filters...), "sentiment:negative")
	}
	top, err := e.backend.Search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("reading top mentions of rule %s: %w", r.ID, err)
	}
	title := fmt.Sprintf("Spike in “%s”: %d mentions in %s (normally %.0f)", ss.Name, cur.Total, span(res.Window), v.Baseline)
	if res.Spike.Metric == record.MetricNegativeShare {
		title = fmt.Sprintf("Negative share spike in “%s”: %.0f%% negative (normally %.0f%%)", ss.Name, v.Observed*100, v.Baseline*100)
	}
	n := &record.Notification{
		ID:       record.NotificationID(r.ID, "spike:"+ws.Format(time.RFC3339)),
		RuleID:   r.ID,
		RuleName: r.Name,
		Kind:     record.RuleSpike,
		Title:    title,
		Reason: fmt.Sprintf("%s %s–%s UTC: %s.", metricName(res.Spike.Metric), ws.Format("Jan 2 15:04"), we.Format("15:04"),
			v.Why),
		Link: e.cfg.dashboardLink(ss.ID, ws.AddDate(0, 0, -7), we),
		Spike: &record.SpikeEvidence{
			Metric: res.Spike.Metric, WindowStart: ws, WindowEnd: we, Observed: v.Observed, Baseline: v.Baseline,
			Sigma: v.Sigma, Threshold: v.Threshold, K: res.Spike.K, Count: cur.Total, Windows: v.Windows,
		},
		MentionCount: int(cur.Total),
		Mentions:     notifiedMentions(top.Hits),
	}
	e.finish(n, res, now)
	return n, nil
}

// match sends the mentions that appeared since the last interval, as one
// message. It looks back cfg.Lateness for mentions that were indexed late
// and remembers what it sent within that horizon, so none is sent twice.
func (e *Evaluator) match(ctx context.Context, res *Resolved, ss *record.SavedSearch, st record.AlertState, now time.Time) (*Outcome, error) {
	t := now.Truncate(res.Interval)
	if st.EvaluatedUntil.IsZero() {
		// A new rule watches from now on, not the whole history.
		st.EvaluatedUntil, st.UpdatedAt = t, now
		return &Outcome{State: &st}, nil
	}
	if !t.After(st.EvaluatedUntil) {
		return &Outcome{}, nil
	}
	from := st.EvaluatedUntil.Add(-e.cfg.Lateness)
	if oldest := t.Add(-e.cfg.CatchUp); from.Before(oldest) {
		from = oldest
	}
	found, err := e.backend.Search(ctx, &index.SearchRequest{Query: ss.Query, Filters: ss.Filters, From: from, To: t, Sort: index.SortOldest, Size: index.MaxSize})
	if err != nil {
		return nil, fmt.Errorf("matching rule %s: %w", res.Rule.ID, err)
	}
	seen := map[string]bool{}
	for _, id := range st.Seen {
		seen[id] = true
	}
	var fresh []index.Hit
	alreadySent := 0
	horizon := t.Add(-e.cfg.Lateness)
	var keep []string
	for _, h := range found.Hits {
		if seen[h.ID] {
			alreadySent++
		} else {
			fresh = append(fresh, h)
		}
		if !h.Mention.CreatedAt.Before(horizon) {
			keep = append(keep, h.ID)
		}
	}
	out := &Outcome{}
	if total := int(found.Total) - alreadySent; total > 0 && len(fresh) > 0 {
		// Newest first in the message.
		sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Mention.CreatedAt.After(fresh[j].Mention.CreatedAt) })
		shown := fresh[:min(len(fresh), 10)]
		noun := "mentions"
		if total == 1 {
			noun = "mention"
		}
		n := &record.Notification{
			ID:       record.NotificationID(res.Rule.ID, "match:"+t.Format(time.RFC3339)),
			RuleID:   res.Rule.ID,
			RuleName: res.Rule.Name,
			Kind:     record.RuleMatch,
			Title:    fmt.Sprintf("%d new %s in “%s”", total, noun, ss.Name),
			Reason: fmt.Sprintf("%d new %s matched %s between %s and %s UTC.", total, noun, describeQuery(ss),
				st.EvaluatedUntil.Format("Jan 2 15:04"), t.Format("15:04")),
			Link:         e.cfg.mentionsLink(ss),
			MentionCount: total,
			Mentions:     notifiedMentions(shown),
		}
		e.finish(n, res, now)
		out.Notifications = append(out.Notifications, n)
		st.LastFired = t
	}
	if len(keep) > index.MaxSize {
		keep = keep[len(keep)-index.MaxSize:]
	}
	st.Seen, st.EvaluatedUntil, st.UpdatedAt = keep, t, now
	out.State = &st
	return out, nil
}

// digest sends the summary of the last period when its time came.
func (e *Evaluator) digest(ctx context.Context, res *Resolved, ss *record.SavedSearch, st record.AlertState, now time.Time) (*Outcome, error) {
	due := lastDigestTime(res, now)
	if st.EvaluatedUntil.IsZero() {
		st.EvaluatedUntil, st.UpdatedAt = due, now
		return &Outcome{State: &st}, nil
	}
	if !due.After(st.EvaluatedUntil) {
		return &Outcome{}, nil
	}
	from := due.AddDate(0, 0, -1)
	if res.Period == record.PeriodWeekly {
		from = due.AddDate(0, 0, -7)
	}
	content, err := BuildDigest(ctx, e.backend, e.cfg, ss, res.Period, from, due)
	if err != nil {
		return nil, fmt.Errorf("building digest of rule %s: %w", res.Rule.ID, err)
	}
	n := DigestNotification(e.cfg, res.Rule, ss, content)
	e.finish(n, res, now)
	st.EvaluatedUntil, st.LastFired, st.UpdatedAt = due, due, now
	return &Outcome{Notifications: []*record.Notification{n}, State: &st}, nil
}

// DigestNotification wraps digest content for a rule.
func DigestNotification(cfg Config, r *record.AlertRule, ss *record.SavedSearch, d *record.DigestContent) *record.Notification {
	name := "all mentions"
	searchID := ""
	if ss != nil {
		name, searchID = "“"+ss.Name+"”", ss.ID
	}
	period := "Weekly"
	if d.Period == record.PeriodDaily {
		period = "Daily"
	}
	return &record.Notification{
		ID:       record.NotificationID(r.ID, "digest:"+d.To.UTC().Format(time.RFC3339)),
		RuleID:   r.ID,
		RuleName: r.Name,
		Kind:     record.RuleDigest,
		Title:    fmt.Sprintf("%s digest for %s: %d mentions (%s)", period, name, d.Volume, change(d.Volume, d.PreviousTotal)),
		Reason: fmt.Sprintf("%d mentions %s – %s against %d the period before; %d negative; %d new prospects.",
			d.Volume, d.From.Format("Jan 2"), d.To.Add(-time.Second).Format("Jan 2"), d.PreviousTotal,
			d.Sentiment[record.SentimentNegative], len(d.Prospects)),
		Link:   cfg.dashboardLink(searchID, d.From, d.To),
		Digest: d,
	}
}

// finish fills what every notification of a rule carries.
func (e *Evaluator) finish(n *record.Notification, res *Resolved, now time.Time) {
	n.Schema = record.SchemaVersion
	n.Channels = append([]string(nil), res.Rule.Channels...)
	n.Recipients = append([]string(nil), res.Rule.Recipients...)
	n.CreatedAt = now
	n.NotBefore = res.Quiet.until(now)
}

// lastDigestTime is the latest scheduled digest time at or before now.
func lastDigestTime(res *Resolved, now time.Time) time.Time {
	l := now.In(res.Location)
	t := time.Date(l.Year(), l.Month(), l.Day(), res.Hour, 0, 0, 0, res.Location)
	if t.After(l) {
		t = t.AddDate(0, 0, -1)
	}
	if res.Period == record.PeriodWeekly {
		for t.Weekday() != res.Weekday {
			t = t.AddDate(0, 0, -1)
		}
	}
	return t.UTC()
}

// hourly returns the rule's hourly counts over [from, to), reading from the
// index only the hours it does not have, and the last few again (mentions
// arrive late).
func (e *Evaluator) hourly(ctx context.Context, ruleID string, ss *record.SavedSearch, from, to time.Time) (map[time.Time]Counts, error) {
	key := ss.Query + "\x00" + strings.Join(ss.Filters, "\x00")
	e.mu.Lock()
	c := e.cache[ruleID]
	e.mu.Unlock()
	fetchFrom := from
	if c != nil && c.key == key && !c.from.After(from) && !c.to.Before(from) {
		fetchFrom = c.to.Add(-e.cfg.Lateness).Truncate(time.Hour).Add(-time.Hour)
		if fetchFrom.Before(from) {
			fetchFrom = from
		}
	} else {
		c = &countCache{key: key, from: from, hours: map[time.Time]Counts{}}
	}
	if fetchFrom.Before(to) {
		res, err := e.backend.Search(ctx, &index.SearchRequest{
			Query: ss.Query, Filters: ss.Filters, From: fetchFrom, To: to,
			Sort: index.SortNewest, Size: 1, Histogram: index.IntervalHour,
		})
		if err != nil {
			return nil, fmt.Errorf("counting mentions of %q: %w", ss.Name, err)
		}
		for h := fetchFrom; h.Before(to); h = h.Add(time.Hour) {
			c.hours[h] = Counts{}
		}
		for _, b := range res.Histogram {
			c.hours[b.Start.UTC()] = Counts{Total: b.Count, Negative: b.Sentiment[record.SentimentNegative], Rated: b.Count - b.Sentiment[index.NoSentiment]}
		}
	}
	for h := range c.hours {
		if h.Before(from) {
			delete(c.hours, h)
		}
	}
	c.from, c.to = from, to
	e.mu.Lock()
	e.cache[ruleID] = c
	e.mu.Unlock()
	return c.hours, nil
}

// forget drops a rule's cached counts (the rule moved to another owner).
func (e *Evaluator) forget(keep func(ruleID string) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id := range e.cache {
		if !keep(id) {
			delete(e.cache, id)
		}
	}
}

func sumHours(hours map[time.Time]Counts, from, to time.Time) Counts {
	var c Counts
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		c.add(hours[h])
	}
	return c
}

func notifiedMentions(hits []index.Hit) []record.NotifiedMention {
	out := make([]record.NotifiedMention, 0, len(hits))
	for _, h := range hits {
		m := h.Mention
		nm := record.NotifiedMention{
			ID: m.ID, Source: m.Source, Author: firstNonEmpty(m.Author.Name, m.Author.Handle),
			Text: clip(strings.TrimSpace(joinNonEmpty(m.Title, m.Text)), 600), URL: m.URL,
			Language: index.LanguageOf(m), CreatedAt: m.CreatedAt.UTC(), Subject: m.Subject,
		}
		if s := m.Analysis.Sentiment; s != nil {
			nm.Sentiment = s.Label
		}
		out = append(out, nm)
	}
	return out
}

func joinNonEmpty(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n" + b
}

func metricName(metric string) string {
	if metric == record.MetricNegativeShare {
		return "Negative share"
	}
	return "Volume"
}

func describeQuery(ss *record.SavedSearch) string {
	q := ss.Query
	if q == "" {
		q = "*"
	}
	if len(ss.Filters) > 0 {
		q += " with " + strings.Join(ss.Filters, ", ")
	}
	return "“" + q + "”"
}

// span says a duration in words ("an hour", "3 hours").
func span(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "an hour"
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d == 24*time.Hour:
		return "a day"
	}
	return fmt.Sprintf("%d hours", d/time.Hour)
}
