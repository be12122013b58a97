package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

// withAlerts gives the test app an alert store on the embedded broker, with
// one saved search and two channels.
func withAlerts(t *testing.T) (testOption, *alert.Store, *pipelinetest.Cluster) {
	t.Helper()
	c := pipelinetest.New(t)
	ss := &record.SavedSearch{ID: "acme", Name: "Acme", Query: "acme"}
	b, err := record.Encode(ss)
	if err != nil {
		t.Fatal(err)
	}
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleSavedSearches), Key: []byte(ss.ID), Value: b})
	cfg := alert.DefaultConfig()
	cfg.Channels = map[string]alert.ChannelConfig{
		"team-slack": {Type: alert.ChannelSlack, URL: "https://hooks.slack.test/services/T/B/secret"},
		"crm":        {Type: alert.ChannelWebhook, URL: "https://crm.test/hook"},
	}
	cfg.Handoff = []string{"crm"}
	s := alert.NewStore(cfg, c.Kafka, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); s.Close() })
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return func(_ *Config, a *App) { a.Alerts = s }, s, c
}

func TestAlertRulesAPI(t *testing.T) {
	opt, _, _ := withAlerts(t)
	ta := newTestApp(t, opt)
	rule := record.AlertRule{Name: "Acme spikes", Kind: record.RuleSpike, SavedSearchID: "acme", Channels: []string{"team-slack"},
		Spike: &record.SpikeParams{Metric: record.MetricNegativeShare, K: 4}, QuietHours: &record.QuietHours{From: "22:00", To: "07:00"}}

	if r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", json: rule}); r.code != http.StatusUnauthorized {
		t.Fatalf("anonymous create: %d", r.code)
	}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleSales} {
		if r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", role: role, json: rule}); r.code != http.StatusForbidden {
			t.Fatalf("%s create: %d", role, r.code)
		}
	}
	b := ta.signIn(t, auth.RoleMarketing)
	if r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", sess: b, json: rule, noCSRF: true}); r.code != http.StatusForbidden {
		t.Fatalf("create without the CSRF token: %d", r.code)
	}
	r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", sess: b, json: rule})
	var created RuleView
	r.decode(t, &created)
	if r.code != http.StatusCreated || created.ID == "" || created.Owner != "mia" || r.header.Get("Location") != "/api/alerts/rules/"+created.ID {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	for name, bad := range map[string]record.AlertRule{
		"unknown channel": {Name: "x", Kind: record.RuleMatch, SavedSearchID: "acme", Channels: []string{"pager"}},
		"unknown search":  {Name: "x", Kind: record.RuleMatch, SavedSearchID: "nope", Channels: []string{"crm"}},
		"bad window":      {Name: "x", Kind: record.RuleSpike, SavedSearchID: "acme", Channels: []string{"crm"}, Spike: &record.SpikeParams{Window: "soon"}},
		"bad kind":        {Name: "x", Kind: "sometimes", Channels: []string{"crm"}},
	} {
		r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", role: auth.RoleMarketing, json: bad})
		if r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.code, r.body)
			continue
		}
		if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Field == "" {
			t.Errorf("%s: problem names no field: %+v", name, p)
		}
	}
	if r := ta.do(t, req{method: "POST", path: "/api/alerts/rules", role: auth.RoleMarketing, body: `{"name": "x", "kind": "match", "extra": 1}`,
		ctype: "application/json"}); r.code != http.StatusBadRequest {
		t.Errorf("unknown member: %d", r.code)
	}
	var got RuleView
	ta.do(t, req{method: "GET", path: "/api/alerts/rules/" + created.ID, role: auth.RoleViewer}).decode(t, &got)
	if got.Spike == nil || got.Spike.K != 4 || got.QuietHours == nil {
		t.Fatalf("get: %+v", got)
	}
	rule.Paused = true
	r = ta.do(t, req{method: "PUT", path: "/api/alerts/rules/" + created.ID, role: auth.RoleAdmin, json: rule})
	if r.decode(t, &got); r.code != http.StatusOK || !got.Paused || got.Owner != "mia" || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Fatalf("update: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "PUT", path: "/api/alerts/rules/nope", role: auth.RoleAdmin, json: rule}); r.code != http.StatusNotFound {
		t.Fatalf("update unknown: %d", r.code)
	}
	var list []RuleView
	ta.do(t, req{method: "GET", path: "/api/alerts/rules", role: auth.RoleSales}).decode(t, &list)
	if len(list) != 1 || list[0].ID != created.ID {
		t.Fatalf("list: %+v", list)
	}
	var channels []ChannelView
	ta.do(t, req{method: "GET", path: "/api/alerts/channels", role: auth.RoleViewer}).decode(t, &channels)
	if len(channels) != 2 || channels[0].Name != "crm" || !channels[0].Handoff || channels[1].Type != alert.ChannelSlack {
		t.Fatalf("channels: %+v", channels)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/alerts/rules/" + created.ID, role: auth.RoleViewer}); r.code != http.StatusForbidden {
		t.Fatalf("viewer delete: %d", r.code)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/alerts/rules/" + created.ID, sess: b}); r.code != http.StatusNoContent {
		t.Fatalf("delete: %d", r.code)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/alerts/rules/" + created.ID, role: auth.RoleViewer}); r.code != http.StatusNotFound {
		t.Fatalf("after delete: %d", r.code)
	}
}

func TestDeliveriesAPI(t *testing.T) {
	opt, s, c := withAlerts(t)
	ta := newTestApp(t, opt)
	n := record.Notification{ID: "n1", RuleID: "r1", RuleName: "Acme spikes", Title: "Spike in <b>Acme</b>", Channels: []string{"crm"},
		CreatedAt: time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC)}
	failed := &record.Delivery{ID: record.DeliveryID("n1", "crm"), Channel: "crm", Status: record.DeliveryFailed, Notification: n,
		Attempts: []record.DeliveryAttempt{{HTTPStatus: 502, Error: "HTTP 502"}}}
	n.ID = "n2"
	delivered := &record.Delivery{ID: record.DeliveryID("n2", "crm"), Channel: "crm", Status: record.DeliveryDelivered, Notification: n}
	var outs []pipeline.Output
	for _, d := range []*record.Delivery{failed, delivered} {
		b, _ := record.Encode(d)
		outs = append(outs, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleDeliveries), Key: []byte(d.ID), Value: b})
	}
	c.Produce(t, outs...)
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Deliveries(alert.DeliveryFilter{})) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	var list []record.Delivery
	r := ta.do(t, req{method: "GET", path: "/api/alerts/deliveries?status=failed", role: auth.RoleViewer})
	if r.decode(t, &list); r.code != http.StatusOK || len(list) != 1 || list[0].ID != failed.ID {
		t.Fatalf("failed list: %d %s", r.code, r.body)
	}
	ta.do(t, req{method: "GET", path: "/api/alerts/deliveries?rule=r1&limit=10", role: auth.RoleViewer}).decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("delivery log of r1: %d entries", len(list))
	}
	for _, bad := range []string{"status=lost", "limit=0", "limit=x"} {
		if r := ta.do(t, req{method: "GET", path: "/api/alerts/deliveries?" + bad, role: auth.RoleViewer}); r.code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, r.code)
		}
	}
	if r := ta.do(t, req{method: "POST", path: "/api/alerts/deliveries/" + failed.ID + "/retry", role: auth.RoleViewer}); r.code != http.StatusForbidden {
		t.Fatalf("viewer retry: %d", r.code)
	}
	var d record.Delivery
	r = ta.do(t, req{method: "POST", path: "/api/alerts/deliveries/" + failed.ID + "/retry", role: auth.RoleMarketing})
	if r.decode(t, &d); r.code != http.StatusAccepted || d.Status != record.DeliveryScheduled || d.RetryRequestedBy != "mia" {
		t.Fatalf("retry: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/alerts/deliveries/" + delivered.ID + "/retry", role: auth.RoleMarketing}); r.code != http.StatusConflict {
		t.Fatalf("retry of a delivered one: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/alerts/deliveries/nope/retry", role: auth.RoleMarketing}); r.code != http.StatusNotFound {
		t.Fatalf("retry of an unknown one: %d", r.code)
	}
}

func TestAlertRoutesWithoutAlerting(t *testing.T) {
	ta := newTestApp(t)
	for _, path := range []string{"/api/alerts/rules", "/api/alerts/deliveries", "/api/alerts/channels"} {
		r := ta.do(t, req{method: "GET", path: path, role: auth.RoleViewer})
		if r.code != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "alerts.enabled") {
			t.Errorf("%s: %d %s", path, r.code, r.body)
		}
	}
}

// The API keeps a saved search an alert rule watches, naming the rule.
func TestSavedSearchWatchedByARuleIsNotDeleted(t *testing.T) {
	opt, s, _ := withAlerts(t)
	ta := newTestApp(t, opt)
	rule, err := s.PutRule(context.Background(), &record.AlertRule{Name: "Acme spikes", Kind: record.RuleSpike, SavedSearchID: "acme", Channels: []string{"crm"}}, "mia")
	if err != nil {
		t.Fatal(err)
	}
	r := ta.do(t, req{method: "DELETE", path: "/api/saved-searches/acme", role: auth.RoleMarketing})
	if r.code != http.StatusConflict || !strings.Contains(string(r.body), rule.ID) {
		t.Fatalf("deleting a watched saved search = %d %s", r.code, r.body)
	}
	if err := s.DeleteRule(context.Background(), rule.ID); err != nil {
		t.Fatal(err)
	}
	if r := ta.do(t, req{method: "DELETE", path: "/api/saved-searches/acme", role: auth.RoleMarketing}); r.code == http.StatusConflict {
		t.Errorf("still refused once no rule watches it: %s", r.body)
	}
}
