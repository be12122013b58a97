package pages_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/alert"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

// newAlertsHarness serves the pages with an alert store on the embedded
// broker holding one saved search and two channels.
func newAlertsHarness(t *testing.T, configure ...func(*alert.Config)) (*harness, *alert.Store, *pipelinetest.Cluster) {
	t.Helper()
	c := pipelinetest.New(t)
	ss := &record.SavedSearch{ID: "acme", Name: "Acme", Query: "acme"}
	b, _ := record.Encode(ss)
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleSavedSearches), Key: []byte(ss.ID), Value: b})
	cfg := alert.DefaultConfig()
	cfg.Channels = map[string]alert.ChannelConfig{
		"crm":  {Type: alert.ChannelWebhook, URL: "https://crm.test/hook"},
		"team": {Type: alert.ChannelSlack, URL: "https://hooks.slack.test/services/x"},
	}
	for _, c := range configure {
		c(&cfg)
	}
	s := alert.NewStore(cfg, c.Kafka, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); s.Close() })
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	st := pagestest.NewStores(idx)
	d := st.Deps()
	d.Alerts = s
	d.Who = func(*http.Request) (pages.Viewer, bool) { return pages.Viewer{Name: "mia", Role: "marketing"}, true }
	d.CSRFToken = func(*http.Request) string { return "tok-123" }
	p, err := pages.New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.Shutdown)
	return &harness{srv: srv, stores: st, pages: p}, s, c
}

func TestAlertsPage(t *testing.T) {
	h, s, c := newAlertsHarness(t)
	code, body, _ := h.get(t, "/alerts")
	if code != http.StatusOK || !strings.Contains(body, "No rules yet") || !strings.Contains(body, `value="crm"`) {
		t.Fatalf("empty page: %d\n%s", code, body)
	}
	// Adding a rule through the form; a bad one is shown again with why.
	form := url.Values{"name": {"Acme <script>alert(1)</script>"}, "kind": {"spike"}, "search": {"acme"}, "channel": {"team"},
		"metric": {"negative_share"}, "k": {"4"}, "quiet_from": {"22:00"}, "quiet_to": {"07:00"}}
	code, _, hdr := h.post(t, "/alerts/rules", form)
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=alert_added") {
		t.Fatalf("add: %d %v", code, hdr)
	}
	bad := url.Values{"name": {"x"}, "kind": {"spike"}, "search": {"acme"}, "channel": {"team"}, "window": {"90m"}}
	code, body, _ = h.post(t, "/alerts/rules", bad)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Window: whole hours from 1h to 168h, not 1h30m0s") || !strings.Contains(body, `value="90m"`) {
		t.Fatalf("bad rule: %d\n%s", code, body)
	}
	if code, body, _ = h.post(t, "/alerts/rules", url.Values{"name": {"x"}, "kind": {"prospect"}, "channel": {"crm"}, "min_score": {"high"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "“high” is not a number") {
		t.Fatalf("bad number: %d", code)
	}
	rules := s.Rules()
	if len(rules) != 1 || rules[0].Spike.K != 4 || rules[0].Spike.Metric != record.MetricNegativeShare || rules[0].Owner != "mia" || rules[0].QuietHours == nil {
		t.Fatalf("stored rule: %+v", rules)
	}
	id := rules[0].ID
	code, body, _ = h.get(t, "/alerts")
	if code != http.StatusOK || strings.Contains(body, "<script>alert(1)</script>") || !strings.Contains(body, "Acme &lt;script&gt;") {
		t.Fatalf("rule name not escaped:\n%s", body)
	}
	// On a phone each rule is a block of labelled lines (the labels come
	// from the cells, in the reader's language).
	if !strings.Contains(body, `<table class="stack-on-phone">`) || !strings.Contains(body, `<td data-label="Last fired">`) {
		t.Errorf("the rules table cannot stack on a phone")
	}
	// Pause, then resume.
	if code, _, _ := h.post(t, "/alerts/rules/"+id+"/toggle", url.Values{"next": {"/alerts"}}); code != http.StatusSeeOther {
		t.Fatalf("toggle: %d", code)
	}
	if r, _ := s.Rule(id); !r.Paused {
		t.Fatal("rule not paused")
	}
	// A failed delivery: listed with its error, in the rule's log, retried.
	n := record.Notification{ID: "n1", RuleID: id, RuleName: rules[0].Name, Title: "Negative share spike in “Acme”",
		Reason: "Negative share 45% is 5.1σ above the baseline 12%", Channels: []string{"team"}, CreatedAt: time.Now().UTC()}
	d := &record.Delivery{ID: record.DeliveryID("n1", "team"), Channel: "team", Status: record.DeliveryFailed, Notification: n,
		Attempts: []record.DeliveryAttempt{{HTTPStatus: 404, Error: "posting to https://hooks.slack.test/…: HTTP 404: no_service"}}}
	b, _ := record.Encode(d)
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleDeliveries), Key: []byte(d.ID), Value: b})
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Deliveries(alert.DeliveryFilter{})) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	code, body, _ = h.get(t, "/alerts?rule="+id)
	if code != http.StatusOK || !strings.Contains(body, "HTTP 404: no_service") || !strings.Contains(body, "5.1σ above the baseline") ||
		!strings.Contains(body, "/alerts/deliveries/"+d.ID+"/retry") || !strings.Contains(body, "1 failed") {
		t.Fatalf("failed delivery not shown:\n%s", body)
	}
	code, _, hdr = h.post(t, "/alerts/deliveries/"+d.ID+"/retry", url.Values{"next": {"/alerts"}})
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=alert_retried") {
		t.Fatalf("retry: %d %v", code, hdr)
	}
	if got, _ := s.Delivery(d.ID); got.Status != record.DeliveryScheduled || got.RetryRequestedBy != "mia" {
		t.Fatalf("after retry: %+v", got)
	}
	// Polish interface.
	if _, body, _ = h.get(t, "/alerts?lang=pl"); !strings.Contains(body, "Nieudane dostarczenia") && !strings.Contains(body, "Reguły") {
		t.Fatalf("no Polish:\n%s", body)
	}
	if code, _, _ := h.post(t, "/alerts/rules/"+id+"/delete", url.Values{}); code != http.StatusSeeOther || len(s.Rules()) != 0 {
		t.Fatalf("delete: %d, %d rules left", code, len(s.Rules()))
	}
	if code, _, _ := h.post(t, "/alerts/rules/nope/delete", url.Values{}); code != http.StatusNotFound {
		t.Fatalf("delete unknown: %d", code)
	}
}

func TestAlertsPageWithoutAlerting(t *testing.T) {
	h := newHarness(t)
	code, body, _ := h.get(t, "/alerts")
	if code != http.StatusOK || !strings.Contains(body, "alerts.enabled") {
		t.Fatalf("%d\n%s", code, body)
	}
}

// "Send a test" on the alerts page reaches the channel at once and says
// so; a channel that refuses is named with its answer.
func TestAlertsPageSendsATestThroughAChannel(t *testing.T) {
	var got []byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	defer hook.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	defer refusing.Close()
	h, _, _ := newAlertsHarness(t, func(c *alert.Config) {
		c.Channels = map[string]alert.ChannelConfig{
			"crm":  {Type: alert.ChannelWebhook, URL: hook.URL},
			"dead": {Type: alert.ChannelSlack, URL: refusing.URL},
			"mail": {Type: alert.ChannelEmail, SMTP: alert.SMTPConfig{Host: "127.0.0.1", Port: 1, From: "alerts@earshot.test", To: []string{"team@example.com"}}},
		}
	})
	if _, page, _ := h.get(t, "/alerts"); !strings.Contains(page, `action="/alerts/channels/crm/test"`) || !strings.Contains(page, "Send a test") {
		t.Fatalf("the alerts page offers no test per channel")
	}
	code, _, hdr := h.post(t, "/alerts/channels/crm/test", nil)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/alerts?done=alert_test_sent" || !strings.Contains(string(got), `"kind":"test"`) || !strings.Contains(string(got), "mia") {
		t.Errorf("test through crm = %d %q; the hook got %s", code, hdr.Get("Location"), got)
	}
	if code, page, _ := h.post(t, "/alerts/channels/dead/test", nil); code != http.StatusBadGateway || !strings.Contains(page, "The test through dead did not arrive") || !strings.Contains(page, "410") {
		t.Errorf("test through a refusing channel = %d", code)
	}
	if code, page, _ := h.post(t, "/alerts/channels/mail/test", url.Values{"to": {"me@example.com\r\nBcc: all@example.com"}}); code != http.StatusBadRequest || !strings.Contains(page, "not an e-mail address") {
		t.Errorf("a test to a recipient carrying a header = %d", code)
	}
	if code, _, _ := h.post(t, "/alerts/channels/nope/test", nil); code != http.StatusNotFound {
		t.Errorf("test through an unknown channel = %d; want 404", code)
	}
	// A few tests a minute per channel; the next is refused, said in the
	// reader's language with the wait.
	for i := range 2 {
		if code, _, _ := h.post(t, "/alerts/channels/crm/test", nil); code != http.StatusSeeOther {
			t.Fatalf("test %d through crm = %d", i+2, code)
		}
	}
	code, page, hdr := h.post(t, "/alerts/channels/crm/test", nil, "Accept-Language", "pl")
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(page, "Kanał crm był przed chwilą testowany kilka razy; spróbuj ponownie za ") {
		t.Errorf("a fourth test in a minute = %d (Retry-After %q)", code, hdr.Get("Retry-After"))
	}
}

// A saved search an alert rule watches is not deleted: the dashboard
// names the rule; once the rule is gone, the search goes.
func TestSavedSearchWatchedByARuleIsKept(t *testing.T) {
	h, s, _ := newAlertsHarness(t)
	ctx := context.Background()
	if _, err := h.stores.Deps().Searches.Save(ctx, &record.SavedSearch{ID: "acme", Name: "Acme", Query: "acme"}); err != nil {
		t.Fatal(err)
	}
	rule, err := s.PutRule(ctx, &record.AlertRule{Name: "Acme spikes", Kind: record.RuleSpike, SavedSearchID: "acme", Channels: []string{"team"}}, "mia")
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := h.post(t, "/searches/acme/delete", url.Values{})
	if code != http.StatusConflict || !strings.Contains(body, "Alert rules watch this search (“Acme spikes”)") {
		t.Fatalf("deleting a watched search = %d", code)
	}
	if _, err := h.stores.Deps().Searches.Get(ctx, "acme"); err != nil {
		t.Fatalf("the watched search was deleted: %v", err)
	}
	if err := s.DeleteRule(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := h.post(t, "/searches/acme/delete", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("deleting it once no rule watches it = %d", code)
	}
}

// A rule is changed through the same form, filled with it: what the form
// does not show (paused, a spike's history and minimums, the quiet hours'
// time zone, labels) stays; a bad value comes back in the form, still
// editing that rule.
func TestAlertsPageEditsARule(t *testing.T) {
	h, s, _ := newAlertsHarness(t)
	ctx := context.Background()
	rule, err := s.PutRule(ctx, &record.AlertRule{Name: "Acme spikes", Kind: record.RuleSpike, SavedSearchID: "acme", Channels: []string{"team"}, Paused: true,
		Spike:      &record.SpikeParams{Metric: record.MetricVolume, K: 3, History: "336h", MinCount: 5},
		QuietHours: &record.QuietHours{From: "22:00", To: "07:00", Timezone: "Europe/Warsaw"}, Labels: map[string]string{"team": "pl"}}, "ola")
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := h.get(t, "/alerts?edit="+rule.ID)
	for _, want := range []string{`action="/alerts/rules/` + rule.ID + `"`, "Change the rule “Acme spikes”", `value="Acme spikes"`, `name="k" inputmode="decimal" placeholder="3" value="3"`, `value="22:00"`, `value="team" checked`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("the edit form lacks %s (%d)", want, code)
		}
	}
	form := url.Values{"name": {"Acme spikes (PL)"}, "kind": {"spike"}, "search": {"acme"}, "channel": {"crm", "team"}, "metric": {"negative_share"}, "k": {"4,5"}, "quiet_from": {"21:00"}, "quiet_to": {"07:00"}}
	code, _, hdr := h.post(t, "/alerts/rules/"+rule.ID, form)
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=alert_changed") {
		t.Fatalf("edit = %d %q", code, hdr.Get("Location"))
	}
	got, err := s.Rule(rule.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme spikes (PL)" || got.Spike.K != 4.5 || got.Spike.Metric != record.MetricNegativeShare || got.Spike.History != "336h" || got.Spike.MinCount != 5 ||
		!got.Paused || got.QuietHours.From != "21:00" || got.QuietHours.Timezone != "Europe/Warsaw" || got.Labels["team"] != "pl" ||
		got.Owner != "ola" || !got.CreatedAt.Equal(rule.CreatedAt) || len(got.Channels) != 2 || len(s.Rules()) != 1 {
		t.Fatalf("after the edit: %+v %+v", got, got.Spike)
	}
	// Another kind: the spike's settings go.
	form.Set("kind", "match")
	form.Set("interval", "15m")
	if code, _, _ := h.post(t, "/alerts/rules/"+rule.ID, form); code != http.StatusSeeOther {
		t.Fatalf("kind change = %d", code)
	}
	if got, _ := s.Rule(rule.ID); got.Spike != nil || got.Match == nil || got.Match.Interval != "15m" {
		t.Errorf("after a kind change: spike %+v, match %+v", got.Spike, got.Match)
	}
	form.Set("kind", "spike")
	form.Set("k", "lots")
	code, body, _ = h.post(t, "/alerts/rules/"+rule.ID, form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `action="/alerts/rules/`+rule.ID+`"`) || !strings.Contains(body, `value="lots"`) {
		t.Errorf("a bad number = %d, or the form no longer edits the rule", code)
	}
	if code, _, _ := h.get(t, "/alerts?edit=nope"); code != http.StatusNotFound {
		t.Errorf("editing an unknown rule = %d", code)
	}
	if code, _, _ := h.post(t, "/alerts/rules/nope", form); code != http.StatusNotFound {
		t.Errorf("posting to an unknown rule = %d", code)
	}
}

// A rule the checks refuse is said in the reader's language, the field as
// the form labels it.
func TestAlertRuleProblemsInTheReadersLanguage(t *testing.T) {
	h, _, _ := newAlertsHarness(t)
	form := func(kv ...string) url.Values {
		v := url.Values{"name": {"Acme"}, "kind": {"spike"}, "search": {"acme"}, "channel": {"team"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	noChannel := form()
	noChannel.Del("channel")
	for _, c := range []struct {
		form url.Values
		says string
	}{
		{form("window", "90m"), "Okno: pełne godziny od 1h do 168h, a nie 1h30m0s"},
		{form("window", "an hour"), "podaj czas trwania, np. 1h albo 30m, a nie „an hour”"},
		{form("k", "lots"), "„lots” nie jest liczbą"},
		{form("k", "25"), "od 0 do 20, a nie 25"},
		{noChannel, "wybierz co najmniej jeden kanał (skonfigurowane: crm, team)"},
		{form("search", ""), "wybierz zapisane wyszukiwanie, które reguła obserwuje"},
	} {
		code, body, _ := h.post(t, "/alerts/rules", c.form, "Accept-Language", "pl")
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Reguła nie została zapisana: ") || !strings.Contains(body, c.says) {
			_, rest, _ := strings.Cut(body, `class="error" role="alert"><p>`)
			shown, _, _ := strings.Cut(rest, "</p>")
			t.Errorf("%v = %d, shown %q; want %q", c.form, code, shown, c.says)
		}
	}
}
