package alert

import (
	"log/slog"
	"testing"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// A delivery this process marked delivered must not fall back to
// "scheduled" when the follower reads the older record after the local
// write: that is how a notification got delivered twice.
func TestTableOwnWriteIsNotUndoneByOlderRecords(t *testing.T) {
	tb := newTable[record.Delivery](nil, "deliveries", slog.New(slog.DiscardHandler))
	scheduled := &record.Delivery{Schema: record.SchemaVersion, ID: "d1", Status: record.DeliveryScheduled}
	delivered := &record.Delivery{Schema: record.SchemaVersion, ID: "d1", Status: record.DeliveryDelivered}
	later := &record.Delivery{Schema: record.SchemaVersion, ID: "d1", Status: record.DeliveryRetrying, RetryRequestedBy: "maria"}
	msg := func(offset int64, d *record.Delivery) pipeline.Message {
		return pipeline.Message{Key: []byte("d1"), Value: encode(t, d), Offset: offset}
	}
	status := func() string {
		d, ok := tb.get("d1")
		if !ok {
			return "(none)"
		}
		return d.Status
	}

	// Two own writes, acked, before the follower saw either.
	tb.put("d1", scheduled, encode(t, scheduled))
	tb.put("d1", delivered, encode(t, delivered))
	tb.apply(msg(0, scheduled))
	if got := status(); got != record.DeliveryDelivered {
		t.Fatalf("after the follower read the older record: %s, want delivered", got)
	}
	tb.apply(msg(1, delivered)) // the echo of the last own write
	if got := status(); got != record.DeliveryDelivered {
		t.Fatalf("after the echo: %s", got)
	}
	// Past the echo, records written by anyone apply again.
	tb.apply(msg(2, later))
	if got := status(); got != record.DeliveryRetrying {
		t.Fatalf("a record after the echo was not applied: %s", got)
	}
	if tb.applied[0] != 2 {
		t.Errorf("applied offset %d, want 2 (skipped records still count as read)", tb.applied[0])
	}
}
