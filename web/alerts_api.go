package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/record"
)

// The alert rules, the delivery log and the failed list (package alert).
// Reading is for everyone; changing rules and retrying deliveries is
// marketing's (routes.go).

// RuleView is a rule with what its owner remembers: when it last fired and
// how far it has evaluated.
type RuleView struct {
	record.AlertRule
	LastFired      *time.Time `json:"last_fired,omitempty"`
	EvaluatedUntil *time.Time `json:"evaluated_until,omitempty"`
}

// ChannelView is a configured channel, without its URL or secrets.
type ChannelView struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Handoff bool   `json:"handoff,omitempty"` // prospects are handed off to it
}

// alertsOff answers when the process has no alert store.
func (a *App) alertsOff(w http.ResponseWriter, r *http.Request) bool {
	if a.Alerts != nil {
		return false
	}
	w.Header().Set("Retry-After", "30")
	problem(w, r, http.StatusServiceUnavailable, "unavailable", "alerting is not running in this process (alerts.enabled)")
	return true
}

// alertFail maps the alert store's errors to answers.
func (a *App) alertFail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *alert.ValidationError
	switch {
	case errors.As(err, &ve):
		p := NewProblem(http.StatusUnprocessableEntity, "validation", err.Error())
		p.Errors = []FieldError{{Field: ve.Field, Detail: ve.Problem}}
		WriteProblem(w, r, p)
	case errors.Is(err, alert.ErrNotFound):
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, alert.ErrDelivered):
		problem(w, r, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, alert.ErrNotSaved):
		a.Logger.Warn("alert change not acknowledged", "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the change was not saved (Kafka did not acknowledge it); retry")
	default:
		a.fail(w, r, err)
	}
}

func (a *App) ruleView(rule *record.AlertRule) RuleView {
	v := RuleView{AlertRule: *rule}
	if st, ok := a.Alerts.State(rule.ID); ok {
		if !st.LastFired.IsZero() {
			t := st.LastFired
			v.LastFired = &t
		}
		if !st.EvaluatedUntil.IsZero() {
			t := st.EvaluatedUntil
			v.EvaluatedUntil = &t
		}
	}
	return v
}

func (a *App) listAlertRules(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	out := []RuleView{}
	for _, rule := range a.Alerts.Rules() {
		out = append(out, a.ruleView(rule))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *App) getAlertRule(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	rule, err := a.Alerts.Rule(r.PathValue("id"))
	if err != nil {
		a.alertFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.ruleView(rule))
}

func (a *App) createAlertRule(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	var in record.AlertRule
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ID, in.Owner = "", ""
	ctx, cancel := requestContext(r)
	defer cancel()
	rule, err := a.Alerts.PutRule(ctx, &in, principal(r).User)
	if err != nil {
		a.alertFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/alerts/rules/"+rule.ID)
	writeJSON(w, http.StatusCreated, a.ruleView(rule))
}

func (a *App) updateAlertRule(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	old, err := a.Alerts.Rule(r.PathValue("id"))
	if err != nil {
		a.alertFail(w, r, err)
		return
	}
	var in record.AlertRule
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ID, in.Owner = old.ID, old.Owner
	ctx, cancel := requestContext(r)
	defer cancel()
	rule, err := a.Alerts.PutRule(ctx, &in, principal(r).User)
	if err != nil {
		a.alertFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.ruleView(rule))
}

func (a *App) deleteAlertRule(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	if err := a.Alerts.DeleteRule(ctx, r.PathValue("id")); err != nil {
		a.alertFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// maxDeliveries bounds one listing of deliveries.
const maxDeliveries = 1000

func (a *App) listDeliveries(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	q := r.URL.Query()
	f := alert.DeliveryFilter{RuleID: q.Get("rule"), Status: q.Get("status"), Limit: 100}
	switch f.Status {
	case "", record.DeliveryScheduled, record.DeliveryRetrying, record.DeliveryDelivered, record.DeliveryFailed:
	default:
		problem(w, r, http.StatusBadRequest, "bad-request", "status: want scheduled, retrying, delivered or failed, got "+strconv.Quote(f.Status))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDeliveries {
			problem(w, r, http.StatusBadRequest, "bad-request", "limit: want 1.."+strconv.Itoa(maxDeliveries)+", got "+strconv.Quote(v))
			return
		}
		f.Limit = n
	}
	writeJSON(w, http.StatusOK, nonNil(a.Alerts.Deliveries(f)))
}

func (a *App) retryDelivery(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	d, err := a.Alerts.Retry(ctx, r.PathValue("id"), principal(r).User)
	if err != nil {
		a.alertFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, d)
}

func (a *App) listAlertChannels(w http.ResponseWriter, r *http.Request) {
	if a.alertsOff(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, alertChannels(a.Alerts.Config()))
}

func alertChannels(cfg alert.Config) []ChannelView {
	handoff := map[string]bool{}
	for _, h := range cfg.Handoff {
		handoff[h] = true
	}
	out := []ChannelView{}
	for name, ch := range cfg.Channels {
		out = append(out, ChannelView{Name: name, Type: ch.Type, Handoff: handoff[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var (
	alertsUnavailable = []int{http.StatusServiceUnavailable}
	docAlertRules     = &Op{Tag: "alerts", Summary: "Alert rules, by name, with when each last fired",
		Response: []RuleView{}, Errors: alertsUnavailable}
	docCreateAlertRule = &Op{Tag: "alerts", Summary: "Create an alert rule (spike, match, prospect or digest)",
		Description: "Empty fields take the configured defaults (alerts.defaults). Channels must be configured channel names " +
			"(GET /api/alerts/channels); spike, match and digest rules name a saved search.",
		Body: record.AlertRule{}, Response: RuleView{}, Status: http.StatusCreated}
	docAlertRule       = &Op{Tag: "alerts", Summary: "One alert rule", Response: RuleView{}, Errors: alertsUnavailable}
	docUpdateAlertRule = &Op{Tag: "alerts", Summary: "Replace an alert rule (pause it with \"paused\": true)", Body: record.AlertRule{}, Response: RuleView{}}
	docDeleteAlertRule = &Op{Tag: "alerts", Summary: "Delete an alert rule (its delivery log stays)"}
	docDeliveries      = &Op{Tag: "alerts", Summary: "Deliveries, newest first: the delivery log of a rule, or the failed list",
		Query: []Param{
			{Name: "rule", Description: "only this rule's deliveries"},
			{Name: "status", Description: "scheduled, retrying, delivered or failed"},
			{Name: "limit", Type: "integer", Description: "at most this many (default 100, at most 1000)"},
		},
		Response: []record.Delivery{}, Errors: alertsUnavailable}
	docRetryDelivery = &Op{Tag: "alerts", Summary: "Retry a delivery now (a failed one, or one waiting for its next attempt)",
		Response: record.Delivery{}, Status: http.StatusAccepted, Errors: []int{http.StatusConflict}}
	docAlertChannels = &Op{Tag: "alerts", Summary: "The configured notification channels (names and types, no secrets)",
		Response: []ChannelView{}, Errors: alertsUnavailable}
)
