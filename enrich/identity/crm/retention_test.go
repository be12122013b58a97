package crm_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

// TestIntegrationStaleProspectsAreRemoved: prospects that never converted
// and had no activity for the period are tombstoned (with their sales
// work), a merged redirect goes with its survivor, converted, won and
// active prospects (a recent mention or recent sales work) stay, and the
// audit log gets the ids and a count, no personal data. Embedded broker,
// or real Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationStaleProspectsAreRemoved(t *testing.T) {
	cl := pipelinetest.New(t)
	k := cl.Kafka
	topics := k.Topics()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	prod := k.NewProducer("retention-test", 100)
	defer prod.Close()
	now := time.Now().UTC()
	old, recent := now.Add(-400*24*time.Hour), now.Add(-10*24*time.Hour)
	prospects := []record.Prospect{
		{ID: "p-stale", Key: "email:stale@example.com", Emails: []string{"stale@example.com"}, Status: record.ProspectNew, FirstSeen: old, LastSeen: old},
		{ID: "p-active", Key: "email:active@example.com", Emails: []string{"active@example.com"}, Status: record.ProspectContacted, FirstSeen: old, LastSeen: recent},
		{ID: "p-converted", Key: "email:conv@example.com", Status: record.ProspectConverted, CustomerID: "c-1", FirstSeen: old, LastSeen: old},
		{ID: "p-merged", Key: "email:merged@example.com", Status: record.ProspectMerged, MergedInto: "p-stale", FirstSeen: old, LastSeen: recent},
		{ID: "p-merged-live", Key: "email:ml@example.com", Status: record.ProspectMerged, MergedInto: "p-active", FirstSeen: old, LastSeen: old},
		{ID: "p-worked", Key: "email:worked@example.com", Status: record.ProspectContacted, FirstSeen: old, LastSeen: old},
		{ID: "p-won", Key: "email:won@example.com", Status: record.ProspectContacted, FirstSeen: old, LastSeen: old},
	}
	var outs []pipeline.Output
	for i := range prospects {
		prospects[i].Schema = record.SchemaVersion
		v, err := record.Encode(&prospects[i])
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, pipeline.Output{Topic: topics.Prospects(), Key: []byte(prospects[i].ID), Value: v})
	}
	work := func(id, stage string, at time.Time) pipeline.Output {
		v, err := record.Encode(&record.ProspectWork{Schema: record.SchemaVersion, ProspectID: id, Stage: stage, UpdatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return pipeline.Output{Topic: topics.Name(pipeline.RoleProspectWork), Key: []byte(id), Value: v}
	}
	// Sales work is activity: a note last week keeps p-worked; a won deal is
	// kept however old; a year-old stage change does not save p-stale.
	outs = append(outs, work("p-stale", record.StageContacted, old), work("p-worked", record.StageQualified, recent),
		work("p-won", record.StageWon, old))
	if err := prod.ProduceSync(ctx, outs...); err != nil {
		t.Fatal(err)
	}

	r := crm.NewProspectRetention(k, prod, 365*24*time.Hour, nil)
	if err := r.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Stale(), []string{"p-merged", "p-stale"}; !slices.Equal(got, want) {
		t.Fatalf("stale %v, want %v", got, want)
	}
	n, err := r.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sweep removed %d: %v", n, err)
	}

	snap, err := crm.LoadSnapshot(ctx, k, topics)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for id := range snap.Prospects {
		left = append(left, id)
	}
	slices.Sort(left)
	if want := []string{"p-active", "p-converted", "p-merged-live", "p-won", "p-worked"}; !slices.Equal(left, want) {
		t.Errorf("prospects left %v, want %v", left, want)
	}
	var mu sync.Mutex
	workLeft := map[string]bool{}
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	wt, err := k.FollowTable(wctx, topics.Name(pipeline.RoleProspectWork), func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		workLeft[string(m.Key)] = m.Value != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if workLeft["p-stale"] || !workLeft["p-worked"] {
		t.Errorf("sales work left %v: want p-stale's tombstoned and p-worked's kept", workLeft)
	}
	audits := cl.ReadN(t, topics.ErasureAudit(), 1, 30*time.Second)
	if len(audits) != 1 {
		t.Fatalf("%d audit entries, want 1", len(audits))
	}
	var a record.ErasureAudit
	if err := record.Decode(audits[0].Value, &a); err != nil {
		t.Fatal(err)
	}
	if a.Step != "retention" || a.Removed["prospects"] != 2 || !slices.Equal(a.ProspectIDs, []string{"p-merged", "p-stale"}) {
		t.Errorf("audit %+v", a)
	}
	if strings.Contains(string(audits[0].Value), "@example.com") {
		t.Errorf("the audit entry holds an e-mail address: %s", audits[0].Value)
	}
	// The followed table saw the tombstones: a second sweep removes nothing.
	deadline := time.Now().Add(20 * time.Second)
	for len(r.Stale()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n, err := r.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep removed %d: %v", n, err)
	}
}
