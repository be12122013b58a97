package es

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
)

func TestZZExperiment(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	cfg := realConfig(t)
	be := openReal(t, cfg)
	ctx := context.Background()
	p := be.plan.Load()
	r := rand.New(rand.NewPCG(1, 2))
	variants := []string{"warm", "full", "norecord", "notermsfold", "textonly", "kwonly", "full"}
	for vi, v := range variants {
		var n int
		var node0 time.Duration
		var cli time.Duration
		start := time.Now()
		node0 = nodeCPU(&testing.B{}, be)
		for batch := 0; batch < 15; batch++ {
			ms := benchMentions(vi*100000+batch*1000, 1000, r)
			c0 := cpuTime()
			items := make([]bulkItem, len(ms))
			errs := make([]error, len(ms))
			for i, m := range ms {
				record, _ := json.Marshal(m)
				d := index.NewMentionDoc(m, p.has)
				var doc []byte
				switch v {
				case "norecord":
					doc, _ = mentionDoc(d, []byte("{}"), p)
				case "notermsfold":
					d.Analyser = ""
					pp := *p
					pp.Fold = true
					doc, _ = mentionDoc(d, record, &pp)
				case "textonly":
					d.Analyser = ""
					pp := *p
					pp.Fold = true
					doc, _ = mentionDoc(d, []byte("{}"), &pp)
				case "kwonly":
					d.Analyser = ""
					d.Text = ""
					pp := *p
					pp.Fold = true
					doc, _ = mentionDoc(d, []byte("{}"), &pp)
				default:
					doc, _ = mentionDoc(d, record, p)
				}
				items[i] = bulkItem{action: "index", index: be.MentionIndex(m.CreatedAt), id: m.ID, doc: doc}
			}
			cli += cpuTime() - c0
			be.bulk.write(ctx, items, errs)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			n += len(ms)
		}
		node := nodeCPU(&testing.B{}, be) - node0
		t.Logf("%-12s %6.0f docs/s  node %4.0f µs/doc  client-build %3.0f µs/doc load %s", v, float64(n)/time.Since(start).Seconds(), float64(node.Microseconds())/float64(n), float64(cli.Microseconds())/float64(n), loadAvg())
	}
}
