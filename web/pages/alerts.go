package pages

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/i18n"
)

// AlertRules are the alert rules and their deliveries (package alert's
// Store); nil turns the alerts page into a notice that alerting is off.
type AlertRules interface {
	Rules() []*record.AlertRule
	Rule(id string) (*record.AlertRule, error)
	State(ruleID string) (*record.AlertState, bool)
	PutRule(ctx context.Context, r *record.AlertRule, by string) (*record.AlertRule, error)
	DeleteRule(ctx context.Context, id string) error
	Deliveries(f alert.DeliveryFilter) []*record.Delivery
	Retry(ctx context.Context, id, by string) (*record.Delivery, error)
	// SendTest sends a test notification through a channel at once (e-mail
	// to to, or the channel's recipients) and says how it went.
	SendTest(ctx context.Context, channel, by string, to []string) error
	Config() alert.Config
}

func init() {
	funcs["lastAttempt"] = func(as []record.DeliveryAttempt) *record.DeliveryAttempt {
		if len(as) == 0 {
			return nil
		}
		return &as[len(as)-1]
	}
}

// alertRow is one rule as the page lists it.
type alertRow struct {
	Rule      *record.AlertRule
	Search    string // the saved search's name
	LastFired string
	Failed    int
}

type alertsData struct {
	Off      bool
	Rows     []alertRow
	Selected *alertRow
	Log      []*record.Delivery // the selected rule's delivery log
	Failed   []*record.Delivery
	Searches []*record.SavedSearch
	Channels []string
	// ChannelTypes are the channels' types (webhook, slack, email), for
	// the list that sends a test through each.
	ChannelTypes map[string]string
	Kinds        []string
	Metrics      []string
	Periods      []string
	Problem      string
	Form         alertForm
}

// alertForm is the rule form, kept when it is shown again with a
// problem; ID is the rule it edits (none: a new rule).
type alertForm struct {
	ID, Name, Kind, Search, Metric, K, Window, Cooldown, Interval, MinScore, Period, Recipients, QuietFrom, QuietTo string
	Channels                                                                                                        []string
	OnNew                                                                                                           bool
}

// alerts is the alerts page; ?edit=ID fills the form with a rule to change.
func (p *Pages) alerts(w http.ResponseWriter, r *http.Request) {
	form := alertForm{Kind: record.RuleSpike}
	if id := r.URL.Query().Get("edit"); id != "" && p.d.Alerts != nil {
		rule, err := p.d.Alerts.Rule(id)
		if err != nil {
			p.notFound(w, r)
			return
		}
		form = formOf(rule)
	}
	p.renderAlerts(w, r, http.StatusOK, form, "")
}

// formOf is the form showing rule as it is.
func formOf(rule *record.AlertRule) alertForm {
	num := func(x float64) string {
		if x == 0 {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	f := alertForm{ID: rule.ID, Name: rule.Name, Kind: rule.Kind, Search: rule.SavedSearchID, Channels: rule.Channels,
		Recipients: strings.Join(rule.Recipients, ", ")}
	if q := rule.QuietHours; q != nil {
		f.QuietFrom, f.QuietTo = q.From, q.To
	}
	if sp := rule.Spike; sp != nil {
		f.Metric, f.K, f.Window, f.Cooldown = sp.Metric, num(sp.K), sp.Window, sp.Cooldown
	}
	if m := rule.Match; m != nil {
		f.Interval = m.Interval
	}
	if pr := rule.Prospect; pr != nil {
		f.MinScore, f.OnNew = num(pr.MinScore), pr.OnNew
	}
	if dg := rule.Digest; dg != nil {
		f.Period = dg.Period
	}
	return f
}

func (p *Pages) renderAlerts(w http.ResponseWriter, r *http.Request, code int, form alertForm, problem string) {
	l := p.locale(r)
	d := &alertsData{Form: form, Problem: problem,
		Kinds:   []string{record.RuleSpike, record.RuleMatch, record.RuleProspect, record.RuleDigest},
		Metrics: []string{record.MetricVolume, record.MetricNegativeShare}, Periods: []string{record.PeriodWeekly, record.PeriodDaily}}
	a := p.d.Alerts
	if a == nil {
		d.Off = true
		p.render(w, r, code, "alerts", "", p.newView(r, l.T("nav.alerts"), "alerts", d))
		return
	}
	names := map[string]string{}
	if p.d.Searches != nil {
		ss, err := p.d.Searches.List(r.Context())
		if err != nil {
			p.fail(w, r, err)
			return
		}
		d.Searches = ss
		for _, s := range ss {
			names[s.ID] = s.Name
		}
	}
	d.ChannelTypes = map[string]string{}
	for name, ch := range a.Config().Channels {
		d.Channels = append(d.Channels, name)
		d.ChannelTypes[name] = ch.Type
	}
	sortStrings(d.Channels)
	failedBy := map[string]int{}
	d.Failed = a.Deliveries(alert.DeliveryFilter{Status: record.DeliveryFailed, Limit: 200})
	for _, f := range d.Failed {
		failedBy[f.Notification.RuleID]++
	}
	selected := r.URL.Query().Get("rule")
	for _, rule := range a.Rules() {
		row := alertRow{Rule: rule, Search: names[rule.SavedSearchID], Failed: failedBy[rule.ID]}
		if row.Search == "" {
			row.Search = rule.SavedSearchID
		}
		if st, ok := a.State(rule.ID); ok && !st.LastFired.IsZero() {
			row.LastFired = l.DateTime(st.LastFired)
		}
		d.Rows = append(d.Rows, row)
		if rule.ID == selected {
			d.Selected = &d.Rows[len(d.Rows)-1]
		}
	}
	if d.Selected != nil {
		d.Log = a.Deliveries(alert.DeliveryFilter{RuleID: selected, Limit: 200})
	}
	p.render(w, r, code, "alerts", "", p.newView(r, l.T("nav.alerts"), "alerts", d))
}

// createAlertRule adds a rule from the page's form.
func (p *Pages) createAlertRule(w http.ResponseWriter, r *http.Request) {
	p.putAlertRule(w, r, nil)
}

// updateAlertRule changes a rule from the page's form; what the form does
// not show (paused, a spike's history and minimums, a digest's hour) stays.
func (p *Pages) updateAlertRule(w http.ResponseWriter, r *http.Request) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	old, err := p.d.Alerts.Rule(r.PathValue("id"))
	if err != nil {
		p.notFound(w, r)
		return
	}
	p.putAlertRule(w, r, old)
}

// putAlertRule stores the form as a new rule, or as old changed.
func (p *Pages) putAlertRule(w http.ResponseWriter, r *http.Request, old *record.AlertRule) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.badRequest(w, r, "reading the form: "+err.Error())
		return
	}
	f := alertForm{
		Name: strings.TrimSpace(r.PostFormValue("name")), Kind: r.PostFormValue("kind"), Search: r.PostFormValue("search"),
		Metric: r.PostFormValue("metric"), K: strings.TrimSpace(r.PostFormValue("k")), Window: strings.TrimSpace(r.PostFormValue("window")),
		Cooldown: strings.TrimSpace(r.PostFormValue("cooldown")), Interval: strings.TrimSpace(r.PostFormValue("interval")),
		MinScore: strings.TrimSpace(r.PostFormValue("min_score")), Period: r.PostFormValue("period"),
		Recipients: strings.TrimSpace(r.PostFormValue("recipients")), QuietFrom: r.PostFormValue("quiet_from"),
		QuietTo: r.PostFormValue("quiet_to"), Channels: r.PostForm["channel"], OnNew: r.PostFormValue("on_new") != "",
	}
	rule, done := &record.AlertRule{}, "alert_added"
	if old != nil {
		c := *old
		rule, f.ID, done = &c, old.ID, "alert_changed"
	}
	l := p.locale(r)
	err := f.applyTo(rule)
	if err == nil {
		_, err = p.d.Alerts.PutRule(r.Context(), rule, p.viewerName(r))
	}
	if err != nil {
		var ve *alert.ValidationError
		if !errors.As(err, &ve) {
			p.fail(w, r, err)
			return
		}
		p.renderAlerts(w, r, http.StatusUnprocessableEntity, f, l.T("alerts.invalid", ruleProblem(l, ve)))
		return
	}
	back(w, r, "/alerts", done)
}

// ruleFields are the form's labels of the rule fields a check names.
var ruleFields = map[string]string{
	"name": "alerts.name", "channels": "alerts.channels", "recipients": "alerts.recipients", "saved_search_id": "alerts.search",
	"spike.metric": "alerts.metric", "spike.k": "alerts.k", "spike.window": "alerts.window", "spike.cooldown": "alerts.cooldown",
	"match.interval": "alerts.interval", "prospect.min_score": "alerts.min_score", "digest.period": "alerts.period",
}

// ruleProblem says what is wrong with a rule field: in the reader's
// language where the check names the problem (a Code), in English
// otherwise; the field as the form labels it.
func ruleProblem(l *i18n.Locale, ve *alert.ValidationError) string {
	field := ve.Field
	if key, ok := ruleFields[field]; ok {
		field = l.T(key)
	}
	if ve.Code == "" {
		return field + ": " + ve.Problem
	}
	return field + ": " + l.T("alerts.err."+ve.Code, ve.Args...)
}

// applyTo sets what the form shows on r (a new rule, or a copy of the
// one edited): empty fields take the defaults; the other kinds' settings
// go, the settings the form does not show stay.
func (f alertForm) applyTo(r *record.AlertRule) error {
	num := func(field, v string) (float64, error) {
		if v == "" {
			return 0, nil
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			return 0, &alert.ValidationError{Field: field, Problem: strconv.Quote(v) + " is not a number", Code: "number", Args: []any{v}}
		}
		return x, nil
	}
	r.Name, r.Kind, r.Channels, r.SavedSearchID = f.Name, f.Kind, f.Channels, ""
	if f.Kind != record.RuleProspect {
		r.SavedSearchID = f.Search
	}
	r.Recipients = strings.FieldsFunc(f.Recipients, func(c rune) bool { return c == ',' || c == ';' || c == ' ' || c == '\n' })
	tz := ""
	if r.QuietHours != nil {
		tz = r.QuietHours.Timezone
	}
	r.QuietHours = nil
	if f.QuietFrom != "" || f.QuietTo != "" {
		r.QuietHours = &record.QuietHours{From: f.QuietFrom, To: f.QuietTo, Timezone: tz}
	}
	spike, match, prospect, digest := r.Spike, r.Match, r.Prospect, r.Digest
	r.Spike, r.Match, r.Prospect, r.Digest = nil, nil, nil, nil
	switch f.Kind {
	case record.RuleSpike:
		k, err := num("spike.k", f.K)
		if err != nil {
			return err
		}
		r.Spike = copyOrNew(spike)
		r.Spike.Metric, r.Spike.K, r.Spike.Window, r.Spike.Cooldown = f.Metric, k, f.Window, f.Cooldown
	case record.RuleMatch:
		r.Match = copyOrNew(match)
		r.Match.Interval = f.Interval
	case record.RuleProspect:
		s, err := num("prospect.min_score", f.MinScore)
		if err != nil {
			return err
		}
		r.Prospect = copyOrNew(prospect)
		r.Prospect.MinScore, r.Prospect.OnNew = s, f.OnNew
	case record.RuleDigest:
		r.Digest = copyOrNew(digest)
		r.Digest.Period = f.Period
	}
	return nil
}

// copyOrNew is a copy of *p to change (the rule edited keeps its other
// settings), or a new T.
func copyOrNew[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	c := *p
	return &c
}

// toggleAlertRule pauses an active rule or resumes a paused one.
func (p *Pages) toggleAlertRule(w http.ResponseWriter, r *http.Request) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	rule, err := p.d.Alerts.Rule(r.PathValue("id"))
	if errors.Is(err, alert.ErrNotFound) {
		p.notFound(w, r)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	next := *rule
	next.Paused = !rule.Paused
	if _, err := p.d.Alerts.PutRule(r.Context(), &next, p.viewerName(r)); err != nil {
		p.fail(w, r, err)
		return
	}
	done := "alert_resumed"
	if next.Paused {
		done = "alert_paused"
	}
	back(w, r, "/alerts", done)
}

func (p *Pages) deleteAlertRule(w http.ResponseWriter, r *http.Request) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	if err := p.d.Alerts.DeleteRule(r.Context(), r.PathValue("id")); err != nil {
		if errors.Is(err, alert.ErrNotFound) {
			p.notFound(w, r)
			return
		}
		p.fail(w, r, err)
		return
	}
	back(w, r, "/alerts", "alert_deleted")
}

func (p *Pages) retryDelivery(w http.ResponseWriter, r *http.Request) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	if _, err := p.d.Alerts.Retry(r.Context(), r.PathValue("id"), p.viewerName(r)); err != nil {
		switch {
		case errors.Is(err, alert.ErrNotFound):
			p.notFound(w, r)
		case errors.Is(err, alert.ErrDelivered):
			back(w, r, "/alerts", "alert_already_delivered")
		default:
			p.fail(w, r, err)
		}
		return
	}
	back(w, r, "/alerts", "alert_retried")
}

// testChannel sends a test notification through one channel, so whoever
// sets up alerts sees at once whether it arrives, or why not.
func (p *Pages) testChannel(w http.ResponseWriter, r *http.Request) {
	if p.d.Alerts == nil {
		p.notFound(w, r)
		return
	}
	name := r.PathValue("name")
	to := strings.FieldsFunc(r.PostFormValue("to"), func(c rune) bool { return c == ',' || c == ';' || c == ' ' })
	err := p.d.Alerts.SendTest(r.Context(), name, p.viewerName(r)+" on the alerts page", to)
	var (
		soon *alert.TestsTooSoon
		bad  *alert.RecipientError
	)
	l := p.locale(r)
	switch {
	case errors.Is(err, alert.ErrUnknownChannel):
		p.notFound(w, r)
	case errors.As(err, &soon):
		p.renderAlerts(w, r, http.StatusTooManyRequests, alertForm{Kind: record.RuleSpike}, l.T("alerts.test_too_soon", name, retryAfter(w, soon.Wait)))
	case errors.As(err, &bad):
		p.renderAlerts(w, r, http.StatusBadRequest, alertForm{Kind: record.RuleSpike}, l.T("alerts.test_bad_recipient", bad.Addr))
	case errors.Is(err, alert.ErrTooManyRecipients):
		p.renderAlerts(w, r, http.StatusBadRequest, alertForm{Kind: record.RuleSpike}, l.T("alerts.test_too_many", alert.MaxTestRecipients))
	case err != nil:
		p.renderAlerts(w, r, http.StatusBadGateway, alertForm{Kind: record.RuleSpike}, l.T("alerts.test_failed", name, err.Error()))
	default:
		back(w, r, "/alerts", "alert_test_sent")
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
