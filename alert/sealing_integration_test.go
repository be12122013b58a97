package alert

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationAlertsAreShreddedWithThePerson: with sealing on, a prospect
// alert reaches the webhook in full, while the notifications and
// deliveries topics hold it sealed with the prospect's key; after the
// person's key is deleted (forget) the delivery leaves the service's
// memory and the topics' copies cannot be opened. Embedded broker, or real
// Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationAlertsAreShreddedWithThePerson(t *testing.T) {
	c := pipelinetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kr, err := privacy.NewKeyring("alert-test-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kafka.EnableSealing(ctx, kr); err != nil {
		t.Fatal(err)
	}
	hook := newHookServer(t, func(int, http.ResponseWriter, *http.Request) {})
	s := startService(t, c, testConfig(hook.URL), &fakeIndex{}, nil)
	waitOwned(t, 3, s)
	rule := putRule(t, s.Store(), &record.AlertRule{Name: "hot leads", Kind: record.RuleProspect, Channels: []string{"hook"},
		Prospect: &record.ProspectParams{MinScore: 0.8}})
	produceUntil(t, c, []string{"ana"}, func() bool { return len(hook.got()) > 0 })
	waitFor(t, "the delivery", 30*time.Second, func() bool {
		ds := s.Store().Deliveries(DeliveryFilter{RuleID: rule.ID})
		return len(ds) == 1 && ds[0].Status == record.DeliveryDelivered
	})
	if body := string(hook.got()[0].body); !strings.Contains(body, "Prospect ana") || !strings.Contains(body, "ana@example.com") {
		t.Fatalf("the webhook got the alert without its prospect:\n%s", body)
	}
	topics := []string{c.Kafka.Topics().Name(pipeline.RoleNotifications), c.Kafka.Topics().Name(pipeline.RoleDeliveries)}
	for _, topic := range topics {
		for _, m := range c.ReadN(t, topic, 1, 10*time.Second) {
			if m.Value == nil {
				continue
			}
			if v := strings.ToLower(string(m.Value)); strings.Contains(v, "ana@example.com") || strings.Contains(v, "prospect ana") {
				t.Fatalf("%s holds the prospect in plain text:\n%s", topic, m.Value)
			}
		}
	}

	// forget: the tombstones of the person's keys.
	subject := kr.Subject(record.AuthorKey("", record.Author{Email: "ana@example.com"}))
	serials := kr.Serials(subject)
	if len(serials) == 0 {
		t.Fatal("the alert was not sealed with the prospect's key")
	}
	var outs []pipeline.Output
	for _, k := range serials {
		outs = append(outs, pipeline.Output{Topic: c.Kafka.Topics().Keys(), Key: []byte(k)})
	}
	c.Produce(t, outs...)
	waitFor(t, "the delivery to leave memory", 30*time.Second, func() bool {
		return len(s.Store().Deliveries(DeliveryFilter{RuleID: rule.ID})) == 0
	})
	// A new store loading the topics (a restart) finds nothing of her.
	st := NewStore(testConfig(hook.URL), c.Kafka, nil)
	defer st.Close()
	lctx, lcancel := context.WithCancel(ctx)
	defer lcancel()
	if err := st.Start(lctx); err != nil {
		t.Fatal(err)
	}
	if ds := st.Deliveries(DeliveryFilter{RuleID: rule.ID}); len(ds) != 0 {
		t.Fatalf("a restarted store loads %d deliveries of the erased person", len(ds))
	}
}
