package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationAlertsCLI manages a rule, tests a channel, and lists and
// retries a failed delivery with `earshot alerts`, against a cluster.
func TestIntegrationAlertsCLI(t *testing.T) {
	c := pipelinetest.New(t)
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Webhook-Id") == "" || r.Header.Get("Webhook-Signature") == "" {
			http.Error(w, "unsigned", http.StatusBadRequest)
		}
	}))
	defer hook.Close()
	t.Setenv("TEST_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	cfg := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\n"+
		"alerts:\n  channels:\n    crm: {type: webhook, url: %q, secret: \"${TEST_WEBHOOK_SECRET}\"}\n",
		strings.Join(c.Brokers, ","), c.Config.TopicPrefix, hook.URL))
	ss := &record.SavedSearch{ID: "acme", Name: "Acme", Query: "acme"}
	b, _ := record.Encode(ss)
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleSavedSearches), Key: []byte("acme"), Value: b})

	code, out, errOut := runCLI(t, "alerts", "add", "-c", cfg, "--name", "Acme spikes", "--kind", "spike", "--search", "acme",
		"--channel", "crm", "--k", "4", "--quiet", "22:00-07:00")
	if code != 0 || !strings.Contains(out, "added rule ") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	id := strings.Fields(strings.TrimPrefix(out, "added rule "))[0]
	code, out, errOut = runCLI(t, "alerts", "add", "-c", cfg, "--name", "x", "--kind", "spike", "--search", "nope", "--channel", "crm")
	if code == 0 || !strings.Contains(errOut, `saved_search_id: no saved search "nope"`) {
		t.Fatalf("add with an unknown search: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "alerts", "add", "-c", cfg, "--name", "x", "--kind", "match", "--search", "acme", "--channel", "pager")
	if code == 0 || !strings.Contains(errOut, `unknown channel "pager"`) {
		t.Fatalf("add with an unknown channel: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "alerts", "pause", id, "-c", cfg)
	if code != 0 {
		t.Fatalf("pause: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "alerts", "rules", "-c", cfg)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "Acme spikes") || !strings.Contains(out, "paused") {
		t.Fatalf("rules: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "alerts", "test", "crm", "-c", cfg)
	if code != 0 || hits.Load() != 1 || !strings.Contains(out, "sent a test notification to crm") {
		t.Fatalf("test: exit %d, %d hits\n%s%s", code, hits.Load(), out, errOut)
	}

	// A failed delivery, as the deliverer records it, is listed and retried.
	d := &record.Delivery{ID: record.DeliveryID("n1", "crm"), Channel: "crm", Status: record.DeliveryFailed,
		Notification: record.Notification{ID: "n1", RuleID: id, RuleName: "Acme spikes", Title: "Spike in Acme", Channels: []string{"crm"}},
		Attempts:     []record.DeliveryAttempt{{HTTPStatus: 500, Error: "posting: HTTP 500: boom"}}}
	b, _ = record.Encode(d)
	c.Produce(t, pipeline.Output{Topic: c.Kafka.Topics().Name(pipeline.RoleDeliveries), Key: []byte(d.ID), Value: b})
	code, out, errOut = runCLI(t, "alerts", "deliveries", "--failed", "-c", cfg)
	if code != 0 || !strings.Contains(out, d.ID[:12]) || !strings.Contains(out, "HTTP 500: boom") {
		t.Fatalf("deliveries: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "alerts", "retry", d.ID[:12], "-c", cfg)
	if code != 0 || !strings.Contains(out, "scheduled for an attempt now") {
		t.Fatalf("retry: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "alerts", "deliveries", "--status", "scheduled", "--json", "-c", cfg)
	if code != 0 || !strings.Contains(out, `"retry_requested_by": "cli"`) {
		t.Fatalf("retried delivery not scheduled:\n%s", out)
	}
	code, out, errOut = runCLI(t, "alerts", "remove", id, "-c", cfg)
	if code != 0 {
		t.Fatalf("remove: exit %d\n%s%s", code, out, errOut)
	}
	if _, out, _ = runCLI(t, "alerts", "rules", "-c", cfg); strings.Contains(out, id) {
		t.Fatalf("removed rule still listed:\n%s", out)
	}
}
