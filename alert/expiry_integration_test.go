package alert

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationExpiredDeliveriesAreRemoved: finished deliveries last
// changed before the cut leave the store and the compacted topic (a store
// loading it anew does not find them); recent ones and one still waiting
// for an attempt stay. Embedded broker, or real Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationExpiredDeliveriesAreRemoved(t *testing.T) {
	c := pipelinetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := NewStore(testConfig("http://127.0.0.1:1/hook"), c.Kafka, nil)
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old, recent := now.Add(-40*24*time.Hour), now.Add(-2*24*time.Hour)
	for _, d := range []record.Delivery{
		{ID: "old-delivered", Status: record.DeliveryDelivered, UpdatedAt: old},
		{ID: "old-failed", Status: record.DeliveryFailed, UpdatedAt: old},
		{ID: "old-waiting", Status: record.DeliveryRetrying, UpdatedAt: old, NextAttempt: now.Add(time.Minute)},
		{ID: "recent-delivered", Status: record.DeliveryDelivered, UpdatedAt: recent},
	} {
		d.Schema = record.SchemaVersion
		d.Channel = "hook"
		d.Notification = record.Notification{Schema: record.SchemaVersion, ID: "n-" + d.ID, RuleID: "r-1", Title: "Spike", CreatedAt: d.UpdatedAt}
		if err := s.putDelivery(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ExpireDeliveries(ctx, now.Add(-30*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("expired %d deliveries (%v), want 2", n, err)
	}
	want := []string{"old-waiting", "recent-delivered"}
	if got := deliveryIDs(s); !slices.Equal(got, want) {
		t.Fatalf("the store kept %v, want %v", got, want)
	}
	// A restart loads the topic: the tombstones are there, not the old rows.
	fresh := NewStore(testConfig("http://127.0.0.1:1/hook"), c.Kafka, nil)
	defer fresh.Close()
	if err := fresh.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := deliveryIDs(fresh); !slices.Equal(got, want) {
		t.Fatalf("a store loading the topic found %v, want %v", got, want)
	}
	if n, err := s.ExpireDeliveries(ctx, now.Add(-30*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("a second sweep removed %d (%v), want 0", n, err)
	}
}

func deliveryIDs(s *Store) []string {
	var ids []string
	for _, d := range s.Deliveries(DeliveryFilter{}) {
		ids = append(ids, d.ID)
	}
	sort.Strings(ids)
	return ids
}
